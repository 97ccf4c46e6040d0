"""Cited answers: the sentence most likely to answer, or an honest abstention.

Retrieval finds chunks; every sentence inside them gets a cheap prior (dense similarity from vectors stored
at build time, IDF-weighted word overlap, the asked kind of figure, a cue, the chunk's rank), and the best few
are judged by the learned answerability score (cxkb.answerable). The answer quotes the most answerable one
that no rule rules out (a name the corpus never mentions, no figure of the asked kind, the measured thing
missing, another qualifier), in the asker's script with a ``[1]`` marker; the citation keeps the original
quote and its offsets. Every number in an answer must occur in a quote it cites, or the answer is not given.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .answerable import answerable_model
from .chunk import is_heading
from .index import Index
from .injection import looks_like_injection
from .models import Answer, Citation, Hit, Report
from .normalize import normalize
from .open_model import open_model, open_probability
from .qualifiers import conflicts
from .question import Question, as_open, squash, to_script, undecided
from .search import Filters, query_vector, read_question, search
from .segment import chinese_names, is_noun, stopwords, tagged
from .settings import Settings

log = logging.getLogger(__name__)

# --- the kind of figure a question asks for ---------------------------------------------------

# What a sentence must hold to answer each kind of question (question.ASKS says which kind is asked).
_HOLDS: dict[str, re.Pattern[str]] = {
    "multiple": re.compile(r"\d+(?:\.\d+)?\s*倍|[一二三四五六七八九十两]+倍|近两倍|double|times"),
    "percent": re.compile(
        r"\d+(?:\.\d+)?\s*(?:%|个?百分点)|百分之|[一二三四五六七八九十两]+分之[一二三四五六七八九十]+"
        r"|[一二三四五六七八九]成|半数|一半"
    ),
    "count": re.compile(r"\d[\d,]*\s*多?\s*(?:名|位|家|个|人|种|项|次|页)|n\s*=\s*\d+"),
    "duration": re.compile(
        r"(?:\d+(?:\.\d+)?|[一二三四五六七八九十两半]+)\s*(?:分钟|分(?!之)|小时|个?工作日|天|秒|周|个月|年|minutes?|hours?|days?)"
    ),
    "year": re.compile(r"(?:19|20)\d\d\s*年|\d{4}-\d\d"),
    "money": re.compile(r"\d[\d,.]*\s*(?:万|亿)?\s*(?:美元|元|人民币)"),
}
# Any figure: digits, fractions and multiples in words, and amounts said in words (一半, 过半, 数千).
_ANY_FIGURE = re.compile(r"\d|[一二三四五六七八九十两]+(?:分之|倍)|一半|半数|过半|[数几][十百千万]")


# Counts and ordinals in Chinese numerals: 六种, 第二份; not 两位数 (two digits), nor a lone 一 before a measure
# word, which is the article (一个服务引擎, 一名高管负责) far more often than an answer to 多少.
_CN_COUNT = re.compile(
    r"第[一二三四五六七八九十]+|(?:(?<![一二三四五六七八九十两])一(?=[一二三四五六七八九十两])|[二三四五六七八九十两])"
    r"[一二三四五六七八九十两]*(?:种|项|个|位(?!数)|名|家|类|大|点|条|年|份|篇)|[数几][十百千万]"
)


_RATE = re.compile(r"([\u4e00-\u9fff]{1,6}(?<!效)率)")
_POINTS = re.compile(r"[+-]?\d+(?:\.\d+)?\s*个?百分点")
# A question asking a gap or a change, which percentage points answer.
_ASKS_GAP = re.compile(
    r"百分点|差|变化|变动|增|减|提高|提升|降|升|高出|低出|多出|多了|少了|高多少|低多少|多多少|少多少"
    r"|gap|differ|change|point|increase|decrease|rise|rose|fall|fell|drop|grow|grew|more|less|higher|lower"
)


def answers_kind(kind: str | None, text: str, asked: str = "") -> bool:
    """Whether ``text`` can answer a question asking for ``kind``: it holds a figure of that kind
    (counts may be written in Chinese numerals, 六种). Surveys answer "how many people" with a share,
    so a count question also takes a percentage; a rate (客诉率) takes any figure when the sentence
    names that rate, since a rate may be per ten thousand rather than a percentage. ``asked`` is the
    normalised question."""
    if kind == "percent" and asked and not _ASKS_GAP.search(asked) and holds_kind(kind, text):
        # Percentage points measure a gap or a change: a sentence whose only percentages are points does not
        # give the share asked for (差距为 42 个百分点 is no share of leaders).
        return bool(_HOLDS["percent"].search(_POINTS.sub("", normalize(text))))
    if holds_kind(kind, text):
        return True
    if kind == "count" and holds_kind("percent", text):
        return True
    if kind == "percent" and _ANY_FIGURE.search(text):
        norm = normalize(text)
        if any(rate[-3:] in norm for rate in _RATE.findall(asked)):
            return True
    return kind in ("count", "figure") and bool(_CN_COUNT.search(normalize(text)))


_DEFINES = re.compile(r"是指|指的是|定义为|界定为|所称|即|按.{0,12}计算|means|is defined")


def holds_kind(kind: str | None, text: str) -> bool:
    if kind is None:
        return True
    if kind == "figure":
        return bool(_ANY_FIGURE.search(text))
    return bool(_HOLDS[kind].search(normalize(text)))


_CJK = re.compile(r"[\u3400-\u9fff]")


# --- the terms a figure's sentence must name -------------------------------------------------


@lru_cache(maxsize=1)
def _synonyms() -> dict[str, tuple[str, ...]]:
    """CX terms and what reports call them instead (cxkb/data/synonyms.tsv): each line is a group, and
    every member stands for every other (顾客 ~ 客户 as well as 客户 ~ 顾客)."""
    from importlib import resources

    groups: dict[str, set[str]] = {}
    for line in (resources.files("cxkb") / "data" / "synonyms.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            terms = [t for t in line.split("\t") if t]
            for term in terms:
                groups.setdefault(term, set()).update(t for t in terms if t != term)
    return {term: tuple(sorted(alts)) for term, alts in groups.items()}


def missing_terms(q: Question, text: str, context: str = "") -> list[str]:
    """The question's required terms (:func:`cxkb.question.required_terms`) that ``text`` lacks.

    A measured word counts when all its characters occur (平均差 is found in 平均差距), its last two do
    (Chinese compounds end in their head, and a report may drop the modifier: 客户满意度 → 满意度,
    讲清楚 → 清楚), or a synonym does (净推荐值 → NPS). A quoted phrase that names the report itself (its
    title, in ``context``) identifies the report rather than the sentence.
    """
    have = squash(normalize(text))
    around = squash(normalize(context))
    quoted = set(q.quoted)

    def found(t: str) -> bool:
        if t in quoted:
            # Survey wording quoted from memory drops or adds a 的 (缺乏关键客户体验技能 / 缺乏关键的客户体验技能).
            bare = t.replace("的", "")
            return bare in have.replace("的", "") or (bool(around) and bare in around.replace("的", ""))
        if t == "平均" or t.endswith("体验"):
            return t in have
        if all(c in have for c in t) or (len(t) >= 3 and t[-2:] in have):
            return True
        return any(alt in have for alt in _synonyms().get(t, ()))

    return [t for t in q.required if not found(t)]


# --- the number check -------------------------------------------------------------------------

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_MARKER = re.compile(r"\[\d+\]")


def numbers(text: str) -> list[str]:
    return [n.replace(",", "") for n in _NUMBER.findall(_MARKER.sub("", normalize(text)))]


def unsupported_numbers(answer_text: str, quotes: list[str]) -> list[str]:
    """Numbers in the answer that no cited quote contains (an empty list means it passes)."""
    available = set(numbers(" ".join(quotes)))
    return [n for n in numbers(answer_text) if n not in available]


# --- scoring sentences ------------------------------------------------------------------------


@dataclass(frozen=True)
class Scored:
    """A candidate sentence and its cheap ranking score (the prior the answerability model refines)."""

    sentence_id: int
    score: float
    dense: float
    overlap: float  # IDF share of the question's words in the sentence
    in_context: float  # the same, counting the words of the report's head (title, publisher, author)
    cue: bool  # defines the term asked about, is the byline asked about, or is the table row looked up
    hit: Hit


# How much a word a follow-up took from the previous turn counts against one the asker typed. The sentence that
# answered the last turn states all of the last turn's words; the one answering the follow-up states its own.
# 0.5, 0.7 and 1.0 were compared on eval/conversations.jsonl: 0.7 answered one more follow-up than 1.0, and 0.5
# traded one for another.
CONTEXT_WEIGHT = 0.7
# The sentence the last answer quoted was chosen for the words the follow-up took from the last turn: for it they
# count this much again (0.35 of a typed word). 0, 0.3, 0.5 and 0.7 were compared on the three conversation sets:
# 0.3 and 0.5 answered three more follow-ups than 1.0 and lost none; 0 lost five.
STALE_WEIGHT = 0.5


def idf_weights(q: Question, index: Index) -> dict[str, float]:
    """IDF of each question word over the chunks: rare words carry the question."""
    n = max(1, len(index.chunks))
    weights = {}
    for t in set(q.tokens):
        df = index.df.get(t, 0)
        # An English question's Latin word that no passage contains (a name the report writes in Chinese)
        # says nothing about which sentence answers.
        if q.english and t.isascii() and not df:
            continue
        weights[t] = math.log(1 + n / (1 + df)) * (CONTEXT_WEIGHT if t in q.context else 1.0)
    return weights


def _quoted_before(q: Question, report_id: str, start: int, end: int) -> bool:
    """Whether the last turn's answer quoted text overlapping ``start``..``end`` of the report."""
    return any(rid == report_id and s < end and start < e for rid, s, e in q.last_quoted)


