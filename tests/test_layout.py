"""Page geometry on hand-made pages: A4 (595 x 842 points), ``top`` growing downwards, as pdfplumber gives it.

Each test builds the few segments its rule looks at, so a failure names the rule, not a PDF.
"""

from __future__ import annotations

from cxkb.document import Table
from cxkb.readers import layout
from cxkb.readers.layout import PageLayout, Seg

W, H = 595.0, 842.0
LEFT, RIGHT = 50.0, 545.0  # one-column text edges


def seg(
    text: str, top: float, *, page: int = 1, x0: float = LEFT, x1: float = RIGHT, size: float = 10.0, bold: bool = False
) -> Seg:
    return Seg(text, x0, x1, top, top + size, size, page, bold=bold)


# --- segments and repetition ----------------------------------------------------------------------------------


def test_segments_group_words_into_lines_and_split_at_a_gutter():
    # (text, x0, x1, top, bottom, size, bold): two Latin words close together, a Chinese word after a wide gap.
    words = [
        ("Customer", 50, 95, 100, 110, 10, False),
        ("experience", 98, 150, 100.3, 110, 10, False),  # same baseline within half a font size
        ("右栏", 320, 340, 100, 110, 10, False),  # 170 points away: another column
        ("下一行", 50, 80, 114, 124, 10, True),
    ]
    segs = layout.segments(words, page=3)
    assert [(s.text, s.page) for s in segs] == [("Customer experience", 3), ("右栏", 3), ("下一行", 3)]
    assert segs[2].bold and not segs[0].bold


def test_repeated_folds_digits_and_needs_enough_pages():
    pages = [["第 1 页", "只在一页"], ["第 2 页"], ["第 3 页"], ["别的"], ["别的"]]
    keys = layout.repeated(pages)
    assert layout.is_repeated("第 17 页", keys)  # any number: digits fold to one key
    assert not layout.is_repeated("只在一页", keys)
    assert layout.is_repeated("别的", keys)  # 2 of 5 pages is the 40% share


# --- running furniture ----------------------------------------------------------------------------------------


def _three_pages() -> list[PageLayout]:
    pages = []
    for n in (1, 2, 3):
        pages.append(
            PageLayout(
                n,
                W,
                H,
                [
                    seg("澄观研究院 · 2025 银行客户体验报告", 30, page=n, x1=300),
                    seg(f"正文第 {n} 页的第一段内容。", 120, page=n),
                    seg("数据来源：澄观研究院调研", 400, page=n, x1=250),  # repeats, but in the body
                    seg(f"第 {n} 页", 810, page=n, x0=280, x1=315),
                ],
            )
        )
    return pages


def test_running_furniture_removes_repeated_header_and_page_numbers():
    pages = _three_pages()
    furniture = layout.running_furniture(pages)
    assert sorted((b.kind, b.page) for b in furniture) == sorted(
        [("header", n) for n in (1, 2, 3)] + [("page_number", n) for n in (1, 2, 3)]
    )
    assert all(b.why == "repeated_on_pages" for b in furniture)
    for p in pages:
        assert [s.text for s in p.segs] == [f"正文第 {p.number} 页的第一段内容。", "数据来源：澄观研究院调研"]


def test_running_furniture_keeps_margin_text_that_does_not_repeat_and_single_pages():
    pages = _three_pages()
    pages[1].segs.append(seg("页脚里只出现一次的注释", 790, page=2, x1=200))
    layout.running_furniture(pages)
    assert "页脚里只出现一次的注释" in [s.text for s in pages[1].segs]
    # One page: nothing can repeat, so a header-looking line stays.
    single = [_three_pages()[0]]
    assert layout.running_furniture(single) == [] and len(single[0].segs) == 4


def test_a_repeated_footer_with_words_is_a_footer_not_a_page_number():
    pages = [
        PageLayout(n, W, H, [seg("内部资料 请勿外传", 815, page=n, x1=200), seg("正文。", 300, page=n)]) for n in (1, 2)
    ]
    furniture = layout.running_furniture(pages)
    assert [b.kind for b in furniture] == ["footer", "footer"]


# --- reading order ----------------------------------------------------------------------------------------------


