"""Cited answers: the best-supported sentence of the top hits, or an honest abstention.

Retrieval finds chunks; here every sentence inside them is scored against the
question (dense similarity from vectors stored at build time, IDF-weighted word
overlap, and a bonus when it holds the kind of figure asked for: a percentage,
a count, a multiple, a year). The winner is returned in the asker's script with
a ``[1]`` marker; the citation keeps the original quote and its offsets. Every
number in an answer must occur in a quote it cites, or the answer is not given.
"""

from __future__ import annotations

import bisect
import logging
import math
import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .chunk import is_heading
from .index import Index
from .models import Answer, Citation, Hit, Report
from .normalize import normalize
from .qualifiers import Qualifier, conflicts, qualifiers
from .search import Filters, check_question, query_vector, search
from .segment import chinese_names, cut, english_expansion, tokenize
from .settings import Settings

log = logging.getLogger(__name__)

# --- the kind of figure a question asks for ---------------------------------------------------

_KINDS: dict[str, tuple[re.Pattern[str], re.Pattern[str]]] = {
    "multiple": (
        re.compile(r"几倍|多少倍|倍数|times|multiple"),
        re.compile(r"\d+(?:\.\d+)?\s*倍|[一二三四五六七八九十两]+倍|近两倍|double|times"),
    ),
    "percent": (
        # A rate (流失率, 续订率, retention rate) is a percentage; 效率 (efficiency) is not a rate.
        re.compile(
            r"百分之|百分比|比例|占比|占多少|多大比例|多少%|几成|百分点|(?<!效)率.{0,6}多少"
            r"|percent|share|proportion|what fraction|\brate\b"
        ),
        re.compile(
            r"\d+(?:\.\d+)?\s*(?:%|个?百分点)|百分之|[一二三四五六七八九十两]+分之[一二三四五六七八九十]+"
            r"|[一二三四五六七八九]成|半数|一半"
        ),
    ),
    "count": (
        re.compile(r"多少(?:名|位|家|个|人|种|项|次|页|国|篇)|几(?:名|位|家|个|种|项)|how many|number of|样本"),
        re.compile(r"\d[\d,]*\s*多?\s*(?:名|位|家|个|人|种|项|次|页)|n\s*=\s*\d+"),
    ),
    "duration": (
        re.compile(r"多久|多长时间|多少(?:分钟|小时|天|秒|周|个月)|how long"),
        re.compile(
            r"(?:\d+(?:\.\d+)?|[一二三四五六七八九十两半]+)\s*(?:分钟|分|小时|个?工作日|天|秒|周|个月|年|minutes?|hours?|days?)"
        ),
    ),
    "year": (
        re.compile(r"哪一?年|何年|什么时候|何时|哪个时间|when|what year"),
        re.compile(r"(?:19|20)\d\d\s*年|\d{4}-\d\d"),
    ),
    "money": (
        re.compile(
            r"多少钱|多少美元|多少元|收入|预算|花费|支出|开支|薪|工资|revenue|budget|how much money|spen[dt]|salary|wage"
        ),
        re.compile(r"\d[\d,.]*\s*(?:万|亿)?\s*(?:美元|元|人民币)"),
    ),
}
_ANY_FIGURE = re.compile(r"\d|[一二三四五六七八九十两]+(?:分之|倍)")


# Counts and ordinals in Chinese numerals: 六种, 第二份; not 两位数 (two digits).
_CN_COUNT = re.compile(
    r"第[一二三四五六七八九十]+|[一二三四五六七八九十两]+(?:种|项|个|位(?!数)|名|家|类|大|点|条|年|份|篇)"
)


_RATE = re.compile(r"([\u4e00-\u9fff]{1,6}(?<!效)率)")