def _overlap(weights: dict[str, float], present: frozenset[str], total: float | None = None) -> float:
    """IDF-weighted share of the question's words found in the sentence (of ``total``, by default theirs)."""
    total = sum(weights.values()) if total is None else total
    return sum(w for t, w in weights.items() if t in present) / total if total else 0.0


def coverage(weights: dict[str, float], text: str) -> float:
    """IDF-weighted share of the question's words the text states, in its own words or a CX synonym
    (样本量 ~ 有效样本, 消费者 ~ 受访者, 净推荐值 ~ NPS), or by the head of a compound (客户满意度 ~ 满意度)."""
    total = sum(weights.values())
    if not total:
        return 0.0
    have = squash(normalize(text))
    return sum(w for t, w in weights.items() if states(t, have)) / total


def states(term: str, squashed: str) -> bool:
    """Whether squashed normalised text states ``term``: itself, the head of a compound (客户满意度 ~
    满意度), its characters in order with at most two between (石化 ~ 石油化工), or a CX synonym."""
    if term in squashed or (len(term) >= 3 and _CJK.match(term) and term[-2:] in squashed):
        return True
    if len(term) >= 2 and _CJK.match(term) and _spread(term).search(squashed):
        return True
    return any(alt in squashed for alt in _synonyms().get(term, ()))


@lru_cache(maxsize=4096)
def _spread(term: str) -> re.Pattern[str]:
    return re.compile(".{0,2}".join(map(re.escape, term)))


# A noun the corpus uses in fewer than √n of its n chunks names something specific (a region, a role, a
# channel); more common ones (企业, 客户) are the corpus's subject, which a sentence may leave unsaid.
SPECIFIC = 0.5


# A report that names a thing twice or more is about it, and may leave it unsaid in a sentence: 保险公司 in an
# insurance report. (Asking for a quarter of its passages instead caught more near misses on the validation sets
# and made three answerable document-suite facts abstain.)
SUBJECT_MENTIONS = 2


