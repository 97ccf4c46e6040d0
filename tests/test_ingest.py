"""Ingest: warnings when extraction kept too little, and provenance from catalogue or file."""

from __future__ import annotations

from pathlib import Path

from cxkb.document import Block, Document
from cxkb.ingest import load_report, resolve_meta, warnings_of
from cxkb.models import Meta

SENTENCE = "客户体验管理正在从单一的满意度调查转向覆盖全旅程的持续监测，企业需要把数据、流程和组织放在一起考虑。"


def _doc(seen: int, meta: Meta | None = None) -> Document:
    return Document("r.html", "html", "utf-8", "", meta or Meta(), (Block("paragraph", "x"),), seen_chars=seen)


def _text(chars: int) -> str:
    """Prose of exactly ``chars`` characters, one sentence a line."""
    lines, total = [], 0
    while total < chars:
        lines.append(SENTENCE)
        total += len(SENTENCE) + 1
    return "\n".join(lines)[:chars]


# --- warnings_of ------------------------------------------------------------------------------------------------


def test_warning_when_less_than_half_of_what_the_reader_saw_is_kept():
    (warning,) = warnings_of(_doc(seen=10_000), _text(1_500))
    assert "1,500 of 10,000" in warning and "15%" in warning


def test_warning_when_only_a_few_hundred_characters_are_kept():
    (warning,) = warnings_of(_doc(seen=250), _text(250))
    assert "kept only 250 characters" in warning


def test_no_warning_for_a_report_that_kept_its_text():
    assert warnings_of(_doc(seen=1_600), _text(1_500)) == ()
    assert warnings_of(_doc(seen=3_000), _text(1_500)) == ()  # exactly half is not "less than half"
    assert warnings_of(_doc(seen=0), _text(1_500)) == ()  # a reader that did not count says nothing


def test_load_report_warns_for_a_page_that_is_mostly_navigation_and_comments(tmp_path: Path):
    story = "".join(f"<p>{SENTENCE[:-1]}，这是正文的第{i}段。</p>" for i in range(8))
    nav = "".join(f'<li><a href="/c/{i}">栏目{i}：银行理财保险基金证券期货外汇黄金</a></li>' for i in range(40))
    comments = "".join(
        f'<div class="comment"><span>网友{i}</span><p>我觉得这篇文章说得不对，我身边的人都说客服挺好的，第{i}楼。</p></div>'
        for i in range(25)
    )
    page = (
        f'<html><head><title>客户体验管理</title></head><body><ul class="nav">{nav}</ul>'
        f'<article><h1>客户体验管理</h1>{story}</article><div class="comments">{comments}</div></body></html>'
    )
    path = tmp_path / "noisy.html"
    path.write_text(page, encoding="utf-8")
    report = load_report(path, rid="noisy", meta={})
    assert "这是正文的第7段" in report.text and "网友" not in report.text
    (warning,) = report.warnings
    assert warning.startswith(f"kept {len(report.text):,} of ")


def test_load_report_no_warning_for_a_normal_text_report(tmp_path: Path):
    path = tmp_path / "normal.txt"
    text = "客户体验管理报告\n" + "\n".join(f"{SENTENCE[:-1]}（第{i}条）。" for i in range(28))
    assert 1_400 <= len(text) <= 1_700
    path.write_text(text, encoding="utf-8")
    report = load_report(path, rid="normal", meta={})
    assert report.warnings == ()
    assert len(report.text) >= 1_400 and report.format == "text"


# --- resolve_meta -----------------------------------------------------------------------------------------------


def test_catalogue_fields_win_over_the_file_and_gaps_fall_back_to_it():
    own = Meta(title="文件自带标题", author="张三", date="2024-05")
    catalogue = {"r.pdf": Meta(title="目录标题", author="李四", publisher="澄观研究院")}
    meta = resolve_meta("r.pdf", _doc(100, own), "正文。", catalogue)
    assert meta == Meta(title="目录标题", author="李四", publisher="澄观研究院", date="2024-05")
    # A catalogue for other files gives nothing: the file's own meta stands.
    assert resolve_meta("other.pdf", _doc(100, own), "正文。", catalogue) == own


def test_empty_catalogue_title_falls_back_to_the_documents_title():
    own = Meta(title="文件自带标题")
    meta = resolve_meta("r.pdf", _doc(100, own), "第一行标题\n正文。", Meta(title="", publisher="澄观研究院"))
    assert (meta.title, meta.publisher) == ("文件自带标题", "澄观研究院")


def test_no_title_anywhere_takes_the_first_heading_like_line():
    text = "这是一句完整的开场白。\n2025\n渠道表现概览\n正文。"
    meta = resolve_meta("r.pdf", _doc(100), text, {})
    assert meta.title == "渠道表现概览"  # not the sentence (ends in 。), not the bare number


def test_load_report_takes_the_catalogue_entry_by_file_name_and_records_table_rows(tmp_path: Path):
    path = tmp_path / "retail.md"
    path.write_text(
        "# 零售报告\n\n" + _text(400) + "\n\n表 2 各渠道满意度\n\n| 渠道 | 2025年 |\n| --- | --- |\n| 门店 | 72% |\n",
        encoding="utf-8",
    )
    report = load_report(path, rid="retail", meta={"retail.md": Meta(title="目录里的名字", date="2025-03")})
    assert (report.meta.title, report.meta.date, report.format) == ("目录里的名字", "2025-03", "markdown")
    row = report.text.index("表 2 各渠道满意度：门店，2025年 72%。")
    assert report.kind_at(row) == "table_row" and report.kind_at(0) == "title"
    (cell,) = report.cells
    assert report.text[cell.start : cell.end] == "72%" and cell.label == "表 2 各渠道满意度 · 门店 · 2025年"
    assert report.page_at(row) is None  # markdown has no pages
