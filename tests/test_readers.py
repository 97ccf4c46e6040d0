from pathlib import Path

import pytest

from cxkb.errors import InputError
from cxkb.readers import read as read_document
from cxkb.readers.encoding import decode
from cxkb.readers.html import read as read_html

TEXT = "客户体验是首要任务。87% 的受访者表示有核心指标。"
TRAD = "客戶體驗是一個首要任務。淨推廣得分和其他指標。"


def test_utf8_with_bom(tmp_path: Path):
    p = tmp_path / "a.txt"
    p.write_bytes(b"\xef\xbb\xbf" + TEXT.encode())
    doc = read_document(p)
    assert [b.text for b in doc.body] == [TEXT] and doc.encoding == "utf-8"


def test_gbk_and_gb18030(tmp_path: Path):
    assert decode(TEXT.encode("gbk"), name="x")[0] == TEXT
    rare = TEXT + "𠀀"  # a 4-byte GB18030 character
    assert decode(rare.encode("gb18030"), name="x")[0] == rare


def test_big5(tmp_path: Path):
    text, encoding = decode(TRAD.encode("big5"), name="x")
    assert text == TRAD and encoding == "big5hkscs"


@pytest.mark.parametrize("raw", [b"", b"   \n\t  ", b"\x00\x01\x02binary\x00data" * 10])
def test_empty_whitespace_binary_rejected(tmp_path: Path, raw: bytes):
    p = tmp_path / "bad.txt"
    p.write_bytes(raw)
    with pytest.raises(InputError, match=r"bad\.txt"):
        read_document(p)


def test_unsupported_suffix(tmp_path: Path):
    p = tmp_path / "a.doc"
    p.write_bytes(b"x")
    with pytest.raises(InputError, match="unsupported"):
        read_document(p)


def test_html_main_text_only():
    markup = (
        "<html><head><title>t</title><style>.x{}</style></head><body><nav>首页</nav>"
        "<article><p>客户体验正文。</p><script>alert('x')</script>"
        "<div style='display:none'>隐藏文字</div><p hidden>也隐藏</p></article></body></html>"
    )
    text = "\n".join(b.text for b in read_html(markup.encode(), "page.html").body)
    assert "客户体验正文。" in text
    for noise in ["alert", "隐藏文字", "也隐藏", ".x{}"]:
        assert noise not in text


def test_pdf_without_text_layer_is_an_error(tmp_path: Path):
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    p = tmp_path / "scan.pdf"
    with p.open("wb") as f:
        writer.write(f)
    with pytest.raises(InputError, match="no text layer"):
        read_document(p)


def test_truncated_pdf_is_an_error(tmp_path: Path):
    p = tmp_path / "cut.pdf"
    p.write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog")
    with pytest.raises(InputError, match=r"cut\.pdf"):
        read_document(p)


# --- markdown ---------------------------------------------------------------------------------------------------

MARKDOWN = """# 2025 零售客户体验报告

<a id="summary"></a>

这是 *斜体* 和 **粗体** 还有[链接文字](#anchor)的段落，脚注在此[^1]。

表 2 各渠道满意度

| 渠道 | 2025年 |
| --- | --- |
| 门店 | 72% |
| 线上 | 69% |

- 会员复购率提升
- 线上渠道增长

[^1]: 脚注的原文说明。
"""


def test_markdown_pipe_table_takes_the_caption_line_before_it():
    from cxkb.readers.markdown import blocks_of

    (table,) = [b for b in blocks_of(MARKDOWN) if b.kind == "table"]
    assert table.table.caption == "表 2 各渠道满意度"
    assert table.table.header == ("渠道", "2025年")
    assert table.table.rows == (("门店", "72%"), ("线上", "69%"))
    # The caption went into the table: it is not also a paragraph of its own.
    assert "表 2 各渠道满意度" not in [b.text for b in blocks_of(MARKDOWN) if b.kind == "paragraph"]


def test_markdown_markup_is_unwrapped_and_footnotes_go_last():
    from cxkb.readers.markdown import blocks_of

    blocks = blocks_of(MARKDOWN)
    assert [b.kind for b in blocks] == ["title", "paragraph", "table", "list_item", "list_item", "paragraph"]
    assert blocks[1].text == "这是 斜体 和 粗体 还有链接文字的段落，脚注在此。"
    everything = "\n".join(b.text for b in blocks)
    for markup in ["*", "[", "]", "(#", "^1", "<a", "summary"]:
        assert markup not in everything, markup
    assert blocks[-1].text == "脚注的原文说明。"  # the footnote's own words are kept, at the end