def unmatched(
    q: Question,
    index: Index,
    text: str,
    context: str = "",
    report_id: str | None = None,
    nouns: tuple[str, ...] | None = None,
    beside: frozenset[str] = frozenset(),
) -> tuple[str, float]:
    """The most specific thing the question asks about that the corpus knows but neither the span nor its
    ``context`` (the report's head, the heading and the words leading into the span) states, with its
    specificity: its IDF over the chunks as a share of the largest possible IDF (``("", 0.0)`` when every
    one is stated). A near miss quotes a sentence about a neighbour (the CMO's share for a question about
    the CEO, 北美 for 欧洲): the corpus names the thing asked about, just not there. Words the corpus never
    uses are a paraphrase as often as a miss, so they do not count, and neither do the subjects of the
    report the span is from (``report_id``; :data:`SUBJECT_MENTIONS`), unless the report names them ``beside``
    a figure about something else (:func:`named_beside`). A word naming the study asked about (q.source) that
    the report never uses says the span is from another study: it counts as fully specific. ``nouns``: the
    question's nouns to weigh, when not all of them (a follow-up's own)."""
    have = squash(normalize(text)) + "\n" + squash(normalize(context))
    n = max(1, len(index.chunks))
    ceiling = math.log(1 + n)
    worst = ("", 0.0)
    for term in q.nouns if nouns is None else nouns:
        df = index.df.get(term, 0)
        # A word naming the study asked about (q.source) picks the report: once the report names it, it is met.
        source = term in q.source
        needed = 1 if source else SUBJECT_MENTIONS
        if not df or states(term, have):
            continue
        mentions = _mentions(index, report_id, term) if report_id else 0
        if mentions >= needed and term not in beside:
            continue
        # A title word's IDF is low (every chunk of its report carries the title), yet naming it picks the study.
        specificity = 1.0 if source and report_id and not mentions else math.log(1 + n / (1 + df)) / ceiling
        if specificity > worst[1]:
            worst = (term, specificity)
    return worst


# How many sentences on each side of a span :func:`named_beside` reads (and :func:`_continues` allows). Against 3,
# on the eight eval sets: 2 caught two fewer blind and one fewer document-suite unanswerable questions; 4 answered one
# more blind4 question and caught one more blind5 one (both validation sets by then), a question each: 3 was kept.
BESIDE = 3


def named_beside(q: Question, index: Index, report_id: str, span: tuple[int, int], said: str) -> frozenset[str]:
    """The question's nouns that a sentence within :data:`BESIDE` of the span names, while the span and
    ``said`` (its context) do not. A report names a thing where its figure is (客服电话 in the list item
    about the phone channel), so a figure a sentence or two away that leaves it unsaid is a sibling's (跨渠道,
    电脑自助服务): however often the report names the thing, it is no subject the span may leave unsaid. A
    sentence explaining a term (平均等待时间，指…) says what the span's figure measures, not a sibling's."""
    ids = index.sentences.of_report(report_id)  # type: ignore[attr-defined]
    if not len(ids):
        return frozenset()
    rows = index.sentences.table  # type: ignore[attr-defined]
    starts = rows[ids.start : ids.stop, 1]
    first = max(0, int(np.searchsorted(starts, span[0], side="right")) - 1)
    last = int(np.searchsorted(starts, span[1], side="left"))
    around = [*range(max(0, first - BESIDE), first), *range(last, min(len(ids), last + BESIDE))]
    text = index.reports[report_id].text
    have = squash(normalize(f"{text[span[0] : span[1]]}\n{said}"))
    beside = [normalize(text[int(rows[ids.start + i, 1]) : int(rows[ids.start + i, 2])]) for i in around]
    beside_text = squash("\n".join(t for t in beside if not _EXPLAINS.search(t)))
    asked = [t for t in q.nouns if t not in q.source]  # a word naming the study is met by the report's naming it
    return frozenset(t for t in asked if not states(t, have) and states(t, beside_text))


_EXPLAINS = re.compile(rf"{_DEFINES.pattern}|[，,：:]\s*指(?![标出数导南引挥望责])")


# How far before a span (in characters) a report may name the organisation or product a figure is about: a
# case study names its firm once, at its head, and speaks of "the company" after. 600, 1000 and 2000 were
# compared on the eval sets: 1000 ruled out as many near misses as 600 without the answer 600 lost.
NAME_REACH = 1000
# A name the report uses in this share of its sentences or more is its subject (B2B in a report on B2B customer
# engagement), which any of its sentences may leave unsaid.
SUBJECT_SHARE = 0.05


def far_names(q: Question, index: Index, report_id: str, span: tuple[int, int], said: str) -> list[str]:
    """The names the question asks about (organisations, products, Latin abbreviations: its specifics, and an
    English question's Latin words) that the span's report names somewhere, but neither ``said`` (the span and
    its context) nor the report's :data:`NAME_REACH` characters before the span state. A figure from Crystal's
    case study does not answer a question about Sherwin-Williams, however often the report names
    Sherwin-Williams elsewhere: unlike a common noun (:func:`unmatched`), a name is not a report's subject
    everywhere in it, unless the report names it throughout (:data:`SUBJECT_SHARE`).

    A name in the phrase naming the study (q.source) picks the report, and a follow-up's names from the last turn
    (q.context) place it: neither counts. Nor does a name the span's report never names: that is a word of an
    English title (State of CX Management), a name the report writes another way, or :func:`unmatched`'s
    business."""
    asked = q.specifics + tuple(t for t in q.tokens if q.english and t.isascii())
    names = [t for t in dict.fromkeys(asked) if not t[0].isdigit() and t not in q.source and t not in q.context]
    if not names:
        return []
    subject = SUBJECT_SHARE * len(index.sentences.of_report(report_id))  # type: ignore[attr-defined]
    names = [t for t in names if 0 < _mentions(index, report_id, t) < subject or _never_in(index, report_id, t)]
    if not names:
        return []
    have = squash(normalize(said))
    near = squash(normalize(index.reports[report_id].text[max(0, span[0] - NAME_REACH) : span[1]]))
    return [t for t in names if not states(t, have) and not states(t, near)]


