"""Markdown reports (.md): parsed by markdown-it-py, never regex-stripped.

Headings, paragraphs, list items and pipe tables (with their header row) become blocks;
emphasis and links are unwrapped to their words, footnote calls (``[^1]``) are dropped
as markers and the footnotes themselves kept as paragraphs at the end; raw HTML (anchors
such as ``<a id="…">``) and images are not text. A short line right before a table is its
caption.
"""

from __future__ import annotations

import re

from ..document import Block, Document, Table, attach_captions
from ..models import Meta
from . import check_size
from .encoding import decode

_HAN_END = re.compile("[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]")


def _inline(token) -> str:
    parts: list[str] = []
    for child in token.children or ():
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            prev = "".join(parts)[-1:]
            parts.append("" if not prev or _HAN_END.match(prev) else " ")
    return re.sub(r"[ \t]+", " ", "".join(parts)).strip()


def _parser():
    from markdown_it import MarkdownIt
    from mdit_py_plugins.footnote import footnote_plugin

    return MarkdownIt("commonmark").enable("table").use(footnote_plugin)


def blocks_of(source: str) -> list[Block]:
    tokens = _parser().parse(source)
    blocks: list[Block] = []
    footnotes: list[Block] = []
    heading: int | None = None
    in_list = in_footnote = 0
    table: list[list[str]] | None = None
    header: list[str] = []
    row: list[str] = []
    for i, tok in enumerate(tokens):
        kind = tok.type
        if kind == "heading_open":
            heading = int(tok.tag[1])
        elif kind == "heading_close":
            heading = None
        elif kind in ("bullet_list_open", "ordered_list_open"):
            in_list += 1
        elif kind in ("bullet_list_close", "ordered_list_close"):
            in_list -= 1
        elif kind == "footnote_block_open":
            in_footnote += 1
        elif kind == "footnote_block_close":
            in_footnote -= 1
        elif kind == "table_open":
            table, header = [], []
        elif kind == "tr_open":
            row = []
        elif kind == "tr_close" and table is not None:
            if tokens[i - 1].type == "th_close" and not table and not header:
                header = row
            else:
                table.append(row)
        elif kind == "table_close" and table is not None:
            blocks.append(Block("table", "", table=Table("", tuple(header), tuple(tuple(r) for r in table))))
            table = None
        elif kind == "inline":
            text = _inline(tok)
            if table is not None:
                row.append(text)
            elif not text:
                continue
            elif heading is not None:
                first = heading == 1 and not any(b.kind == "title" for b in blocks)
                blocks.append(Block("title" if first else "heading", text, level=heading))
            elif in_footnote:
                footnotes.append(Block("paragraph", text))
            else:
                blocks.append(Block("list_item" if in_list else "paragraph", text))
    return attach_captions(blocks) + footnotes


def read(raw: bytes, name: str) -> Document:
    source, encoding = decode(raw, name=name)
    check_size(len(source), name)
    blocks = blocks_of(source)
    title = next((b.text for b in blocks if b.kind == "title"), "")
    return Document(name, "markdown", encoding, "", Meta(title=title), tuple(blocks), (), {}, len(source))