def answers_kind(kind: str | None, text: str, question: str = "") -> bool:
    """Whether ``text`` can answer a question asking for ``kind``: it holds a figure of that kind
    (counts may be written in Chinese numerals, 六种). Surveys answer "how many people" with a share,
    so a count question also takes a percentage; a rate (客诉率) takes any figure when the sentence
    names that rate, since a rate may be per ten thousand rather than a percentage."""
    if holds_kind(kind, text):
        return True
    if kind == "count" and holds_kind("percent", text):
        return True
    if kind == "percent" and _ANY_FIGURE.search(text):
        norm = normalize(text)
        if any(rate[-3:] in norm for rate in _RATE.findall(normalize(question))):
            return True
    return kind in ("count", "figure") and bool(_CN_COUNT.search(normalize(text)))


_ASKS_DEFINITION = re.compile(
    r"怎么计算|如何计算|怎么定义|如何定义|怎么界定|如何界定|是什么意思|指什么|指的是什么|定义|what does .* mean|how is .* (?:defined|calculated)"
)
_DEFINES = re.compile(r"是指|指的是|定义为|界定为|所称|即|按.{0,12}计算|means|is defined")


def asks_definition(question: str) -> bool:
    return bool(_ASKS_DEFINITION.search(normalize(question)))


_ASKS_AUTHOR = re.compile(r"作者是谁|谁写的|谁撰写|撰稿人|作者|who wrote|author")
_ASKS_PUBLISHED = re.compile(
    r"(?:什么时候|哪一?天|何时|哪一?年|哪个月|日期).{0,4}(?:发布|发表|刊登|出版)|(?:发布|发表)(?:日期|时间)|when was .* published|publication date"
)


def asks_provenance(question: str) -> bool:
    """Who wrote the report or when it appeared: its byline answers that, not a sentence of its text."""
    q = normalize(question)
    return bool(_ASKS_AUTHOR.search(q) or _ASKS_PUBLISHED.search(q))


def asked_kind(question: str) -> str | None:
    q = normalize(question)
    for kind, (asks, _) in _KINDS.items():
        if asks.search(q):
            return kind
    if re.search(r"多少|几|how much", q):
        return "figure"
    return None


def holds_kind(kind: str | None, text: str) -> bool:
    if kind is None:
        return True
    if kind == "figure":
        return bool(_ANY_FIGURE.search(text))
    return bool(_KINDS[kind][1].search(normalize(text)))


# --- scripts ----------------------------------------------------------------------------------

_CJK = re.compile(r"[\u3400-\u9fff]")


@lru_cache(maxsize=2)
def _converter(config: str):
    import opencc

    return opencc.OpenCC(config)


def script_of(text: str) -> str:
    """'traditional', 'simplified', or 'other' (no Chinese characters, e.g. English)."""
    chinese = "".join(_CJK.findall(text))
    if not chinese:
        return "other"
    return "traditional" if _converter("t2s").convert(chinese) != chinese else "simplified"


def to_script(text: str, script: str) -> str:
    """Text in the asker's script; text already in that script is returned untouched."""
    if script not in ("simplified", "traditional") or script_of(text) in (script, "other"):
        return text
    # s2tw: Taiwan standard forms (為, 裡), as in the traditional reports people paste from.
    return _converter("t2s" if script == "simplified" else "s2tw").convert(text)


# --- the terms a figure's sentence must name -------------------------------------------------


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_QUOTED = re.compile(r"[“「『\"]([^“”「」『』\"]+)[”」』\"]")
_UNIT = r"(?:万|亿)?(?:美元|元|人民币|个百分点|百分点|%|倍|分|位|名|家|个|人|种|项)?"
_ASKED_AT_END = re.compile(rf"(?:多少|几){_UNIT}\s*[？?]?\s*$")
# Between the measured word and 多少: 预算 in 平均预算是多少, 流失率 in 流失率平均为多少.
_LINKS = _words("是 为 有 占 约 大约 大概 平均 一共 总共 共 分别 能 会 了 的 到 达 达到")
# Who was counted or what the share is of (组织占多少, 比例是多少): the figure itself answers those, and
# a change (提高了多少) may be worded 提升 or 增长 in the report.
_NOT_MEASURED = _words(
    "组织 企业 公司 受访者 受访企业 受访组织 受访高管 高管 人 人数 数量 数字 比例 百分比 占比 比率 可能性 "
    "提高 提升 增加 增长 降低 减少 下降 上升 加快 高出 超过 不到 只 仅 只有 年 次 "
    "居民 顾客 客户 消费者 用户 旅客 乘客 住客 会员 员工 患者 家庭 用户数 受访居民 受访用户"
)
# A kind of experience other than the corpus's subject: 员工体验 and 品牌体验 figures differ.
_SUBJECT_EXPERIENCE = _words("客户体验 顾客体验 用户体验 全面体验")


