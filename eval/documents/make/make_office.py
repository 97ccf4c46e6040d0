#!/usr/bin/env python3
"""Generate the two fictional CX test Office documents in eval/documents/.

    .venv/bin/python eval/documents/make/make_office.py

* hotel-guest-experience-2024.docx  python-docx, simplified Chinese: Title style, author/date
                                    line, Heading 1/2, a bullet list, a table with a header row,
                                    page header "内部资料 · 请勿外传" and a footer, core properties.
* ecommerce-cx-deck-2025.pptx       python-pptx, simplified Chinese, 8 slides: title slide,
                                    bullet slides, a real table, speaker notes (one slide's key
                                    fact is only in its notes), a footer text box and a slide
                                    number text box on every slide.

The zip entries are rewritten with a fixed timestamp, so reruns give identical bytes.
Everything in these documents is fictional.
"""

import datetime
import io
import os
import zipfile

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from pptx import Presentation
from pptx.dml.color import RGBColor as PRGB
from pptx.enum.text import PP_ALIGN
from pptx.util import Inches
from pptx.util import Pt as PPt

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.dirname(HERE)  # eval/documents
FIXED_ZIP_TIME = (2024, 11, 18, 9, 0, 0)


def normalize_zip(path, when=FIXED_ZIP_TIME):
    """Rewrite a zip container with fixed entry timestamps (deterministic bytes)."""
    with zipfile.ZipFile(path) as z:
        items = [(i.filename, z.read(i.filename)) for i in z.infolist()]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in items:
            info = zipfile.ZipInfo(name, date_time=when)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, data)
    with open(path, "wb") as f:
        f.write(buf.getvalue())


# ================================================================ DOCX: hotel

HOTEL_TITLE = "2024 中高端酒店宾客体验研究报告"
HOTEL_BYLINE = "栖云文旅研究中心　｜　撰稿：林知远、许嘉宁　｜　2024年11月"
HOTEL_HEADER = "内部资料 · 请勿外传"
HOTEL_FOOTER = "栖云文旅研究中心 · 宾客体验研究系列"

HOTEL_TABLE = [
    ["酒店类型", "样本量", "满意度", "净推荐值"],
    ["商务型酒店", "1,580", "80%", "+29"],
    ["度假型酒店", "1,240", "87%", "+45"],
    ["精品设计酒店", "760", "84%", "+38"],
    ["服务式公寓", "570", "76%", "+21"],
]

HOTEL_COMPLAINTS = [
    "隔音效果差，受走廊或邻房噪音干扰",
    "空调噪音大或温度难以调节",
    "无线网络信号不稳定、速度慢",
    "早餐品种单一、补餐不及时",
    "退房结账时排队时间长",
]

