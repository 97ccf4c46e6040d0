"""The structured document every reader returns, and its rendering into quotable text.

A reader (``cxkb/readers/``, one module per format) turns a file into a ``Document``:
body blocks (title, heading, paragraph, list item, table, caption) in reading order,
each with its page, and the furniture it set aside (running headers, footers, page
numbers, navigation, comments, chart labels), each with the reason in ``why`` so
``cxkb show`` can say what went and why. Nothing after reading sees the raw file.

``render`` joins the body into the report's text, one block per line, and keeps
what later stages need from the structure: where each page starts (citations give
pages), and where each table cell's value sits with its row and column labels
(``cxkb stats`` rows). A table row becomes one sentence that carries its caption
and column headers, so a table fact can be searched, quoted and cited like prose:
``表 1 各渠道客户满意度：电话客服，2024年 57%，2025年 52%。``
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from .models import Cell, Meta

__all__ = ["Block", "Document", "Rendered", "Table", "attach_captions", "render", "row_sentence"]

BODY_KINDS = ("title", "heading", "byline", "paragraph", "list_item", "table", "caption")
FURNITURE_KINDS = ("header", "footer", "page_number", "nav", "comment", "chart_label", "boilerplate")


@dataclass(frozen=True)
class Table:
    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Block:
    kind: str  # one of BODY_KINDS or FURNITURE_KINDS
    text: str  # for a table: its caption (the rows are in ``table``)
    page: int | None = None  # where the block starts (1-based), None for unpaged formats
    level: int | None = None  # heading level
    table: Table | None = None
    why: str = ""  # for furniture: the rule or signal that set it aside
    # (offset in ``text``, page) where a later page begins inside the block: a sentence across a page break
    breaks: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class Document:
    source: str  # file name
    format: str  # "pdf" | "html" | "docx" | "pptx" | "markdown" | "text"
    encoding: str
    sha256: str  # of the raw bytes
    meta: Meta = field(default_factory=Meta)  # what the file itself says (title, author, date); the catalogue wins
    body: tuple[Block, ...] = ()
    furniture: tuple[Block, ...] = ()
    removed: dict[str, int] = field(default_factory=dict)  # characters removed, by rule
    # Characters of text the reader saw before setting furniture aside: "kept less than half" is measured on it.
    seen_chars: int = 0

    def with_body(self, body: list[Block], furniture: list[Block] | None = None) -> Document:
        """The same document with new body blocks (and more furniture), the audit updated."""
        moved = list(furniture or ())
        removed = dict(self.removed)
        for block in moved:
            removed[block.why or block.kind] = removed.get(block.why or block.kind, 0) + len(block.text)
        return replace(self, body=tuple(body), furniture=self.furniture + tuple(moved), removed=removed)


def attach_captions(blocks: list[Block]) -> list[Block]:
    """A short paragraph right before a table without a caption is its caption ("表 2 …")."""
    out: list[Block] = []
    for block in blocks:
        prev = out[-1] if out else None
        if (
            block.table is not None
            and not block.table.caption
            and prev is not None
            and prev.kind in ("paragraph", "caption", "heading")
            and len(prev.text) <= 40
            and not prev.text.endswith(("。", "：", ":", "；"))
        ):
            table = Table(prev.text, block.table.header, block.table.rows)
            out[-1] = replace(block, text=prev.text, table=table, page=prev.page or block.page)
            continue
        out.append(block)
    return out


def _cell(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def row_sentence(table: Table, row: tuple[str, ...]) -> tuple[str, list[tuple[int, int, str]]]:
    """One table row as a sentence, and the span and label of each value cell in it.

    The first cell names the row; every other cell is written after its column header,
    so the sentence reads on its own ("电话客服，2025年 52%") wherever it is quoted.
    """
    cells = [_cell(c) for c in row]
    header = [_cell(h) for h in table.header] + [""] * max(0, len(cells) - len(table.header))
    caption = _cell(table.caption)
    parts: list[str] = []
    text = f"{caption}：" if caption else ""
    spans: list[tuple[int, int, str]] = []
    label = cells[0] if cells else ""
    for i, value in enumerate(cells):
        if not value:
            continue
        if i == 0:
            parts.append(value)
            continue
        head = header[i]
        prefix = f"{head} " if head else ""
        start = len(text) + len("，".join(parts)) + (1 if parts else 0) + len(prefix)
        parts.append(prefix + value)
        spans.append((start, start + len(value), " · ".join(p for p in (caption, label, head) if p)))
    text += "，".join(parts)
    if text and text[-1] not in "。！？.!?":
        text += "。"
    return text, spans


@dataclass(frozen=True)
class Rendered:
    text: str
    pages: tuple[tuple[int, int], ...]  # (offset, page) where each page starts
    cells: tuple[Cell, ...]  # table value cells with their row/column labels
    blocks: tuple[tuple[int, int, str], ...]  # (start, end, kind) of each line


def render(doc: Document) -> Rendered:
    """The body as text (one block per line), page starts and table cells."""
    lines: list[str] = []
    pages: list[tuple[int, int]] = []
    cells: list[Cell] = []
    kinds: list[tuple[int, int, str]] = []
    offset = 0
    current: int | None = None

    def page_at(at: int, page: int | None) -> None:
        nonlocal current
        if page is not None and page != current:
            pages.append((at, page))
            current = page

    def add(text: str, page: int | None, kind: str) -> int:
        nonlocal offset
        page_at(offset, page)
        start = offset
        lines.append(text)
        kinds.append((start, start + len(text), kind))
        offset += len(text) + 1
        return start

    for block in doc.body:
        if block.kind == "table" and block.table is not None:
            if block.table.caption:
                add(block.table.caption, block.page, "caption")
            for row in block.table.rows:
                sentence, spans = row_sentence(block.table, row)
                if not sentence:
                    continue
                start = add(sentence, block.page, "table_row")
                cells.extend(Cell(start + a, start + b, label) for a, b, label in spans)
            continue
        text = block.text.replace("\n", " ")  # one block per line; length kept, so ``breaks`` stay valid
        if not text.strip():
            continue
        start = add(text, block.page, block.kind)
        for at, page in block.breaks:
            page_at(start + at, page)
    return Rendered("\n".join(lines), tuple(pages), tuple(cells), tuple(kinds))
