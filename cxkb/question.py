"""Reading the question, once: its script, words, the kind of figure it asks for, what that figure
must be about, its qualifiers and the names it mentions.

:func:`parse` makes a :class:`Question` that search, sentence scoring, the answerability model and the
LLM path all read, so no step re-derives these from the raw string.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources

from .normalize import normalize, to_simplified
from .qualifiers import Qualifier, qualifiers
from .segment import (
    chinese_names,
    cut,
    dictionary_terms,
    english_expansion,
    english_terms,
    keyword_tokens,
    nouns,
    places,
    tokenize,
    trades,
)

# The kind of figure a question asks for: the first pattern that matches names it. What a sentence
# must hold to answer each kind is in answer.py.
ASKS: dict[str, re.Pattern[str]] = {
    "multiple": re.compile(r"几倍|多少倍|倍数|times|multiple"),
    # A rate (流失率, 续订率, retention rate) is a percentage; 效率 (efficiency) is not a rate.
    "percent": re.compile(
        # 占…多少 asks a share of a whole (占受访公司的多少), however many words name the whole.
        r"百分之|百分比|比例|占比|占[^，,。？?；;]{0,12}?多少|多大比例|多少%|几成|百分点|(?<!效)率.{0,6}多少"
        # "share" as a noun (what share of, the share, share of …), not the verb (to share insights).
        r"|percent|\b(?:what|the|a|their|its|largest|biggest|smallest)\s+share\b|\bshare\s+of\b|proportion"
        r"|what fraction|\brate\b"
    ),
    # "how many years" asks a duration, as 多少年 does.
    "count": re.compile(
        r"多少(?:名|位|家|个|人|种|项|次|页|国|篇)|几(?:名|位|家|个|种|项)"
        r"|how many(?!\s+(?:years|months|weeks|days|hours|minutes)\b)|number of|样本"
    ),
    "duration": re.compile(
        r"多久|多长时间|多少(?:分钟|小时|天|秒|周|个月)|how long|how many\s+(?:years|months|weeks|days|hours|minutes)\b"
    ),
    # "when" asks a date as a question word (when did / was …), not as a conjunction (… in mind when setting up).
    "year": re.compile(
        r"哪一?年|何年|什么时候|何时|哪个时间|what year"
        r"|(?:^|[,.;?]\s*|\band\s+)when\b|\bwhen\s+(?:did|was|were|is|are|will|do|does|has|have|had|would)\b"
    ),
    "money": re.compile(
        r"多少钱|多少美元|多少元|收入|预算|花费|支出|开支|薪|工资|revenue|budget|how much money|spen[dt]|salary|wage"
    ),
}

_ASKS_DEFINITION = re.compile(
    r"怎么计算|如何计算|怎么定义|如何定义|怎么界定|如何界定|是什么意思|指什么|指的是什么|定义|what does .* mean|how is .* (?:defined|calculated)"
)
_SHOULD_DEFINE = re.compile(r"(?:应|该|应该|应当)(?:如何|怎么|怎样)(?:定义|界定)")
_ASKS_AUTHOR = re.compile(
    r"作者是谁|谁写的|谁撰写|撰稿人|作者|译者|谁翻译|翻译者|who wrote|author|who translated|translator"
)
_ASKS_PUBLISHED = re.compile(
    r"(?:什么时候|哪一?天|何时|哪一?年|哪个月|日期).{0,4}(?:发布|发表|刊登|出版)|(?:发布|发表)(?:日期|时间)|when was .* published|publication date"
)
_ASKS_LIST = re.compile(r"哪[几一二两三四五六七八九十]|哪些|有什么|包括什么|which|what are")
# 为什么 asks why unless 为 belongs to the verb before it (定义为 / 称为 / 视为 / 认为 + 什么: "as what").
_WHY_WORD = r"(?<![义称视作成分列改转变归译名认])为什么"
_ASKS_WHY = re.compile(rf"{_WHY_WORD}|为何|为啥|点解|什么原因|why")
# An open question: how to do something, why, what one should do. No one sentence of a report answers it; the
# passages that discuss it do. (如何计算 and 如何定义 ask for a definition instead.)
_ASKS_OPEN = re.compile(
    rf"如何(?!计算|定义|界定)|怎样|怎么(?!计算|定义|界定)|{_WHY_WORD}|为何|为啥|咋|点样|点解|应该|应当|建议|利弊|优缺点|优劣"
    r"|(?:哪些|什么)[^，,。？?]{0,8}?(?:办法|做法|方法|途径|措施|策略|对策|方式|思路|经验|教训|启发|启示|角度)"
    # what should be done (该抓什么, 该怎么), a choice to weigh (是该…还是…), what goes wrong (会出什么问题,
    # 问题出在哪), what someone does or helps with (会做哪些事, 能帮上哪些忙)
    r"|(?<!应)该[\u4e00-\u9fff]{0,2}(?:什么|怎么|怎样|如何)|是该[^。？?]{1,30}还是"
    r"|(?:有|出|会有|会出|存在)[^，,。？?]{0,4}?(?:什么|哪些)(?:问题|风险|后果|弊端|隐患)|问题[^，,。？?]{0,4}出在哪"
    r"|(?:做|帮)[^，,。？?]{0,3}?(?:哪些|什么)(?:事|忙)"
    # whether to do something (要不要, 该不该, 值不值得, 会不会拉低…), which is better (…还是…比较好), who should own
    # it (该归谁管), in which respects things differ (差别在哪些方面, 区别在哪, 差在哪)
    r"|要不要|该不该|值不值得|值得不值得|会不会|是否应|还是[^。？?]{0,30}?(?:比较好|更好|更合适|更合理|更有效|为宜)"
    r"|(?<!应)该[\u4e00-\u9fff]{0,2}谁|(?:差别|区别|不同|差异|差距)[^，,。？?]{0,8}?哪些方面|(?:差别|区别|不同|差异|差距|差)在哪"
    # whether something is enough (够不够), what role something plays (扮演什么角色, 起什么作用)
    r"|够不够|是否足够|有没有必要|扮演(?:何种|什么|怎样的|哪些)角色|起(?:到)?(?:何种|什么|怎样的|哪些)作用"
    # how far something has got (做到什么程度, 去到哪个地步), what good it does (有什么实在的好处)
    r"|(?:什么|哪个|哪种|怎样的?)(?:程度|地步)|(?:什么|哪些)[^，,。？?]{0,6}?(?:好处|益处)"
    # what to watch out for, which traps there are, where to start ("原因是什么" is left out: reports state
    # "the main reason is …" and "the top three reasons" in one sentence or table)
    r"|(?:要|需要|应|应当|得)注意|注意事项|(?:哪些|什么)(?:坑|陷阱|误区)|踩坑"
    r"|(?:从|在)哪(?:里|儿)?(?:入手|开始|下手|着手|做起|抓起|突破)|(?:该|应该|应当|要|得)先?从哪|第一步"
    r"|\bwhat\s+(?:usually\s+|typically\s+|often\s+|most\s+often\s+)?(?:(?:gets|stands)\s+in\s+the\s+way|holds\b[^?]*\bback"
    r"|derails|undermines|kills|breaks)\b|\bwhat\s+(?:does|do|would|should)\b[^?]*\blook\s+like\b"
    # what a thing should be defined as (应如何界定其职责), lessons worth learning, what someone does (做些什么)
    r"|(?:应|该|应该|应当)(?:如何|怎么|怎样)(?:定义|界定)|值得[^，,。？?]{0,4}?(?:学习|借鉴|参考|学)|做(?:些|了些)(?:什么|哪些)"
    # a request to sort out or sum up what the reports say (帮我梳理, 请予归纳), what sets them alike or apart
    # (异同), what it implies (启发, 启示)
    r"|(?:请|帮我|帮忙|麻烦)[^，,。？?]{0,8}?(?:梳理|归纳|概括|总结)|(?:梳理|归纳|概括|总结)一下|请予归纳|异同|启发|启示|借鉴意义|参考价值|借鉴价值"
    # how things differ (有什么不一样, what actually differs)
    r"|有什么不一样|有何不同|\bwhat\s+(?:\w+\s+)?differs?\b|\bhow\s+(?:do|does)\s+[\w\s]{1,40}?\bdiffer\b"
    r"|\bpitfalls?\b|\bwhere\s+(?:should|do|would|can)\s+(?:we|i|you|they|a\s+\w+)\s+(?:start|begin)\b|\badvice\b|\btips\b"
    r"|\bhow (?:should|can|could|do|does|to)\b|\bwhy\b|\bwhat (?:should|can|could|separates|makes)\b|\brecommend"
    r"|\bshould (?:we|i|you|they|companies|firms|organi[sz]ations|a|an|the)\b|\bwhat (?:do|does)\b[^?]*\bdo\b"
)
# A question that tells of the asker's own situation (我们这两年…, we're thinking about…) and asks for no figure,
# name or date asks for advice: the passages that discuss it answer it.
_OWN_SITUATION = re.compile(r"我们|我司|咱们|本公司|\bwe\b|\bwe're\b|\bour\b|\bus\b")
# 几 that counts nothing asked: 好几年 (quite a few years), 这几年, 前几个月, 十几家, 几乎 (almost), 哪几类 (which).
# A question ending 比同行好几倍？ asks how many times better (好 + 几倍), not "several times".
_NOT_ASKING_JI = re.compile(r"(?<=[这那前后十数近哪])几|(?<=好)几(?!倍\s*[？?]?\s*$)|几(?=乎)")
# Words that ask for an amount outright, unlike a bare 几.
_AMOUNT_WORDS = re.compile(r"多少|多大|几成|几倍|百分|比例|占比|how many|how much|number of|what share|percent")
# A question with sentences of context before it (我们公司…。为什么…？) asks in its question sentences only.
_SENTENCE = re.compile(r"[^。！!？?；;]+[。！!？?；;]*")


def asked_part(norm: str) -> str:
    """The sentences of a normalised question that ask (end in ？, or end it without a stop: people leave the
    question mark off), or all of it when none or all do."""
    sentences = [m.group() for m in _SENTENCE.finditer(norm)]
    asking = [
        s
        for i, s in enumerate(sentences)
        if s.rstrip().endswith(("？", "?"))
        or (i == len(sentences) - 1 and s.strip() and not s.rstrip().endswith(("。", "！", "!", "；", ";", ".")))
    ]
    return "".join(asking) if asking and len(asking) < len(sentences) else norm


def _asking(norm: str) -> str:
    """:func:`asked_part`, with colloquial 啥 as 什么 for the question-word patterns (有啥风险, 啥时候)."""
    return asked_part(norm).replace("啥", "什么")


_CJK = re.compile(r"[\u3400-\u9fff]")
QUOTED = re.compile(r"[“「『\"]([^“”「」『』\"]+)[”」』\"]")
_UNIT = r"(?:万|亿)?(?:美元|元|人民币|个百分点|百分点|%|倍|分|位|名|家|个|人|种|项)?"
_ASKED_AT_END = re.compile(rf"(?:多少|几){_UNIT}\s*[？?]?\s*$")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Between the measured word and 多少: 预算 in 平均预算是多少, 流失率 in 流失率平均为多少.
_LINKS = _words(
    "是 为 有 占 约 大约 大概 平均 一共 总共 共 分别 能 会 了 的 到 达 达到 会到 能到 将 将会 将达 会达到 可达 预计 预期 估计"
)
# Who was counted or what the share is of (组织占多少, 比例是多少): the figure itself answers those, and
# a change (提高了多少) may be worded 提升 or 增长 in the report.
_NOT_MEASURED = _words(
    "组织 企业 公司 受访者 受访企业 受访组织 受访高管 高管 人 人数 数量 数字 比例 百分比 占比 比率 可能性 "
    "提高 提升 增加 增长 降低 减少 下降 上升 加快 高出 超过 不到 只 仅 只有 年 次 相差 差距 差 差了 相比 "
    "居民 顾客 客户 消费者 用户 旅客 乘客 住客 会员 员工 患者 家庭 用户数 受访居民 受访用户"
)
# A kind of experience other than the corpus's subject: 员工体验 and 品牌体验 figures differ.
_SUBJECT_EXPERIENCE = _words("客户体验 顾客体验 用户体验 全面体验")
# Words that frame a question about a report rather than name what it asks about (调查中…的比例): the
# answering sentence need not repeat them.
_FRAMING = _NOT_MEASURED | _words(
    "报告 调查 调研 研究 文中 文章 数据 情况 方面 结果 名字 名称 时间 范围 程度 作者 问题 东西 多长时间 时候 全部 全体 所有 整体 案例 例子 实例 事例"
)
# Organisation names in Latin letters and years: the specifics a corpus either mentions or cannot answer.
_SPECIFIC = re.compile(r"[a-z][a-z0-9.&-]+|(?:19|20)\d\d")


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


def squash(text: str) -> str:
    return "".join(text.split())


@dataclass(frozen=True)
class Question:
    """A question as every stage reads it; make one with :func:`parse`."""

    text: str  # as asked, stripped
    norm: str  # normalised: simplified, half-width, lower-case
    script: str  # "simplified" | "traditional" | "other"
    tokens: tuple[str, ...]  # search-mode words whose IDF weighs a sentence's overlap (English: glossary terms)
    keywords: tuple[str, ...]  # what BM25 is queried with
    kind: str | None  # "percent", "count", "multiple", "duration", "year", "money", "figure" or None
    required: tuple[str, ...]  # words a figure's sentence must name (see required_terms)
    quoted: tuple[str, ...]  # phrases in quotation marks, squashed
    qualifiers: tuple[Qualifier, ...]  # time windows, years, stages, directions, groups
    specifics: tuple[str, ...]  # names and years the corpus must mention for it to answer
    nouns: tuple[str, ...]  # what it asks about: its nouns, framing words (调查, 比例) left out
    definition: bool  # asks what a term means or how it is calculated
    provenance: bool  # asks who wrote a report or when it appeared
    asks_list: bool
    asks_why: bool
    asks_open: bool  # how / why / what should: answered by the passages that discuss it
    # A chat follow-up's words that came from the previous turn, not from what was typed: they place the
    # question, and count for less when choosing the answering sentence (see cxkb.chat).
    context: frozenset[str] = frozenset()
    # The spans (report id, start, end) the previous answer quoted: they stated the previous turn's words, so
    # those words say nothing of whether they also answer the follow-up.
    last_quoted: tuple[tuple[str, int, int], ...] = ()
    # Its nouns that name the study asked about (澄观, 超市 in 在澄观的超市调研里，…): they pick the report, and
    # that report's sentences need not repeat them.
    source: tuple[str, ...] = ()

    @property
    def english(self) -> bool:
        return self.script == "other"


# A Chinese question asks for an amount with a question word (多少, 几, 多大 …) or by ending on the rate it wants
# (…的比例？); one that only names a share or revenue (百分比代表什么, 预算由谁掌管) asks for something else.
_ASKS_AMOUNT = re.compile(
    r"多少|几|多大|多高|多低|多长|多久|多快|多远|(?:比例|占比|百分比|比率|率)\s*(?:如何|怎样|怎么样)?\s*[？?]?\s*$"
)
_NAMED_ONLY = ("percent", "count", "money", "multiple")


def asked_kind(norm: str) -> str | None:
    """The kind of figure a normalised question asks for."""
    for kind, asks in ASKS.items():
        if asks.search(norm):
            if kind in _NAMED_ONLY and _CJK.search(norm) and not _ASKS_AMOUNT.search(norm):
                return None
            return kind
    if re.search(r"多少|几|how much", norm):
        return "figure"
    return None


def required_terms(norm: str, kind: str | None, script: str) -> list[str]:
    """Words the sentence giving a figure must contain for it to answer the question.

    - a phrase the asker put in quotation marks (survey wording: “关键优先事项”);
    - for a figure question, the word naming what is measured, before a final 多少 (预算 in
      平均预算是多少美元);
    - for a figure question, 平均 (an average is not a threshold like 年收入超过 5000 万美元),
      and a kind of experience other than customer experience (员工体验, 品牌体验).

    Quoted names shorter than four characters (「精英」型) are labels the surrounding passage may
    establish, so they are not required. English questions meet Chinese sentences, so nothing is
    required of them.
    """
    if script == "other":
        return []
    terms = [p for p in (squash(m) for m in QUOTED.findall(norm)) if len(p) >= 4]
    if kind is None:
        return terms
    words = cut(norm)
    end = _ASKED_AT_END.search(norm)
    if end:
        terms += _measured(reversed(cut(norm[: end.start()])))
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


# Capitalised words that open or frame an English question rather than name something.
_NOT_NAMES = _words(
    "in what which who how why when where according the a an do does did is are was were to for of on and or cx"
)


def english_names(text: str) -> list[str]:
    """The proper names of an English question (Spencer Lin, Crystal, IBM), lower-cased: capitalised words after
    the first, possessives and acronym plurals dropped. The reports write many names in Latin letters inside the
    Chinese; one they write otherwise (Yaoyuan for 曜遠) is left out of the weighing (:func:`cxkb.answer.idf_weights`)."""
    words = re.findall(r"[A-Za-z][A-Za-z0-9&-]*(?:['’]s)?", text)
    out = []
    for word in words[1:]:
        bare = re.sub(r"['’]s$|(?<=[A-Z]{2})s$", "", word)  # IBM's -> IBM, CEOs -> CEO
        if bare[0].isupper() and bare.lower() not in _NOT_NAMES:
            out.append(bare.lower())
    return list(dict.fromkeys(out))


# Characters written Cantonese uses and written Mandarin never does (佢, 嘅, 唔, 喺): a question holding one is
# read through cxkb/data/cantonese.tsv. Words like 係 or 仲 are Cantonese only in such a question.
MARKERS = re.compile("[佢哋嘅咗冇喺啲嗰嘢嚟噉啱唔睇諗谂搵揾攞]")


@lru_cache(maxsize=1)
def _cantonese() -> tuple[re.Pattern[str], dict[str, str]]:
    table: dict[str, str] = {}
    for line in (resources.files("cxkb") / "data" / "cantonese.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            key, mandarin = line.split("\t")
            table[key] = mandarin
            if len(key) > 1:  # 點樣 is 点样 when typed in simplified script; one character's may be Mandarin (係: 系)
                table.setdefault(to_simplified(key), mandarin)
    keys = sorted(table, key=len, reverse=True)  # 唔係 before 唔, 關係 (kept as it is) before 係
    return re.compile("|".join(map(re.escape, keys))), table


def mandarin(text: str) -> str:
    """``text`` with written Cantonese words in their written Mandarin form (點樣 → 怎樣, 佢哋 → 他們), for
    searching Mandarin reports; other text as it is."""
    if not MARKERS.search(text):
        return text
    pattern, table = _cantonese()
    return pattern.sub(lambda m: table[m.group()], text)


def parse(text: str) -> Question:
    """Read ``text`` once into a :class:`Question`."""
    text = text.strip()
    script = script_of(text)
    shown, text = text, mandarin(text)  # every reading below is of the Mandarin; the asker's words are kept
    norm = normalize(text)
    english = script == "other"
    tokens = tokenize(text)
    glossary = english_terms(text)
    expansion = english_expansion(text, glossary)
    if english:
        expansion += [t for term in dictionary_terms(text) for t in tokenize(term)]
    asking = _asking(norm)
    kind = asked_kind(_NOT_ASKING_JI.sub("若", asking))
    # 几 is also "a few" (几个高管一起负责): where the question asks how, why or what should be done and its only
    # sign of a count is a bare 几, it asks the open question.
    # The same holds for money an open question names without asking an amount (how do they prove CX spending
    # pays off?).
    if kind in ("count", "figure", "money") and _ASKS_OPEN.search(asking) and not _AMOUNT_WORDS.search(asking):
        kind = None
    found = qualifiers(text)
    # An English question's words never occur in the reports, so only its years and the kind of experience it
    # names (customer experience) can be matched.
    asked = [q for q in found if q.kind in ("year", "experience")] if english else found
    # Asked in the asking sentences (有人把…定义成…。该怎么理解？ asks no definition), and not what a thing
    # should be defined as (应如何界定其职责边界: advice).
    definition = bool(_ASKS_DEFINITION.search(asking)) and not _SHOULD_DEFINE.search(asking)
    provenance = bool(_ASKS_AUTHOR.search(norm) or _ASKS_PUBLISHED.search(norm))
    # (nor which ones: 哪些 asks for a list a sentence may hold)
    advice = bool(_OWN_SITUATION.search(norm)) and not (_ASKS_A_FACT.search(asking) or "哪些" in asking or provenance)
    asks_open = (
        kind is None and bool(_ASKS_OPEN.search(asking) or advice) and (not definition or bool(_ASKS_WHY.search(norm)))
    )
    specifics = _specifics(text, tokens, english, asks_open)
    return Question(
        text=shown,
        norm=norm,
        script=script,
        tokens=tuple(dict.fromkeys(expansion + english_names(text))) if english else tuple(tokens),
        keywords=tuple(keyword_tokens(text, tokens) + expansion),
        kind=kind,
        # An open question's quoted phrase (“体验设计”) names its topic, not survey wording a sentence must repeat.
        required=() if asks_open else tuple(required_terms(norm, kind, script)),
        quoted=tuple(squash(m) for m in QUOTED.findall(norm)),
        qualifiers=tuple(asked),
        specifics=specifics,
        # An English question's nouns are the glossary's Chinese for its terms, where the glossary knows one word
        # for the term (salary 薪酬 薪资 may be either): what the reports would call the thing asked about.
        nouns=tuple(dict.fromkeys(zh[0] for zh in glossary if len(zh) == 1 and zh[0] not in _FRAMING))
        if english
        else tuple(w for w in nouns(text) if w not in _FRAMING),
        source=() if english else source_nouns(norm),
        definition=definition,
        provenance=provenance,
        asks_list=bool(_ASKS_LIST.search(norm)),
        asks_why=bool(_ASKS_WHY.search(norm)),
        # A why-question stays open even when it names a definition (为什么把客户体验定义成…帮助不大).
        asks_open=asks_open,
    )


# A question's opening phrase naming the study it asks about: 在澄观的超市调研里, IBM 那份“体验革命”报告中, 石化调研中.
_SOURCE = re.compile(
    r"^(?:在|据|根据|按照?|依据|从)?[^，,。？?；;]{1,24}?(?:调研|调查|研究|报告|问卷|文章|一文|评估|数据)\s*[”」』]?\s*"
    r"(?:里|中|当中|显示|发现|指出|来看|[，,])"
)


def source_nouns(norm: str) -> tuple[str, ...]:
    """The nouns of a normalised question's opening phrase that names a study (:data:`_SOURCE`)."""
    m = _SOURCE.match(norm)
    return tuple(w for w in nouns(m.group()) if w not in _FRAMING) if m else ()


