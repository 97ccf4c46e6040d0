"""Word reports (.docx), read with python-docx.

The body is walked in document order, paragraphs and tables interleaved as the author
wrote them. Paragraph styles say what a block is (Title, Heading N, List …, Caption);
tables keep their rows with the first row as header, and a caption paragraph right
before a table is attached to it. Page headers and footers are furniture. The core
properties give title, author and date.
"""

from __future__ import annotations

import io
import re
import zipfile

from ..document import Block, Document, Table, attach_captions
from ..errors import InputError
from ..models import Meta

# The creation stamps of python-docx's and python-pptx's own templates: a file made from them without a
# date of its own carries these, which say nothing about the report.
TEMPLATE_DATES = {"2013-12-23", "2013-01-27"}


def office_date(created) -> str:
    """A document's creation date as YYYY-MM-DD, or "" when unset or a library template's stamp."""
    date = created.date().isoformat() if created else ""
    return "" if date in TEMPLATE_DATES else date


def _style(paragraph) -> str:
    try:
        return (paragraph.style.name or "").lower() if paragraph.style is not None else ""
    except (KeyError, ValueError):
        return ""


def _paragraph(paragraph) -> Block | None:
    text = re.sub(r"\s+", " ", paragraph.text).strip()
    if not text:
        return None
    style = _style(paragraph)
    if style == "title":
        return Block("title", text, level=0)
    match = re.match(r"heading (\d)", style)
    if match:
        return Block("heading", text, level=int(match.group(1)))
    if style.startswith("caption"):
        return Block("caption", text)
    if "list" in style or (paragraph._p.pPr is not None and paragraph._p.pPr.numPr is not None):
        return Block("list_item", text)
    return Block("paragraph", text)


def _table(table) -> Table | None:
    rows = []
    for row in table.rows:
        cells: list[str] = []
        previous = None
        for cell in row.cells:
            text = re.sub(r"\s+", " ", cell.text).strip()
            # python-docx yields a merged cell once per grid column it spans (the same XML cell): keep it once.
            cells.append("" if cell._tc is previous else text)
            previous = cell._tc
        if any(cells):
            rows.append(tuple(cells))
    if not rows:
        return None
    if len(rows) == 1:
        return Table("", (), tuple(rows))
    return Table("", rows[0], tuple(rows[1:]))


def read(raw: bytes, name: str) -> Document:
    import docx
    from docx.table import Table as DocxTable
    from docx.text.paragraph import Paragraph

    if not zipfile.is_zipfile(io.BytesIO(raw)):
        raise InputError(f"{name}: not a Word .docx file (an old .doc, or damaged?); save it as .docx and add that")
    try:
        document = docx.Document(io.BytesIO(raw))
    except Exception as exc:  # python-docx raises many kinds for a damaged package
        raise InputError(f"{name}: cannot read the .docx ({type(exc).__name__}); is it damaged?") from None
    blocks: list[Block] = []
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            block = _paragraph(item)
            if block is not None:
                blocks.append(block)
        elif isinstance(item, DocxTable):
            table = _table(item)
            if table is not None:
                blocks.append(Block("table", "", table=table))
    furniture: list[Block] = []
    seen_texts: set[str] = set()
    for section in document.sections:
        for part, kind in ((section.header, "header"), (section.footer, "footer")):
            for p in part.paragraphs:
                text = p.text.strip()
                if text and text not in seen_texts:
                    seen_texts.add(text)
                    furniture.append(Block(kind, text, why="page_" + kind))
    props = document.core_properties
    title = props.title or next((b.text for b in blocks if b.kind == "title"), "")
    date = office_date(props.created)
    meta = Meta(title=title, author=props.author or "", date=date)
    seen = sum(len(b.text) for b in blocks) + sum(len(b.text) for b in furniture)
    removed = {"page_furniture": sum(len(b.text) for b in furniture)} if furniture else {}
    return Document(name, "docx", "docx", "", meta, tuple(attach_captions(blocks)), tuple(furniture), removed, seen)
