"""Decoding the bytes of text, markdown and HTML reports: strict, never silently lossy.

UTF-8 (BOM allowed), else GB18030 or Big5-HKSCS, whichever reads as more ordinary
Chinese; a declared charset (``<meta charset>``) is ignored because it is often
wrong. A file that is UTF-8 except for a few bad bytes is rejected with the offset
of the first one rather than read as garbage in another encoding. What is removed
(bidi controls, a few stray control characters) is counted by the caller.
"""

from __future__ import annotations

import codecs
import re
import threading

from ..errors import InputError

# Invisible characters that reorder text (bidi embeddings/overrides/isolates and marks):
# they can make a quote read differently from what is indexed, so readers drop them.
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
# Control characters that never belong in a block of text (tab, newline and carriage return aside).
BLOCK_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

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
        text = raw.decode(encoding)
        repaired = _undo_mojibake(text, name)
        if repaired:
            return repaired
        return _check_text(text, name), encoding.replace("-sig", "")
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


# Latin-1 letters where Chinese should be: GBK, Big5 or UTF-8 bytes once decoded as Latin-1 (or cp1252) and
# saved again as UTF-8 ("ÂÃÓÎÒµ¿Í»§ÌåÑé", "å®¢æˆ·ä½“éªŒ").
_LATIN1_LETTERS = re.compile(
    r"[\u00a1-\u00ff\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013-\u2122]"
)
_CJK = re.compile(r"[\u3400-\u9fff]")
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]{3,}")


def _undo_mojibake(text: str, name: str) -> tuple[str, str] | None:
    """The text a mojibake file meant, when its Latin-1 letters re-read as UTF-8, GB18030 or Big5 give
    ordinary Chinese; a file that is mostly Latin-1 letters and cannot be repaired is refused."""
    sample = text[:_SAMPLE]
    letters = len(_LATIN1_LETTERS.findall(sample))
    if letters < 20 or letters < 0.3 * sum(not ch.isascii() for ch in sample) or len(_CJK.findall(sample)) > letters:
        return None
    # A Latin-script text has its accented letters inside words (café); mojibake comes in runs (ÂÃÓÎÒµ).
    if sum(len(run) for run in _NON_ASCII_RUN.findall(sample)) < 0.5 * letters:
        return None
    import ftfy

    # ftfy (maintained, and it fixes partial or mixed mojibake) for UTF-8; it does not know GBK or Big5,
    # so the round trip below takes those.
    fixed = ftfy.fix_encoding(text)
    if fixed != text and len(_CJK.findall(fixed[:_SAMPLE])) >= letters // 3 and _chinese_score(fixed) > 0.9:
        return _check_text(fixed, name), "utf-8 (repaired by ftfy: it had been decoded as Latin-1)"
    for codec in ("cp1252", "latin-1"):
        try:
            raw = text.encode(codec)
        except UnicodeEncodeError:
            continue
        for encoding in ("utf-8", "gb18030", "big5hkscs"):
            try:
                fixed = raw.decode(encoding)
            except UnicodeDecodeError:
                continue
            if len(_CJK.findall(fixed[:_SAMPLE])) >= letters // 3 and _chinese_score(fixed) > 0.9:
                return _check_text(fixed, name), f"{encoding} (repaired: it had been decoded as {codec})"
    raise InputError(
        f"{name}: looks like mojibake (Chinese bytes decoded as Latin-1 and saved again) and cannot be repaired; "
        "re-save the original file as UTF-8"
    )


def _check_text(text: str, name: str) -> str:
    sample = text[:_SAMPLE]
    # A stray control character or two is dropped later; many mean the file is binary.
    if sample and len(_CONTROL.findall(sample)) > max(8, 0.01 * len(sample)):
        raise InputError(f"{name}: looks binary (control characters); only text, HTML and PDF reports are read")
    return text


def strip_controls(text: str, name: str, *, strict: bool = True) -> tuple[str, int]:
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
    from ..normalize import normalize

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