HOTEL_BODY = [
    ("h1", "一、研究概述"),
    (
        "p",
        "本研究由栖云文旅研究中心于 2024 年 6 月至 9 月开展，通过住后问卷和在线点评文本分析两种方式，"
        "收集全国 26 个城市中高端酒店住客的反馈。问卷调查共获得有效样本 4,150 份，同时分析了约 12.8 万条"
        "公开在线点评。",
    ),
    (
        "p",
        "受访住客中，商务出行占 46%，休闲度假占 39%，探亲、会议及长住等其他目的占 15%。本报告所称"
        "“中高端酒店”，是指平均房价在每晚 400 元至 1,200 元之间、提供全套客房服务的酒店。",
    ),
    ("h1", "二、总体表现"),
    (
        "p",
        "2024 年，中高端酒店住客的整体满意度为 82%，净推荐值为 +34。与 2023 年相比，满意度提高了 2 个"
        "百分点，但净推荐值下降了 5 分。研究组认为，这主要与房价上涨带来的“性价比落差”有关：认为酒店"
        "“物有所值”的住客比例从上一年的 64% 降至 58%。",
    ),
    ("h2", "2.1 分酒店类型表现"),
    ("p", "度假型酒店的各项指标均处于领先位置，服务式公寓则在满意度和净推荐值上均排名最后（见表 1）。"),
    ("caption", "表 1 不同类型酒店的住客满意度与净推荐值"),
    ("table",),
    ("h2", "2.2 满意度驱动因素"),
    (
        "p",
        "回归分析显示，对整体满意度影响最大的三个因素依次为房间清洁度、床品与睡眠质量以及前台服务效率。"
        "其中，房间清洁度的单项满意度为 88%，是各单项中得分最高的；而“房间隔音”的单项满意度仅为 53%，"
        "是得分最低的单项。",
    ),
    ("h2", "2.3 不同住客群体的差异"),
    (
        "p",
        "商务住客更看重入住效率和网络质量，对前台服务效率的重视程度明显高于休闲住客；休闲度假住客则更"
        "关注早餐、泳池等配套设施以及亲子服务。带儿童出行的家庭住客整体满意度为 85%，但其对“亲子设施"
        "与服务”的单项满意度仅为 61%，这是家庭客群最集中的不满来源。",
    ),
    ("h1", "三、关键触点"),
    ("h2", "3.1 入住与退房"),
    (
        "p",
        "入住环节是住客形成第一印象的关键。高峰时段（15:00—18:00）前台办理入住的平均等候时间为 7.5 分钟，"
        "有 23% 的住客在入住时等待超过 10 分钟。使用自助入住机或手机办理入住的住客占 31%，这部分住客对"
        "入住环节的满意度达到 91%。",
    ),
    ("h2", "3.2 客房与设施"),
    (
        "p",
        "在客房设施方面，住客最常提及的问题集中在隔音、空调与网络。在线点评分析显示，提及“隔音”的点评中"
        "有 74% 为负面评价。此外，有 42% 的住客在入住期间使用过智能客控（如语音控制灯光和窗帘），其中约"
        "三分之一表示“操作不如传统开关方便”。",
    ),
    ("h2", "3.3 餐饮与早餐"),
    (
        "p",
        "早餐是酒店餐饮体验的核心。住客对早餐的满意度为 69%，明显低于整体满意度，住客最希望改进的方面是"
        "菜品的本地特色和补餐速度。在预订含早房价的住客中，有 19% 在入住期间至少有一天没有去用早餐，"
        "主要原因是早餐供应时间与行程冲突。",
    ),
    ("h2", "3.4 数字化服务"),
    (
        "p",
        "有 57% 的住客在入住期间使用过酒店的线上服务入口（小程序或应用），主要用于续住、叫送物品和开具"
        "发票。住客对送物机器人的评价普遍积极，但认为线上入口“功能分散、需要反复登录”的住客占 28%。"
        "研究组认为，线上服务的价值在于减少住客的等待，而不是把前台的工作转移给住客自己完成。",
    ),
    ("h1", "四、住客投诉与服务补救"),
    ("p", "在入住期间提出过投诉或服务要求的住客占 17%。按出现频次排序，最常见的五类投诉如下："),
    ("list",),
    (
        "p",
        "投诉响应速度对住客的复住意愿影响显著。投诉在 30 分钟内得到响应的住客，其复住意愿为 72%；"
        "响应超过 2 小时的住客，复住意愿降至 27%。值得注意的是，投诉得到妥善处理的住客，其净推荐值"
        "（+41）甚至高于从未投诉的住客（+36），研究组将这一现象称为“服务补救效应”。",
    ),
    ("h1", "五、会员与复住"),
    (
        "p",
        "酒店会员的复住率显著高于非会员。会员住客在过去 12 个月内入住同一品牌两次及以上的比例为 63%，"
        "非会员仅为 24%。然而，只有 35% 的会员认为会员权益“对我有实际价值”，延迟退房和房型升级是会员"
        "最看重的两项权益。",
    ),
    (
        "p",
        "在会员权益之外，个性化服务同样能够显著提升忠诚度。入住期间被员工叫出姓名或记住个人偏好的住客，"
        "净推荐值达到 +52。受访的酒店管理者表示，这类服务的成本很低，难点在于如何让一线员工在交接班时"
        "持续、准确地传递住客信息。",
    ),
    ("h1", "六、建议"),
    (
        "p",
        "基于以上发现，研究组建议中高端酒店：（1）将隔音改造列为客房翻新的优先事项；（2）在入住高峰时段"
        "增开自助入住通道，并为会员提供手机办理入住；（3）建立 30 分钟投诉响应机制，并授权一线员工在"
        "一定金额内直接给予补偿；（4）丰富早餐的本地特色菜品，并适当延长早餐供应时间。",
    ),
    ("p", "本报告为栖云文旅研究中心内部研究资料，数据仅反映受访住客的主观评价，不代表任何单一酒店品牌的经营情况。"),
]


