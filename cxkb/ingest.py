"""Reading: a file on disk becomes decoded text plus the kind of text it is.

Supported: .txt/.md (text), .html/.htm (main text only), .pdf (text layer via
pypdf). Decoding is strict: UTF-8 (BOM allowed), else GB18030 or Big5-HKSCS,
whichever reads as more ordinary Chinese; a declared charset (``<meta charset>``)
is ignored because it is often wrong. A file that is UTF-8 except for a few bad
bytes is rejected with the offset of the first one rather than read as garbage
in another encoding. Anything else is rejected with the file name and the
reason; bytes are never silently dropped. What ingest does remove (bidi
controls, a few stray control characters) is counted in ``Document.removed``.

Limits keep pathological files from hanging a build: ``MAX_BYTES`` on disk,
``MAX_CHARS`` of text per report, and PDF extraction in a child process under
a memory and a time limit (``PDF_MEMORY_BYTES``, ``PDF_TIMEOUT_S``).
"""

from __future__ import annotations

import codecs
import json
import logging
import re
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError

log = logging.getLogger(__name__)

SUFFIXES = {".txt": "text", ".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html", ".pdf": "pdf"}
MAX_BYTES = 64 * 1024 * 1024
# Text of one report after decoding/extraction. The largest real report is ~15,000 characters;
# indexing costs ~40 µs per character even with the test embedder, so 1,000,000 is ~70x the
# largest report and still builds in under a minute.
MAX_CHARS = 1_000_000
# HTML markup is parsed before its text can be measured; markup beyond this is not a report page.
MAX_HTML_CHARS = 8 * MAX_CHARS
MAX_PDF_PAGES = 2000
PDF_TIMEOUT_S = 120.0  # wall-clock limit for extracting one PDF's text layer
PDF_MEMORY_BYTES = 2 * 1024**3  # address-space limit of the extracting child process

# Invisible characters that reorder text (bidi embeddings/overrides/isolates and marks):
# they can make a quote read differently from what is indexed, so ingest drops them.
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


@dataclass(frozen=True)
class Document:
    path: Path
    raw: bytes
    text: str
    kind: str  # "text" | "markdown" | "html-text" | "pdf"
    encoding: str
    removed: dict[str, int] = field(default_factory=dict)  # characters ingest removed, by reason


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
    removed: dict[str, int] = {}
    if kind == "pdf":
        text = _pdf_text(path, raw)
        encoding = "pdf"
    else:
        text, encoding = decode(raw, name=str(path))
        if kind == "html":
            if len(text) > MAX_HTML_CHARS:
                raise InputError(
                    f"{path}: {len(text):,} characters of HTML is over the {MAX_HTML_CHARS:,}-character limit; "
                    "save the report's text instead"
                )
            text = html_text(text)
            kind = "html-text"
    text, controls = _strip_controls(text, str(path), strict=kind != "pdf")
    text, bidi = _BIDI.subn("", text)
    for reason, n in (("control", controls), ("bidi", bidi)):
        if n:
            removed[reason] = n
            log.info("%s: removed %d %s character(s)", path, n, reason)
    if not text.strip():
        raise InputError(f"{path}: no text in the file (empty or whitespace only)")
    if len(text) > MAX_CHARS:
        raise InputError(
            f"{path}: {len(text):,} characters is over the {MAX_CHARS:,}-character limit for one report; "
            "split the report into parts"
        )
    return Document(path=path, raw=raw, text=text, kind=kind, encoding=encoding, removed=removed)


# --- decoding --------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
_SAMPLE = 65536
# A file is UTF-8 with damage (not another encoding) when nearly all of its multibyte
# sequences are valid UTF-8. Text in GBK/Big5 reads as ~20% valid UTF-8 sequences.
_UTF8_VALID_SHARE = 0.98


