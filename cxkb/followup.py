"""Follow-up questions in a conversation: "那 B2B 企业呢？" after a question about CX leaders.

A chat question that leaves out its topic ("那…呢", "…呢？", "what about …?") or points back at the last one
("这个比例", "它们", "this share") cannot be searched as typed: its few words find nothing, or the wrong thing.
:func:`understand` rewrites it as a standalone question from the previous turn (its parsed question and the
report its answer came from) and says whether it did, so the chat can show the question as understood and
offer to ask it as typed instead. The rewrite is rule-based and general: a qualifier of the same kind as one
the previous question states (a group, year, window or stage) replaces it; a referring phrase is replaced by
the previous question's topic; anything else is added to the previous question as its new scope.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .normalize import normalize
from .qualifiers import qualifier_spans
from .question import Question, parse, to_script

__all__ = ["Turn", "Understood", "is_follow_up", "understand"]


@dataclass(frozen=True)
class Turn:
    """A finished turn: the question as understood, and the report its answer cited (None if it abstained)."""

    question: Question
    report_id: str | None = None


@dataclass(frozen=True)
class Understood:
    """A question as typed and as it will be searched; ``rewritten`` when the two differ."""

    typed: str
    question: str
    rewritten: bool
    report_id: str | None = None  # the previous turn's report: where a follow-up is looked for first


# "那 B2B 企业呢？", "而落后者呢", "还有 2023 年的呢", "what about B2B?", "and for laggards?"
_OPENER = re.compile(
    r"^(?:那么|那(?![些个里样种家份篇位项次时年])|而|还有|再看看|再看|至于|and\s+(?:for|in|among)|what\s+about|how\s+about|and)\s*",
    re.I,
)
_CLOSER = re.compile(r"\s*(?:的情况|情况)?(?:又)?(?:如何|怎么样|怎样)?\s*呢?\s*[？?。.!！]*\s*$")
_ENDS_NE = re.compile(r"呢\s*[？?]?\s*$")
# Phrases that point back at the previous question's topic: always (这个比例, this share) …
_REFERS = re.compile(
    r"这个(?:比例|比率|数字|数|数据|指标|结果|发现|报告|调查|群体)|这一(?:比例|比率|数字|数据|指标|结果|发现)"
    r"|该(?:比例|比率|数字|数据|指标|报告|调查|群体)|这些(?:企业|公司|组织|人|受访者|领先者|高管)"
    r"|这样的(?:企业|公司|组织)|这份报告|这项调[研查]"
    r"|\b(?:this|that|the same)\s+(?:share|figure|number|rate|percentage|report|survey|study|group)\b",
    re.I,
)
# … or, for a pronoun, only in a short question with little of its own to say ("它们为什么这样做？"): a long
# question uses 他们 and "it" for its own subject.
_PRONOUN = re.compile(r"它们|他们|她们|它|其中|\bthey\b|\bthem\b|\bit\b", re.I)
PRONOUN_SHORT = 14  # characters (Chinese) or words (English)
# What a question asks, at its end: taken off the previous question to leave its topic.
_ASKED = re.compile(
    r"(?:是|有|占|为|达到|大约|大概|一共|平均)*(?:多少[^，,。？?]*|几[^，,。？?]*|什么[^，,。？?]*|哪些[^，,。？?]*"
    r"|哪[一个种类家位][^，,。？?]*|如何[^，,。？?]*|怎样[^，,。？?]*|怎么[^，,。？?]*|吗)?\s*[？?。]?\s*$"
)
_WHY = re.compile(r"^(?:为什么|为何|why)\b", re.I)
_CJK = re.compile(r"[\u3400-\u9fff]")
SHORT = 10  # a question this short (characters, spaces left out) with no noun of its own leans on the last one


def is_follow_up(q: Question) -> bool:
    """Whether a question leans on the previous turn: it opens or closes elliptically (那…呢, what about …),
    points back at it (这个比例, 它们, this share), or is too short to stand alone ("为什么？", "B2C 呢")."""
    text = q.norm.strip()
    if _OPENER.match(text) and (len(text) <= 30 or _ENDS_NE.search(text)):
        return True
    if _ENDS_NE.search(text) or _REFERS.search(text):
        return True
    size = len(text.split()) if q.english else len(re.sub(r"\s", "", text))
    if _PRONOUN.search(text) and size <= PRONOUN_SHORT and len(q.nouns) <= 1:
        return True
    return len(re.sub(r"\s", "", text)) <= SHORT and not q.nouns and not q.specifics


def _topic(previous: str) -> str:
    """The previous question without what it asked: 有核心客户体验指标的组织占多少？ -> 有核心客户体验指标的组织."""
    topic = _ASKED.sub("", previous).rstrip("的，, ")
    return topic or previous.rstrip("？?。 ")


def _core(text: str) -> str:
    """A follow-up without its opener and closer: 那 B2B 企业呢？ -> b2b 企业."""
    return _CLOSER.sub("", _OPENER.sub("", text)).strip()


def understand(text: str, previous: Turn | None) -> Understood:
    """``text`` as a standalone question, given the previous turn (None starts a conversation)."""
    q = parse(text)
    if previous is None or not is_follow_up(q):
        return Understood(q.text, q.text, False)
    prev = previous.question
    rewritten = _rewrite(q, prev)
    if not rewritten or normalize(rewritten) == q.norm:
        return Understood(q.text, q.text, False)
    script = q.script if _CJK.search(q.text) else prev.script
    shown = _as_typed(to_script(rewritten, script) if _CJK.search(rewritten) else rewritten, q.text, prev.text)
    return Understood(q.text, shown, True, previous.report_id)


def _as_typed(text: str, *typed: str) -> str:
    """Normalised words back as the asker typed them (B2B, not b2b) and a full-width question mark in Chinese."""
    cased = {w.lower(): w for source in typed for w in re.findall(r"[A-Za-z][A-Za-z0-9&.-]*", source)}
    text = re.sub(r"[A-Za-z][A-Za-z0-9&.-]*", lambda m: cased.get(m.group(0).lower(), m.group(0)), text)
    return re.sub(r"\?$", "？", text) if _CJK.search(text) else text


def _rewrite(q: Question, prev: Question) -> str:
    if prev.english or (q.english and not _CJK.search(prev.text)):
        return _rewrite_english(q, prev)
    before = prev.norm
    core = _core(q.norm)
    if _WHY.match(core) and len(core) <= 8:
        return f"为什么{_topic(before)}？"
    refer = _REFERS.search(core)
    if refer:
        return (
            core[: refer.start()] + _topic(before) + core[refer.end() :] + ("" if core.endswith(("？", "?")) else "？")
        )
    # A qualifier of a kind the previous question states replaces it there: 领先者 -> 落后者, 2021 -> 2023.
    new = qualifier_spans(core)
    old = qualifier_spans(before)
    for qual, qs, qe in new:
        for prior, start, end in old:
            if prior.kind == qual.kind and prior.value != qual.value:
                return before[:start] + core[qs:qe] + before[end:]
    if not core:
        return ""
    # Otherwise the follow-up names a new scope for the same question: B2B 企业 + 领导者和其他企业相比有什么不同.
    return f"{core.rstrip('的')}的{before}"


def _rewrite_english(q: Question, prev: Question) -> str:
    core = _core(q.text).rstrip("?？. ")
    refer = _REFERS.search(core) or _PRONOUN.search(core)
    previous = prev.text.rstrip("?？. ")
    if refer:
        return f"{core[: refer.start()]}{previous}{core[refer.end() :]}?"
    if _WHY.match(core) and len(core.split()) <= 3:
        return f"Why: {previous}?"
    return f"{previous}, for {core}?" if core else ""