def required_terms(question: str) -> list[str]:
    """Words the sentence giving a figure must contain for it to answer ``question``.

    - a phrase the asker put in quotation marks (survey wording: “关键优先事项”);
    - for a figure question, the word naming what is measured, before a final 多少 (预算 in
      平均预算是多少美元);
    - for a figure question, 平均 (an average is not a threshold like 年收入超过 5000 万美元),
      and a kind of experience other than customer experience (员工体验, 品牌体验).

    A sentence with the right topic and a figure about something else does not answer the question.
    Quoted names shorter than four characters (「精英」型) are labels the surrounding passage may
    establish, so they are not required. English questions meet Chinese sentences, so nothing is
    required of them.
    """
    if script_of(question) == "other":
        return []
    q = normalize(question)
    terms = [p for p in (_squash(m) for m in _QUOTED.findall(q)) if len(p) >= 4]
    if asked_kind(question) is None:
        return terms
    words = cut(q)
    end = _ASKED_AT_END.search(q)
    if end:
        terms += _measured(reversed(cut(q[: end.start()])))
    if "平均" in words:
        terms.append("平均")
    terms += [w for w in words if len(w) >= 4 and w.endswith("体验") and w not in _SUBJECT_EXPERIENCE]
    return list(dict.fromkeys(terms))


def _measured(words) -> list[str]:
    for word in words:
        if word in _LINKS:
            continue
        # One character is a fragment of a split word (占比 -> 占 / 比), too little to require.
        if len(word) >= 2 and word not in _NOT_MEASURED and _CJK.search(word):
            return [word]
        return []
    return []


