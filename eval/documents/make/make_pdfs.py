#!/usr/bin/env python3
"""Generate the three fictional CX test PDFs in eval/documents/.

    .venv/bin/python eval/documents/make/make_pdfs.py

* bank-cx-2025.pdf            simplified Chinese, 5 pages: title page, running header,
                              "第 N 页" footer, grid table, bar chart, a sentence that
                              crosses the page 2/3 break, a two-column page (page 4).
* insurance-claims-2024.pdf   simplified Chinese, 3 pages: header = publisher name only,
                              footer = publisher (left) + "- N -" (centre), two columns
                              throughout pages 2-3, a table inside a column.
* telecom-tw-2023.pdf         traditional Chinese (Taiwan), 3 pages: running header,
                              footer "第 N 頁 / 共 3 頁", grid table.

All text is drawn as real text (WenQuanYi Zen Hei, embedded subset) and wrapped here at
the column width.  Canvases use invariant=1, so reruns give identical bytes.
Everything in these documents is fictional.
"""

import os
import re
import sys

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from reportlab.platypus import Table, TableStyle

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.dirname(HERE)  # eval/documents

FONT = "WQY"
FONT_FILE = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
if not os.path.exists(FONT_FILE):
    sys.exit(f"missing {FONT_FILE}: apt-get install -y fonts-wqy-zenhei")
pdfmetrics.registerFont(TTFont(FONT, FONT_FILE, subfontIndex=0))

BLACK = colors.HexColor("#222222")
GREY = colors.HexColor("#666666")

# ---------------------------------------------------------------- wrapping

# ASCII runs (numbers, percentages, latin words) are never split.
_TOKEN = re.compile(r"[+\-]?[A-Za-z0-9][A-Za-z0-9.,%+\-/:]*|\s+|.")
NO_START = set("，。、；：？！）」』》〉”’%·…")  # may hang past the margin
NO_END = set("（「『《〈“‘")  # never the last char of a line


def wrap(text, size, width, first_indent=0.0, font=FONT):
    """Greedy line breaking for mixed CJK/latin text."""
    lines, cur = [], ""
    avail = width - first_indent
    for tok in _TOKEN.findall(text):
        if not cur and tok.isspace():
            continue
        if not cur or stringWidth(cur + tok, font, size) <= avail:
            cur += tok
            continue
        if tok in NO_START:  # hanging punctuation
            cur += tok
            continue
        carry = ""
        while cur and cur[-1] in NO_END:
            carry, cur = cur[-1] + carry, cur[:-1]
        lines.append(cur.rstrip())
        cur = (carry + tok).lstrip()
        avail = width
    if cur.strip():
        lines.append(cur.rstrip())
    return lines


# ---------------------------------------------------------------- flow layout


class Flow:
    """A tiny flowing layout: lines go down a column, then to the next column/page."""

    def __init__(self, path, header, footer, margins, meta):
        self.path = path
        self.c = canvas.Canvas(path, pagesize=A4, invariant=1)
        self.c.setTitle(meta["title"])
        self.c.setAuthor(meta["author"])
        self.c.setSubject(meta.get("subject", ""))
        self.c.setCreator("eval/documents/make/make_pdfs.py")
        self.W, self.H = A4
        self.ml, self.mr, self.mt, self.mb = margins
        self.header, self.footer = header, footer
        self.cols, self.gap = 1, 0.0
        self.page = 0
        self.log = []  # (page, column, line) for checking where breaks fall
        self._new_page()

    # geometry
    @property
    def colw(self):
        return (self.W - self.ml - self.mr - (self.cols - 1) * self.gap) / self.cols

    @property
    def x(self):
        return self.ml + self.col * (self.colw + self.gap)

    def _new_page(self):
        if self.page:
            self.c.showPage()
        self.page += 1
        self.header(self.c, self.page, self)
        self.footer(self.c, self.page, self)
        self.col = 0
        self.col_top = self.H - self.mt
        self.y = self.col_top
        self.lowest = self.y

    def next_col(self):
        self.lowest = min(self.lowest, self.y)
        if self.col + 1 < self.cols:
            self.col += 1
            self.y = self.col_top
        else:
            self._new_page()

    def page_break(self):
        self._new_page()

    def columns(self, n, gap=24.0):
        self.lowest = min(self.lowest, self.y)
        if self.cols > 1:
            self.y = self.lowest
        self.cols, self.gap, self.col = n, gap, 0
        self.col_top = self.y
        self.lowest = self.y

    def need(self, h):
        if self.y - h < self.mb:
            self.next_col()

    def space(self, h):
        if self.y < self.col_top:  # no space at the top of a column
            self.y -= h

    # text
    def _draw(self, x, top, leading, size, text, color, align="left", width=None):
        c = self.c
        base = top - (leading + size) / 2 - size * 0.1
        c.setFillColor(color)
        c.setFont(FONT, size)
        if align == "center":
            c.drawCentredString(x + (width or self.colw) / 2, base, text)
        else:
            c.drawString(x, base, text)
        self.log.append((self.page, self.col, text))

    def line(self, text, size, align="left", color=BLACK, leading=None):
        leading = leading or size * 1.5
        assert stringWidth(text, FONT, size) <= self.colw + 0.5, text
        self.need(leading)
        self._draw(self.x, self.y, leading, size, text, color, align)
        self.y -= leading

    def para(self, text, size=10.5, leading=None, indent=2, color=BLACK, after=4):
        leading = leading or size * 1.68
        first = indent * size
        for i, ln in enumerate(wrap(text, size, self.colw, first)):
            self.need(leading)
            self._draw(self.x + (first if i == 0 else 0), self.y, leading, size, ln, color)
            self.y -= leading
        self.space(after)

    def bullet(self, text, size=10.5, leading=None, mark="•", hang=1.4, after=2):
        leading = leading or size * 1.68
        h = hang * size
        for i, ln in enumerate(wrap(text, size, self.colw - h)):
            self.need(leading)
            if i == 0 and mark == "•":  # WQY has no U+2022: draw the dot as a shape
                self.c.setFillColor(BLACK)
                self.c.circle(self.x + 0.55 * size, self.y - leading / 2 + 0.05 * size, 0.17 * size, stroke=0, fill=1)
            elif i == 0:
                self._draw(self.x + 0.3 * size, self.y, leading, size, mark, BLACK)
            self._draw(self.x + h, self.y, leading, size, ln, BLACK)
            self.y -= leading
        self.space(after)

    def heading(self, text, size=13, color=BLACK, before=10, after=4, rule=None):
        self.space(before)
        self.need(size * 1.6 + 40)  # keep with the next lines
        for ln in wrap(text, size, self.colw):
            self.line(ln, size, color=color, leading=size * 1.6)
        if rule:
            self.c.setStrokeColor(rule)
            self.c.setLineWidth(0.8)
            self.c.line(self.x, self.y + 2, self.x + self.colw, self.y + 2)
        self.space(after)

    # blocks
    def block(self, flowable, caption=None, caption_below=None, cap_size=10, before=6, after=8):
        w, h = flowable.wrap(self.colw, self.H)
        cap_h = cap_size * 1.9
        total = h + (cap_h if caption else 0) + (cap_h if caption_below else 0)
        self.space(before)
        self.need(total)
        if caption:
            self._draw(self.x, self.y, cap_h, cap_size, caption, BLACK, align="center")
            self.y -= cap_h
        flowable.drawOn(self.c, self.x + (self.colw - w) / 2, self.y - h)
        self.log.append((self.page, self.col, f"<{type(flowable).__name__}>"))
        self.y -= h
        if caption_below:
            self._draw(self.x, self.y, cap_h, cap_size, caption_below, BLACK, align="center")
            self.y -= cap_h
        self.space(after)

    def save(self):
        self.c.showPage()
        self.c.save()
        return self.page

    def page_edges(self):
        """Last text line of each page and first of the next (to check page breaks)."""
        out = []
        for (p1, _, t1), (p2, _, t2) in zip(self.log, self.log[1:], strict=False):
            if p2 != p1:
                out.append((p1, t1, t2))
        return out


