"""Normalisation for matching, never for display.

Reports and questions go through the same function so that a traditional
question finds simplified text and full-width digits match half-width ones.
Every step maps one character to exactly one character, so offsets computed on
the normalised text are offsets into the cleaned original too.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import opencc


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def _fold_char(ch: str) -> str:
    folded = unicodedata.normalize("NFKC", ch)
    # NFKC may expand a character (e.g. "㈠" -> "(一)", "½" -> "1⁄2"); keep the
    # original then, so the text stays aligned with the cleaned original.
    return folded if len(folded) == 1 else ch


_FOLD = {c: _fold_char(c) for c in map(chr, range(0x80, 0x10000)) if _fold_char(c) != c}
_FOLD_TABLE = str.maketrans(_FOLD)


def normalize(text: str) -> str:
    """NFKC (width folding included), traditional -> simplified, Latin lower-cased.

    Length-preserving: ``len(normalize(t)) == len(t)``.
    """
    # Answering normalises the same candidate sentences and report heads for every question; OpenCC is
    # most of an answer's Python time, so short texts are remembered (whole reports are not).
    return _normalize_short(text) if len(text) <= SHORT else _normalize(text)


SHORT = 1000


@lru_cache(maxsize=32768)
def _normalize_short(text: str) -> str:
    return _normalize(text)


def _normalize(text: str) -> str:
    folded = text.translate(_FOLD_TABLE)
    converted = _t2s().convert(folded)
    if len(converted) != len(folded):
        # OpenCC phrase rules can change length in rare cases; fall back to a
        # per-character conversion to keep offsets exact.
        converted = "".join(_t2s().convert(c) if len(_t2s().convert(c)) == 1 else c for c in folded)
    lowered = converted.lower()
    if len(lowered) != len(converted):  # e.g. "İ" lower-cases to two characters
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in converted)
    return lowered