@lru_cache(maxsize=1)
def _synonyms() -> dict[str, tuple[str, ...]]:
    """CX terms and what reports call them instead (cxkb/data/synonyms.tsv)."""
    from importlib import resources

    groups: dict[str, tuple[str, ...]] = {}
    for line in (resources.files("cxkb") / "data" / "synonyms.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            terms = line.split("\t")
            groups[terms[0]] = groups.get(terms[0], ()) + tuple(terms[1:])
    return groups


def missing_terms(question: str, text: str, context: str = "") -> list[str]:
    """The :func:`required_terms` that ``text`` lacks.

    A measured word counts when all its characters occur (平均差 is found in 平均差距), its last two do
    (Chinese compounds end in their head, and a report may drop the modifier: 客户满意度 → 满意度,
    讲清楚 → 清楚), or a synonym does (净推荐值 → NPS). A quoted phrase that names the report itself (its
    title, in ``context``) identifies the report rather than the sentence.
    """
    have = _squash(normalize(text))
    around = _squash(normalize(context))
    quoted = {_squash(m) for m in _QUOTED.findall(normalize(question))}

    def found(t: str) -> bool:
        if t in quoted:
            return t in have or (bool(around) and t in around)
        if t == "平均" or t.endswith("体验"):
            return t in have
        if all(c in have for c in t) or (len(t) >= 3 and t[-2:] in have):
            return True
        return any(alt in have for alt in _synonyms().get(t, ()))

    return [t for t in required_terms(question) if not found(t)]


def _squash(text: str) -> str:
    return "".join(text.split())


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
    sentence_id: int
    score: float
    dense: float
    overlap: float
    kind_ok: bool
    hit: Hit


def _sentences_in(index: Index, hit: Hit) -> list[int]:
    """Ids of the sentences lying wholly inside a hit's chunk."""
    ids = index.sentence_ids(hit.chunk.report_id)
    starts = [index.sentences[i].start for i in ids]
    out = []
    for i in ids[bisect.bisect_left(starts, hit.chunk.start) :]:
        s = index.sentences[i]
        if s.start >= hit.chunk.end:
            break
        if s.end <= hit.chunk.end:
            out.append(i)
    return out


def _weights(question_tokens: list[str], index: Index) -> dict[str, float]:
    """IDF of each question word over the chunks: rare words carry the question."""
    n = max(1, len(index.chunks))
    return {t: math.log(1 + n / (1 + index.df.get(t, 0))) for t in set(question_tokens)}


def _overlap(weights: dict[str, float], present: frozenset[str]) -> float:
    """IDF-weighted share of the question's words found in the sentence."""
    total = sum(weights.values())
    return sum(w for t, w in weights.items() if t in present) / total if total else 0.0


def _defines(norm: str, terms: list[str]) -> bool:
    return bool(_DEFINES.search(norm)) and all(t in _squash(norm) for t in terms)


def _names_row(index: Index, report_id: str, start: int, end: int, question: str) -> bool:
    """A table row the question looks up: it names the row's label and one of its column headers
    ("即时零售的满意度" and the row 即时零售 with a 满意度 column)."""
    report = index.reports[report_id]
    if report.kind_at(start) != "table_row":
        return False
    for cell in report.cells:
        if start <= cell.start < end:
            parts = [_squash(normalize(p)) for p in cell.label.split(" · ")]
            row, header = (parts[-2], parts[-1]) if len(parts) >= 2 else ("", "")
            if row and header and row in question and header in question:
                return True
    return False


def score_sentences(index: Index, question: str, hits: list[Hit], qvec: np.ndarray, settings: Settings) -> list[Scored]:
    from .generate import looks_like_injection  # generate imports this module

    kind = asked_kind(question)
    defines, provenance = asks_definition(question), asks_provenance(question)
    q_norm = _squash(normalize(question))
    quoted = [_squash(m) for m in _QUOTED.findall(normalize(question))]
    english = script_of(question) == "other"
    # An English question shares no words with Chinese sentences; the CX glossary's Chinese terms for its
    # words (cxkb/data/en_zh.tsv, as the keyword search uses them) stand in for them.
    weights = _weights(english_expansion(question) if english else tokenize(question), index)
    w = settings.answer_dense_weight if not english or weights else 1.0
    has_vectors = index.sentence_vectors.ndim == 2 and index.sentence_vectors.shape[1] == len(qvec)
    seen: set[int] = set()
    scored = []
    for hit in hits:
        for sid in _sentences_in(index, hit):
            if sid in seen:
                continue
            seen.add(sid)
            s = index.sentences[sid]
            start, end = quotable(index, sid)
            text = index.reports[s.report_id].text[start:end]
            if start > s.start and len(_CJK.findall(text)) < 8:
                continue  # only a chart's labels and source line, or a clause a garbled run cut
            if "〔" in text or looks_like_injection(text):
                continue  # garbled text is never quoted; text addressed to a model is data, not an answer
            if is_title(index.reports[s.report_id], start, text):
                continue  # a heading or title names a topic; it answers nothing
            dense = float(index.sentence_vectors[sid] @ qvec) if has_vectors else hit.scores.get("dense", 0.0)
            overlap = _overlap(weights, index.sentence_tokens(sid))
            # Words naming the report (its title, publisher, author) say which report, not which sentence:
            # every sentence of that report has them for ranking (the abstention gate keeps ``overlap``).
            in_context = _overlap(weights, index.sentence_tokens(sid) | index.report_tokens(s.report_id))
            byline = provenance and index.reports[s.report_id].kind_at(start) == "byline"
            kind_ok = holds_kind(kind, text)
            # A definition question is answered by a sentence that defines (是指, 所称, 按…计算), and a
            # question about who wrote a report or when it appeared by its byline.
            # A definition question that quotes its term ("“满意度”指标是怎么计算的") wants that term defined.
            defined = defines and _defines(normalize(text), quoted)
            cue = defined or byline or _names_row(index, s.report_id, start, end, q_norm)
            score = (
                w * dense
                + (1 - w) * in_context
                + (settings.answer_kind_bonus if kind and kind_ok else 0.0)
                + (settings.answer_kind_bonus if cue else 0.0)
                + settings.answer_rank_bonus / hit.rank
                + settings.answer_hit_weight * hit.score
            )
            # A byline speaks for its whole report: the report's own words count as its words.
            scored.append(Scored(sid, score, dense, in_context if byline else overlap, kind_ok, hit))
    return sorted(scored, key=lambda x: -x.score)


_TITLE_KINDS = ("title", "heading", "caption")


def is_title(report: Report, start: int, text: str) -> bool:
    """A heading, title or caption: from the document's structure, or by shape where none was recorded."""
    kind = report.kind_at(start)
    shaped = kind in _TITLE_KINDS if kind else is_heading(text)
    return shaped and not _LIST_ITEM.match(text)  # a numbered line may still answer (一、… 是…)


# --- composing ----------------------------------------------------------------------------------


_LIST_ITEM = re.compile(r"^\s*(?:[-*•·]|\d+[.、)]|[（(]?[一二三四五六七八九十]+[)）、])")
_CONTINUATION = re.compile(r"^(?:它|这|其中|其|他们|她们|因此|所以|也就是说)")
_REASON = re.compile(r"原因|因为|由于|导致|because")
_ASKS_LIST = re.compile(r"哪[几一二两三四五六七八九十]|哪些|有什么|包括什么|which|what are")
_ASKS_WHY = re.compile(r"为什么|为何|什么原因|why")
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


def _answer_span(index: Index, sid: int, question: str = "") -> tuple[int, int]:
    """A sentence and what it leads into: the clause after ；, the list after ：, or the next sentence
    when that one refers back (它/这/其中…) or gives the reason a why-question asks for."""
    s = index.sentences[sid]
    text = index.reports[s.report_id].text
    q = normalize(question)
    asks_list, asks_why = bool(_ASKS_LIST.search(q)), bool(_ASKS_WHY.search(q))
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
        in_list = bool(_LIST_ITEM.match(following)) and (asks_list or opened)
        first_step = j == sid and (
            (asks_list and following.rstrip().endswith(_OPENS))
            or bool(_CONTINUATION.match(following))
            or (asks_why and bool(_REASON.search(following)))
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


def asked_qualifiers(question: str) -> list[Qualifier]:
    """The question's qualifiers; an English question's words never occur in the reports, so only its years."""
    found = qualifiers(question)
    return [q for q in found if q.kind == "year"] if script_of(question) == "other" else found


ANSWER_MARGIN = 0.02  # how far below the top score a sentence that passes the checks may be chosen instead


def _first_that_answers(index: Index, question: str, ranked: list[Scored], settings: Settings) -> list[Scored]:
    """``ranked`` with the best sentence that holds the asked kind of figure and names what is measured
    moved to the front, when it scores within ANSWER_MARGIN of the top: a near-tie is settled by what
    the question requires, not by which chunk retrieval ranked first."""
    if not ranked:
        return ranked
    kind, asked = asked_kind(question), asked_qualifiers(question)
    for i, candidate in enumerate(ranked[:5]):
        if candidate.score < ranked[0].score - ANSWER_MARGIN:
            break
        span = _answer_span(index, candidate.sentence_id, question)
        report = candidate.hit.chunk.report_id
        text = index.reports[report].text[span[0] : span[1]]
        head = index.report_head(report)
        if (
            answers_kind(kind, text, question)
            and not missing_terms(question, text, head)
            and not conflicts(asked, text, head)
        ):
            return [candidate, *ranked[:i], *ranked[i + 1 :]] if i else ranked
    return ranked


def answer(index: Index, question: str, settings: Settings, *, filters: Filters | None = None) -> Answer:
    """Answer ``question`` from ``index`` with verified citations, or abstain."""
    question = check_question(question, settings)
    qvec = query_vector(index, question, settings)
    hits = search(index, question, settings, k=settings.answer_hits, filters=filters, qvec=qvec)
    script = script_of(question)
    related = tuple(hits[:3])
    ranked = score_sentences(index, question, hits, qvec, settings)
    ranked = _first_that_answers(index, question, ranked, settings)
    first = _answer_span(index, ranked[0].sentence_id, question) if ranked else (0, 0)
    best_text = index.reports[ranked[0].hit.chunk.report_id].text[first[0] : first[1]] if ranked else ""
    why = why_not(index, question, ranked[0] if ranked else None, best_text, settings)
    if why:
        log.info("not answering %r: %s", question, why)
        return Answer(question, not_found_text(script), False, (), related)
    chosen = [ranked[0]]
    for other in ranked[1:2]:
        span = _answer_span(index, other.sentence_id, question)
        same_place = (
            other.hit.chunk.report_id == ranked[0].hit.chunk.report_id and span[0] < first[1] and first[0] < span[1]
        )
        if other.score >= ranked[0].score - settings.answer_second_margin and not same_place:
            chosen.append(other)
    citations, parts = [], []
    for scored in chosen:
        start, end = _answer_span(index, scored.sentence_id, question)
        n = len(citations) + 1
        citation = _citation(index, n, scored.hit, start, end)
        shown = _LIST_MARK.sub("", to_script(citation.quote, script)).replace("\n", " ")
        if unsupported_numbers(shown, [citation.quote]):
            continue  # never emit a number the quote does not hold
        citations.append(citation)
        parts.append(f"{shown} [{n}]")
    if not citations:
        return Answer(question, not_found_text(script), False, (), related)
    return Answer(question, " ".join(parts), True, tuple(citations), related)


_SPECIFIC = re.compile(r"[a-z][a-z0-9.&-]+|(?:19|20)\d\d")


def unknown_specifics(question: str, index: Index) -> list[str]:
    """Names and years in the question that occur nowhere in the corpus ("forrester", "2023", 贝恩).

    A question about an organisation or a year the corpus never mentions cannot be answered from
    it, however similar the nearest sentence sounds. English questions are checked for years only.
    """
    english = script_of(question) == "other"
    out = []
    for token in dict.fromkeys(tokenize(question)):
        if not _SPECIFIC.fullmatch(token) or (english and not token[0].isdigit()):
            continue
        # A year counts where the reports' text gives it, not where a byline dates the report.
        if (not index.mentions(token)) if token[0].isdigit() else token not in index.df:
            out.append(token)
    if not english:
        out += [name for name in chinese_names(question) if not index.mentions(name)]
    return out


def why_not(index: Index, question: str, best: Scored | None, best_text: str, settings: Settings) -> str | None:
    """Why the corpus does not answer ``question`` (logged with -v), or None when ``best_text`` (the best
    sentence and what it leads into) may answer it."""
    if best is None:
        return "no sentence to quote in the top passages"
    if not answerable(best, settings, question):
        return f"best sentence scores {best.score:.2f} and shares {best.overlap:.0%} of the question's key words"
    unknown = unknown_specifics(question, index)
    if unknown:
        return f"the corpus never mentions {', '.join(unknown)}"
    kind = asked_kind(question)
    if not answers_kind(kind, best_text, question):
        return f"the best sentence holds no {kind} figure"
    head = index.report_head(best.hit.chunk.report_id)
    missing = missing_terms(question, best_text, head)
    if missing:
        return f"the best sentence's figure is not about {', '.join(missing)}"
    clash = conflicts(asked_qualifiers(question), best_text, head)
    if clash:
        return f"the best sentence states another qualifier: {'; '.join(clash)}"
    return None


def answerable(best: Scored, settings: Settings, question: str = "") -> bool:
    """Calibrated on the eval set's unanswerable questions (see README, Answers).

    A question asking for a figure needs a sentence that shares its key words, not just any sentence
    with a number: "2023 年银行业的 NPS" is not answered by "三分之二的受访者使用 NPS".
    """
    if best.score < settings.abstain_threshold:
        return False
    asks_figure = asked_kind(question) is not None and script_of(question) != "other"
    return not (asks_figure and best.overlap < settings.abstain_min_overlap)
