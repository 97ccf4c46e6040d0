"""The structured document and its rendering: row sentences, page starts, cell spans, captions."""

from __future__ import annotations

from cxkb.document import Block, Document, Table, attach_captions, render, row_sentence

TABLE = Table("表 1 X", ("渠道", "2024年", "2025年"), (("电话客服", "57%", "52%"), ("在线客服", "61%", "66%")))


def _doc(*blocks: Block) -> Document:
    return Document(source="r.pdf", format="pdf", encoding="pdf", sha256="", body=blocks)


# --- row_sentence ---------------------------------------------------------------------------------------------


def test_row_sentence_carries_caption_and_headers():
    sentence, spans = row_sentence(TABLE, TABLE.rows[0])
    assert sentence == "表 1 X：电话客服，2024年 57%，2025年 52%。"
    # Each span must slice exactly the value, so a stats row can point at it in the report's text.
    assert [sentence[a:b] for a, b, _ in spans] == ["57%", "52%"]
    assert [label for _, _, label in spans] == ["表 1 X · 电话客服 · 2024年", "表 1 X · 电话客服 · 2025年"]


def test_row_sentence_without_caption_or_header_still_slices_values():
    # A headerless table (one row from a PDF) and an empty cell: the spans must not drift.
    table = Table("", (), (("电话客服", "", "52%", "48%"),))
    sentence, spans = row_sentence(table, table.rows[0])
    assert sentence == "电话客服，52%，48%。"
    assert [sentence[a:b] for a, b, _ in spans] == ["52%", "48%"]
    assert {label for _, _, label in spans} == {"电话客服"}


def test_row_sentence_folds_whitespace_and_keeps_a_final_stop():
    # A cell wrapped over two lines in the source must not put a newline into the one-line sentence.
    table = Table("表 3", ("项目", "说明"), (("渠道", "覆盖\n全国。"),))
    sentence, spans = row_sentence(table, table.rows[0])
    assert sentence == "表 3：渠道，说明 覆盖 全国。"
    assert "\n" not in sentence and not sentence.endswith("。。")
    assert sentence[spans[0][0] : spans[0][1]] == "覆盖 全国。"


# --- render ---------------------------------------------------------------------------------------------------


def test_render_one_line_per_block_and_table_rows_as_sentences():
    doc = _doc(
        Block("title", "报告", page=1),
        Block("paragraph", "第一段。", page=1),
        Block("table", TABLE.caption, page=1, table=TABLE),
    )
    rendered = render(doc)
    assert rendered.text.split("\n") == [
        "报告",
        "第一段。",
        "表 1 X",
        "表 1 X：电话客服，2024年 57%，2025年 52%。",
        "表 1 X：在线客服，2024年 61%，2025年 66%。",
    ]
    assert [kind for _, _, kind in rendered.blocks] == ["title", "paragraph", "caption", "table_row", "table_row"]
    # Every recorded span is exactly its line.
    lines = rendered.text.split("\n")
    assert [rendered.text[a:b] for a, b, _ in rendered.blocks] == lines


def test_render_cells_point_into_the_text_with_labels():
    rendered = render(_doc(Block("paragraph", "前文。", page=1), Block("table", "", page=1, table=TABLE)))
    values = [(rendered.text[c.start : c.end], c.label) for c in rendered.cells]
    assert ("52%", "表 1 X · 电话客服 · 2025年") in values
    assert ("66%", "表 1 X · 在线客服 · 2025年") in values
    assert len(values) == 4


def test_render_pages_include_a_break_inside_a_block():
    # "…的客户 | 满意度…" starts on page 1 and ends on page 2: the break offset is inside the block.
    cut = "第一页末尾的客户满意度下降了。"
    doc = _doc(
        Block("title", "报告", page=1),
        Block("paragraph", cut, page=1, breaks=((8, 2),)),
        Block("paragraph", "第二页的段落。", page=2),
        Block("heading", "第三页", page=3),
    )
    rendered = render(doc)
    start = rendered.text.index(cut)
    assert rendered.pages == ((0, 1), (start + 8, 2), (rendered.text.index("第三页"), 3))
    assert rendered.text[start + 8 :].startswith("满意度")


def test_render_keeps_breaks_valid_when_a_block_holds_a_newline():
    # A newline inside a block becomes a space (same length), so the break offset still lands on "B".
    doc = _doc(Block("paragraph", "AAA\nBBB", page=1, breaks=((4, 2),)))
    rendered = render(doc)
    assert rendered.text == "AAA BBB"
    assert rendered.pages == ((0, 1), (4, 2))


def test_render_skips_blank_blocks_and_unpaged_formats_have_no_pages():
    rendered = render(_doc(Block("paragraph", "一"), Block("paragraph", "  "), Block("paragraph", "二")))
    assert rendered.text == "一\n二"
    assert rendered.pages == ()


# --- attach_captions and with_body ----------------------------------------------------------------------------


def test_attach_captions_takes_a_short_label_before_a_table():
    bare = Table("", TABLE.header, TABLE.rows)
    out = attach_captions([Block("paragraph", "表 2 各渠道满意度", page=3), Block("table", "", page=4, table=bare)])
    assert len(out) == 1
    assert out[0].kind == "table" and out[0].table.caption == "表 2 各渠道满意度" and out[0].text == "表 2 各渠道满意度"
    assert out[0].page == 3  # where the caption starts


def test_attach_captions_leaves_a_sentence_and_an_existing_caption():
    bare = Table("", TABLE.header, TABLE.rows)
    sentence = [Block("paragraph", "下表列出各渠道的满意度。"), Block("table", "", table=bare)]
    assert attach_captions(sentence) == sentence
    long_line = [Block("paragraph", "这是一段相当长的说明文字" * 4), Block("table", "", table=bare)]
    assert attach_captions(long_line) == long_line
    captioned = [Block("paragraph", "表 9 别的"), Block("table", TABLE.caption, table=TABLE)]
    assert attach_captions(captioned) == captioned


def test_with_body_moves_furniture_and_counts_it_by_reason():
    doc = _doc(Block("paragraph", "正文。"), Block("paragraph", "分享到微信"))
    moved = doc.with_body([doc.body[0]], [Block("boilerplate", "分享到微信", why="share")])
    assert [b.text for b in moved.body] == ["正文。"]
    assert [b.text for b in moved.furniture] == ["分享到微信"]
    assert moved.removed == {"share": 5}
