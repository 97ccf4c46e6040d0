"""Slide decks (.pptx), read with python-pptx: a slide is a page.

Shapes are read top to bottom, left to right; the title placeholder is the slide's
heading, text frames give paragraphs (indented ones are list items), tables keep their
rows with the first row as header and the slide title as caption, and speaker notes are
content (decks often say in the notes what the slide only hints at). Footer, date and
slide-number placeholders, and any text box that recurs on many slides (a "confidential"
strip, the firm's name), are furniture.
"""

from __future__ import annotations

import io
import re
import zipfile

from ..document import Block, Document, Table, attach_captions
from ..errors import InputError
from ..models import Meta
from .docx import office_date
from .layout import is_repeated, repeated

_FURNITURE_PLACEHOLDERS = {"FOOTER", "DATE", "SLIDE_NUMBER", "HEADER"}


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\x0b", " ")).strip()


def _placeholder(shape) -> str:
    if not shape.is_placeholder:
        return ""
    try:
        return shape.placeholder_format.type.name if shape.placeholder_format.type is not None else ""
    except (AttributeError, ValueError):
        return ""


def _shapes(shapes):
    """Every shape, groups opened, in reading order."""
    flat = []
    for shape in shapes:
        if shape.shape_type is not None and shape.shape_type.name == "GROUP":
            flat += _shapes(shape.shapes)
        else:
            flat.append(shape)
    return sorted(flat, key=lambda s: ((s.top or 0) // 20000, s.left or 0))


def _table(shape, caption: str) -> Table | None:
    rows = [tuple(_clean(cell.text) for cell in row.cells) for row in shape.table.rows]
    rows = [r for r in rows if any(r)]
    if not rows:
        return None
    if len(rows) == 1:
        return Table(caption, (), tuple(rows))
    return Table(caption, rows[0], tuple(rows[1:]))


def read(raw: bytes, name: str) -> Document:
    from pptx import Presentation

    if not zipfile.is_zipfile(io.BytesIO(raw)):
        raise InputError(f"{name}: not a PowerPoint .pptx file (an old .ppt, or damaged?); save it as .pptx")
    try:
        deck = Presentation(io.BytesIO(raw))
    except Exception as exc:  # python-pptx raises many kinds for a damaged package
        raise InputError(f"{name}: cannot read the .pptx ({type(exc).__name__}); is it damaged?") from None
    slides = list(deck.slides)
    # Text boxes (not titles or body placeholders) that recur on many slides are the deck's furniture.
    loose = [
        [_clean(s.text_frame.text) for s in _shapes(slide.shapes) if s.has_text_frame and not s.is_placeholder]
        for slide in slides
    ]
    keys = repeated(loose, min_share=0.5) if len(slides) > 2 else set()
    body: list[Block] = []
    furniture: list[Block] = []
    seen = 0
    for number, slide in enumerate(slides, start=1):
        start = len(body)
        shapes = _shapes(slide.shapes)
        title_shape = slide.shapes.title
        title = _clean(title_shape.text_frame.text) if title_shape is not None and title_shape.has_text_frame else ""
        if title:
            body.append(Block("title" if number == 1 else "heading", title, page=number, level=1))
            seen += len(title)
        for shape in shapes:
            if title_shape is not None and shape.shape_id == title_shape.shape_id:
                continue
            if shape.has_table:
                table = _table(shape, "")
                if table is not None:
                    body.append(Block("table", table.caption, page=number, table=table))
                    seen += sum(len(c) for r in table.rows for c in r)
                continue
            if not shape.has_text_frame:
                continue
            whole = _clean(shape.text_frame.text)
            if not whole:
                continue
            seen += len(whole)
            kind = _placeholder(shape)
            if kind in _FURNITURE_PLACEHOLDERS or (not shape.is_placeholder and is_repeated(whole, keys)):
                furniture.append(Block("footer", whole, page=number, why="slide_furniture"))
                continue
            for paragraph in shape.text_frame.paragraphs:
                text = _clean("".join(run.text for run in paragraph.runs) or paragraph.text)
                if text:
                    body.append(Block("list_item" if paragraph.level > 0 else "paragraph", text, page=number))
        # A table's caption is the text box just above it ("表 1 …"), else the slide's title.
        body[start:] = attach_captions(body[start:])
        if slide.has_notes_slide:
            notes = slide.notes_slide.notes_text_frame
            for paragraph in notes.paragraphs if notes is not None else ():
                text = _clean(paragraph.text)
                if text:
                    body.append(Block("paragraph", text, page=number))
                    seen += len(text)
    props = deck.core_properties
    first_title = next((b.text for b in body if b.kind == "title"), "")
    meta = Meta(
        title=props.title or first_title,
        author=props.author or "",
        date=office_date(props.created),
    )
    removed = {"slide_furniture": sum(len(b.text) for b in furniture)} if furniture else {}
    return Document(name, "pptx", "pptx", "", meta, tuple(body), tuple(furniture), removed, seen)