def test_markdown_soft_breaks_join_chinese_without_a_space_and_latin_with_one():
    from cxkb.readers.markdown import blocks_of

    (zh,) = blocks_of("客户体验\n管理报告")
    (en,) = blocks_of("customer\nexperience")
    assert (zh.text, en.text) == ("客户体验管理报告", "customer experience")


# --- html -------------------------------------------------------------------------------------------------------

POST = [
    "客户体验已经成为银行竞争的核心议题，越来越多的机构把满意度纳入考核体系，并据此调整渠道投入。",
    "调查显示，电话客服的满意度从 57% 下降到 52%，主要原因是等待时间延长以及问题一次解决率下降。",
    "与此同时，在线客服的满意度从 61% 提升到 66%，智能助手承担了大部分简单咨询，人工坐席专注复杂问题。",
    "网点渠道的表现相对平稳，客户对理财顾问的专业度评价较高，但对排队时间的抱怨依然普遍存在。",
    "手机银行的月活跃用户继续增长，年轻客户更倾向于通过应用内的消息中心解决问题，而不是拨打电话。",
    "报告建议银行建立统一的客户旅程视图，把各渠道的数据打通，从而在问题发生之前主动联系客户。",
]


def test_html_cards_before_the_post_are_not_the_post():
    # Themes render teaser cards as <article> too, and here they come first in the markup.
    cards = "".join(
        f'<article class="card"><h2><a href="/p/{i}">第{i}篇：零售业会员体系的再设计</a></h2>'
        f"<p>本文讨论会员积分如何影响复购，以及门店与线上渠道如何分工协作第{i}部分。</p>"
        f'<a href="/p/{i}">阅读全文</a></article>'
        for i in range(4)
    )
    post = '<article class="post"><h1>2025 银行客户体验观察</h1>' + "".join(f"<p>{p}</p>" for p in POST) + "</article>"
    page = f'<html><head><title>2025 银行客户体验观察</title></head><body><div class="wrap">{cards}{post}</div></body></html>'
    doc = read_html(page.encode(), "post.html")
    body = [b.text for b in doc.body]
    assert body == ["2025 银行客户体验观察", *POST]
    assert not any("会员" in t or "阅读全文" in t for t in body)
    assert any("零售业会员体系" in b.text for b in doc.furniture)  # the audit says what went


COMMENTED_STORY = [
    "客户体验已经成为保险公司竞争的核心议题，越来越多的机构把理赔满意度纳入考核体系，并据此调整服务投入。",
    "调查显示，理赔时效满意度从 48% 提升到 63%，主要原因是线上报案与自动定损的普及，减少了客户等待。",
    "与此同时，客户对理赔进度透明度的评价仍然偏低，只有 35% 的受访者认为能够随时了解案件处理状态。",
    "报告建议保险公司在理赔流程的关键节点主动推送消息，并为复杂案件指定专人跟进，以减少重复沟通。",
    "受访者中有 71% 表示，如果理赔体验良好，会在续保时优先考虑同一家公司，这说明理赔是留存的关键。",
]


def _commented_page() -> bytes:
    # No <article>, no <main>: only divs, and a comment section whose numbers look like findings.
    story = "".join(f'<div class="para">{p}</div>' for p in COMMENTED_STORY)
    comments = "".join(
        f'<div class="comment"><span class="user">网友{i}</span>'
        f'<div class="body">我觉得这个数据不准，我身边有 {90 - i}% 的人都不满意理赔。</div>'
        f'<a href="#">回复</a> <a href="#">点赞 {i}</a></div>'
        for i in range(5)
    )
    return (
        "<html><head><title>保险理赔体验调查</title></head><body>"
        '<div class="header"><a href="/">首页</a> <a href="/news">新闻</a> <a href="/ins">保险</a></div>'
        f'<div class="content"><div class="title">保险理赔体验调查</div>{story}</div>'
        f'<div class="comments"><div class="comments-title">网友评论（5）</div>{comments}</div>'
        '<div class="footer">版权所有 © 2025 某网站</div></body></html>'
    ).encode()


