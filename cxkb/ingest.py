"""Reading: a file on disk becomes decoded text plus the kind of text it is.

Supported: .txt/.md (text), .html/.htm (main text only), .pdf (text layer via
pypdf). Decoding is strict: UTF-8 (BOM allowed), else GB18030 or Big5-HKSCS,
whichever reads as more ordinary Chinese. Anything else is rejected with the
file name and the reason; bytes are never silently dropped.
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError

log = logging.getLogger(__name__)

SUFFIXES = {".txt": "text", ".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html", ".pdf": "pdf"}
MAX_BYTES = 64 * 1024 * 1024
MAX_PDF_PAGES = 2000


@dataclass(frozen=True)
class Document:
    path: Path
    raw: bytes
    text: str
    kind: str  # "text" | "markdown" | "html-text" | "pdf"
    encoding: str


def read_document(path: Path) -> Document:
    """Read and decode one file; raise InputError naming the file and the reason."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError(f"{path}: unsupported file type {suffix or '(none)'}; use .txt, .md, .html or .pdf")
    if path.is_symlink():
        raise InputError(f"{path}: is a symbolic link; copy the real file instead")
    if not path.is_file():
        raise InputError(f"{path}: not a regular file")
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise InputError(f"{path}: {size} bytes is over the {MAX_BYTES} byte limit; split the report")
    raw = path.read_bytes()
    kind = SUFFIXES[suffix]
    if kind == "pdf":
        text = _pdf_text(path, raw)
        encoding = "pdf"
        kind = "pdf"
    else:
        text, encoding = decode(raw, name=str(path))
        if kind == "html":
            text = html_text(text)
            kind = "html-text"
    if not text.strip():
        raise InputError(f"{path}: no text in the file (empty or whitespace only)")
    return Document(path=path, raw=raw, text=text, kind=kind, encoding=encoding)


# --- decoding --------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f]")


def decode(raw: bytes, *, name: str) -> tuple[str, str]:
    """Strict decode: UTF-8 (BOM allowed), else the better of GB18030 / Big5-HKSCS."""
    if not raw.strip():
        raise InputError(f"{name}: no text in the file (empty or whitespace only)")
    if b"\x00" in raw[:65536] and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(f"{name}: looks binary (NUL bytes); only text, HTML and PDF reports are read")
    candidates = [("utf-16", raw)] if raw.startswith((b"\xff\xfe", b"\xfe\xff")) else [("utf-8-sig", raw)]
    for encoding, data in candidates:
        try:
            return _check_text(data.decode(encoding), name), encoding.replace("-sig", "")
        except UnicodeDecodeError:
            pass
    decoded = []
    for encoding in ("gb18030", "big5hkscs"):
        try:
            decoded.append((_chinese_score(raw.decode(encoding)), encoding, raw.decode(encoding)))
        except UnicodeDecodeError:
            continue
    if not decoded:
        raise InputError(
            f"{name}: not valid UTF-8, GB18030 or Big5-HKSCS; re-save the file as UTF-8 "
            "(e.g. iconv -f ENCODING -t UTF-8)"
        )
    decoded.sort(reverse=True)
    _, encoding, text = decoded[0]
    return _check_text(text, name), encoding


def _check_text(text: str, name: str) -> str:
    sample = text[:65536]
    if sample and len(_CONTROL.findall(sample)) > 0.01 * len(sample):
        raise InputError(f"{name}: looks binary (control characters); only text, HTML and PDF reports are read")
    return text


def _chinese_score(text: str) -> float:
    """Share of characters that are common Chinese (GB2312 after t2s) or ASCII.

    A Big5 file also decodes as GB18030 (and vice versa) into rare characters;
    the right reading is the one made of ordinary characters.
    """
    from .normalize import normalize

    sample = normalize(text[:20000])
    good = 0
    for ch in sample:
        if ch.isascii():
            good += 1
            continue
        try:
            ch.encode("gb2312")
            good += 1
        except UnicodeEncodeError:
            pass
    return good / max(1, len(sample))


# --- HTML ------------------------------------------------------------------------------------

_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
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


def html_text(markup: str) -> str:
    """Main text of an HTML page: no scripts, styles or hidden elements."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(markup, "html.parser")
    for tag in soup(["script", "style", "noscript", "template", "iframe", "svg", "head", "form", "button"]):
        tag.decompose()
    for tag in soup.find_all(True):
        if tag.decomposed:
            continue
        attrs = tag.attrs or {}
        if "hidden" in attrs or attrs.get("aria-hidden") == "true" or _HIDDEN_STYLE.search(attrs.get("style", "")):
            tag.decompose()
    root = soup.find("article") or soup.find("main") or soup.body or soup
    for tag in root.find_all(_BLOCKS):
        tag.insert_before("\n")
        tag.insert_after("\n")
    lines = (line.strip() for line in root.get_text().splitlines())
    return "\n".join(line for line in lines if line)


# --- PDF -------------------------------------------------------------------------------------


def _pdf_text(path: Path, raw: bytes) -> str:
    """Text layer of a PDF, pages separated by form feeds (page numbers for citations)."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(raw), strict=False)
        if reader.is_encrypted:
            raise InputError(f"{path}: the PDF is encrypted; save an unprotected copy and add that")
        if len(reader.pages) > MAX_PDF_PAGES:
            raise InputError(f"{path}: {len(reader.pages)} pages is over the {MAX_PDF_PAGES}-page limit")
        pages = [page.extract_text() or "" for page in reader.pages]
    except InputError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise InputError(f"{path}: cannot read the PDF ({type(exc).__name__}: {exc}); is it truncated?") from exc
    if not any(p.strip() for p in pages):
        raise InputError(f"{path}: the PDF has no text layer (a scan?); run OCR on it first, then add the result")
    return "\f".join(pages)
