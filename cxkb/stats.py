"""Statistics finder: every figure sentence of a report as a row, ranked at query time.

At index time ``extract_stats`` walks a report sentence by sentence and pulls out
each figure (87%, 三分之二, 五倍, 550 位, n = 501, 5000 萬美元, 65 到 85 分, 2018 年 …)
with its unit, numeric value, the clause it measures and the whole sentence as an
exact quote. Matching runs on ``normalize(text)`` so traditional script and
full-width digits are caught by the same patterns; normalisation is
length-preserving, so match offsets are offsets into the original text and every
``value``, ``measures`` and ``quote`` is shown in the report's own script.

At query time ``find_stats`` scores rows by IDF-weighted token overlap between
the question and the row's sentence and clause, plus a bonus for the question
appearing verbatim. ``write_csv`` exports a table that Excel opens with the
Chinese intact.
"""

from __future__ import annotations

import bisect
import csv
import math
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any

from .chunk import sentences
from .models import Report
from .normalize import normalize
from .segment import tokenize

UNITS = ("percent", "fraction", "multiple", "count", "money", "score", "sample_size", "year", "points", "other")

# A figure needs this many word characters (CJK or Latin, figures themselves
# not counted) in its sentence; chart-label residue such as " 41% 61% 35%" has none.
MIN_WORDS = 4
MIN_CLAUSE_WORDS = 6  # a shorter clause is widened to the next one
MAX_MEASURES = 60  # characters; long run-on sentences get a window around the figure
YEAR_WEIGHT = 0.5  # years are context, rarely the figure a generic question wants

# --- the figure patterns (over normalised text: simplified, half-width, lower-case) -------------

_CN = "[零〇一二两三四五六七八九十百千万]"
# Thousands separators only in groups of three, so "87%,三分之二" is not one number.
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_TO = r"\s*[-–~到至]\s*"
_START = r"(?<![0-9a-z.])"  # not the tail of a longer number or of a word such as "b2b"
_CURRENCY = "美元|人民币|欧元|英镑|日元|港元|港币|元"
_MEASURE_WORD = "名|位|种|个|家|项|页|次|篇|份|款|条|所|户|人(?![工才员])"

# One pattern per kind. Where two overlap, the longer match wins, then the earlier row.
PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (unit, re.compile(pattern))
    for unit, pattern in (
        ("sample_size", rf"(?<![a-z])n\s*=\s*(?:{_NUM})"),
        ("percent", rf"{_START}(?:{_NUM})\s*%?(?:{_TO}(?:{_NUM}))?\s*%|百分之{_CN}+(?:点{_CN}+)?"),
        ("points", rf"{_START}(?:(?:{_NUM})|{_CN}+)\s*个?\s*百分点"),
        ("fraction", rf"(?!百分之){_CN}+分之{_CN}+|一半"),
        ("multiple", rf"{_START}(?:(?:{_NUM})|{_CN}+)(?:{_TO}(?:(?:{_NUM})|{_CN}+))?\s*倍"),
        ("money", rf"{_START}(?:{_NUM})(?:{_TO}(?:{_NUM}))?\s*[万亿千百]*\s*(?:{_CURRENCY})"),
        ("year", rf"{_START}(?:19|20)\d{{2}}\s*年(?!代)"),
        # 分 starts many words (分析, 分别 …); 分之 + numeral is a fraction, 分之间 is a score.
        ("score", rf"{_START}(?:{_NUM})(?:{_TO}(?:{_NUM}))?\s*分(?!之{_CN}|[析别钟类配享支布散工开成数子])"),
        ("count", rf"{_START}(?:{_NUM})(?:{_TO}(?:{_NUM}))?\s*多?\s*(?:{_MEASURE_WORD})"),
        ("other", rf"{_START}(?:{_NUM})\s*多?\s*[万亿]+"),
    )
)

_GARBLED = re.compile(r"〔[^〕]*(?:〕|$)")
_WORD = re.compile(r"[a-z\u3400-\u9fff]")
_LIST_MARKER = re.compile(r"^(?:[-*•·]+|\d{1,2}[.、)]|[(]\d{1,2}[)]|[一二三四五六七八九十]+、)\s*")
_REPORTING = re.compile(r"(?:表示|指出|认为|称|说|发现|告诉我们)\s*$")  # the claim follows in the next clause
_RANGE = re.compile(rf"(?:\d|{_CN}){_TO}(?:\d|{_CN})")
_ARABIC = re.compile(_NUM)
_CN_RUN = re.compile(f"{_CN}+")
_YEAR_QUERY = re.compile(r"(?:19|20)\d{2}|年|year")

_CN_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNIT = {"十": 10, "百": 100, "千": 1000}
_MAGNITUDE = {"百": 1e2, "千": 1e3, "万": 1e4, "亿": 1e8}