def grid_table(data, col_widths, size=9.5, head_bg="#dfe7f1", line="#7f8c99", left_cols=1):
    t = Table(data, colWidths=col_widths)
    t.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("FONTSIZE", (0, 0), (-1, -1), size),
                ("LEADING", (0, 0), (-1, -1), size * 1.3),
                ("TEXTCOLOR", (0, 0), (-1, -1), BLACK),
                ("GRID", (0, 0), (-1, -1), 0.6, colors.HexColor(line)),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(head_bg)),
                ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                ("ALIGN", (0, 1), (left_cols - 1, -1), "LEFT"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ]
        )
    )
    return t


# ================================================================ 1. bank

BANK_TITLE = "2025 中国零售银行客户体验洞察报告"
BANK_HEADER = "2025 中国零售银行客户体验洞察报告 | 知澜研究院"

BANK_P1 = [
    ("h", "核心发现"),
    (
        "p",
        "2024年，中国零售银行业在存款利率下行、理财产品净值化和数字渠道全面普及的背景下，"
        "面临客户期望快速抬升的挑战。知澜研究院连续第五年开展零售银行客户体验调查，从渠道体验、"
        "数字化服务、投诉处理和客户忠诚四个维度追踪客户体验的变化。本年度的主要发现如下：",
    ),
    ("b", "零售银行整体净推荐值（NPS）为 +23，较上一年度提升 4 分，股份制银行表现最好。"),
    ("b", "手机银行继续领跑各渠道，电话客服的满意度则出现明显下滑。"),
    ("b", "老年客户的数字化障碍依然突出，是各家银行改善体验的重点人群。"),
    ("b", "投诉首次解决率有所提升，但长时间未解决的投诉对客户忠诚度的伤害非常显著。"),
    ("h", "一、研究方法与样本"),
    (
        "p",
        "本次调查由知澜研究院于2024年10月至12月实施，采用线上问卷与线下网点拦截访问相结合的方式，"
        "样本覆盖全国 31 个省、自治区和直辖市，共回收有效问卷 12,600 份。受访者须年满 18 周岁，"
        "且在过去 12 个月内至少使用过一次零售银行服务。其中线上样本占 72%，线下拦截样本占 28%；"
        "按主要开户机构划分，国有大型银行客户占 41%，股份制银行客户占 27%，城市商业银行客户占 20%，"
        "农村金融机构客户占 12%。此外，研究组还对 48 位银行零售业务负责人进行了半结构化深度访谈。",
    ),
    (
        "p",
        "本报告中的“满意度”，是指在五级量表中选择“比较满意”或“非常满意”的受访者占比；"
        "“净推荐值”按 0 至 10 分的推荐意愿计算，即推荐者（9—10 分）占比减去贬损者（0—6 分）占比。"
        "如无特别说明，文中数据均来自本次调查。",
    ),
]