def test_html_div_page_keeps_the_story_not_the_comments():
    doc = read_html(_commented_page(), "claims.html")
    text = "\n".join(b.text for b in doc.body)
    for paragraph in COMMENTED_STORY:
        assert paragraph in text
    for noise in ["网友", "90%", "86%", "回复", "点赞", "版权所有", "首页"]:
        assert noise not in text, noise


def test_html_title_kept_as_a_paragraph_is_not_repeated():
    doc = read_html(_commented_page(), "claims.html")
    assert [b.text for b in doc.body].count("保险理赔体验调查") == 1


def test_html_table_keeps_caption_and_header():
    table = (
        "<table><caption>表 1 各渠道客户满意度</caption>"
        "<thead><tr><th>渠道</th><th>2024年</th><th>2025年</th></tr></thead>"
        "<tbody><tr><td>电话客服</td><td>57%</td><td>52%</td></tr><tr><td>在线客服</td><td>61%</td><td>66%</td></tr>"
        "</tbody></table>"
    )
    page = (
        "<html><head><title>银行渠道</title></head><body><article><h1>银行渠道满意度</h1>"
        f"<p>{POST[0]}</p><p>{POST[1]}</p>{table}<p>{POST[5]}</p></article></body></html>"
    )
    doc = read_html(page.encode(), "table.html")
    (block,) = [b for b in doc.body if b.kind == "table"]
    assert block.table.caption == "表 1 各渠道客户满意度" == block.text
    assert block.table.header == ("渠道", "2024年", "2025年")
    assert block.table.rows == (("电话客服", "57%", "52%"), ("在线客服", "61%", "66%"))
    assert [b.kind for b in doc.body] == ["title", "paragraph", "paragraph", "table", "paragraph"]


# --- docx -------------------------------------------------------------------------------------------------------


def _docx(path: Path, rows: list[tuple[str, ...]]) -> Path:
    import docx

    document = docx.Document()
    document.core_properties.author = "张三"
    document.sections[0].header.paragraphs[0].text = "内部资料"
    document.sections[0].footer.paragraphs[0].text = "澄观研究院"
    document.add_paragraph("2025 零售客户体验报告", style="Title")
    document.add_heading("一、总体表现", level=1)
    document.add_paragraph("今年零售客户的整体满意度保持稳定，线上渠道继续增长。")
    document.add_paragraph("会员复购率提升", style="List Bullet")
    document.add_paragraph("表 1 各渠道满意度")
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.add_paragraph("表后的说明文字。")
    document.save(path)
    return path


def test_docx_styles_tables_furniture_and_author(tmp_path: Path):
    rows = [("渠道", "2024年", "2025年"), ("门店", "70%", "72%"), ("线上", "64%", "69%")]
    doc = read_document(_docx(tmp_path / "retail.docx", rows))
    assert [(b.kind, b.level) for b in doc.body] == [
        ("title", 0),
        ("heading", 1),
        ("paragraph", None),
        ("list_item", None),
        ("table", None),
        ("paragraph", None),
    ]
    table = doc.body[4].table
    assert table.caption == "表 1 各渠道满意度"
    assert table.header == rows[0] and table.rows == tuple(rows[1:])
    assert ("header", "内部资料") in [(b.kind, b.text) for b in doc.furniture]
    assert not any("内部资料" in b.text for b in doc.body)
    assert doc.meta.author == "张三" and doc.meta.title == "2025 零售客户体验报告"


def test_docx_equal_neighbouring_values_are_both_kept(tmp_path: Path):
    rows = [("渠道", "2024年", "2025年"), ("门店", "70%", "70%")]
    doc = read_document(_docx(tmp_path / "flat.docx", rows))
    (table,) = [b.table for b in doc.body if b.table is not None]
    assert table.rows == (("门店", "70%", "70%"),)


# --- pptx -------------------------------------------------------------------------------------------------------