@dataclass(frozen=True)
class Stat:
    value: str  # the figure as written, in the report's script: "87%", "三分之二", "5000 萬美元"
    number: float | None  # None for ranges ("65 到 85 分") and anything not computable
    unit: str  # one of UNITS
    measures: str  # the clause around the figure, original script
    report_id: str
    source: str
    title: str
    publisher: str
    date: str
    quote: str  # the whole sentence: report.text[start:end]
    start: int
    end: int
    page: int | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# --- extraction ---------------------------------------------------------------------------------


def _list_numbers(norm: str) -> str:
    """``norm`` with list numbers blanked: "1.75%" opening a line of a numbered list (the next or previous
    line opens with 2. or 0.) is item 1 saying 75%, not 1.75%."""
    starts = [m for m in re.finditer(r"(?m)^(\d{1,2})\.(?=\d)", norm)]
    numbered = {int(m.group(1)) for m in re.finditer(r"(?m)^(\d{1,2})[.、)]", norm)}
    for m in starts:
        n = int(m.group(1))
        if n + 1 in numbered or n - 1 in numbered:
            norm = norm[: m.start()] + " " * (m.end() - m.start()) + norm[m.end() :]
    return norm


def extract_stats(report: Report) -> list[Stat]:
    """One Stat per figure occurrence, in text order; a table cell's figure measures its row and column."""
    text = report.text
    norm = _list_numbers(normalize(text))
    cells = sorted(report.cells, key=lambda c: c.start)
    cell_starts = [c.start for c in cells]
    stats = []
    for start, end in sentences(text):
        figures = _keep_figures(_find_figures(norm[start:end]), norm[start:end])
        for unit, a, b in figures:
            at = bisect.bisect_right(cell_starts, start + a) - 1
            cell = cells[at] if at >= 0 and cells[at].start <= start + a < cells[at].end else None
            stats.append(
                Stat(
                    value=text[start + a : start + b],
                    number=_number(unit, norm[start + a : start + b]),
                    unit=unit,
                    measures=cell.label if cell else _measures(text[start:end], norm[start:end], a, b),
                    report_id=report.id,
                    source=report.source,
                    title=report.meta.title,
                    publisher=report.meta.publisher,
                    date=report.meta.date,
                    quote=text[start:end],
                    start=start,
                    end=end,
                    page=report.page_at(start + a),
                )
            )
    return stats


def _find_figures(sentence: str) -> list[tuple[str, int, int]]:
    """Non-overlapping (unit, start, end) matches of PATTERNS in a normalised sentence."""
    candidates = [
        (m.start(), -(m.end() - m.start()), rank, unit, m.end())
        for rank, (unit, pattern) in enumerate(PATTERNS)
        for m in pattern.finditer(sentence)
    ]
    chosen: list[tuple[str, int, int]] = []
    taken_until = 0
    for start, _, _, unit, end in sorted(candidates):
        if start >= taken_until:
            chosen.append((unit, start, end))
            taken_until = end
    return chosen


def _keep_figures(figures: list[tuple[str, int, int]], sentence: str) -> list[tuple[str, int, int]]:
    """Drop figures in garbled marks, chart-label runs, and sentences without words."""
    garbled = [m.span() for m in _GARBLED.finditer(sentence)]
    figures = [f for f in figures if not any(a < f[2] and f[1] < b for a, b in garbled)]
    # Two figures of one kind with only whitespace between them are axis labels ("22% 80%");
    # a legend pair of two kinds ("22% 5-7.49 亿美元") is kept.
    in_run = set()
    for left, right in pairwise(figures):
        if left[0] == right[0] and not sentence[left[2] : right[1]].strip():
            in_run.update((left, right))
    figures = [f for f in figures if f not in in_run]
    words = _WORD.findall(_blank(sentence, [(a, b) for _, a, b in figures]))
    return figures if len(words) >= MIN_WORDS else []


def _blank(text: str, spans: Iterable[tuple[int, int]]) -> str:
    for a, b in spans:
        text = text[:a] + " " * (b - a) + text[b:]
    return text


