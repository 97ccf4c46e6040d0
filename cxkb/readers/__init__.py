"""Readers: one module per file format, each turning a file into the same ``Document``.

===========  =========================================  ==========================================
format       library                                    module
===========  =========================================  ==========================================
.pdf         pdfplumber (characters with positions,     ``pdf`` + ``layout`` (columns, furniture
             fonts, ruled tables), in a child process   by repetition, paragraphs across pages)
.html/.htm   trafilatura (main-content extraction)      ``html``
.docx        python-docx                                ``docx``
.pptx        python-pptx (a slide is a page)            ``pptx``
.md          markdown-it-py + footnote plugin           ``markdown``
.txt         cxkb's scrape cleaner (``cxkb.clean``)     ``text``
===========  =========================================  ==========================================

``read`` checks the file itself (type, symlink, size) and dispatches; every error
names the file and the fix. Readers know the format and nothing about search.
"""

from __future__ import annotations

import hashlib
import importlib
from dataclasses import replace
from pathlib import Path

from ..document import Document
from ..errors import InputError

__all__ = ["MAX_BYTES", "MAX_CHARS", "SUFFIXES", "read"]

# suffix -> format (the module of this package that reads it)
SUFFIXES = {
    ".txt": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
    ".docx": "docx",
    ".pptx": "pptx",
}
MAX_BYTES = 64 * 1024 * 1024
# Text of one report after reading. The largest real report is ~15,000 characters; indexing
# costs ~40 µs per character even with the test embedder, so 1,000,000 is ~70x the largest
# report and still builds in under a minute.
MAX_CHARS = 1_000_000
_KNOWN = ", ".join(sorted({s for s in SUFFIXES if s not in (".markdown", ".htm")}))


def check_size(chars: int, name: str) -> None:
    """Refuse a report longer than MAX_CHARS characters, before any work is spent on it."""
    if chars > MAX_CHARS:
        raise InputError(
            f"{name}: {chars:,} characters is over the {MAX_CHARS:,}-character limit for one report; "
            "split the report into parts"
        )


def read(path: Path) -> Document:
    """Read one report file into a structured document; raise InputError naming the file and the reason."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError(f"{path}: unsupported file type {suffix or '(none)'}; use {_KNOWN}")
    if path.is_symlink():
        raise InputError(f"{path}: is a symbolic link; copy the real file instead")
    if not path.exists():
        raise InputError(f"{path}: no such file; check the path")
    if not path.is_file():
        raise InputError(f"{path}: not a regular file (a folder or a device?); pass the report file itself")
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise InputError(f"{path}: {size} bytes is over the {MAX_BYTES} byte limit; split the report")
    raw = path.read_bytes()
    if not raw.strip():
        raise InputError(f"{path}: no text in the file (empty or whitespace only)")
    fmt = SUFFIXES[suffix]
    reader = importlib.import_module(f"{__name__}.{fmt}")
    doc: Document = reader.read(raw, str(path))
    doc = replace(doc, source=path.name, sha256=hashlib.sha256(raw).hexdigest())
    chars = sum(len(b.text) for b in doc.body) + sum(
        len(cell) for b in doc.body if b.table for row in b.table.rows for cell in row
    )
    if not doc.body or not any(b.text.strip() or b.table for b in doc.body):
        raise InputError(f"{path}: no text in the file (empty or whitespace only)")
    check_size(chars, str(path))
    return doc
