"""PDF reports: positioned words and ruled tables from pdfplumber, laid out by ``layout``.

pdfplumber (over pdfminer.six) gives each word with its position, font size and font,
and finds ruled tables as rows of cells. From those, ``layout`` removes running headers,
footers and page numbers by their repetition at the page edges (never by keywords),
drops chart labels, reads two-column pages column by column, joins a sentence cut by a
column or page break without the furniture between, and takes the title from the
largest text on page 1. A PDF without a text layer is refused with the fix (OCR).

Extraction runs in a child process under a memory and a time limit: a hostile or broken
PDF (a decompression bomb, a page tree with a million pages, a parser loop) can exhaust
the child, never the build. The child answers one JSON object on stdout.
"""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys

from ..document import Block, Document, Table
from ..errors import InputError
from ..models import Meta
from . import layout
from .encoding import BLOCK_CONTROLS

log = logging.getLogger(__name__)

MAX_PDF_PAGES = 2000
PDF_TIMEOUT_S = 120.0  # wall-clock limit for extracting one PDF
PDF_MEMORY_BYTES = 2 * 1024**3  # address-space limit of the extracting child process

_WORKER = r"""
import io, json, sys
limit = int(sys.argv[1])
max_pages = int(sys.argv[2])
try:
    import resource
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
except (ImportError, ValueError, OSError):
    pass  # no address-space limit on this platform: the time limit still holds
def answer(**kw):
    sys.stdout.write(json.dumps(kw))
    sys.stdout.flush()
    sys.exit(0)
try:
    from pypdf import PdfReader
    try:
        from pypdf.errors import LimitReachedError
    except ImportError:
        LimitReachedError = MemoryError
    raw = sys.stdin.buffer.read()
    # pypdf first: a cheap check of encryption and page count before the layout pass.
    reader = PdfReader(io.BytesIO(raw), strict=False)
    password = ""
    if reader.is_encrypted:
        try:
            opened = bool(reader.decrypt(""))
        except Exception:  # e.g. AES without the optional crypto library
            opened = False
        if not opened:
            answer(error="encrypted")
    n = len(reader.pages)
    if n > max_pages:
        answer(error="pages", pages=n)
    # Inflate each page's content with pypdf, whose output limit stops a decompression bomb here.
    for page in reader.pages:
        contents = page.get_contents()
        if contents is not None:
            contents.get_data()
    import pdfplumber
    pages = []
    with pdfplumber.open(io.BytesIO(raw), password=password) as pdf:
        for page in pdf.pages:
            tables = []
            for table in page.find_tables():
                rows = [[(c or "") for c in row] for row in table.extract()]
                tables.append({"bbox": list(table.bbox), "rows": rows})
            words = [
                [w["text"], w["x0"], w["x1"], w["top"], w["bottom"], w.get("size", 0.0),
                 "bold" in str(w.get("fontname", "")).lower()]
                for w in page.extract_words(x_tolerance=3, y_tolerance=3, keep_blank_chars=True,
                                            extra_attrs=["size", "fontname"])
            ]
            graphics = [[o["x0"], o["top"], o["x1"], o["bottom"]] for o in page.rects + page.curves + page.lines]
            pages.append({"width": float(page.width), "height": float(page.height), "words": words,
                          "tables": tables, "graphics": graphics[:5000]})
    answer(pages=pages)
except SystemExit:
    raise
except (MemoryError, LimitReachedError, RecursionError) as exc:
    answer(error="limit", detail=type(exc).__name__)
except Exception as exc:
    answer(error="unreadable", detail=f"{type(exc).__name__}: {exc}"[:300])
"""

_SURROGATE = re.compile("[\ud800-\udfff]")


def _extract(raw: bytes, name: str) -> list[dict]:
    too_large = (
        f"{name}: the PDF is too large to extract safely (over {PDF_MEMORY_BYTES // 1024**2} MiB of memory "
        f"or {PDF_TIMEOUT_S:g} s while reading it; a decompression bomb?); save its text as .txt and add that"
    )
    try:
        done = subprocess.run(
            [sys.executable, "-I", "-c", _WORKER, str(PDF_MEMORY_BYTES), str(MAX_PDF_PAGES)],
            input=raw,
            capture_output=True,
            timeout=PDF_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise InputError(too_large) from None
    try:
        result = json.loads(done.stdout.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        # No answer: killed by a limit (SIGKILL, SIGXCPU) or out of memory before it could reply.
        log.warning("%s: PDF extraction exited with %s: %s", name, done.returncode, done.stderr[-500:])
        raise InputError(too_large) from None
    error = result.get("error")
    if error == "encrypted":
        raise InputError(
            f"{name}: the PDF is encrypted (needs a password to open); save an unprotected copy and add that"
        )
    if error == "pages":
        raise InputError(f"{name}: {result['pages']} pages is over the {MAX_PDF_PAGES}-page limit; split the PDF")
    if error == "limit":
        raise InputError(too_large)
    if error:
        raise InputError(f"{name}: cannot read the PDF ({result.get('detail', error)}); is it truncated or damaged?")
    return result["pages"]


def _clean(text: str) -> str:
    # A glyph the PDF cannot map may come out as a lone surrogate, which no file can store: mark it.
    return BLOCK_CONTROLS.sub("", _SURROGATE.sub("\ufffd", text))


def _table(rows: list[list[str]]) -> Table | None:
    cells = [[_clean(c).replace("\n", "").strip() for c in row] for row in rows]
    cells = [row for row in cells if any(row)]
    if not cells:
        return None
    if len(cells) == 1:
        return Table("", (), (tuple(cells[0]),))
    return Table("", tuple(cells[0]), tuple(tuple(r) for r in cells[1:]))


def pages_of(extracted: list[dict]) -> list[layout.PageLayout]:
    pages = []
    for number, page in enumerate(extracted, start=1):
        words = [[_clean(w[0]), *w[1:]] for w in page["words"]]
        p = layout.PageLayout(number, page["width"], page["height"], layout.segments(words, number))
        for t in page["tables"]:
            table = _table(t["rows"])
            if table is not None:
                p.tables.append((tuple(t["bbox"]), table))
        p.graphics = [tuple(g) for g in page["graphics"]]
        pages.append(p)
    return pages


def document_of(pages: list[layout.PageLayout], name: str) -> Document:
    """Lay out positioned pages into a document (separate from extraction so it can be tested)."""
    seen = sum(len(s.text) for p in pages for s in p.segs) + sum(
        len(c) for p in pages for _, t in p.tables for row in t.rows for c in row
    )
    furniture: list[Block] = layout.running_furniture(pages)
    stream: list[layout.Seg] = []
    for p in pages:
        furniture += layout.chart_labels(p)
        layout.place_tables(p)
        stream += layout.reading_order(p)
    body = layout.paragraphs(stream)
    title = next((b.text for b in body if b.kind == "title"), "")
    first_page = [s.text for s in stream if s.page == 1 and s.table is None]
    removed: dict[str, int] = {}
    for block in furniture:
        removed[block.why] = removed.get(block.why, 0) + len(block.text)
    return Document(
        source=name,
        format="pdf",
        encoding="pdf",
        sha256="",
        meta=Meta(title=title, date=layout.date_of(first_page[:12])),
        body=tuple(body),
        furniture=tuple(furniture),
        removed=removed,
        seen_chars=seen,
    )


def read(raw: bytes, name: str) -> Document:
    pages = pages_of(_extract(raw, name))
    if not any(p.segs or p.tables for p in pages):
        raise InputError(f"{name}: the PDF has no text layer (a scan?); run OCR on it first, then add the result")
    return document_of(pages, name)
