"""Follow-up questions in a conversation: "那 B2B 企业呢？" after a question about CX leaders.

A chat question that leaves out its topic ("那…呢", "…呢？", "what about …?") or points back at the last one
("这个比例", "它们", "this share") cannot be searched as typed: its few words find nothing, or the wrong thing.
:func:`understand` rewrites it as a standalone question from the previous turn (its parsed question and the
report its answer came from) and says whether it did, so the chat can show the question as understood and
offer to ask it as typed instead. The rewrite is rule-based and general: a qualifier of the same kind as one
the previous question states (a group, year, window or stage) replaces it; a referring phrase that opens the
follow-up is replaced by the previous question's topic; a follow-up asking its own question is asked about that
topic; anything else narrows the previous question as its new scope.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .models import Answer
from .normalize import normalize
from .qualifiers import qualifier_spans
from .question import Question, parse, to_script
from .segment import nouns

__all__ = ["Turn", "Understood", "is_follow_up", "understand"]


@dataclass(frozen=True)
class Turn:
    """A finished turn: the question as understood, and the report its answer cited (None if it abstained)."""

    question: Question
    report_id: str | None = None
    answer: str = ""  # the answer as shown: what an LLM rewrite reads as the conversation so far
    quoted: tuple[tuple[str, int, int], ...] = ()  # (report id, start, end) of each span the answer quoted

    @classmethod
    def of(cls, question: Question, answer: Answer) -> Turn:
        """The turn that asked ``question`` and got ``answer``: the first cited report, the answer if it gave one."""
        if not (answer.answerable and answer.citations):
            return cls(question, None, answer.answer if answer.answerable else "")
        quoted = tuple((c.report_id, c.start, c.end) for c in answer.citations)
        return cls(question, answer.citations[0].report_id, answer.answer, quoted)


@dataclass(frozen=True)
class Understood:
    """A question as typed and as it will be searched; ``rewritten`` when the two differ."""

    typed: str
    question: str
    rewritten: bool
    report_id: str | None = None  # the previous turn's report: where a follow-up is looked for first
    names_its_own: bool = False  # the follow-up names a report, organisation or year itself: look everywhere
    by: str = "rules"  # who rewrote it: "rules", or "llm" (the condense-question rewrite, cxkb.generate.condense)


# "那 B2B 企业呢？", "而落后者呢", "还有 2023 年的呢", "what about B2B?", "and for laggards?"
_OPENER = re.compile(
    r"^(?:那么|那(?![些个里样种家份篇位项次时年])|而|还有|再看看|再看|至于|and\s+(?:for|in|among)|what\s+about|how\s+about|and)\s*",
    re.I,
)
_CLOSER = re.compile(
    r"\s*(?:那边|这边|方面|那里|这里)?(?:的情况|情况)?(?:又)?(?:如何|怎么样|怎样)?\s*呢?\s*[？?。.!！]*\s*$"
)
# A short question that only asks how things stand (落后者那边情况怎样？) asks it of the last turn's measure.
_ENDS_HOW = re.compile(r"(?:如何|怎么样|怎样)\s*[？?]?\s*$")
_ENDS_NE = re.compile(r"呢\s*[？?]?\s*$")
# Phrases that point back at the previous question's topic: always (这个比例, 这类企业, this share) …
_REFERS = re.compile(
    r"(?:这|该|此)(?:个|一|类|种|些|位|项|次|样的|份)?"
    r"(?:比例|比率|数字|数据|指标|结果|发现|报告|调查|调研|研究|群体|企业|公司|组织|人|受访者|领先者|高管|行业"
    r"|措施|做法|阶段|部门|职位|角色|渠道)"
    r"|\b(?:this|that|the same|these|those)\s+(?:share|figure|number|rate|percentage|report|survey|study|group"
    r"|companies|firms|organi[sz]ations|people|respondents|leaders)\b"
    r"|\b(?:these|those)\s+[a-z]+",  # a plural demonstrative points back whatever it names (those teams)
    re.I,
)
# … or a kind of anything (这种压力, 此类做法), when the question has not named it itself. (Not 这样的: 像…这样的
# compares.) The rewrite keeps the word, asking its question of the last turn's topic.
_REFERS_KIND = re.compile(r"(?:这|此)(?:种|类|些)(?=[\u3400-\u9fff])")
# … or, for a pronoun, only in a short question with little of its own to say ("它们为什么这样做？"): a long
# question uses 他们 and "it" for its own subject. (其他 is not 他.)
_PRONOUN = re.compile(
    r"它们|他们|她们|它|(?<![其吉])他(?!们|人)|她(?!们)|其中|\bthey\b|\bthem\b|\bit\b|\bits\b"
    r"|\b(?:have|has|had|use|uses|used|without)\s+one(?=\s*(?:at\s+all|yet|either)?\s*(?:[?？.!,]|$))",  # have one?
    re.I,
)
# A question that opens on a demonstrative (这些特征…, 该报告…, 此次…) points back at something already named.
_OPENS_ON_THIS = re.compile(r"^(?:这|该|此)(?:些|个|类|种|项|位|份|次|样|家|群)?(?=[\u3400-\u9fff])")
# A pronoun as the question's last word (…来打破它？, …解决它们？) is an object taken from the last turn.
_ENDS_ON_PRONOUN = re.compile(r"(?:它们|他们|她们|它)\s*[？?]?\s*$")
# Words that only place a question in time; a question with nothing else of its own leans on the last one.
_TIME_NOUNS = frozenset({"预计", "预期", "估计", "未来", "今后", "将来", "目前", "现在", "当前", "如今"})
PRONOUN_SHORT = 16  # characters (Chinese) or words (English)
OPENER_SHORT = 30  # characters (Chinese) or words / 3 (English): an opener (那, and …) on a short question
# The question words of a question (with the verb or measure word that goes with them): taken out of the
# previous question, they leave its topic, whatever else the question said after them.
_ASKED = re.compile(
    r"(?:是|在|有|占|为|达到|大约|大概|一共|平均|总共)*"
    r"(?:多少[位个家种项名次倍人]?|几[成个种项位家次年倍名类]?|什么样的|什么样|什么|哪(?:一)?[个种类家位项些本份]?|如何|怎样|怎么|谁|吗)"
)
# Characters a clause cannot end on once its question word is gone (…，把 / …取消了 / …通常叫).
_DANGLING = "把将被对和与跟向给让叫是为在用从的了有占"
# A follow-up that asks its own question (…是多少？, 用什么取代了它？) rather than naming a new scope (落后者呢？).
_ASKS = re.compile(r"多少|几|什么|哪|谁|如何|怎样|怎么|为什么|为何|吗|是否|\b(?:what|which|who|how|why|when)\b", re.I)
# When a question is about: now, a coming period or a past one. A follow-up naming another ("两三年后呢？") replaces
# the previous question's (目前有多少领先者… -> 两三年后有多少领先者…).
_WHEN = re.compile(
    r"目前|现在|当前|如今|眼下|现阶段|今后|将来|未来(?:的)?(?:[一二两三四五六七八九十\d]+(?:到|至|-)?[一二两三四五六七八九十\d]*年)?"
    r"|[一二两三四五六七八九十\d]+(?:到|至|-)?[一二两三四五六七八九十\d]*年(?:后|以后|之后|前|以前|之前)"
    r"|过去(?:的)?(?:[一二两三四五六七八九十\d]+年)?"
)
_WHY = re.compile(r"^(?:为什么|为何|why)\b", re.I)
_CJK = re.compile(r"[\u3400-\u9fff]")
SHORT = 10  # a question this short (characters, spaces left out) with no noun of its own leans on the last one


def is_follow_up(q: Question) -> bool:
    """Whether a question leans on the previous turn: it opens or closes elliptically (那…呢, what about …),
    points back at it (这个比例, 它们, this share), or is too short to stand alone ("为什么？", "B2C 呢")."""
    text = q.norm.strip()
    size = len(text.split()) if q.english else len(re.sub(r"\s", "", text))
    if _OPENER.match(text) and (size <= (OPENER_SHORT // 3 if q.english else OPENER_SHORT) or _ENDS_NE.search(text)):
        return True
    if _ENDS_NE.search(text) or (not q.english and _ENDS_HOW.search(text) and size <= SHORT):
        return True
    end = _ENDS_ON_PRONOUN.search(text)
    if end and not _said_before(text, end.start()):
        return True
    for refers in (_REFERS, _REFERS_KIND):
        refer = refers.search(text)
        if refer and not _said_before(text, refer.start()):
            return True
    if _OPENS_ON_THIS.match(text) and not _SAYS_WHICH.search(text):
        return True
    pronoun = _PRONOUN.search(text)
    # A pronoun as the subject (他把…定位成什么), or with little else to say (为什么要特别关注它们).
    short = size <= (PRONOUN_SHORT // 2 if q.english else PRONOUN_SHORT)
    if pronoun and short and (pronoun.start() == 0 or len(q.nouns) <= 1):
        return True
    # Nothing of its own to ask about: no noun beyond framing words (受访者, 比例), no name, nothing quoted.
    own = [n for n in q.nouns if n not in _TIME_NOUNS]
    return not q.english and size <= 2 * SHORT and not own and not q.specifics and not q.quoted


def _said_before(text: str, at: int) -> bool:
    """Whether a referring phrase at ``at`` points back within the question itself: an earlier clause of it
    names something (CEO 任命一位高管监督客户体验，这个职位证明了什么), or it stands beside what it names (Walker
    这份报告, “体验设计”这种方法, these CX reports: the library itself)."""
    # A clause set off by a comma, a semicolon, a colon or a dash (把客户体验划归最高管理层负责——…持这种看法的…).
    clause = max(text.rfind(mark, 0, at) for mark in ("，", ",", "；", ";", "：", ":", "—"))
    if clause > 0 and bool(nouns(text[:clause])):
        return True
    if _SAYS_WHICH.search(text, at):
        return True
    return (
        bool(_APPOSITION.search(text[:at]) and _NAMES_A_STUDY.match(text, at))
        or bool(_QUOTED_BEFORE.search(text[:at]))
        or bool(_THE_LIBRARY.match(text, at))
    )


# A later sentence of the question saying which one it means (这份报告…？我指的是 Walker 那份…).
_SAYS_WHICH = re.compile(
    r"[？?。.]\s*(?:我)?(?:指的是|说的是|是说|问的是)|[?.]\s*i\s+(?:mean|am asking about|'m asking about)\b"
)
# What a referring phrase may stand beside: a name in Latin letters (Walker 这份报告) …
_APPOSITION = re.compile(r"[a-z0-9][a-z0-9&.'-]*\s*$")
_NAMES_A_STUDY = re.compile(r"(?:这|该|此)(?:份|篇|项|个)?(?:报告|调查|调研|研究)")
# … or a quoted term ("体验设计"这种方法)
_QUOTED_BEFORE = re.compile(r"[”」』\"]\s*$")
# "these reports" in English asks of the library, not of the last answer.
_THE_LIBRARY = re.compile(r"(?:these|those)\s+(?:cx\s+|customer experience\s+)?(?:reports|studies|surveys)\b")


def _topic(previous: str) -> str:
    """The previous question without its question words: 有核心客户体验指标的组织占多少？ -> 有核心客户体验指标的组织;
    有多少受访者表示组织有核心指标？ -> 受访者表示组织有核心指标."""
    clauses = []
    for clause in re.split(r"[，,；;]", previous.rstrip("？?。 ")):
        bare = _ASKED.sub("", clause).strip()
        # only a clause that lost its question word can dangle (…把 / …叫); 王成认为 keeps its 为
        clauses.append(bare.rstrip(_DANGLING + " ") if bare != clause.strip() else bare)
    topic = "，".join(c for c in clauses if c)
    return topic or previous.rstrip("？?。 ")


def _core(text: str) -> str:
    """A follow-up without its opener and closer: 那 B2B 企业呢？ -> b2b 企业."""
    return _CLOSER.sub("", _OPENER.sub("", text)).strip()


def understand(text: str | Question, previous: Turn | None) -> Understood:
    """``text`` as a standalone question, given the previous turn (None starts a conversation)."""
    q = text if isinstance(text, Question) else parse(text)
    if previous is None or not is_follow_up(q):
        return Understood(q.text, q.text, False)
    prev = previous.question
    rewritten = _rewrite(q, prev)
    if not rewritten or normalize(rewritten) == q.norm:
        return Understood(q.text, q.text, False)
    script = q.script if _CJK.search(q.text) else prev.script
    shown = _as_typed(to_script(rewritten, script) if _CJK.search(rewritten) else rewritten, q.text, prev.text)
    return Understood(q.text, shown, True, previous.report_id, bool(q.specifics))


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
    if refer and refer.start() == 0:  # 这个比例在领先者中是多少 -> 有核心指标的组织在领先者中是多少
        return _topic(before) + core[refer.end() :] + ("" if core.endswith(("？", "?")) else "？")
    # A qualifier of a kind the previous question states replaces it there: 领先者 -> 落后者, 2021 -> 2023.
    new = qualifier_spans(core)
    old = qualifier_spans(before)
    for qual, qs, qe in new:
        for prior, start, end in old:
            if prior.kind == qual.kind and prior.value != qual.value:
                return before[:start] + core[qs:qe] + before[end:]
    if not core:
        return ""
    # A follow-up opening on another time moves the previous question there (目前… -> 两三年后…), and what it
    # asks besides is asked of that.
    when, was = _WHEN.match(core), _WHEN.search(before)
    if when and was and was.group(0) != when.group(0):
        before = before[: was.start()] + when.group(0) + before[was.end() :]
        core = core[when.end() :].lstrip("的里中，, ")
        if not core.rstrip("？?。 "):
            return before
    # A follow-up asking its own question is asked about the previous one's topic (这次调研的回复率是多少 ->
    # IBM 石化调研…，回复率是多少); one naming a new scope narrows the previous question (精英型企业里，…占多少).
    if _ASKS.search(core):
        return f"{_topic(before)}，{core}" + ("" if core.endswith(("？", "?")) else "？")
    return f"{core.rstrip('的')}的{before}" if len(core) <= 8 else f"{core}，{before}"


def _rewrite_english(q: Question, prev: Question) -> str:
    core = _core(q.text).rstrip("?？. ")
    previous = prev.text.rstrip("?？. ")
    if not core:
        return ""
    if _WHY.match(core) and len(core.split()) <= 3:
        return f"Why: {previous}?"
    if _ASKS.search(core):  # its own question, about the previous one's subject
        return f"{core}? (about: {previous})"
    return f"{previous}, for {core}?"