def _two_columns(page: int = 1, top: float = 100, rows: int = 5) -> list[Seg]:
    out = []
    for i in range(rows):
        y = top + 14 * i
        out.append(seg(f"左{i}", y, page=page, x0=50, x1=280))
        out.append(seg(f"右{i}", y, page=page, x0=315, x1=545))
    return out


def test_reading_order_reads_the_left_column_first_after_a_full_width_title():
    page = PageLayout(1, W, H, [*_two_columns(), seg("全宽标题", 60, x0=50, x1=545, size=18)])
    order = [s.text for s in layout.reading_order(page)]
    assert order == ["全宽标题", *[f"左{i}" for i in range(5)], *[f"右{i}" for i in range(5)]]
    columns = {s.text: s.column for s in page.segs}
    assert columns["左0"] == 1 and columns["右4"] == 2 and columns["全宽标题"] == 0


def test_reading_order_a_wide_line_closes_the_band_above_it():
    segs = [*_two_columns(top=100, rows=4), seg("跨栏的图注", 170, x0=50, x1=545)]
    segs += [seg(f"下左{i}", 200 + 14 * i, x0=50, x1=280) for i in range(3)]
    segs += [seg(f"下右{i}", 200 + 14 * i, x0=315, x1=545) for i in range(3)]
    order = [s.text for s in layout.reading_order(PageLayout(1, W, H, segs))]
    assert order == [
        *[f"左{i}" for i in range(4)],
        *[f"右{i}" for i in range(4)],
        "跨栏的图注",
        *[f"下左{i}" for i in range(3)],
        *[f"下右{i}" for i in range(3)],
    ]


def test_reading_order_one_column_is_top_to_bottom():
    page = PageLayout(1, W, H, [seg("第二行", 114), seg("第一行", 100), seg("第三行", 128)])
    assert [s.text for s in layout.reading_order(page)] == ["第一行", "第二行", "第三行"]


# --- paragraphs -------------------------------------------------------------------------------------------------


def _stream() -> list[Seg]:
    return [
        seg("2025 银行客户体验报告", 60, size=20, x1=300),
        seg("渠道表现", 100, size=14, x1=120),
        seg("客户满意度在过去一年里整体保持稳定，但各渠道之间的差距在", 130),
        seg("继续扩大。", 144, x1=100),
        seg("第二段从这里开始，内容较长并且一直写到这一行的行尾处为止", 158),
        seg("第二段的第二行同样写满，直到页面底部被切断的句子的前半", 760),
        seg("部分在第二页继续。", 60, page=2, x1=140),
        seg("第二页上新的一段，从缩进之后开始写，并且写到了行尾附近", 74, page=2, x0=LEFT + 20),
        seg("结束。", 88, page=2, x1=80),
    ]


def test_paragraphs_join_wrapped_lines_and_split_after_a_short_final_line():
    blocks = layout.paragraphs(_stream())
    texts = [b.text for b in blocks]
    assert "客户满意度在过去一年里整体保持稳定，但各渠道之间的差距在继续扩大。" in texts
    # "继续扩大。" ends a sentence short of the column edge: the next line is a new paragraph.
    assert any(t.startswith("第二段从这里开始") for t in texts)
    assert not any("继续扩大。第二段" in t for t in texts)


def test_paragraphs_join_a_sentence_cut_by_a_page_break_and_record_the_break():
    blocks = layout.paragraphs(_stream())
    (cut,) = [b for b in blocks if b.text.startswith("第二段从这里开始")]
    head = (
        "第二段从这里开始，内容较长并且一直写到这一行的行尾处为止第二段的第二行同样写满，直到页面底部被切断的句子的前半"
    )
    assert cut.text == head + "部分在第二页继续。"
    assert cut.page == 1
    assert cut.breaks == ((len(head), 2),)
    assert cut.text[cut.breaks[0][0] :].startswith("部分在第二页")
    # The indented line on page 2 starts its own paragraph on page 2.
    (after,) = [b for b in blocks if b.text.startswith("第二页上新的一段")]
    assert after.page == 2 and after.breaks == () and after.text.endswith("结束。")


def test_paragraphs_take_the_largest_first_page_text_as_title_and_larger_short_lines_as_headings():
    blocks = layout.paragraphs(_stream())
    assert (blocks[0].kind, blocks[0].text) == ("title", "2025 银行客户体验报告")
    assert (blocks[1].kind, blocks[1].text) == ("heading", "渠道表现")
    assert sum(b.kind == "title" for b in blocks) == 1
    assert {b.kind for b in blocks[2:]} == {"paragraph"}