def swapped(q: Question, text: str) -> tuple[str, str] | None:
    """A noun of the question that ``text`` replaces with another noun between the same words: the question's
    frame repeated with one thing swapped (主动征求客户对… / 主动征求员工对…, 销售部门 / 客户服务部门) asks
    about another thing than the sentence states, however much else they share. Returns (asked, stated)."""
    asked = tagged(q.norm)
    words = {w for w, _ in asked}
    stated = tagged(normalize(text))
    frames: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for (left, _), word, (right, _) in zip(stated, stated[1:], stated[2:], strict=False):
        frames.setdefault((left, right), []).append(word)
    for (left, _), (a, flag), (right, _) in zip(asked, asked[1:], asked[2:], strict=False):
        # A follow-up's words from the last turn (q.context) place it; what it asks now is in its own words.
        if a in q.context or not (_content(left) or _content(right)) or not (is_noun(flag) and _content(a)):
            continue
        for b, b_flag in frames.get((left, right), ()):
            if b != a and b not in words and is_noun(b_flag) and _content(b) and not states(a, b) and not states(b, a):
                return a, b
    return None


def another_organisation(q: Question, text: str, names: list[str] | None = None) -> tuple[str, str] | None:
    """A name the question asks about that ``text`` does not state, while ``text`` names another organisation
    (戴尔公司的办公室座右铭… for a question about 惠普's): the sentence is about that one, however near the asked
    one is named. Names by jieba's tags (:func:`cxkb.segment.chinese_names`), the other one strictly (an
    organisation, a name in full). ``names``: :func:`asked_names`, when already read. Returns (asked, named)."""
    have = squash(normalize(text))
    asked = [n for n in (asked_names(q) if names is None else names) if not states(n, have)]
    if not asked:
        return None
    question = squash(q.norm)
    named = [n for n in chinese_names(normalize(text), strict=True) if not states(n, question)]
    return (asked[0], named[0]) if named else None


def asked_names(q: Question) -> list[str]:
    """The names a question asks about (jieba's tags), not those naming the study or taken from the last turn."""
    return [n for n in chinese_names(q.norm) if n not in q.source and n not in q.context]


def _content(word: str) -> bool:
    return len(word) >= 2 and bool(_CJK.match(word)) and word not in stopwords()


def _never_in(index: Index, report_id: str, term: str) -> bool:
    """Whether a Chinese name (a trade, a place, an organisation the corpus knows) is nowhere in the report, in any
    writing of it (亚太区 ~ 亚太地区): the report cannot break its figures out for it."""
    if term.isascii() or _mentions(index, report_id, term):
        return False
    return not states(term, _squashed(index.reports[report_id].text))


@lru_cache(maxsize=64)
def _squashed(text: str) -> str:
    return squash(normalize(text))


def _mentions(index: Index, report_id: str, term: str) -> int:
    """How often a report's sentences use a keyword, as the build cut them: one comparison over the report's
    stored word ids, so a library of any size answers it without reading the report's text."""
    vocab = index.bm25.vocab_dict
    if term not in vocab:
        return 0
    sentences = index.sentences.of_report(report_id)  # type: ignore[attr-defined]
    if not len(sentences):
        return 0
    terms, at = index.sentence_terms
    return int(np.count_nonzero(terms[at[sentences[0]] : at[sentences[-1] + 1]] == vocab[term]))


def _defines(norm: str, terms: tuple[str, ...]) -> bool:
    return bool(_DEFINES.search(norm)) and all(t in squash(norm) for t in terms)


def _names_row(index: Index, report_id: str, start: int, end: int, question: str) -> bool:
    """A table row the question looks up: it names the row's label and one of its column headers
    ("即时零售的满意度" and the row 即时零售 with a 满意度 column)."""
    report = index.reports[report_id]
    if report.kind_at(start) != "table_row":
        return False
    for cell in report.cells:
        if start <= cell.start < end:
            parts = [squash(normalize(p)) for p in cell.label.split(" · ")]
            row, header = (parts[-2], parts[-1]) if len(parts) >= 2 else ("", "")
            if row and header and row in question and header in question:
                return True
    return False


def score_sentences(
    index: Index, q: Question, hits: list[Hit], qvec: np.ndarray, settings: Settings, weights: dict[str, float]
) -> list[Scored]:
    """Every quotable sentence of the hits, ranked by a cheap prior: dense similarity, word overlap, the
    asked kind of figure, a cue (a definition, the byline, the table row asked about) and the chunk's rank."""
    squashed = squash(q.norm)
    w = settings.answer_dense_weight if not q.english or weights else 1.0
    has_vectors = index.sentence_vectors.ndim == 2 and index.sentence_vectors.shape[1] == len(qvec)
    seen: set[int] = set()
    scored = []
    total = sum(weights.values())
    stale_weights = {t: w * (STALE_WEIGHT if t in q.context else 1.0) for t, w in weights.items()}
    for hit in hits:
        for sid in index.chunk_sentences(hit.chunk):
            if sid in seen:
                continue
            seen.add(sid)
            s = index.sentences[sid]
            report = index.reports[s.report_id]
            start, end = quotable(index, sid)
            text = report.text[start:end]
            if start > s.start and len(_CJK.findall(text)) < 8:
                continue  # only a chart's labels and source line, or a clause a garbled run cut
            if "〔" in text or looks_like_injection(text):
                continue  # garbled text is never quoted; text addressed to a model is data, not an answer
            if is_title(report, start, text):
                continue  # a heading or title names a topic; it answers nothing
            if text.rstrip().endswith(("？", "?")):
                continue  # a question (a report's closing checklist, a rhetorical one) answers nothing either
            if q.asks_open and report.kind_at(start) == "byline":
                continue  # a date and a translator's name discuss nothing
            dense = float(index.sentence_vectors[sid] @ qvec) if has_vectors else hit.scores.get("dense", 0.0)
            # The last answer's sentence states the words a follow-up took from the last turn because it was
            # chosen for them: they say less about whether it also answers the follow-up.
            by = stale_weights if _quoted_before(q, s.report_id, start, end) else weights
            overlap = _overlap(by, index.sentence_tokens(sid), total)
            # Words naming the report (its title, publisher, author) say which report, not which sentence:
            # every sentence of that report has them for ranking.
            in_context = _overlap(by, index.sentence_tokens(sid) | index.report_tokens(s.report_id), total)
            byline = q.provenance and report.kind_at(start) == "byline"
            kind_ok = q.kind is not None and holds_kind(q.kind, text)
            # A definition question that quotes its term ("“满意度”指标是怎么计算的") wants that term defined.
            defined = q.definition and _defines(normalize(text), q.quoted)
            cue = defined or byline or _names_row(index, s.report_id, start, end, squashed)
            score = (
                w * dense
                + (1 - w) * in_context
                + (settings.answer_kind_bonus if kind_ok else 0.0)
                + (settings.answer_kind_bonus if cue else 0.0)
                + settings.answer_rank_bonus / hit.rank
                + settings.answer_hit_weight * hit.score
            )
            # A byline speaks for its whole report: the report's own words count as its words.
            scored.append(Scored(sid, score, dense, in_context if byline else overlap, in_context, cue, hit))
    return sorted(scored, key=lambda x: -x.score)