def make_docx():
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.size = Pt(10.5)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "微软雅黑")

    sec = doc.sections[0]
    sec.header.paragraphs[0].text = HOTEL_HEADER
    sec.header.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    sec.footer.paragraphs[0].text = HOTEL_FOOTER
    sec.footer.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER

    doc.add_heading(HOTEL_TITLE, level=0)  # "Title" style
    by = doc.add_paragraph(HOTEL_BYLINE)
    by.runs[0].font.color.rgb = RGBColor(0x55, 0x55, 0x55)

    for b in HOTEL_BODY:
        kind = b[0]
        if kind == "h1":
            doc.add_heading(b[1], level=1)
        elif kind == "h2":
            doc.add_heading(b[1], level=2)
        elif kind == "p":
            p = doc.add_paragraph(b[1])
            p.paragraph_format.first_line_indent = Pt(21)
        elif kind == "caption":
            p = doc.add_paragraph(b[1], style="Caption")
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif kind == "list":
            for item in HOTEL_COMPLAINTS:
                doc.add_paragraph(item, style="List Bullet")
        elif kind == "table":
            t = doc.add_table(rows=len(HOTEL_TABLE), cols=len(HOTEL_TABLE[0]))
            t.style = "Table Grid"
            for r, row in enumerate(HOTEL_TABLE):
                for c, val in enumerate(row):
                    cell = t.cell(r, c)
                    cell.text = val
                    para = cell.paragraphs[0]
                    if c:
                        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
                    if r == 0:
                        para.runs[0].font.bold = True
            # mark the first row as a repeating header row
            from docx.oxml import OxmlElement

            trPr = t.rows[0]._tr.get_or_add_trPr()
            hdr = OxmlElement("w:tblHeader")
            hdr.set(qn("w:val"), "true")
            trPr.append(hdr)

    cp = doc.core_properties
    cp.author = "林知远"
    cp.last_modified_by = "林知远"
    cp.title = HOTEL_TITLE
    cp.subject = "中高端酒店宾客体验研究（虚构测试文档）"
    cp.keywords = "酒店; 宾客体验; 满意度; 净推荐值"
    cp.created = datetime.datetime(2024, 11, 18, 9, 0, 0)
    cp.modified = datetime.datetime(2024, 11, 18, 9, 0, 0)
    cp.revision = 1

    path = os.path.join(OUT, "hotel-guest-experience-2024.docx")
    doc.save(path)
    normalize_zip(path)
    return path


# ================================================================ PPTX: e-commerce deck

DECK_TITLE = "2025 电商平台客户体验趋势报告"
DECK_FOOTER = "衡远咨询 | 机密"

DECK_TABLE = [
    ["平台类型", "满意度", "净推荐值", "复购率"],
    ["综合电商", "78%", "+24", "63%"],
    ["直播电商", "71%", "+11", "44%"],
    ["即时零售", "81%", "+27", "57%"],
    ["社区团购", "66%", "+6", "49%"],
    ["跨境电商", "69%", "+8", "35%"],
]