def test_paragraphs_bold_short_line_is_a_heading_but_a_bold_sentence_is_not():
    stream = [
        seg("一段普通的正文文字，写满了整整一行，用来确定正文的字号大小", 100),
        seg("正文的第二行。", 114, x1=150),
        seg("关键发现", 140, bold=True, x1=100),
        seg("粗体的完整句子不是标题。", 160, bold=True, x1=200),
    ]
    kinds = {b.text: b.kind for b in layout.paragraphs(stream)}
    assert kinds["关键发现"] == "heading"
    assert kinds["粗体的完整句子不是标题。"] == "paragraph"


def test_paragraphs_list_items_stay_apart_and_tables_stand_alone():
    table = Table("表 1", ("渠道", "2025年"), (("电话", "52%"),))
    stream = [
        seg("主要发现如下，并且这一行写到了栏的右边缘为止，没有标点", 100),
        seg("1. 第一条发现", 114, x1=150),
        seg("2. 第二条发现", 128, x1=150),
        Seg("", LEFT, RIGHT, 150, 200, 10.0, 1, table=table),
        seg("表后的一段文字。", 210, x1=200),
    ]
    blocks = layout.paragraphs(stream)
    assert [b.kind for b in blocks] == ["paragraph", "list_item", "list_item", "table", "paragraph"]
    assert blocks[3].table is table


# --- chart labels and tables ----------------------------------------------------------------------------------


def _chart_page() -> PageLayout:
    bars = [(100, 500, 120, 600), (125, 450, 145, 600), (150, 520, 170, 600)]
    axis = (90, 600, 300, 601)
    segs = [
        seg("20", 550, x0=70, x1=80),  # axis value
        seg("40%", 470, x0=127, x1=143),  # bar value
        seg("电话", 605, x0=105, x1=125),  # category label under a bar
        seg("电话渠道下降最多。", 520, x0=180, x1=280),  # a sentence inside the figure's box
        seg("图表之外的短标题", 300, x1=200),  # a short line far from any figure
        seg("2025", 700, x1=80),  # a number on its own, outside the figure
    ]
    return PageLayout(1, W, H, segs, graphics=[*bars, axis])


def test_chart_labels_drop_numbers_and_short_labels_in_a_figure():
    page = _chart_page()
    dropped = layout.chart_labels(page)
    assert sorted(b.text for b in dropped) == sorted(["20", "40%", "电话", "2025"])
    assert all(b.kind == "chart_label" and b.why == "chart_label" for b in dropped)
    assert [s.text for s in page.segs] == ["电话渠道下降最多。", "图表之外的短标题"]


def test_chart_labels_without_a_figure_keep_short_labels():
    page = _chart_page()
    page.graphics = page.graphics[:2]  # two boxes are not a figure (a rule, a frame)
    layout.chart_labels(page)
    assert "电话" in [s.text for s in page.segs]


def test_place_tables_replaces_cell_words_with_the_table_and_attaches_its_caption():
    table = Table("", ("渠道", "2025年"), (("电话客服", "52%"),))
    page = PageLayout(
        1,
        W,
        H,
        [
            seg("表 1 各渠道客户满意度", 186, x1=250),
            seg("渠道", 205, x0=60, x1=90),
            seg("电话客服", 225, x0=60, x1=110),
            seg("52%", 225, x0=300, x1=320),
            seg("表后的一段文字。", 300),
        ],
        tables=[((50, 200, 545, 240), table)],
    )
    layout.place_tables(page)
    texts = [s.text for s in page.segs if s.table is None]
    assert texts == ["表后的一段文字。"]
    (placed,) = [s for s in page.segs if s.table is not None]
    assert placed.table.caption == "表 1 各渠道客户满意度" and placed.table.rows == table.rows


def test_date_of_reads_the_first_short_dated_line():
    assert layout.date_of(["报告标题", "澄观研究院 · 2025年3月"]) == "2025-03"
    assert layout.date_of(["发布：2024/12/5"]) == "2024-12-05"
    long_line = "这是一段很长的正文，" * 8 + "提到 2019年5月 的事件"
    assert layout.date_of([long_line, "没有日期"]) == ""
