"""Web pages (.html/.htm): the main content by trafilatura, a maintained boilerplate remover.

trafilatura scores the page's blocks by text and link density rather than trusting the
theme's tags, so menus, sidebars, cards rendered as ``<article>``, related lists, share
widgets and reader comments stay out whatever the markup. Its XML output keeps headings,
paragraphs, lists and tables (rows, cells, header cells); its metadata gives the author
and the date, which go into the catalogue. Hidden elements are removed first (they are
invisible to a reader, so never quoted). A page too small for trafilatura to judge falls
back to the page's visible text, cleaned like a text scrape.
"""

from __future__ import annotations

import logging
import re

from ..clean import byline_meta
from ..document import Block, Document, Table, attach_captions
from ..errors import InputError
from ..models import Meta
from . import text as text_reader
from .encoding import decode

log = logging.getLogger(__name__)

MAX_HTML_CHARS = 8_000_000  # markup beyond this is not a report page

_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_AUTHOR_PREFIX = re.compile(r"^(?:作者|撰文|文|记者|記者|编辑|編輯|by)\s*[:：]?\s*", re.I)
_BLOCKS = [
    "p",
    "div",
    "section",
    "article",
    "main",
    "li",
    "tr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "br",
    "blockquote",
    "pre",
    "td",
    "th",
    "dd",
    "dt",
    "header",
    "footer",
]


def _visible(markup: str) -> str:
    """The markup without scripts, styles, forms and hidden elements."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(markup, "html.parser")
    for tag in soup(["script", "style", "noscript", "template", "iframe", "svg", "form", "button"]):
        tag.decompose()
    for tag in soup.find_all(True):
        if tag.decomposed:
            continue
        attrs = tag.attrs or {}
        if "hidden" in attrs or attrs.get("aria-hidden") == "true" or _HIDDEN_STYLE.search(attrs.get("style", "")):
            tag.decompose()
    return str(soup)


def html_text(markup: str) -> str:
    """All visible text of a page, one line per block element (the fallback, and what the page 'has')."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(markup, "html.parser")
    for tag in soup(["head", "title"]):
        tag.decompose()
    root = soup.body or soup
    for tag in root.find_all(_BLOCKS):
        tag.insert_before("\n")
        tag.insert_after("\n")
    lines = (line.strip() for line in root.get_text().splitlines())
    return "\n".join(line for line in lines if line)


def _text(element) -> str:
    return re.sub(r"\s+", " ", "".join(element.itertext())).strip()


def _table(element) -> Table | None:
    rows, head_rows = [], []
    for row in element.iter("row"):
        cells = [_text(c) for c in row.findall("cell")]
        if not any(cells):
            continue
        is_head = all(c.get("role") == "head" for c in row.findall("cell") if _text(c))
        (head_rows if is_head and not rows else rows).append(cells)
    caption = ""
    # A <caption> comes out as a first header row with a single filled cell.
    if head_rows and sum(1 for c in head_rows[0] if c) == 1 and (len(head_rows) > 1 or rows):
        caption = next(c for c in head_rows.pop(0) if c)
    header = tuple(head_rows[-1]) if head_rows else ()
    if not header and len(rows) > 1:
        header, rows = tuple(rows[0]), rows[1:]
    if not rows:
        return None
    width = max(len(header), *(len(r) for r in rows))
    return Table(caption, header, tuple(tuple(r) + ("",) * (width - len(r)) for r in rows))


def _blocks(main) -> list[Block]:
    blocks: list[Block] = []
    for element in main:
        tag = element.tag
        if tag == "head":
            rend = element.get("rend", "h2")
            level = int(rend[1]) if re.fullmatch(r"h\d", rend) else 2
            blocks.append(Block("title" if level == 1 and not blocks else "heading", _text(element), level=level))
        elif tag == "list":
            blocks += [Block("list_item", _text(item)) for item in element.iter("item") if _text(item)]
        elif tag == "table":
            table = _table(element)
            if table is not None:
                blocks.append(Block("table", table.caption, table=table))
        elif _text(element):
            blocks.append(Block("paragraph", _text(element)))
    return attach_captions(blocks)