def _deck(path: Path) -> Path:
    from pptx import Presentation
    from pptx.util import Inches

    deck = Presentation()

    def strip(slide) -> None:  # the same small text box on every slide: the firm's confidentiality strip
        box = slide.shapes.add_textbox(Inches(0.3), Inches(7.0), Inches(3), Inches(0.4))
        box.text_frame.text = "某咨询 | 机密"

    first = deck.slides.add_slide(deck.slide_layouts[0])
    first.shapes.title.text = "2025 客户体验洞察"
    first.placeholders[1].text = "澄观研究院"
    strip(first)
    second = deck.slides.add_slide(deck.slide_layouts[1])
    second.shapes.title.text = "关键发现"
    frame = second.placeholders[1].text_frame
    frame.text = "电话客服满意度下降"
    sub = frame.add_paragraph()
    sub.text, sub.level = "等待时间是主因", 1
    second.notes_slide.notes_text_frame.text = "讲者备注：电话渠道的等待时间平均增加了 40 秒。"
    strip(second)
    third = deck.slides.add_slide(deck.slide_layouts[5])
    third.shapes.title.text = "渠道对比"
    third.shapes.add_textbox(Inches(1), Inches(1.5), Inches(6), Inches(0.5)).text_frame.text = "表 1 各渠道满意度"
    table = third.shapes.add_table(3, 3, Inches(1), Inches(2.2), Inches(6), Inches(1.5)).table
    for r, row in enumerate([("渠道", "2024年", "2025年"), ("电话", "57%", "52%"), ("在线", "61%", "66%")]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    strip(third)
    fourth = deck.slides.add_slide(deck.slide_layouts[5])
    fourth.shapes.title.text = "网点排队时长"
    table = fourth.shapes.add_table(2, 2, Inches(1), Inches(2.2), Inches(6), Inches(1)).table
    for r, row in enumerate([("网点", "分钟"), ("城区", "18")]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    strip(fourth)
    deck.save(path)
    return path


def test_pptx_slides_are_pages_and_notes_are_text(tmp_path: Path):
    doc = read_document(_deck(tmp_path / "deck.pptx"))
    pages = {b.text: b.page for b in doc.body}
    assert pages["2025 客户体验洞察"] == 1 and pages["关键发现"] == 2 and pages["表 1 各渠道满意度"] == 3
    assert pages["讲者备注：电话渠道的等待时间平均增加了 40 秒。"] == 2
    kinds = {b.text: b.kind for b in doc.body}
    assert kinds["2025 客户体验洞察"] == "title" and kinds["关键发现"] == "heading"
    assert kinds["等待时间是主因"] == "list_item" and kinds["电话客服满意度下降"] == "paragraph"
    assert doc.meta.title == "2025 客户体验洞察"


def test_pptx_repeated_text_box_is_furniture_and_table_takes_its_caption(tmp_path: Path):
    doc = read_document(_deck(tmp_path / "deck.pptx"))
    assert not any("机密" in b.text for b in doc.body)
    assert [(b.text, b.page) for b in doc.furniture] == [("某咨询 | 机密", n) for n in (1, 2, 3, 4)]
    tables = [b for b in doc.body if b.table is not None]
    assert tables[0].table.caption == "表 1 各渠道满意度"
    assert tables[0].table.header == ("渠道", "2024年", "2025年")
    assert tables[0].table.rows == (("电话", "57%", "52%"), ("在线", "61%", "66%"))
    # Without a caption box, the slide's title names the table.
    assert (tables[1].table.caption, tables[1].page) == ("网点排队时长", 4)


# --- pdf --------------------------------------------------------------------------------------------------------

FONT = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
PDF_HEADER = "澄观研究院 · 银行客户体验报告"
PDF_TITLE = "2025 银行客户体验报告"
PDF_CUT = (
    "调查发现，电话客服的满意度在过去一年中明显下降，客户普遍反映等待时间过长，问题需要多次来电才能解决，"
    "尤其是在月末和节假日前后的高峰时段表现最为突出，这一现象在中小银行中更为常见，值得管理层高度关注。"
)


def _pdf(path: Path) -> list[str]:
    """A 2-page report whose PDF_CUT sentence runs from the bottom of page 1 to the top of page 2; its lines."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("WQY", str(FONT), subfontIndex=0))
    left, right, size, lead = 60, 535, 10.5, 16

    def wrap(text: str) -> list[str]:  # fill each line to the right margin, as a typesetter would
        out, line = [], ""
        for ch in text:
            if stringWidth(line + ch, "WQY", size) > right - left:
                out.append(line)
                line = ch
            else:
                line += ch
        return [*out, line]

    intro = wrap(
        "本报告基于对全国三千名银行客户的问卷调查与二十家银行的深度访谈，系统梳理了各渠道的客户体验表现，"
        "并对未来一年的服务改进方向提出建议。"
    )
    after = wrap(
        "相比之下，在线客服的满意度持续上升，智能助手承担了大部分简单咨询，人工坐席得以专注于复杂问题，"
        "整体解决效率显著提高，客户评价也随之改善。"
    )
    cut = wrap(PDF_CUT)
    c = canvas.Canvas(str(path), pagesize=(595, 842), invariant=1)
    for number in (1, 2):
        c.setFont("WQY", 9)
        c.drawString(left, 810, PDF_HEADER)
        c.drawString(280, 30, f"第 {number} 页")
        c.setFont("WQY", size)
        if number == 1:
            c.setFont("WQY", 22)
            c.drawString(left, 740, PDF_TITLE)
            c.setFont("WQY", size)
            for i, line in enumerate(intro):
                c.drawString(left, 690 - lead * i, line)
            for i, line in enumerate(cut[:-1]):  # the last line on page 1 sits just above the footer
                c.drawString(left, 80 + lead * (len(cut) - 2 - i), line)
        else:
            c.drawString(left, 760, cut[-1])
            for i, line in enumerate(after):
                c.drawString(left, 734 - lead * i, line)
        c.showPage()
    c.save()
    return cut


def test_pdf_running_furniture_title_and_a_sentence_across_the_page_break(tmp_path: Path):
    pytest.importorskip("reportlab")
    if not FONT.is_file():
        pytest.skip(f"needs the CJK font {FONT} (fonts-wqy-zenhei)")
    from cxkb.ingest import load_report

    path = tmp_path / "bank.pdf"
    cut = _pdf(path)
    assert len(cut) >= 2  # the sentence really is split over the page break
    report = load_report(path, rid="bank", meta={})
    for furniture in [PDF_HEADER, "第 1 页", "第 2 页", "第1页", "第2页"]:
        assert furniture not in report.text, furniture
    assert PDF_CUT in report.text.split("\n")  # one line, no header or footer inside it
    start = report.text.index(PDF_CUT)
    second_page = start + PDF_CUT.index(cut[-1])
    assert report.page_at(start) == 1
    assert report.page_at(second_page - 1) == 1 and report.page_at(second_page) == 2
    assert report.page_at(report.text.index("相比之下")) == 2
    assert report.meta.title == PDF_TITLE
    assert report.kind_at(0) == "title" and report.text.split("\n")[0] == PDF_TITLE


ZH_REPORT = "客户体验管理报告\n调查显示 87% 的受访者表示他们的组织有一个核心的客户体验指标。\n"


@pytest.mark.parametrize(
    ("raw", "encoding"),
    [
        (ZH_REPORT.encode("gbk").decode("latin-1").encode("utf-8"), "gb18030"),  # GBK read as Latin-1, saved as UTF-8
        (ZH_REPORT.encode("utf-8").decode("latin-1").encode("utf-8"), "utf-8"),  # UTF-8 encoded twice
        (
            "客戶體驗管理報告\n調查顯示 87% 的受訪者表示他們的組織有一個核心的客戶體驗指標。\n".encode("big5")
            .decode("latin-1")
            .encode(),
            "big5",
        ),
    ],
)
def test_mojibake_is_repaired_and_says_so(raw: bytes, encoding: str):
    from cxkb.readers.encoding import decode

    text, label = decode(raw, name="moji.txt")
    assert label.startswith(encoding) and "repaired" in label
    assert "客户体验" in text or "客戶體驗" in text


def test_mojibake_that_cannot_be_repaired_is_refused_with_the_fix():
    from cxkb.readers.encoding import decode

    lossy = ZH_REPORT.encode("utf-8").decode("cp1252", errors="replace").encode("utf-8")
    with pytest.raises(InputError, match=r"mojibake.*re-save the original file as UTF-8"):
        decode(lossy, name="moji.txt")


def test_latin_text_and_a_stray_nul_are_left_alone():
    from cxkb.readers.encoding import decode

    assert decode(("Café résumé naïve — déjà vu. " * 5).encode(), name="fr.txt")[1] == "utf-8"
    assert decode("短文本\x00还有一点内容".encode(), name="nul.txt")[0].startswith("短文本")