_TITLE_KINDS = ("title", "heading", "caption")


def is_title(report: Report, start: int, text: str) -> bool:
    """A heading, title or caption: from the document's structure, or by shape where none was recorded."""
    kind = report.kind_at(start)
    shaped = kind in _TITLE_KINDS if kind else is_heading(text)
    return shaped and not _LIST_ITEM.match(text)  # a numbered line may still answer (一、… 是…)


# --- judging answerability ----------------------------------------------------------------------

JUDGED = 6  # candidates, by prior, that the answerability model scores
LEAD_CHARS = 150  # text before a span, within its chunk, that may name what the span's figure is about


@dataclass(frozen=True)
class Judged:
    """A candidate with the answer span it would quote, its features, its answerability, and the rule
    that rules it out whatever its score (None when none does)."""

    scored: Scored
    span: tuple[int, int]
    features: dict[str, float]
    p: float
    rule: str | None


def _rule(q: Question, f: dict[str, float], missing: list[str], clash: list[str]) -> str | None:
    """What the span states against the question, as a fact rather than a degree: it holds no figure of
    the kind asked for, lacks the word naming what is measured, or states another qualifier."""
    if clash:
        return f"states another qualifier: {'; '.join(clash)}"
    if f["kind_missing"]:
        return f"holds no {q.kind} figure"
    if missing:
        return f"{'gives a figure' if q.kind is not None else 'is'} not about {', '.join(missing)}"
    return None


def _own(q: Question) -> tuple[str, ...]:
    """The nouns of a follow-up the asker typed, not those it took from the last turn."""
    return tuple(n for n in q.nouns if n not in q.context)


def lead_in(text: str, floor: int, start: int) -> str:
    """The words leading into a span at ``start`` (back to ``floor``, at most :data:`LEAD_CHARS`), which may
    name what its figure is about. When the span is an item of a bulleted or numbered list, the items before
    it are its siblings, each about its own thing, so only the lines that are not items (the list's lead-in)
    and the span's own line count: "- 聊天机器人…" does not say what the next item's figure is about."""
    low = max(floor, start - LEAD_CHARS)
    own = text.rfind("\n", 0, start) + 1
    if own <= low or not _LIST_ITEM.match(text[own : own + 8]):
        return text[low:start]
    kept, at = [], low
    while at < own:
        line_start = text.rfind("\n", 0, at) + 1
        end = text.find("\n", at, own)
        end = own if end < 0 else end + 1
        if not _LIST_ITEM.match(text[line_start : line_start + 8]):
            kept.append(text[at:end])
        at = end
    return "".join(kept) + text[own:start]