BANK_TABLE = [
    ["渠道", "2024年", "2025年", "变化"],
    ["手机银行", "79%", "84%", "+5个百分点"],
    ["网上银行（PC端）", "71%", "69%", "-2个百分点"],
    ["营业网点柜台", "63%", "66%", "+3个百分点"],
    ["电话客服", "57%", "52%", "-5个百分点"],
    ["智能客服（在线机器人）", "40%", "46%", "+6个百分点"],
]

BANK_P2 = [
    ("h", "二、渠道体验：手机银行领跑，电话客服承压"),
    ("p", "数字渠道整体领先，但渠道之间的分化正在加大。表 1 列出了五个主要渠道近两年的满意度。"),
    ("table",),
    (
        "p",
        "电话客服是本年度满意度降幅最大的渠道。受访者的不满主要集中在等待时间上：2025年调查中，"
        "电话客服的平均接通等待时间为 4 分 12 秒，有 34% 的来电需要等待 5 分钟以上才能接通人工坐席。"
        "与之形成对比的是，营业网点的平均排队时间已从上一年度的 16 分钟缩短至 11 分钟，这主要得益于"
        "线上预约取号的普及。智能客服的满意度虽然提升最快，但问题解决能力仍然有限，只有 35% 的受访者"
        "表示智能客服“完全解决”了他们的问题。",
    ),
    ("h", "三、数字化服务：代际鸿沟尚未弥合"),
    (
        "p",
        "手机银行已经成为绝大多数客户办理日常业务的首选渠道。在过去三个月内使用过手机银行的受访者中，"
        "最常使用的三项功能依次为转账汇款（89%）、账户余额及明细查询（83%）和信用卡还款（54%）；"
        "使用过理财或基金购买功能的客户占 39%。",
    ),
    (
        "p",
        "如图 1 所示，手机银行的月活跃使用率随年龄增长而明显下降：18—29 岁客户为 91%，"
        "30—44 岁客户为 86%，45—59 岁客户为 68%，而 60 岁及以上客户仅为 37%。",
    ),
    ("chart",),
    (
        "p",
        "然而，数字化带来的便利并没有平均地惠及所有客户。不少银行在过去两年中持续压缩网点数量、"
        "将更多业务迁移到线上，老年客户因此面临的适应压力明显增加。值得注意的是，在 60 岁及以上的"
        "受访者中，有 43% 曾因操作界面复杂或字体过小而放弃在手机银行上办理业务，转而前往网点或拨打"
        "电话客服，这一比例是 18—29 岁受访者（13%）的三倍多。老年客户最希望银行提供的改进依次为："
        "大字版或关怀模式界面、一键转接人工服务，以及网点工作人员的现场指导。",
    ),
    (
        "p",
        "安全感是影响数字渠道使用的另一个重要因素。有 42% 的受访者表示担心通过手机银行遭遇电信诈骗，"
        "这一担忧在 60 岁及以上客户中更为普遍（61%）。受访者最认可的安全措施是大额转账前的二次确认"
        "提醒，其次是可疑交易的实时短信预警。",
    ),
    (
        "p",
        "远程视频服务正在成为连接线上与线下的新渠道。2025年调查中，有 22% 的受访者在过去一年使用过"
        "银行的远程视频柜员或视频客服办理业务，其满意度达到 78%。受访者认为视频服务的最大优势是"
        "“无需跑网点也能办理需要核实身份的业务”，最大的不足则是高峰时段排队时间较长。",
    ),
    (
        "p",
        "与此同时，网点的功能定位正在从“交易处理”转向“咨询与陪伴”。在受访者前往网点的首要目的中，"
        "办理需要面签的业务占 36%，咨询理财或贷款产品占 38%，请工作人员协助使用手机银行或自助设备"
        "占 17%。多位受访的网点负责人表示，网点人员的考核方式也需要随之调整，从单纯统计交易笔数转向"
        "衡量客户问题的解决情况。",
    ),
]

BANK_P4 = [
    ("h", "四、投诉处理：解决速度与过程透明同样重要"),
    (
        "p",
        "过去 12 个月内，有 26% 的受访者曾向自己的开户银行提出投诉或反映服务问题。从投诉内容看，"
        "信用卡费用与分期问题占投诉总量的 24%，理财产品的销售与赎回问题占 19%，账户冻结与交易限额"
        "问题占 15%，三者合计接近六成。",
    ),
    (
        "p",
        "本报告所称“首次解决率”，是指客户第一次联系银行时问题即获得解决、无需再次联系的投诉占全部"
        "投诉的比例。本年度零售银行的投诉首次解决率为 58%，较上一年度提高 3 个百分点；但仍有 21% 的"
        "投诉客户表示，其问题在提出一个月后仍未得到解决。投诉从受理到办结的平均时长为 6.4 个工作日，"
        "其中城市商业银行最短，平均为 4.9 个工作日。",
    ),
    (
        "p",
        "在深度访谈中，多位零售业务负责人指出，客户最在意的往往不是补偿金额，而是处理过程是否透明、"
        "能否及时得到反馈。调查数据也支持这一判断：在对投诉处理结果表示满意的客户中，有 64% 将"
        "“能够随时查询处理进度”列为最重要的因素，而把“获得经济补偿”列为最重要因素的仅占 29%。",
    ),
    ("h", "五、客户忠诚：警惕“沉默的不满者”"),
    (
        "p",
        "本年度零售银行整体净推荐值为 +23。分机构类型看，股份制银行以 +32 居首，国有大型银行为 +25，"
        "城市商业银行为 +18，农村金融机构为 +9。",
    ),
    (
        "p",
        "投诉体验对客户忠诚度的影响十分显著。投诉在首次联系时即获解决的客户，其净推荐值为 +14；"
        "而投诉超过一个月仍未解决的客户，净推荐值低至 -47。这意味着，一次处理失败的投诉，足以把一位"
        "中立客户转变为积极的贬损者。",
    ),
    (
        "p",
        "在过去一年中，有 9.5% 的受访者已将主要存款或理财资金转移至其他银行。在这部分客户中，"
        "“其他银行的利率或收益更高”是最主要的原因（51%），“服务体验差”位列第二（33%）。更值得"
        "银行警惕的是，在转移资金之前，有 62% 的流失客户从未向原银行提出过任何投诉，研究组将这一"
        "群体称为“沉默的不满者”。",
    ),
    (
        "p",
        "对于这一群体，银行很难通过传统的投诉管理及时发现风险。研究组建议，银行应结合交易行为数据，"
        "识别资金持续流出、登录频次下降、自动扣款解约等早期信号，并在客户作出转移决定之前主动触达，"
        "了解其未被表达的不满。访谈中，一家股份制银行的零售负责人介绍，该行自2024年起对出现上述信号"
        "的客户开展回访，被回访客户在随后半年内的资金留存情况明显好于未回访客户。",
    ),
]

