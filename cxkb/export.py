"""Answers that travel: Markdown with ``[n]`` markers and a reference list, and stable passage links.

A consultant pastes a cited figure into a memo or a slide: the answer keeps its markers, and each reference
says where the quote comes from (title, publisher, date, page) and quotes it, with a link
(``?report=…&start=…&end=…``) that opens the Reports tab at that passage. A whole conversation exports the
same way, turn by turn, with the question as understood where a follow-up was rewritten.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlencode

from .models import Answer, Citation

__all__ = ["answer_markdown", "citation_link", "conversation_markdown", "language_note"]

_CJK = re.compile(r"[\u3400-\u9fff]")


def citation_link(c: Citation, base: str = "") -> str:
    """The stable link of a cited passage: the Reports tab opens it with the quote highlighted."""
    return f"{base}?{urlencode({'report': c.report_id, 'start': c.start, 'end': c.end})}"


def language_note(ans: Answer) -> str:
    """A one-line note when a question not asked in Chinese is answered with Chinese quotes."""
    if ans.answerable and not _CJK.search(ans.question) and any(_CJK.search(c.quote) for c in ans.citations):
        return "Quotes are in the report's language (Chinese); the question was matched through a CX glossary."
    return ""


def _reference(c: Citation, base: str) -> str:
    where = ", ".join(p for p in (c.publisher, c.date, f"p. {c.page}" if c.page else "") if p)
    quote = " ".join(c.quote.split())
    return f"[{c.n}] {c.title or c.source}{f' ({where})' if where else ''}: “{quote}” {citation_link(c, base)}"


def answer_markdown(ans: Answer, *, typed: str = "", base: str = "") -> str:
    """One answer as Markdown: the question as typed and, for a rewritten follow-up, as understood (the
    answer's own question); the answer with its markers; the references. ``base`` prefixes each link."""
    lines = [f"**Q:** {typed or ans.question}"]
    if typed and typed != ans.question:
        lines.append(f"*理解为 / understood as:* {ans.question}")
    lines += ["", ans.answer.replace("\n", "  \n")]
    note = language_note(ans)
    if note:
        lines += ["", f"*{note}*"]
    if ans.citations:
        lines += ["", "References:", ""]
        lines += [f"- {_reference(c, base)}" for c in ans.citations]
    elif ans.related:
        lines += ["", "Related passages:", ""]
        lines += [f"- {h.meta.title or h.source}: {' '.join(h.chunk.text.split())[:120]}…" for h in ans.related]
    return "\n".join(lines) + "\n"


def conversation_markdown(turns: Iterable[tuple[str, Answer]], *, base: str = "") -> str:
    """A conversation, each turn as :func:`answer_markdown` gives it (``(typed, answer)`` pairs)."""
    parts = ["# cxkb conversation", ""]
    for n, (typed, ans) in enumerate(turns, 1):
        parts += [f"## {n}", "", answer_markdown(ans, typed=typed, base=base)]
    return "\n".join(parts)