def judge(index: Index, q: Question, ranked: list[Scored], weights: dict[str, float]) -> list[Judged]:
    """The top candidates by prior, each with the answerability model's features (cxkb.answerable.FEATURES)
    and score; those no rule rules out come first, most answerable first."""
    model = answerable_model()
    top = ranked[:JUDGED]
    best_dense = sorted((c.dense for c in top), reverse=True)
    read: list[tuple[tuple[int, int], str, str, str]] = []  # each candidate's span, its text, report head, context
    beside: dict[str, frozenset[str]] = {}
    for c in top:
        span = _answer_span(index, c.sentence_id, q)
        report_id, chunk = c.hit.chunk.report_id, c.hit.chunk
        head = index.report_head(report_id)
        lead = lead_in(index.reports[report_id].text, chunk.start, span[0])
        # The context that may name what a figure is about: the report's head, the heading, the lead.
        said = f"{head}\n{chunk.heading}\n{lead}"
        read.append((span, index.reports[report_id].text[span[0] : span[1]], head, said))
        # What the report names beside one candidate it names there, not as its subject, for all of them.
        if q.kind is not None:
            beside[report_id] = beside.get(report_id, frozenset()) | named_beside(q, index, report_id, span, said)
    names = None if q.asks_open else asked_names(q)
    judged = []
    for i, c in enumerate(top):
        span, text, head, said = read[i]
        report_id = c.hit.chunk.report_id
        missing = missing_terms(q, text, head)
        near = beside.get(report_id, frozenset())
        lacks = unmatched(q, index, text, said, report_id, beside=near)
        # A figure about a neighbour of the thing asked about answers nothing, like one missing the measured word.
        # A follow-up's words from the last turn place it (q.context): what it asks now is in its own words.
        asked = lacks if not q.context else unmatched(q, index, text, said, report_id, nouns=_own(q), beside=near)
        neighbour = [asked[0]] if q.kind is not None and asked[1] >= SPECIFIC and asked[0] not in missing else []
        if q.kind is not None and not neighbour:
            neighbour = far_names(q, index, report_id, span, f"{text}\n{said}")[:1]
        if q.kind is not None and not neighbour and (swap := swapped(q, text)):
            neighbour = [swap[0]]
        if names is not None and not neighbour and (other := another_organisation(q, text, names)):
            neighbour = [other[0]]
        clash = conflicts(list(q.qualifiers), text, head, figure=q.kind is not None)
        runner_up = max((o.score for j, o in enumerate(top) if j != i), default=c.score)
        other_dense = best_dense[1] if len(best_dense) > 1 and c.dense == best_dense[0] else best_dense[0]
        f = {
            "dense": c.dense,
            "dense_gap": c.dense - other_dense,
            "overlap": c.overlap,
            "context_overlap": c.in_context,
            "coverage": coverage(weights, text),
            "unmatched": lacks[1],
            "kind_asked": float(q.kind is not None),
            "kind_missing": float(q.kind is not None and not answers_kind(q.kind, text, q.norm)),
            "required_missing": len(missing) / len(q.required) if q.required else 0.0,
            "qualifier_conflict": float(bool(clash)),
            "margin": c.score - runner_up,
            "chunk_rank": 1.0 / c.hit.rank,
            "hit_score": c.hit.score,
            "cue": float(c.cue),
            "english": float(q.english),
            "log_chars": math.log1p(len(text)),
        }
        judged.append(Judged(c, span, f, model.probability(f), _rule(q, f, missing + neighbour, clash)))
    # Who wrote a report and when it appeared are stated by its byline, whatever else scores higher: the
    # model, fitted on Wikipedia questions, never saw a byline answer one.
    return sorted(
        judged, key=lambda j: (j.rule is not None, not (q.provenance and j.scored.cue), -j.p, -j.scored.score)
    )


# --- composing ----------------------------------------------------------------------------------


_LIST_ITEM = re.compile(r"^\s*(?:[-*•·]|\d+[.、)]|[（(]?[一二三四五六七八九十]+[)）、])")
_CONTINUATION = re.compile(r"^(?:它|这|其中|其|他们|她们|因此|所以|也就是说)")
_REASON = re.compile(r"原因|因为|由于|导致|because")
_OPENS = ("：", ":", "；", ";")


# A chart flattened into the text ends with its source line; PDF text often runs it into the next
# sentence ("…资料来源:IBM 商业价值研究院“2018 年 B2B 客户互动调研”84% 的领先者表示…").
_CHART_SOURCE = re.compile(r"[资資]料[来來]源\s*[:：][^”\n]{0,80}”")


# What follows a garbled run (〔…〕, whose … ends the sentence before it) up to the first clause break:
# the words the run cut off are lost, so that clause is not quoted; the rest of the sentence can be.
_AFTER_GARBLED = re.compile(r"\s*〕[^，,；;。]*[，,；;]?")


def quotable(index: Index, sid: int) -> tuple[int, int]:
    """A sentence's offsets without the chart labels and source line run into its start, or the
    clause a garbled run cut."""
    s = index.sentences[sid]
    # Matched on the cleaned text itself, in either script: this runs for every candidate sentence.
    text = index.reports[s.report_id].text[s.start : s.end]
    ends = [m.end() for m in _CHART_SOURCE.finditer(text)]
    cut_clause = _AFTER_GARBLED.match(text)
    start = s.start + max(ends[-1] if ends else 0, cut_clause.end() if cut_clause else 0)
    return start, s.end


def _answer_span(index: Index, sid: int, q: Question) -> tuple[int, int]:
    """A sentence and what it leads into: the clause after ；, the list after ：, or the next sentence
    when that one refers back (它/这/其中…) or gives the reason a why-question asks for."""
    s = index.sentences[sid]
    text = index.reports[s.report_id].text
    start, end = quotable(index, sid)
    j = sid
    opened = False
    while j + 1 < len(index.sentences) and j < sid + 8:
        current = text[index.sentences[j].start : index.sentences[j].end].rstrip()
        nxt = index.sentences[j + 1]
        following = text[nxt.start : nxt.end]
        if nxt.report_id != s.report_id or "〔" in following or following.lstrip().startswith("〕"):
            break
        opened = opened or current.endswith(_OPENS)
        # Items of a list this answer introduced (or a list the question asks for); not the next
        # finding of a bullet list the answer merely sits in.
        in_list = bool(_LIST_ITEM.match(following)) and (q.asks_list or opened)
        first_step = j == sid and (
            (q.asks_list and following.rstrip().endswith(_OPENS))
            or bool(_CONTINUATION.match(following))
            or (q.asks_why and bool(_REASON.search(following)))
        )
        if not (current.endswith(_OPENS) or in_list or first_step):
            break
        end = nxt.end
        j += 1
    return start, end


def _citation(index: Index, n: int, hit: Hit, start: int, end: int) -> Citation:
    report = index.reports[hit.chunk.report_id]
    marker = _LIST_MARK.match(report.text, start)
    if marker and marker.end() < end:
        start = marker.end()  # a bullet is layout, not part of the quote
    return Citation.of(n, hit, report.text[start:end], start, end, report.page_at(start))


_LIST_MARK = re.compile(r"^\s*[-*•]\s*|(?<=\n)\s*[-*•]\s*")


def not_found_text(script: str) -> str:
    if script == "other":
        return "Not in the corpus: no report here answers this question. Possibly related passages are listed."
    return to_script("语料库中没有找到能回答这个问题的内容。以下段落可能相关。", script)


@dataclass(frozen=True)
class Candidates:
    """What answering a question weighs: the retrieved chunks, every quotable sentence in them by prior, the
    top ones judged (most answerable first), and the names and years the corpus never mentions."""

    hits: list[Hit]
    ranked: list[Scored]
    judged: list[Judged]
    unknown: list[str]