BANK_P5 = [
    ("h", "六、对零售银行的建议"),
    ("p", "基于本次调查结果，知澜研究院建议零售银行在 2025 年优先推进以下四项举措："),
    ("n", "1.", "为老年客户提供“关怀模式”手机银行界面，并在关键业务页面设置一键转接人工服务的入口。"),
    ("n", "2.", "在电话客服中引入高峰时段的回拨预约功能，把等待时间从“排队”变为“预约”。"),
    ("n", "3.", "推动投诉处理进度的全流程可视化，让客户随时能够查询处理进展和预计办结时间。"),
    ("n", "4.", "把首次解决率纳入网点和客服团队的考核，减少客户为同一问题反复联系银行的次数。"),
    ("h", "关于本报告"),
    (
        "p",
        "本报告由知澜研究院金融服务研究组撰写。报告中的百分比经四舍五入处理，合计可能不等于 100%。"
        "文中提及的机构类型均为汇总结果，不针对任何单一银行。报告内容仅供研究参考，不构成任何投资建议。",
        9.5,
    ),
]


def bank_chart():
    d = Drawing(400, 210)
    bc = VerticalBarChart()
    bc.x, bc.y, bc.width, bc.height = 50, 40, 330, 150
    bc.data = [(91, 86, 68, 37)]
    bc.categoryAxis.categoryNames = ["18—29岁", "30—44岁", "45—59岁", "60岁及以上"]
    bc.categoryAxis.labels.fontName = FONT
    bc.categoryAxis.labels.fontSize = 9
    bc.categoryAxis.labels.dy = -4
    bc.valueAxis.valueMin, bc.valueAxis.valueMax, bc.valueAxis.valueStep = 0, 100, 20
    bc.valueAxis.labels.fontName = FONT
    bc.valueAxis.labels.fontSize = 8.5
    bc.valueAxis.visibleGrid = 1
    bc.valueAxis.gridStrokeColor = colors.HexColor("#dddddd")
    bc.bars[0].fillColor = colors.HexColor("#2f5d8a")
    bc.bars[0].strokeColor = None
    bc.barWidth = 10
    bc.barLabelFormat = "%d%%"
    bc.barLabels.fontName = FONT
    bc.barLabels.fontSize = 9
    bc.barLabels.nudge = 8
    d.add(bc)
    d.add(String(8, 196, "月活跃使用率（%）", fontName=FONT, fontSize=8, fillColor=GREY))
    return d


def make_bank():
    def header(c, n, f):
        c.setFont(FONT, 8.5)
        c.setFillColor(GREY)
        c.drawString(f.ml, f.H - 42, BANK_HEADER)
        c.setStrokeColor(colors.HexColor("#2f5d8a"))
        c.setLineWidth(0.6)
        c.line(f.ml, f.H - 48, f.W - f.mr, f.H - 48)

    def footer(c, n, f):
        c.setFont(FONT, 9)
        c.setFillColor(GREY)
        c.drawCentredString(f.W / 2, 34, f"第 {n} 页")

    f = Flow(
        os.path.join(OUT, "bank-cx-2025.pdf"),
        header,
        footer,
        (64, 64, 70, 62),
        {"title": BANK_TITLE, "author": "知澜研究院", "subject": "零售银行客户体验调查（虚构测试文档）"},
    )

    def run(blocks):
        for b in blocks:
            kind = b[0]
            if kind == "h":
                f.heading(b[1], 12 if f.cols > 1 else 13, color=colors.HexColor("#1f3f66"))
            elif kind == "p":
                f.para(b[1], *(b[2:]))
            elif kind == "b":
                f.bullet(b[1])
            elif kind == "n":
                f.bullet(b[2], mark=b[1], hang=1.8)
            elif kind == "table":
                f.block(grid_table(BANK_TABLE, [150, 80, 80, 100]), caption="表 1 各渠道客户满意度")
            elif kind == "chart":
                f.block(bank_chart(), caption_below="图 1 各年龄段客户手机银行月活跃使用率")

    # page 1: title block
    f.space(40)
    f.line(BANK_TITLE, 22, align="center", leading=34)
    f.space(4)
    f.line("数字渠道加速渗透下的服务体验重塑", 14, align="center", color=GREY, leading=24)
    f.space(2)
    f.line("知澜研究院 金融服务研究组　｜　2025年3月", 10.5, align="center", leading=20)
    f.space(26)
    run(BANK_P1)
    f.page_break()
    run(BANK_P2)  # flows from page 2 onto page 3 in mid-sentence
    f.page_break()
    f.columns(2, gap=25)  # page 4: two columns, about 20 CJK characters a line
    run(BANK_P4)
    f.columns(1)
    f.page_break()
    run(BANK_P5)
    pages = f.save()
    # the questions rely on the 43% sentence crossing the page 2/3 break
    edge = {p: (last, first) for p, last, first in f.page_edges()}
    assert edge[2][0].endswith("在 60 岁及以上的") and "43%" in edge[2][1], edge[2]
    return f, pages