_BYLINE = re.compile(r"作者|作者|記者|记者|撰文|^by\b", re.I)


def _meta(markup: str, lines: list[str]) -> Meta:
    """Title, author and date: the page's byline line where it has one (what the reader sees), else
    trafilatura's metadata (meta tags, schema.org), whose date is sometimes only a guess."""
    import trafilatura

    byline = byline_meta([line for line in lines if len(line) <= 80 and _BYLINE.search(line)])
    # extensive=False: dates from the page's markup (meta tags, <time>, JSON-LD) only, never guessed from
    # its text, where "2024年" in a table header is no publication date.
    found = trafilatura.extract_metadata(markup, extensive=False)
    if found is None:
        return byline
    author = _AUTHOR_PREFIX.sub("", (found.author or "").strip()).strip(" |｜;；,，")
    return Meta(
        title=found.title or "",
        author=author or byline.author,
        date=byline.date or found.date or "",
        url=found.url or "",
    )


def read(raw: bytes, name: str) -> Document:
    markup, encoding = decode(raw, name=name)
    if len(markup) > MAX_HTML_CHARS:
        raise InputError(
            f"{name}: {len(markup):,} characters of HTML is over the {MAX_HTML_CHARS:,}-character limit; "
            "save the report's text instead"
        )
    import trafilatura
    from lxml import etree

    logging.getLogger("trafilatura").setLevel(logging.ERROR)
    visible = _visible(markup)
    page_text = html_text(visible)
    extracted = trafilatura.extract(
        visible, output_format="xml", include_tables=True, include_comments=False, include_links=False,
        include_images=False, include_formatting=False, with_metadata=False, deduplicate=False,
    )  # fmt: skip
    main = None
    if extracted:
        main = etree.fromstring(extracted.encode("utf-8")).find("main")
    blocks = _blocks(main) if main is not None else []
    # On a page too small or too unusual to judge, trafilatura falls back to the whole page as one
    # blob (menus included): then the page's visible lines, cleaned as a scrape, are the better reading.
    blob = len(blocks) == 1 and len(blocks[0].text) >= 0.8 * len(page_text.replace("\n", ""))
    if not blocks or blob:
        log.info("%s: no main content found by trafilatura; using the page's visible text", name)
        doc = text_reader.read(page_text.encode("utf-8"), name, kind="html-text")
        meta = _meta(markup, page_text.split("\n"))
        return Document(
            name, "html", encoding, "", Meta(**{**vars(doc.meta), **{k: v for k, v in vars(meta).items() if v}}),
            doc.body, doc.furniture, doc.removed, len(page_text),
        )  # fmt: skip
    kept = {b.text for b in blocks}
    # What trafilatura left out, as furniture: the audit says what went (menus, cards, comments).
    furniture = tuple(
        Block("boilerplate", line, why="not_main_content") for line in page_text.split("\n") if line not in kept
    )
    removed = {"not_main_content": sum(len(b.text) for b in furniture)} if furniture else {}
    lines = page_text.split("\n")
    meta = _meta(markup, lines)
    # The post's byline (author, date) is provenance a reader asks about: keep it under the title even
    # when trafilatura left it out with the page chrome.
    byline = next((line for line in lines if len(line) <= 80 and _BYLINE.search(line) and byline_meta([line]).date), "")
    if byline and byline not in kept:
        at = 1 if blocks and blocks[0].kind == "title" else 0
        blocks.insert(at, Block("paragraph", byline))
        furniture = tuple(b for b in furniture if b.text != byline)
    # Likewise the post's own title (its <h1>), which some themes print outside the content trafilatura keeps.
    if meta.title and not any(b.kind == "title" for b in blocks) and meta.title in lines and meta.title not in kept:
        blocks.insert(0, Block("title", meta.title))
        furniture = tuple(b for b in furniture if b.text != meta.title)
    return Document(name, "html", encoding, "", meta, tuple(blocks), furniture, removed, len(page_text))