def candidates(
    index: Index, q: Question, settings: Settings, *, filters: Filters | None = None, qvec: np.ndarray | None = None
) -> Candidates:
    """The candidates for ``q`` (``qvec``: its query vector, when already computed)."""
    qvec = query_vector(index, q, settings) if qvec is None else qvec
    hits = search(index, q, settings, k=settings.answer_hits, filters=filters, qvec=qvec)
    weights = idf_weights(q, index)
    ranked = score_sentences(index, q, hits, qvec, settings, weights)
    return Candidates(hits, ranked, judge(index, q, ranked, weights), unknown_specifics(q, index))


def answer(index: Index, question: str | Question, settings: Settings, *, filters: Filters | None = None) -> Answer:
    """Answer ``question`` from ``index`` with verified citations, or abstain."""
    q = read_question(question, settings)
    qvec = query_vector(index, q, settings)
    q = _open_by_model(q, qvec, index.model)
    found = candidates(index, q, settings, filters=filters, qvec=qvec)
    judged = found.judged
    related = tuple(found.hits[:3])
    why = why_not(index, q, judged, found.unknown, settings)
    if why:
        log.info("not answering %r: %s", q.text, why)
        return Answer(q.text, not_found_text(q.script), False, (), related)
    best = judged[0]
    if log.isEnabledFor(logging.INFO):  # explaining is work the hot path need not do unseen
        log.info("answering %r: %s", q.text, explain(best, settings))
    if q.asks_open:
        return _discussed(index, q, found.ranked, judged, related)
    chosen = [best]
    if len(judged) > 1:
        other = judged[1]  # only the runner-up may join the answer
        same_place = (
            other.scored.hit.chunk.report_id == best.scored.hit.chunk.report_id
            and other.span[0] < best.span[1]
            and best.span[0] < other.span[1]
        )
        if (
            other.p >= settings.answerable_threshold
            and other.rule is None
            and other.scored.score >= best.scored.score - settings.answer_second_margin
            and not same_place
        ):
            chosen.append(other)
    citations, parts = [], []
    for judged_one in chosen:
        start, end = judged_one.span
        n = len(citations) + 1
        citation = _citation(index, n, judged_one.scored.hit, start, end)
        shown = _LIST_MARK.sub("", to_script(citation.quote, q.script)).replace("\n", " ")
        if unsupported_numbers(shown, [citation.quote]):
            continue  # never emit a number the quote does not hold
        citations.append(citation)
        parts.append(f"{shown} [{n}]")
    if not citations:
        return Answer(q.text, not_found_text(q.script), False, (), related)
    return Answer(q.text, " ".join(parts), True, tuple(citations), related)


def _open_by_model(q: Question, qvec: np.ndarray, embedding_model: str) -> Question:
    """``q``, read as open when its question words did not say so but the learned detector does."""
    if not undecided(q):
        return q
    p = open_probability(qvec, embedding_model)
    if p is None or p < open_model().threshold:
        return q
    log.info("reading %r as an open question: the open-question model gives %.2f", q.text, p)
    return as_open(q)


DISCUSSED = 3  # passages an open question is answered with
KEY_SENTENCES = 2  # sentences quoted from each
# What the passage's retrieval rank (BM25 and dense over the whole chunk) adds to its closest sentences' cosine:
# a passage the hybrid search put first but whose single sentences are less close to a long question is often the
# one that discusses it. 0, 0.02, 0.05, 0.1, 0.2 and 0.3 were compared on the 200 questions of the eight open sets:
# the passages shown within 300 characters of a quote marked as discussing the question went 342 → 366, 372, 374,
# 367, 364 of 600; 0.05 also kept the most questions with one such passage (189 of 200). Ranking by retrieval
# alone: 364, and 186 questions.
RANK_WEIGHT = 0.05
# The question's words are not weighed beside the cosine here. Adding a tenth of a sentence's IDF share of them
# raised a lexical proxy on the eight open sets (passages naming two of a set's topic terms: 352 -> 365 of 600), but
# two readers comparing blind, old and new answers in random order on the fresh sets 9 and 10 preferred the
# answers without it 6 times to 1 on Chinese questions (README, Open questions): the words the asker used pull in
# passages that share a word and not the subject.


def discussion_intro(script: str) -> str:
    if script == "other":
        return "No one sentence answers this; these passages discuss it:"
    return to_script("没有一句话能直接回答这个问题；以下段落讨论了它：", script)


def discussion_passages(ranked: list[Scored], judged: list[Judged]) -> list[tuple[Hit, list[Scored]]]:
    """The passages an open question is answered with (at most :data:`DISCUSSED`), each with its key sentences.

    The first holds the most answerable sentence, quoted with the next most answerable one there: a
    why-question's reason or a how-question's method is often one sentence, and the answerability score finds
    it. The others are the passages most similar to the question, leaving out sentences a rule rules out: a
    passage is as strong as its :data:`KEY_SENTENCES` sentences closest to the question (the mean of their
    cosines, plus :data:`RANK_WEIGHT` over its retrieval rank), and those are quoted. Not the answerability
    score there: it was fitted to say whether a sentence states a fact asked for, and a reader judged passages
    chosen by it off topic more often than these (README, Conversations)."""
    ruled_out = {j.scored.sentence_id for j in judged if j.rule is not None}  # e.g. another year or group
    by_passage: dict[str, list[Scored]] = {}
    for one in ranked:
        if one.sentence_id not in ruled_out:
            by_passage.setdefault(one.hit.chunk.id, []).append(one)

    def key_sentences(group: list[Scored]) -> list[Scored]:
        return sorted(group, key=lambda o: -o.dense)[:KEY_SENTENCES]

    def strength(group: list[Scored]) -> float:
        keys = key_sentences(group)
        return sum(o.dense for o in keys) / len(keys) + RANK_WEIGHT / group[0].hit.rank

    chosen: list[tuple[Hit, list[Scored]]] = []
    answering = [j.scored for j in judged if j.rule is None]
    if answering:
        first = answering[0].hit
        chosen.append((first, [o for o in answering if o.hit.chunk.id == first.chunk.id][:KEY_SENTENCES]))
        by_passage.pop(first.chunk.id, None)
    for group in sorted(by_passage.values(), key=strength, reverse=True)[: DISCUSSED - len(chosen)]:
        chosen.append((group[0].hit, key_sentences(group)))
    return chosen


