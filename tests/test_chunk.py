import itertools
import re

from cxkb.chunk import chunk_report, sentences
from cxkb.models import Meta, Report


def _report(text: str, pages=()) -> Report:
    return Report(id="r", source="r.txt", meta=Meta(title="t"), text=text, sha256="x", pages=pages)


TEXT = (
    "核心体验指标\n"
    "87% 的受访者表示他们的组织有一个核心的客户体验指标。三分之二的受访者使用 NPS 作为核心指标!"
    "平均分为 3.5 分；B2C 企业则通常在 65 到 85 分之间。\n"
    "客户体验障碍\n"
    "受访者认为“竞争性的组织优先事项”是主要障碍。超过四分之一的受访者认为文化不支持。"
)


def test_sentences_split_on_chinese_ends_not_decimal_points():
    spans = sentences(TEXT)
    texts = [TEXT[a:b] for a, b in spans]
    assert "平均分为 3.5 分；" in texts
    assert all(t.strip() == t for t in texts)


def test_spans_point_at_the_text_and_never_cut_sentences():
    report = _report(TEXT)
    chunks = chunk_report(report, size=60, overlap=1)
    assert len(chunks) > 1
    ends = {b for _, b in sentences(TEXT)}
    for c in chunks:
        assert TEXT[c.start : c.end] == c.text
        assert c.end in ends
    # every number survives whole in some chunk
    for number in re.findall(r"\d+(?:\.\d+)?%?", TEXT):
        assert any(number in c.text for c in chunks)


def test_overlap_repeats_a_sentence():
    chunks = chunk_report(_report(TEXT), size=60, overlap=1)
    assert any(a.end > b.start for a, b in itertools.pairwise(chunks))


def test_heading_and_page_recorded():
    second = TEXT.index("客户体验障碍")
    report = _report(TEXT, pages=((0, 1), (second, 2)))
    chunks = chunk_report(report, size=60, overlap=0)
    last = chunks[-1]
    assert last.heading == "客户体验障碍"
    assert last.page == 2
    assert chunks[0].heading == "核心体验指标" and chunks[0].page == 1


def test_text_without_sentence_ends_is_bounded():
    text = "中国" * 20000
    chunks = chunk_report(_report(text), size=300, overlap=1)
    assert max(len(c.text) for c in chunks) <= 1000
    assert "".join(text[c.start : c.end] for c in chunks if c.start >= 0).count("中国") >= 20000 - 1


def test_long_run_never_cuts_a_number():
    text = ("增长了 12345.67% 以及 " * 200).strip()
    spans = sentences(text)
    assert len(spans) > 1
    for _a, b in spans:
        assert not (text[b - 1].isdigit() and b < len(text) and text[b].isdigit())


def test_quoted_sentence_is_not_a_heading():
    from cxkb.chunk import is_heading

    assert is_heading("客户体验能力模型")
    assert not is_heading("惠普中国区总裁孙振耀宣称“全面客户体验是惠普公司的十年发展战略。”")