# ================================================================ 2. insurance

INS_PUBLISHER = "安衡保险研究中心"
INS_TITLE = "2024 中国保险理赔客户体验调查报告"

INS_TABLE1 = [
    ["险种", "样本量（份）", "占比"],
    ["车险", "2,310", "42.9%"],
    ["健康险", "2,140", "39.8%"],
    ["寿险", "930", "17.3%"],
    ["合计", "5,380", "100%"],
]

INS_TABLE2 = [
    ["理赔环节", "平均用时（天）", "满意度"],
    ["报案受理", "0.4", "88%"],
    ["材料提交", "2.7", "61%"],
    ["查勘定损", "1.9", "72%"],
    ["审核核赔", "3.8", "54%"],
    ["赔款支付", "0.8", "81%"],
]

INS_P1 = [
    ("h", "摘要"),
    (
        "p",
        "理赔是保险公司兑现承诺的“关键时刻”，也是客户判断一家保险公司是否值得信赖的最直接依据。"
        "本次调查面向过去 18 个月内提出过理赔申请的个人客户，于 2024 年 8 月至 10 月通过线上问卷"
        "完成，共收集有效样本 5,380 份，覆盖车险、健康险和寿险三类业务（见表 1）。",
    ),
    (
        "p",
        "调查显示，客户对理赔服务的整体满意度为 74%，理赔净推荐值为 +15。从报案到赔款到账的平均"
        "理赔时效为 9.6 天，较 2023 年调查缩短了 1.7 天。线上报案已成为主流，占全部报案的 67%。"
        "不过，理赔材料的反复补充和拒赔理由解释不充分，仍是拖累客户体验的两大痛点。",
    ),
    ("table1",),
    ("h", "调查说明"),
    (
        "p",
        "本报告所称“理赔时效”，是指自客户报案之日起至赔款到账之日止的自然日天数；“满意度”为在"
        "五级量表中选择“满意”或“非常满意”的受访者比例。健康险样本包括医疗险和重大疾病保险两类。"
        "样本按险种进行了配额控制，报告中的总体结果未作加权处理。",
    ),
]