def _measures(sentence: str, norm: str, a: int, b: int) -> str:
    """The clause holding the figure at [a, b), trimmed of list markers and a leading "87% 的"."""
    stops = _clause_stops(norm)
    start = max((s + 1 for s in stops if s < a), default=0)
    end = min((s for s in stops if s >= b), default=len(sentence))
    # "60% 的受访者表示," says little on its own: the clause after it holds the claim.
    following = [s for s in stops if s > end]
    preceding = [s + 1 for s in reversed(stops) if s + 1 < start] + [0]
    while (
        _words_around(norm, start, end, a, b) < MIN_CLAUSE_WORDS or _REPORTING.search(norm[start:end])
    ) and following:
        end = following.pop(0)
    while _words_around(norm, start, end, a, b) < MIN_CLAUSE_WORDS and start > 0:
        start = preceding.pop(0)
    if end - start > MAX_MEASURES:
        start = max(start, a - MAX_MEASURES // 3)
        end = min(end, start + MAX_MEASURES)
    clause = _LIST_MARKER.sub("", sentence[start:end].strip())
    lead = re.match(rf"{re.escape(sentence[a:b])}\s*的\s*(?=\S)", clause)
    return clause[lead.end() if lead else 0 :].rstrip(" ,;。")


def _clause_stops(norm: str) -> list[int]:
    """Offsets of clause ends (, ; 。) outside parentheses: "(调查阶段,52%)" stays whole."""
    stops, depth = [], 0
    for i, ch in enumerate(norm):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth <= 0 and ch in ",;。":
            stops.append(i)
            depth = 0
    return stops


def _words_around(norm: str, start: int, end: int, a: int, b: int) -> int:
    """Word characters of norm[start:end] outside the figure at [a, b)."""
    return len(_WORD.findall(norm[start:a])) + len(_WORD.findall(norm[b:end]))


def _number(unit: str, figure: str) -> float | None:
    """The numeric value of a normalised figure; None for ranges."""
    if unit == "fraction":
        if figure == "一半":
            return 0.5
        # 三分之二 is "two of three parts": the denominator comes first.
        denominator, numerator = (_cn_number(part) for part in figure.split("分之"))
        return round(numerator / denominator, 4) if denominator else None
    if _RANGE.search(figure):
        return None
    if figure.startswith("百分之"):
        return _cn_number(figure[3:])
    arabic = _ARABIC.search(figure)
    if arabic:
        value = float(arabic.group().replace(",", ""))
        tail = figure[arabic.end() :]
    else:
        chinese = _CN_RUN.search(figure)
        if not chinese:
            return None
        value, tail = _cn_number(chinese.group()), figure[chinese.end() :]
    if unit in ("money", "other"):
        for ch in tail:
            value *= _MAGNITUDE.get(ch, 1)
    return value


def _cn_number(text: str) -> float:
    """Value of a Chinese numeral: 八十七 -> 87, 一百零五 -> 105, 十五点五 -> 15.5."""
    whole, _, decimals = text.partition("点")
    total = section = digit = 0
    for ch in whole:
        if ch in _CN_DIGIT:
            digit = _CN_DIGIT[ch]
        elif ch in _CN_UNIT:
            section += (digit or 1) * _CN_UNIT[ch]
            digit = 0
        elif ch in ("万", "亿"):
            total += (section + digit) * _MAGNITUDE[ch]
            section = digit = 0
    value = float(total + section + digit)
    for place, ch in enumerate(decimals, start=1):
        value += _CN_DIGIT.get(ch, 0) / 10**place
    return value


# --- query time ---------------------------------------------------------------------------------


def find_stats(
    stats: list[Stat], query: str = "", *, report: str | None = None, limit: int | None = None
) -> list[Stat]:
    """Rows matching ``query``, best first; all rows in report/offset order when it is empty."""
    rows = [s for s in stats if report is None or _is_report(s, report)]
    phrase = normalize(query).strip()
    if not phrase:
        ranked = sorted(rows, key=lambda s: (s.report_id, s.start))
        return ranked[:limit] if limit is not None else ranked
    terms = set(tokenize(query))
    idf = _idf(rows, terms)
    demote_years = not _YEAR_QUERY.search(phrase)
    scored = []
    for s in rows:
        score = _field_score(s.quote, terms, phrase, idf) + _field_score(s.measures, terms, phrase, idf)
        if demote_years and s.unit == "year":
            score *= YEAR_WEIGHT
        if score > 0:
            scored.append((-score, s.report_id, s.start, len(scored), s))
    ranked = [s for *_, s in sorted(scored)]
    return ranked[:limit] if limit is not None else ranked


def _is_report(stat: Stat, wanted: str) -> bool:
    return stat.report_id.startswith(wanted) or wanted in (stat.source, Path(stat.source).stem)


def _idf(rows: list[Stat], terms: set[str]) -> dict[str, float]:
    """Inverse document frequency of the query terms over the distinct sentences."""
    quotes = {(s.report_id, s.start): s.quote for s in rows}
    n = len(quotes) or 1
    return {t: math.log(1 + n / (1 + sum(t in _tokens(q) for q in quotes.values()))) for t in terms}


def _field_score(text: str, terms: set[str], phrase: str, idf: dict[str, float]) -> float:
    overlap = sum(idf[t] for t in terms & _tokens(text))
    # The whole question verbatim outweighs any partial overlap.
    bonus = 1 + sum(idf.values()) if phrase in normalize(text) else 0.0
    return overlap + bonus


@lru_cache(maxsize=4096)
def _tokens(text: str) -> frozenset[str]:
    return frozenset(tokenize(text))


# --- export -------------------------------------------------------------------------------------


def write_csv(stats: list[Stat], path: Path) -> None:
    """A header row and one row per Stat, UTF-8 with BOM so Excel shows the Chinese."""
    names = [f.name for f in fields(Stat)]
    with Path(path).open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=names)
        writer.writeheader()
        for stat in stats:
            writer.writerow({k: "" if v is None else v for k, v in stat.to_dict().items()})