def _specifics(text: str, tokens: list[str], english: bool, open_: bool) -> tuple[str, ...]:
    """The names and years the corpus must mention for it to answer.

    An open question names its subject in ordinary words that look like names: Latin abbreviations and English
    terms mixed into Chinese (CRM, SaaS, persona, founder), and words jieba's dictionary tags as persons (权衡). So
    for it only years and Chinese names proper count (organisations, names in full), and only in its asking
    sentences: the sentences before them tell of the asker's own situation (我在一家商务酒店做总经理。…), which no
    report need mention. Latin words never count: in a Chinese question they are as often terms (Podcast, SaaS)
    as names, and a question about a firm no report covers (Forrester 建议…) still gets passages discussing its
    topic, each cited to the report it is from."""
    if open_:
        text = asked_part(text)
        tokens = [t for t in tokens if t[0].isdigit() and t in squash(normalize(text))]
    specifics = [t for t in dict.fromkeys(tokens) if _SPECIFIC.fullmatch(t) and not (english and not t[0].isdigit())]
    if not english:
        specifics += chinese_names(text, strict=open_)
        if not open_:  # an open question's trade or place is its topic, which others' passages may still discuss
            specifics += trades(text) + places(text)
    return tuple(dict.fromkeys(specifics))


# Asking for a name, a date, an ordinal or which of a counted few (哪两种): a fact, however the question reads.
_ASKS_A_FACT = re.compile(
    r"谁|哪家|哪位|哪个(?!程度|地步)|哪一|哪[两三四五六七八九十几]|叫什么|名字|名称|第[一二三四五六七八九十\d]+"
    r"|\bwho\b|\bwhom\b|\bwhich\b|\bwhen\b|\bname[sd]?\b"
)


def could_be_open(q: Question) -> bool:
    """Whether a question may be open whatever its question words say: it asks for no figure, definition,
    byline, quoted term, name, date or ordinal. The learned detector (:mod:`cxkb.open_model`) decides those."""
    closed = q.kind is not None or q.definition or q.provenance or q.quoted
    return not closed and not _ASKS_A_FACT.search(_asking(q.norm))


def undecided(q: Question) -> bool:
    """A question the learned detector may turn open: its question words leave it closed, and it could be open."""
    return not q.asks_open and could_be_open(q)


def as_open(q: Question) -> Question:
    """``q`` read as an open question (the learned detector found it one): only names proper must be known."""
    text = mandarin(q.text)
    return replace(q, asks_open=True, required=(), specifics=_specifics(text, tokenize(text), q.english, True))