INS_COLS = [
    ("h", "1. 理赔全流程：材料与审核环节拖后腿"),
    ("p", "课题组将理赔流程拆分为五个环节，分别考察各环节的平均用时和客户满意度（见表 2）。"),
    ("table2",),
    (
        "p",
        "报案受理和赔款支付两个环节的满意度均在八成以上，而材料提交与审核核赔环节的满意度明显偏低。"
        "调查中，有 44% 的客户曾被要求补充理赔材料至少一次，其中 16% 被要求补充三次及以上。被要求"
        "多次补充材料的客户普遍反映，保险公司没有在一开始就一次性告知所需的全部材料，导致他们在医院、"
        "单位和保险公司之间来回奔波。",
    ),
    (
        "p",
        "审核核赔是用时最长的环节。对于涉及医疗费用的案件，客户往往需要等待医院出具费用清单和诊断"
        "证明，这使健康险的审核时间明显长于车险。部分客户表示，在审核期间既无法查询进度，也联系不上"
        "具体的理赔人员，只能反复拨打客服热线询问。",
    ),
    ("h", "2. 不同险种：车险领先，寿险垫底"),
    (
        "p",
        "分险种来看，车险客户的理赔满意度最高，为 79%；健康险为 70%；寿险最低，为 65%。在健康险中，"
        "门诊小额医疗险的平均理赔时效仅为 2.3 天，而重大疾病保险的平均理赔时效长达 17.5 天。",
    ),
    (
        "p",
        "寿险理赔的案件量虽然较少，但往往涉及身故或全残等重大事件，受益人对沟通方式和同理心的要求"
        "更高。有 38% 的寿险理赔客户认为，理赔人员在沟通中“缺乏对家属处境的体谅”，这一比例在三类"
        "险种中最高。",
    ),
    ("h", "3. 数字化理赔：“小额快赔”广受好评"),
    (
        "p",
        "线上渠道正在重塑理赔体验。本次调查中，通过手机应用、微信公众号或小程序报案的比例达到 67%。"
        "使用“小额快赔”（线上提交材料、系统自动审核）服务的客户满意度为 86%，显著高于通过传统方式"
        "理赔的客户（63%）。",
    ),
    (
        "p",
        "在车险领域，视频查勘的应用也在快速扩大。在本次调查的车险理赔客户中，有 29% 的案件采用了"
        "视频查勘，这些案件的查勘定损平均仅用时 0.6 天。不过，也有部分年长的车主表示，不熟悉视频"
        "查勘的操作步骤，更希望查勘员到现场处理。",
    ),
    (
        "p",
        "不过，线上理赔也并非没有短板。在使用线上渠道理赔的客户中，有 21% 曾因上传的照片不清晰或文件"
        "格式不符而被系统退回，有 19% 表示在线上流程中途遇到问题时，找不到转接人工协助的入口。课题组"
        "认为，线上理赔的设计应当为“卡住”的客户保留便捷的人工通道，而不是把所有问题都交给自助流程。",
    ),
    ("h", "4. 理赔沟通：主动告知决定等待体验"),
    (
        "p",
        "等待本身并不必然导致不满，“不知道要等多久”才是客户焦虑的主要来源。在理赔期间收到过保险公司"
        "主动进度通知的客户，满意度为 83%；从未收到任何主动通知的客户，满意度仅为 49%。然而，只有 39% "
        "的受访者表示在理赔过程中收到过主动通知，多数客户仍需要自己打电话或登录应用查询。",
    ),
    (
        "p",
        "理赔人员的专业度同样影响客户感受。受访者对理赔人员“专业、耐心”的好评比例为 69%，对“响应"
        "及时”的好评比例为 57%。在车险案件中，客户最常见的抱怨是定损金额与维修厂报价不一致，有 27% "
        "的车险客户曾因此与保险公司反复协商。",
    ),
    (
        "p",
        "在健康险领域，医院直付（客户出院时由保险公司与医院直接结算）服务仍处于推广阶段。本次调查的"
        "健康险客户中，仅有 14% 使用过直付服务，但其满意度高达 91%，是所有理赔方式中最高的。",
    ),
    ("h", "5. 拒赔与争议：解释不清比拒赔本身更伤人"),
    (
        "p",
        "在全部受访者中，有 11% 的理赔申请被拒赔或仅获部分赔付。在这些客户中，有 47% 认为保险公司"
        "没有清楚解释拒赔或扣减的理由，有 23% 因此向保险公司或监管部门提出过投诉。",
    ),
    (
        "p",
        "理赔体验对客户忠诚度的影响非常直接。理赔过程顺利且对结果满意的客户，净推荐值高达 +52；"
        "而经历拒赔的客户，净推荐值仅为 -58。在经历拒赔的客户中，有 36% 表示将在保单到期后不再续保，"
        "并且会劝阻亲友购买同一家公司的产品。",
    ),
    ("h", "6. 改进建议"),
    (
        "p",
        "课题组建议保险公司从以下三个方面改进理赔体验：第一，推行理赔材料“一次告知、一次提交”，在"
        "报案环节即根据案件类型生成完整的材料清单；第二，向客户开放理赔进度的实时查询，并在关键节点"
        "主动推送通知；第三，在拒赔或部分赔付时，以通俗语言逐条说明所依据的合同条款，并告知客户可以"
        "选择的申诉渠道。",
    ),
    (
        "p",
        "对于寿险和重大疾病保险等涉及重大变故的案件，课题组还建议保险公司为受益人指定固定的理赔专员，"
        "由同一位专员负责从报案到结案的全部沟通，避免客户在不同部门之间重复讲述自己的经历。",
    ),
    (
        "p",
        "课题组同时提醒，理赔提速不应以牺牲风险控制为代价。对于金额较大或存在疑点的案件，保险公司"
        "仍应保留必要的人工审核，但可以通过进度透明和主动沟通，减少客户在等待期间的焦虑。",
    ),
    ("h", "7. 研究局限"),
    (
        "p",
        "本次调查以线上问卷方式完成，未能覆盖不使用互联网的客户，因此寿险和健康险中高龄客户的意见"
        "可能被低估。此外，理赔时效等数据来自客户自报，与保险公司系统记录之间可能存在一定差异。课题组"
        "计划在下一年度的调查中引入电话访问，并与部分保险公司合作，对客户自报数据进行交叉核验。",
    ),
    (
        "p",
        "另需说明的是，本次调查未涵盖团体保险、农业保险和企业财产保险的理赔，相关结论不宜直接推广到"
        "这些业务。由于拒赔案件的样本量相对有限，涉及拒赔客户的比例数据误差较大，引用时宜作为趋势"
        "参考，而非精确估计。",
    ),
]


def make_insurance():
    accent = colors.HexColor("#0f6b5c")

    def header(c, n, f):
        c.setFillColor(accent)
        c.rect(0, f.H - 14, f.W, 14, stroke=0, fill=1)
        c.setFont(FONT, 9)
        c.setFillColor(accent)
        c.drawString(f.ml, f.H - 36, INS_PUBLISHER)

    def footer(c, n, f):
        c.setStrokeColor(colors.HexColor("#9ab8b2"))
        c.setLineWidth(0.5)
        c.line(f.ml, 50, f.W - f.mr, 50)
        c.setFont(FONT, 8.5)
        c.setFillColor(GREY)
        c.drawString(f.ml, 36, INS_PUBLISHER)
        c.drawCentredString(f.W / 2, 36, f"- {n} -")

    f = Flow(
        os.path.join(OUT, "insurance-claims-2024.pdf"),
        header,
        footer,
        (56, 56, 60, 66),
        {"title": INS_TITLE, "author": "理赔体验课题组", "subject": "保险理赔客户体验调查（虚构测试文档）"},
    )

    def run(blocks, narrow=False):
        for b in blocks:
            if b[0] == "h":
                f.heading(b[1], 12 if narrow else 13, color=accent, before=8)
            elif b[0] == "p":
                f.para(b[1], 10.5, 10.5 * (1.75 if narrow else 1.68))
            elif b[0] == "table1":
                f.block(
                    grid_table(INS_TABLE1, [120, 120, 100], head_bg="#d8ece8", line="#7aa39b"), caption="表 1 样本构成"
                )
            elif b[0] == "table2":
                f.block(
                    grid_table(INS_TABLE2, [72, 88, 56], size=9, head_bg="#d8ece8", line="#7aa39b"),
                    caption="表 2 各理赔环节平均用时与满意度",
                    cap_size=9.5,
                )

    # page 1: cover block, left aligned
    f.space(36)
    f.line(INS_TITLE, 21, color=colors.HexColor("#0b4d42"), leading=34)
    f.line("车险、健康险与寿险理赔服务的全流程评估", 13, color=GREY, leading=24)
    f.line("理赔体验课题组　｜　2024年12月", 10, leading=20)
    f.c.setStrokeColor(accent)
    f.c.setLineWidth(1.2)
    f.c.line(f.ml, f.y - 6, f.ml + 120, f.y - 6)
    f.space(20)
    run(INS_P1)
    f.page_break()
    f.columns(2, gap=22)  # pages 2-3: two columns throughout
    run(INS_COLS, narrow=True)
    pages = f.save()
    return f, pages