def _discussed(
    index: Index, q: Question, ranked: list[Scored], judged: list[Judged], related: tuple[Hit, ...]
) -> Answer:
    """An open question's answer: :func:`discussion_passages`, each under its heading, key sentences quoted."""
    judged_spans = {j.scored.sentence_id: j.span for j in judged}  # already worked out for the judged ones
    citations: list[Citation] = []
    lines = [discussion_intro(q.script)]
    for hit, keys in discussion_passages(ranked, judged):
        spans: list[tuple[int, int]] = []
        for one in keys:
            span = judged_spans.get(one.sentence_id) or _answer_span(index, one.sentence_id, q)
            if not any(span[0] < e and s < span[1] for s, e in spans):
                spans.append(span)
        parts = []
        # A heading with a figure in it could not be checked against a quote: it is left out.
        if hit.chunk.heading and not re.search(r"\d", hit.chunk.heading):
            parts.append(f"【{to_script(hit.chunk.heading, q.script)}】")
        for start, end in sorted(spans):
            citation = _citation(index, len(citations) + 1, hit, start, end)
            shown = _LIST_MARK.sub("", to_script(citation.quote, q.script)).replace("\n", " ")
            if unsupported_numbers(shown, [citation.quote]):
                continue
            citations.append(citation)
            parts.append(f"{shown} [{citation.n}]")
        if len(parts) > (1 if parts and parts[0].startswith("【") else 0):
            lines.append("- " + " ".join(parts))  # a digit here would be a number no quote holds
    if not citations:
        return Answer(q.text, not_found_text(q.script), False, (), related)
    return Answer(q.text, "\n".join(lines), True, tuple(citations), related)


def unknown_specifics(q: Question, index: Index) -> list[str]:
    """Names and years in the question that occur nowhere in the corpus ("forrester", "2023", 贝恩).

    A question about an organisation or a year the corpus never mentions cannot be answered from
    it, however similar the nearest sentence sounds. A report's catalogue entry (author, publisher)
    counts as a mention; a year counts where the reports' text gives it, not where a byline dates
    the report.
    """
    out = []
    for name in q.specifics:
        known = index.mentions(name) if name[0].isdigit() or not name.isascii() else name in index.df
        if not known:
            out.append(name)
    return out


def explain(j: Judged, settings: Settings) -> str:
    """The score and the feature that moved it most, for ``cxkb -v ask``."""
    low = j.p < settings.answerable_threshold
    name, push = answerable_model().decisive(j.features, lowest=low)
    return (
        f"answerability {j.p:.3f} (threshold {settings.answerable_threshold:.3f}), "
        f"{'lowered' if low else 'raised'} most by {name}={j.features[name]:.2f} ({push:+.2f} log-odds)"
    )


_PRONOUN = re.compile(r"^\s*(?:他|她|它|其|该|此|这)")


def _continues(index: Index, before: Judged, after: Judged) -> bool:
    """Whether ``after`` follows ``before`` in its report within :data:`BESIDE` sentences and opens with a pronoun
    (关于作者 Viswanath Krishnan 博士… 他的专长… 他在该行业…): it speaks of what ``before`` names."""
    rid = before.scored.hit.chunk.report_id
    if after.scored.hit.chunk.report_id != rid or after.span[0] < before.span[1]:
        return False
    if len(index.sentences.within(rid, before.span[1], after.span[0])) > BESIDE:  # type: ignore[attr-defined]
        return False
    return bool(_PRONOUN.match(index.reports[rid].text[after.span[0] : after.span[1]]))


def why_not(index: Index, q: Question, judged: list[Judged], unknown: list[str], settings: Settings) -> str | None:
    """Why the corpus does not answer ``q`` (logged with -v), or None when the best candidate may answer.

    Rules stand outside the learned score where the text states a fact against the question: a name or
    year the corpus never mentions; a span holding no figure of the kind asked for, not naming what is
    measured, or stating another qualifier (window, year, stage, direction, group).
    """
    if not judged:
        return "no sentence to quote in the top passages"
    best = judged[0]
    if unknown:
        return f"the corpus never mentions {', '.join(unknown)}"
    if q.asks_open:
        # Passages answer it, not a sentence: one that states another group or year is left out of them
        # (discussion_passages), and says nothing of whether the others discuss the question.
        return None
    if best.rule:
        return f"the best sentence {best.rule} (answerability {best.p:.3f})"
    # The score was fitted on Chinese questions; an English question's words never occur in the Chinese text,
    # so its word features sit outside what the model saw, and only the rules above judge it.
    if best.p < settings.answerable_threshold and not q.english:
        return f"no sentence is likely to answer: {explain(best, settings)}"
    # (A byline answering who wrote a report is put first whatever its score: see judge.)
    near = max((j for j in judged if j.rule), key=lambda j: j.p, default=None)
    if (
        near
        and not (q.provenance and best.scored.cue)
        and best.p < settings.near_miss_ratio * near.p
        and not _continues(index, near, best)
    ):
        # The likeliest sentence is a near miss: the corpus speaks of the thing asked there and says something
        # else. A far less likely sentence elsewhere answers a question about that spot by chance.
        return (
            f"the likeliest sentence {near.rule} (answerability {near.p:.3f}); the best left, {best.p:.3f}, is "
            f"below {settings.near_miss_ratio:g} of that"
        )
    return None
