"""The small frozen records that pass between pipeline stages.

Reading order follows the data: a file becomes a ``Report`` (cleaned text plus
provenance), a report becomes ``Chunk``s, search returns ``Hit``s, and an answer
is text with ``Citation``s.
"""

from __future__ import annotations

import bisect
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Meta:
    """Catalogue fields for a report; any of them may be unknown (empty)."""

    title: str = ""
    author: str = ""  # a person's name: searchable, and a known name to the answer's checks
    publisher: str = ""
    date: str = ""  # ISO date or year, as precise as the source gives it
    url: str = ""
    script: str = ""  # "simplified" | "traditional" | ""
    sample: str = ""  # survey sample as stated, e.g. "501 位高管"

    @property
    def year(self) -> int | None:
        return int(self.date[:4]) if self.date[:4].isdigit() else None


@dataclass(frozen=True)
class Cleaned:
    """What the cleaner returns: the text a reader would quote, and an audit."""

    text: str
    removed: dict[str, int] = field(default_factory=dict)  # rule -> characters removed
    # (offset into ``text``, page number): where each known PDF page starts.
    pages: tuple[tuple[int, int], ...] = ()
    dropped: tuple[tuple[str, str], ...] = ()  # (rule, line) for each whole line removed


@dataclass(frozen=True)
class Cell:
    """A table value cell inside a report's text, with the labels that say what it measures."""

    start: int
    end: int
    label: str  # "表 1 各渠道客户满意度 · 电话客服 · 2025年"


@dataclass(frozen=True)
class Report:
    id: str  # stable id: the file name without extension
    source: str  # the file name inside the corpus folder
    meta: Meta
    text: str  # cleaned original: what is stored and shown
    sha256: str  # of the raw bytes
    removed: dict[str, int] = field(default_factory=dict)
    pages: tuple[tuple[int, int], ...] = ()
    cells: tuple[Cell, ...] = ()
    # (start, end, kind) of each line of ``text``: the document block it came from (heading, paragraph,
    # list_item, caption, table_row …), so later stages never guess structure from a line's shape.
    blocks: tuple[tuple[int, int, str], ...] = ()
    format: str = "text"  # the reader that produced it
    warnings: tuple[str, ...] = ()  # extraction that went badly (kept little of the file's text)

    def kind_at(self, offset: int) -> str:
        """The kind of block holding ``offset`` ("" when the report has no block record)."""
        at = bisect.bisect_right(self.blocks, (offset, float("inf"), "")) - 1
        return self.blocks[at][2] if at >= 0 and self.blocks[at][0] <= offset <= self.blocks[at][1] else ""

    def page_at(self, offset: int) -> int | None:
        page = None
        for start, number in self.pages:
            if start > offset:
                break
            page = number
        return page


@dataclass(frozen=True)
class Chunk:
    id: str  # f"{report_id}#{n}"
    report_id: str
    start: int  # character span in Report.text
    end: int
    text: str  # == report.text[start:end]
    heading: str = ""
    page: int | None = None


@dataclass(frozen=True)
class Hit:
    rank: int
    score: float
    chunk: Chunk
    meta: Meta
    source: str
    scores: dict[str, float] = field(default_factory=dict)  # per retriever, for audit

    def to_dict(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "score": round(self.score, 6),
            "report_id": self.chunk.report_id,
            "source": self.source,
            "title": self.meta.title,
            "publisher": self.meta.publisher,
            "date": self.meta.date,
            "chunk_id": self.chunk.id,
            "heading": self.chunk.heading,
            "page": self.chunk.page,
            "text": self.chunk.text,
            "start": self.chunk.start,
            "end": self.chunk.end,
            "scores": {k: round(v, 6) for k, v in self.scores.items()},
        }


@dataclass(frozen=True)
class Citation:
    n: int
    report_id: str
    source: str
    title: str
    publisher: str
    date: str
    quote: str  # exact original sentence(s) from Report.text
    start: int
    end: int
    page: int | None = None

    @classmethod
    def of(cls, n: int, hit: Hit, quote: str, start: int, end: int, page: int | None) -> Citation:
        """A citation of ``quote`` (the report's text between ``start`` and ``end``) from a hit's report."""
        return cls(
            n,
            hit.chunk.report_id,
            hit.source,
            hit.meta.title,
            hit.meta.publisher,
            hit.meta.date,
            quote,
            start,
            end,
            page,
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Answer:
    question: str
    answer: str
    answerable: bool
    citations: tuple[Citation, ...] = ()
    related: tuple[Hit, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "answer": self.answer,
            "answerable": self.answerable,
            "citations": [c.to_dict() for c in self.citations],
            "related": [h.to_dict() for h in self.related],
        }