# ================================================================ 3. telecom (traditional)

TW_TITLE = "2023 台灣電信服務顧客體驗調查報告"
TW_HEADER = "台灣顧客體驗協會 | 2023 電信服務顧客體驗調查"
TW_PAGES = 3

TW_TABLE = [
    ["電信業者", "淨推薦值 NPS", "客訴率（件／萬戶）", "樣本數"],
    ["寶島電信", "+21", "3.8", "1,020"],
    ["環宇行動", "+14", "5.2", "860"],
    ["北辰通訊", "+7", "6.7", "740"],
    ["星河電信", "-4", "9.1", "390"],
    ["禾豐行動", "+27", "2.6", "250"],
]

TW_BODY = [
    ("h", "壹、調查摘要"),
    (
        "p",
        "台灣顧客體驗協會於 2023 年 7 月至 8 月間，以電話訪問及網路問卷並行的方式，針對全台年滿 15 歲"
        "的行動電話用戶進行調查，共完成有效樣本 3,260 份，在 95% 信心水準下，抽樣誤差約為正負 1.7 個"
        "百分點。本次調查涵蓋五家行動通訊業者，包括四家電信業者及一家行動虛擬網路業者（MVNO）。",
    ),
    (
        "p",
        "調查結果顯示，行動通訊服務的整體滿意度為 73%，整體淨推薦值（NPS）為 +12，較 2022 年調查"
        "上升 3 分。在各服務接觸點中，門市服務的滿意度最高（81%），客服專線的滿意度最低（58%）。",
    ),
    ("h", "貳、各業者表現"),
    (
        "p",
        "各業者的淨推薦值與客訴率差異明顯（見表 1）。其中，虛擬網路業者禾豐行動以精簡的資費方案和"
        "全數位化的客戶服務獲得最高的淨推薦值，而星河電信則是唯一淨推薦值為負的業者。",
    ),
    ("table",),
    ("p", "註：客訴率為 2023 年上半年每萬戶用戶的正式申訴件數，資料由各業者提供並經本會彙整。", 9, 2),
    (
        "p",
        "值得注意的是，用戶規模較大的業者並不一定擁有較高的淨推薦值。禾豐行動的用戶多為 35 歲以下的"
        "年輕族群，偏好透過應用程式自助完成申辦與異動；星河電信則因 2023 年初的系統轉換造成帳單延遲"
        "與重複扣款，客訴率明顯偏高。",
    ),
    ("h", "參、服務接觸點體驗"),
    (
        "p",
        "客服專線仍是用戶最不滿意的接觸點。受訪者反映，客服專線的平均等候時間為 3 分 40 秒，另有 24% "
        "的受訪者表示曾在同一通電話中被轉接三次以上。相較之下，門市服務普遍獲得肯定，採用線上預約的"
        "門市，平均等候時間已縮短至 9 分鐘。",
    ),
    (
        "p",
        "區域差異同樣明顯。東部及離島地區用戶對行動網路訊號的滿意度為 55%，明顯低於六都地區的 67%；"
        "在山區與偏鄉，不少受訪者表示室內通話經常斷訊，必須走到戶外才能順利通話。",
    ),
    (
        "p",
        "在網路品質方面，用戶對行動上網速度的滿意度為 64%。5G 用戶約占本次樣本的 46%，但其中有 41% "
        "表示在室內或捷運站等場所「經常連不上 5G 訊號」，實際體驗與廣告宣傳之間存在落差。",
    ),
    (
        "p",
        "帳單與資費方面，用戶客訴的前三大原因依序為帳單與計費爭議（34%）、網路品質不佳（28%），以及"
        "合約與資費方案說明不清（19%）。另有 32% 的受訪者坦言「看不懂自己的帳單」，其中又以搭配"
        "手機分期與加值服務的合約最容易引起誤解。",
    ),
    (
        "p",
        "資費方案的選擇對用戶而言仍相當複雜。受訪者在申辦或續約時平均會比較 4.3 個方案才做出決定，"
        "有 29% 的用戶表示目前使用的方案「並不符合自己的實際用量」，其中以每月行動數據用量不到 10GB、"
        "卻訂閱吃到飽方案的用戶最為常見。",
    ),
    (
        "p",
        "數位服務方面，有 57% 的受訪者在過去一年曾使用業者的官方應用程式查詢帳單或變更方案，其滿意度"
        "為 76%。不過，業者導入的文字客服機器人評價兩極：僅有 37% 的使用者表示機器人能夠理解其問題，"
        "多數使用者希望能更快轉接真人客服。",
    ),
    ("h", "肆、轉換意願與忠誠度"),
    (
        "p",
        "有 18% 的受訪者表示未來一年內「可能」或「非常可能」攜碼轉換業者，而過去一年實際攜碼轉出的"
        "比例為 6.2%。最主要的轉換原因為「其他業者資費更便宜」（52%），其次為「網路訊號不佳」（31%）。",
    ),
    (
        "p",
        "長期用戶的忠誠度並不必然較高。使用同一業者超過十年的用戶，淨推薦值為 +16，反而略低於使用"
        "三至五年的用戶（+22）。不少長期用戶抱怨「新客優惠比老客戶好」，有 43% 的長期用戶認為自己"
        "沒有受到業者應有的重視。",
    ),
    (
        "p",
        "主動關懷對留住用戶的效果十分明顯。在合約到期前接到原業者主動聯繫並提供續約方案的用戶，"
        "續約率為 88%；未接到任何聯繫的用戶，續約率僅為 61%。",
    ),
    ("h", "伍、建議"),
    (
        "p",
        "根據本次調查結果，本會對電信業者提出以下三點建議：第一，簡化帳單版面，以白話方式逐項說明"
        "費用來源；第二，縮短客服專線的轉接層級，讓用戶在第一次轉接後即可接觸到能處理問題的專人；"
        "第三，在合約到期前三個月主動聯繫用戶，依其實際用量推薦合適的方案，而非一律推銷高價資費。",
    ),
    (
        "p",
        "本會將持續追蹤各業者的顧客體驗表現，並自 2024 年起將固網寬頻與有線電視服務納入調查範圍，"
        "以提供更完整的產業觀察。本報告所引用之數據，如需轉載，請註明資料來源。",
    ),
    ("h", "陸、調查方法說明"),
    (
        "p",
        "本調查以分層隨機抽樣進行電話訪問，並輔以網路固定樣本問卷。電話訪問完成 1,940 份，網路問卷"
        "完成 1,320 份；樣本依性別、年齡及居住縣市進行加權，使其結構與全台人口結構一致。客訴率資料"
        "則由各業者提供，本會未另行查核其統計口徑。",
    ),
    (
        "p",
        "加權後的樣本中，男性占 49%、女性占 51%；居住於六都的受訪者占 70%，其餘縣市及離島占 30%。"
        "以年齡區分，15 至 34 歲、35 至 54 歲及 55 歲以上的受訪者分別占 36%、39% 及 25%。",
    ),
    ("h", "附錄、名詞解釋"),
    (
        "p",
        "淨推薦值（NPS）：詢問受訪者以 0 至 10 分表示向親友推薦該業者的意願，以推薦者（9 至 10 分）的"
        "比例減去批評者（0 至 6 分）的比例，數值介於 -100 至 +100 之間。",
    ),
    (
        "p",
        "攜碼轉出：用戶保留原有的行動電話號碼，將服務由原業者移轉至其他業者。本報告所稱的實際轉出"
        "比例，係指受訪者自述在過去一年內曾完成攜碼移轉者所占的比例。",
    ),
]