def decode(raw: bytes, *, name: str) -> tuple[str, str]:
    """Strict decode: UTF-8 (BOM allowed), else the better of GB18030 / Big5-HKSCS."""
    if not raw.strip():
        raise InputError(f"{name}: no text in the file (empty or whitespace only)")
    utf16 = raw.startswith((b"\xff\xfe", b"\xfe\xff"))
    sample = raw[:_SAMPLE]
    # A stray NUL or two in a text file is dropped (and counted); binary files have many.
    if not utf16 and sample.count(0) > max(4, len(sample) // 1000):
        raise InputError(f"{name}: looks binary (NUL bytes); only text, HTML and PDF reports are read")
    encoding = "utf-16" if utf16 else "utf-8-sig"
    try:
        return _check_text(raw.decode(encoding), name), encoding.replace("-sig", "")
    except UnicodeDecodeError:
        if utf16:
            raise InputError(
                f"{name}: has a UTF-16 byte order mark but is not valid UTF-16; re-save it as UTF-8"
            ) from None
    _reject_damaged_utf8(raw, name)
    decoded = []
    for encoding in ("gb18030", "big5hkscs"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        decoded.append((_chinese_score(text), encoding, text))
    if not decoded:
        raise InputError(
            f"{name}: not valid UTF-8, GB18030 or Big5-HKSCS (binary, or another encoding); re-save the file as "
            "UTF-8 (e.g. iconv -f ENCODING -t UTF-8)"
        )
    decoded.sort(key=lambda d: d[0], reverse=True)
    _, encoding, text = decoded[0]
    return _check_text(text, name), encoding


class _Utf8Damage:
    """Error handler state for one scan: how many invalid sequences, and where the first is."""

    def __init__(self) -> None:
        self.count = 0
        self.first = -1

    def __call__(self, exc: UnicodeError) -> tuple[str, int]:
        assert isinstance(exc, UnicodeDecodeError)
        if self.first < 0:
            self.first = exc.start
        self.count += 1
        return "\ufffd", exc.end


_DAMAGE = threading.local()


def _damage_handler(exc: UnicodeError) -> tuple[str, int]:
    return _DAMAGE.current(exc)


codecs.register_error("cxkb-utf8-damage", _damage_handler)


def _reject_damaged_utf8(raw: bytes, name: str) -> None:
    """Raise when ``raw`` is UTF-8 except for a few invalid sequences.

    Such a file would otherwise "decode" as GB18030 into garbage; reading around the bad
    bytes would drop them silently. Neither is acceptable, so the user gets the offset.
    """
    damage = _DAMAGE.current = _Utf8Damage()
    text = raw.decode("utf-8", errors="cxkb-utf8-damage")  # every bad sequence becomes one U+FFFD, counted
    ascii_bytes = len(raw) - len(raw.translate(None, bytes(range(128))))
    valid = len(text) - ascii_bytes - damage.count  # multibyte characters that decoded correctly
    bad = damage.count
    if bad and (valid >= _UTF8_VALID_SHARE * (valid + bad) or (bad <= 3 and valid >= 10 * bad)):
        line = raw.count(b"\n", 0, damage.first) + 1
        raise InputError(
            f"{name}: invalid UTF-8 at byte {damage.first} (line {line}); {bad} damaged sequence(s) in an "
            f"otherwise UTF-8 file of {valid} multibyte characters. The file is damaged or mixes encodings; "
            "fix or re-save it as UTF-8"
        )


def _check_text(text: str, name: str) -> str:
    sample = text[:_SAMPLE]
    if sample and len(_CONTROL.findall(sample)) > 0.01 * len(sample):
        raise InputError(f"{name}: looks binary (control characters); only text, HTML and PDF reports are read")
    return text


def _strip_controls(text: str, name: str, *, strict: bool = True) -> tuple[str, int]:
    """Drop the few control characters (NUL etc.) a text may carry; many mean it is binary.

    Not ``strict`` (a PDF's text layer), control characters are unmapped glyphs and only dropped.
    """
    text, n = _CONTROL.subn("", text)
    if strict and n > max(16, 0.01 * len(text)):
        raise InputError(f"{name}: looks binary ({n} control characters); only text, HTML and PDF reports are read")
    return text, n


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


# The extraction runs in a child process that imports only pypdf: a hostile or broken PDF
# (a decompression bomb, a page tree with a million pages, a parser loop) can exhaust the
# child's memory or time, never the build's. The child answers one JSON object on stdout.
_PDF_WORKER = r"""
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
    reader = PdfReader(io.BytesIO(raw), strict=False)
    # An owner password only restricts copying/printing; such a PDF opens with the empty user password.
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
    answer(pages=[page.extract_text() or "" for page in reader.pages])
except SystemExit:
    raise
except (MemoryError, LimitReachedError, RecursionError) as exc:
    answer(error="limit", detail=type(exc).__name__)
except Exception as exc:
    answer(error="unreadable", detail=f"{type(exc).__name__}: {exc}"[:300])
"""


_SURROGATE = re.compile("[\ud800-\udfff]")


def _pdf_text(path: Path, raw: bytes) -> str:
    """Text layer of a PDF, pages separated by form feeds (page numbers for citations)."""
    too_large = (
        f"{path}: the PDF is too large to extract safely (over {PDF_MEMORY_BYTES // 1024**2} MiB of memory "
        f"or {PDF_TIMEOUT_S:g} s while reading it; a decompression bomb?); save its text as .txt and add that"
    )
    try:
        done = subprocess.run(
            [sys.executable, "-I", "-c", _PDF_WORKER, str(PDF_MEMORY_BYTES), str(MAX_PDF_PAGES)],
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
        log.warning("%s: PDF extraction exited with %s: %s", path, done.returncode, done.stderr[-500:])
        raise InputError(too_large) from None
    error = result.get("error")
    if error == "encrypted":
        raise InputError(
            f"{path}: the PDF is encrypted (needs a password to open); save an unprotected copy and add that"
        )
    if error == "pages":
        raise InputError(f"{path}: {result['pages']} pages is over the {MAX_PDF_PAGES}-page limit; split the PDF")
    if error == "limit":
        raise InputError(too_large)
    if error:
        raise InputError(f"{path}: cannot read the PDF ({result.get('detail', error)}); is it truncated or damaged?")
    # A glyph pypdf cannot map may come out as a lone surrogate, which no file can store: mark it.
    pages = [_SURROGATE.sub("\ufffd", page) for page in result["pages"]]
    if not any(p.strip() for p in pages):
        raise InputError(f"{path}: the PDF has no text layer (a scan?); run OCR on it first, then add the result")
    return "\f".join(pages)
