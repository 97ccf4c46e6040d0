"""Normalisation for matching, never for display.

Reports and questions go through the same function so that a traditional
question finds simplified text and full-width digits match half-width ones.
Every step maps one character to exactly one character, so offsets computed on
the normalised text are offsets into the cleaned original too.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import opencc


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


@lru_cache(maxsize=1)
def _t2s_tables() -> tuple[re.Pattern[str], re.Pattern[str], dict[int, str]] | None:
    """OpenCC's t2s dictionaries as a phrase pattern, a pattern of runs of key characters, a character table.

    OpenCC (pure Python) costs about 10 ms per 1,000 characters, which made it most of a build's time.
    Its t2s conversion replaces dictionary phrases first, then single characters; a match never spans a
    character outside every key. So a run of key characters converts on its own, and a run holding no
    phrase is only a character mapping (``str.translate``). Runs with a phrase still go through OpenCC.
    ``None`` when the dictionaries are not where opencc keeps them (then everything goes through OpenCC).
    """
    folder = Path(opencc.__file__).parent / "dictionary"
    try:
        phrases = _read_dictionary(folder / "TSPhrases.txt")
        characters = _read_dictionary(folder / "TSCharacters.txt")
    except OSError:
        return None
    if any(len(k) != 1 for k in characters):
        return None  # not the dictionary this shortcut was checked against
    keys = set(characters).union(*phrases)
    phrase = re.compile("|".join(re.escape(k) for k in sorted(phrases, key=len, reverse=True)))
    run = re.compile("[" + "".join(re.escape(c) for c in sorted(keys)) + "]+")
    return phrase, run, str.maketrans(characters)


def _read_dictionary(path: Path) -> dict[str, str]:
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        key, _, values = line.partition("\t")
        if key and values:
            out[key] = values.split()[0]  # OpenCC takes the first of several
    return out


def to_simplified(text: str) -> str:
    """OpenCC's t2s conversion, exactly (tested), without OpenCC's cost where no phrase occurs."""
    tables = _t2s_tables()
    if tables is None:
        return _t2s().convert(text)
    phrase, run, characters = tables
    if not phrase.search(text):
        return text.translate(characters)
    return run.sub(
        lambda m: _t2s().convert(m.group()) if phrase.search(m.group()) else m.group().translate(characters), text
    )


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
    converted = to_simplified(folded)
    if len(converted) != len(folded):
        # OpenCC phrase rules can change length in rare cases; fall back to a
        # per-character conversion to keep offsets exact.
        converted = "".join(_t2s().convert(c) if len(_t2s().convert(c)) == 1 else c for c in folded)
    lowered = converted.lower()
    if len(lowered) != len(converted):  # e.g. "İ" lower-cases to two characters
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in converted)
    return lowered
