"""Text scrapes (.txt): the seeds' kind — web and PDF pages saved as plain text, noise and all.

The bytes are decoded strictly (``encoding.decode``), then ``cxkb.clean.clean`` removes the
scrape's noise line by line: its rules are the only way to tell a menu from a sentence when
there is no markup. Each kept line becomes a block (heading, list item or paragraph); each
dropped line becomes furniture with the rule that dropped it. The byline's author and date
go into the document's metadata, so an author stays searchable as a name.
"""

from __future__ import annotations

from ..chunk import is_heading
from ..clean import LIST_ITEM, byline_meta, clean
from ..document import Block, Document
from . import check_size
from .encoding import BIDI, decode, strip_controls
from .layout import NUMBER_ONLY


def blocks_of(text: str, pages: tuple[tuple[int, int], ...], bylines: set[str] = frozenset()) -> list[Block]:
    """One block per line of cleaned text, with its page and any page that starts inside it."""
    blocks, offset, at = [], 0, 0
    current = None
    for line in text.split("\n"):
        end = offset + len(line)
        breaks = []
        while at < len(pages) and pages[at][0] <= end:
            start, number = pages[at]
            if start <= offset:
                current = number
            else:
                breaks.append((start - offset, number))
            at += 1
        if line and any(line in b for b in bylines):  # the site's name may have left it since
            kind = "byline"
        elif is_heading(line) and not NUMBER_ONLY.fullmatch(line.strip()):
            kind = "heading"  # "一、 到底什么是…" included: numbered headings are headings
        else:
            kind = "list_item" if LIST_ITEM.match(line) else "paragraph"
        blocks.append(Block(kind, line, page=current, breaks=tuple(breaks)))
        if breaks:
            current = breaks[-1][1]
        offset = end + 1
    return blocks


def read(raw: bytes, name: str, *, kind: str = "text") -> Document:
    text, encoding = decode(raw, name=name)
    check_size(len(text), name)
    text, controls = strip_controls(text, name)
    text, bidi = BIDI.subn("", text)
    cleaned = clean(text, kind=kind)
    removed = {**({"control": controls} if controls else {}), **({"bidi": bidi} if bidi else {}), **cleaned.removed}
    furniture = tuple(Block("nav", line, why=rule) for rule, line in cleaned.dropped if rule != "byline")
    return Document(
        source=name,
        format="text",
        encoding=encoding,
        sha256="",
        meta=byline_meta([line for rule, line in cleaned.dropped if rule == "byline"]),
        body=tuple(
            blocks_of(cleaned.text, cleaned.pages, {line for rule, line in cleaned.dropped if rule == "byline"})
        ),
        furniture=furniture,
        removed=removed,
        seen_chars=len(text),
    )