# (title, bullets, notes); slide 1 is the title slide, slide 4 holds the table
DECK = [
    (
        "调研概况",
        [
            "调研时间：2025 年 2 月至 3 月",
            "样本：8,800 名过去半年内有网购经历的消费者，覆盖一线至五线城市",
            "平台类型：综合电商、直播电商、即时零售、社区团购、跨境电商",
            "方法：线上问卷，辅以 32 场消费者深度访谈",
        ],
        "本次调研样本按城市级别和年龄进行配额，18 至 24 岁的消费者占 21%，55 岁以上的消费者占 12%。"
        "深度访谈对象包括 8 位直播电商重度用户和 6 位跨境电商用户。",
    ),
    (
        "核心发现",
        [
            "电商整体满意度为 76%，净推荐值为 +19",
            "即时零售满意度最高，直播电商复购率明显偏低",
            "售后退换货是全链路中满意度最低的环节",
            "53% 的消费者曾因客服体验差而放弃下单",
        ],
        "整体满意度较 2024 年提高 2 个百分点，但净推荐值与上一年持平。因客服体验差而放弃下单的情况，"
        "在跨境电商中最为突出，消费者主要抱怨客服响应慢、语言不通以及对关税和退货政策解释不清。",
    ),
    (
        "各平台类型体验对比",
        None,
        "复购率是指过去六个月内在同一平台下单三次及以上的消费者占比。直播电商的满意度并不低，但复购率偏低，"
        "说明冲动消费多、平台忠诚度弱。",
    ),
    (
        "直播电商：满意度不低，复购偏弱",
        [
            "38% 的直播电商用户表示，下单时主要是被主播的讲解打动",
            "直播电商订单的退货率为 31%，明显高于其他平台类型",
            "消费者最不满的问题是“收到的实物与直播展示不符”",
        ],
        "深度访谈中，多位消费者提到，直播间的限时优惠让人来不及比较价格，收货后才发现并不需要。"
        "平台和商家需要在直播中提供更完整的商品信息，例如尺码对照、材质说明和真实的使用场景，"
        "让消费者在下单前就能作出判断，从而减少退货。",
    ),
    (
        "售后与客服：体验短板集中在退换货",
        [
            "退货退款环节满意度为 58%，为全链路最低",
            "退款平均到账时长为 2.8 天，“极速退款”订单仅需 4 小时",
            "41% 的消费者认为智能客服“答非所问”",
            "转接人工客服平均需要 3.4 轮对话",
        ],
        "“极速退款”是指平台根据消费者的信用情况，在消费者寄出退货后即先行退款。深度访谈中，消费者普遍反映，"
        "退货时最困扰的是上门取件的时间难以预约。",
    ),
    (
        "物流履约",
        [
            "包裹准时送达率为 92%，破损率为 1.6%",
            "消费者最看重的物流要素：送达时效、配送员态度、包装完整",
            "即时零售订单的平均送达时长为 34 分钟",
        ],
        "准时送达率以平台承诺的送达时间为准。包裹破损的投诉主要集中在生鲜和易碎品类。下沉市场的消费者"
        "对送货上门的要求更高，不少受访者表示，包裹被放在驿站或快递柜而没有事先告知，是他们最常遇到的"
        "物流问题。",
    ),
    (
        "会员与忠诚度",
        [
            "付费会员体系已成为头部平台的标配",
            "会员权益趋于同质化，消费者的感知价值下降",
            "会员价值需要围绕高频需求重新定义",
        ],
        "讲者备注：本页的关键数据只在口头讲解中说明，不放在页面上。调研显示，付费会员的年均线上消费额是"
        "非会员的 2.7 倍；但只有 26% 的付费会员能够说出自己所享有的三项以上会员权益，付费会员的续费率"
        "为 67%。",
    ),
    (
        "行动建议",
        [
            "售后：扩大“极速退款”的覆盖范围，减少退换货纠纷",
            "客服：智能客服识别到复杂问题时，一步转接人工",
            "直播电商：以真实的商品描述提升复购，而非依赖低价促销",
            "会员：围绕高频需求重构权益，提升权益的可感知度",
        ],
        "建议的优先顺序：售后和客服的改进见效最快，建议在三个月内启动；会员权益重构需要更长的周期，"
        "建议与年度会员计划同步调整。衡远咨询将在下半年发布各平台类型的专题报告，进一步追踪这些改进举措"
        "的效果。",
    ),
]


