"""Answers that travel: Markdown with markers and references, stable passage links."""

from __future__ import annotations

from cxkb.export import answer_markdown, citation_link, conversation_markdown, language_note
from cxkb.models import Answer, Citation


def _citation(n: int = 1) -> Citation:
    return Citation(
        n, "r1", "bank.pdf", "零售银行客户体验报告", "澄观咨询", "2025-03", "股份制银行以 +32 居首。", 120, 132, 4
    )


def test_answer_markdown_has_markers_references_and_links():
    ans = Answer("哪类银行的净推荐值最高？", "股份制银行以 +32 居首。 [1]", True, (_citation(),))
    text = answer_markdown(ans)
    assert "**Q:** 哪类银行的净推荐值最高？" in text
    assert "股份制银行以 +32 居首。 [1]" in text
    assert (
        "[1] 零售银行客户体验报告 (澄观咨询, 2025-03, p. 4): “股份制银行以 +32 居首。” ?report=r1&start=120&end=132"
        in text
    )


def test_a_rewritten_follow_up_shows_both_questions():
    ans = Answer("城商行的净推荐值是多少？", "城商行为 +18。 [1]", True, (_citation(),))
    text = answer_markdown(ans, typed="那城商行呢？")
    assert "**Q:** 那城商行呢？" in text and "城商行的净推荐值是多少？" in text
    assert "**Q:** 那城商行呢？" in conversation_markdown([("那城商行呢？", ans)])


def test_link_is_url_encoded():
    c = Citation(1, "银行 报告", "x", "t", "p", "d", "q", 5, 9)
    assert citation_link(c, "http://127.0.0.1:7860/") == (
        "http://127.0.0.1:7860/?report=%E9%93%B6%E8%A1%8C+%E6%8A%A5%E5%91%8A&start=5&end=9"
    )


def test_english_questions_get_a_language_note():
    english = Answer("Which banks lead on NPS?", "股份制银行以 +32 居首。 [1]", True, (_citation(),))
    assert "report's language" in language_note(english)
    assert "report's language" in answer_markdown(english)
    assert language_note(Answer("哪类银行的净推荐值最高？", "…", True, (_citation(),))) == ""
    assert language_note(Answer("Which banks lead?", "Not in the corpus", False)) == ""