def make_telecom():
    def header(c, n, f):
        c.setFont(FONT, 8.5)
        c.setFillColor(GREY)
        c.drawCentredString(f.W / 2, f.H - 40, TW_HEADER)
        c.setStrokeColor(colors.HexColor("#a33b3b"))
        c.setLineWidth(0.5)
        c.line(f.ml, f.H - 47, f.W - f.mr, f.H - 47)

    def footer(c, n, f):
        c.setFont(FONT, 9)
        c.setFillColor(GREY)
        c.drawRightString(f.W - f.mr, 34, f"第 {n} 頁 / 共 {TW_PAGES} 頁")

    f = Flow(
        os.path.join(OUT, "telecom-tw-2023.pdf"),
        header,
        footer,
        (70, 70, 72, 62),
        {"title": TW_TITLE, "author": "台灣顧客體驗協會", "subject": "電信服務顧客體驗調查（虛構測試文件）"},
    )
    f.space(30)
    f.line(TW_TITLE, 20, align="center", leading=32, color=colors.HexColor("#7a1f1f"))
    f.line("行動通訊用戶的服務滿意度、淨推薦值與轉換意願", 13, align="center", color=GREY, leading=24)
    f.line("台灣顧客體驗協會 研究發展部　｜　2023年10月", 10, align="center", leading=20)
    f.space(18)
    for b in TW_BODY:
        if b[0] == "h":
            f.heading(b[1], 13, color=colors.HexColor("#7a1f1f"))
        elif b[0] == "p":
            f.para(b[1], *(b[2:] or (11, 11 * 1.8)))
        elif b[0] == "table":
            f.block(
                grid_table(TW_TABLE, [90, 100, 120, 70], head_bg="#f1e0e0", line="#a88"),
                caption="表 1 各電信業者淨推薦值與客訴率",
            )
    pages = f.save()
    assert pages == TW_PAGES, f"telecom has {pages} pages, footer says {TW_PAGES}"
    return f, pages


def main():
    os.makedirs(OUT, exist_ok=True)
    for make in (make_bank, make_insurance, make_telecom):
        f, pages = make()
        print(f"{os.path.relpath(f.path)}: {pages} pages, {os.path.getsize(f.path)} bytes")
        for p, last, first in f.page_edges():
            print(f"   end of p{p}: {last}")
            print(f"   top of p{p + 1}: {first}")


if __name__ == "__main__":
    main()