def _small_box(slide, text, left, top, width, align):
    box = slide.shapes.add_textbox(left, top, width, Inches(0.3))
    tf = box.text_frame
    tf.text = text
    p = tf.paragraphs[0]
    p.alignment = align
    p.runs[0].font.size = PPt(10)
    p.runs[0].font.color.rgb = PRGB(0x80, 0x80, 0x80)


def make_pptx():
    prs = Presentation()
    W, H = prs.slide_width, prs.slide_height  # default 4:3 template (10 x 7.5 in)
    total = len(DECK) + 1
    slides = []

    s = prs.slides.add_slide(prs.slide_layouts[0])
    s.shapes.title.text = DECK_TITLE
    s.placeholders[1].text = "衡远咨询 消费者洞察团队\n2025年5月"
    s.notes_slide.notes_text_frame.text = (
        "开场：本报告基于衡远咨询 2025 年第一季度的电商消费者调研，重点关注售后、客服、物流与会员四个环节。"
    )
    slides.append(s)

    for title, bullets, notes in DECK:
        if bullets is None:  # the table slide
            s = prs.slides.add_slide(prs.slide_layouts[5])  # title only
            s.shapes.title.text = title
            cap = s.shapes.add_textbox(Inches(0.6), Inches(1.55), Inches(8.8), Inches(0.4))
            cap.text_frame.text = "表 1 各平台类型的满意度、净推荐值与复购率"
            cap.text_frame.paragraphs[0].runs[0].font.size = PPt(14)
            rows, cols = len(DECK_TABLE), len(DECK_TABLE[0])
            gt = s.shapes.add_table(rows, cols, Inches(0.6), Inches(2.05), Inches(8.8), Inches(3.6)).table
            for r, row in enumerate(DECK_TABLE):
                for c, val in enumerate(row):
                    cell = gt.cell(r, c)
                    cell.text = val
                    para = cell.text_frame.paragraphs[0]
                    para.runs[0].font.size = PPt(16)
                    if c:
                        para.alignment = PP_ALIGN.CENTER
        else:
            s = prs.slides.add_slide(prs.slide_layouts[1])  # title and content
            s.shapes.title.text = title
            tf = s.placeholders[1].text_frame
            tf.text = bullets[0]
            for b in bullets[1:]:
                tf.add_paragraph().text = b
            for para in tf.paragraphs:
                para.runs[0].font.size = PPt(20)
        s.notes_slide.notes_text_frame.text = notes
        slides.append(s)

    for n, s in enumerate(slides, 1):
        _small_box(s, DECK_FOOTER, Inches(0.5), H - Inches(0.5), Inches(4), PP_ALIGN.LEFT)
        _small_box(s, f"{n} / {total}", W - Inches(2.0), H - Inches(0.5), Inches(1.5), PP_ALIGN.RIGHT)

    cp = prs.core_properties
    cp.author = "衡远咨询"
    cp.last_modified_by = "衡远咨询"
    cp.title = DECK_TITLE
    cp.subject = "电商平台客户体验趋势（虚构测试文档）"
    cp.created = datetime.datetime(2025, 5, 12, 10, 0, 0)
    cp.modified = datetime.datetime(2025, 5, 12, 10, 0, 0)
    cp.revision = 1

    path = os.path.join(OUT, "ecommerce-cx-deck-2025.pptx")
    prs.save(path)
    normalize_zip(path, (2025, 5, 12, 10, 0, 0))
    return path


def main():
    os.makedirs(OUT, exist_ok=True)
    for make in (make_docx, make_pptx):
        path = make()
        print(f"{os.path.relpath(path)}: {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
