"""Qualifiers a question puts on a fact, and the sentences that state the fact under another one.

"三年内流失的客户占多少" is not answered by a sentence about 一年内; "撤销了集中小组的组织" not by one about
建立; "落后者中…" not by the figure for 领先者. Each qualifier is found by general patterns over normalised
text (a time window, a year, an ordinal stage, a direction word, a compared group) and a sentence
*conflicts* with the question when it states the same kind of qualifier with another value and not the
question's: a sentence that simply does not repeat the qualifier does not conflict (the passage around it
may establish it). Years and groups also count where the report's head (title, byline, date) states them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .normalize import normalize

__all__ = ["Qualifier", "conflicts", "qualifier_spans", "qualifiers"]

_CN_NUM = {
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
    "半": 0.5,
}
_NUM = r"\d+(?:\.\d+)?|[一二两三四五六七八九十半]+"
_UNIT = {
    "年": "year",
    "个月": "month",
    "月": "month",
    "周": "week",
    "星期": "week",
    "天": "day",
    "日": "day",
    "小时": "hour",
}
# A time window: 过去三年, 未来两年, 一年内, 近 12 个月, 为期一年, 一年或更长, 接下来的两到三年 (a range counts as
# its end: 两到三年 and 两三年 as three years).
_RANGE = rf"(?:{_NUM})\s*(?:到|至|~|-|—)\s*|[一二两三四五六七八九](?=[一二两三四五六七八九][年个周星天小])"
_WINDOW = re.compile(
    rf"(?:过去|未来|最近|近|今后|前|头|为期|长达|接下来的?|往后)\s*(?:{_RANGE})?({_NUM})\s*(年|个月|月|周|星期|天|小时)"
    rf"|(?:{_RANGE})?({_NUM})\s*(年|个月|周|星期|天|小时)\s*(?:内|以内|之内|或更长|或以上|及以上|以上)"
)
_YEAR = re.compile(r"(?<![\d.])((?:19|20)\d\d)(?![\d.])")
_STAGE = re.compile(rf"第\s*({_NUM})\s*(阶段|季度|代|期|轮|级)|(阶段|级别)\s*({_NUM}|[ⅠⅡⅢⅣ])")

# Direction words and their opposites: a sentence with the opposite and without the word asked is about
# the other change. Longer words first, so 不满意 is never read as 满意.
_DIRECTIONS = (
    (
        ("建立", "设立", "成立", "组建", "新建", "新设"),
        ("撤销", "取消", "解散", "撤除", "裁撤", "撤掉", "砍掉", "撤并"),
    ),
    (
        ("增加", "增长", "上升", "提高", "提升", "扩大", "加快", "升至", "增至", "上涨", "攀升"),
        (
            "减少",
            "下降",
            "降低",
            "缩小",
            "放缓",
            "减慢",
            "削减",
            "缩减",
            "裁减",
            "降至",
            "减至",
            "下跌",
            "下滑",
            "回落",
        ),
    ),
    (("高于", "多于", "超过"), ("低于", "少于", "不到", "不足")),
    (("支持",), ("反对",)),
)
# The directions that are changes (to set up or disband, to rise or fall), each with the words of both its sides:
# a sentence stating neither side states a level, not the change asked about. (A comparison, 高于 / 低于, is
# stated in too many ways, 更多的… 而不是…, to ask for its words.)
_CHANGE_WORDS = {side[0]: one + other for one, other in _DIRECTIONS[:2] for side in (one, other)}
# Groups a report compares (patterns); the question names one side.
_GROUPS = (
    ((r"领先(?:者|企业|组织)", "领导者"), (r"落后(?:者|企业|组织)", r"其[他余]\w{0,4}?(?:企业|组织|公司)", "非领先")),
    (("b2b",), ("b2c",)),
    # A label may be quoted: “精英”型企业.
    ((r"精英[”」\"]?(?:型|企业)",), (r"业余[”」\"]?(?:型|企业)", r"专业[”」\"]?(?:型|企业)")),
    ((r"大型?企业",), (r"中小企业", r"小型?企业")),
    (("线上",), ("线下",)),
)
# Kinds of experience: a figure about employee experience (员工体验在 25% 的企业中是较低的优先级) says nothing of
# customer experience, however alike the sentences read. A report's title naming one does not place a sentence.
_EXPERIENCES = (
    (
        (r"(?:客户|顾客|用户|消费者)体验", "customer experience", r"\bcx\b"),
        ("员工体验", "employee experience"),
    ),
)
# A sentence that compares names both sides, one of them often as 其/这 (其平均分不到 50 分，而 B2C 企业…).
_COMPARES = re.compile(r"而|相比|相较|对比|比|则|whereas|than|compared")


@dataclass(frozen=True)
class Qualifier:
    kind: str  # "window" | "year" | "stage" | "direction" | "group" | "experience"
    value: str  # comparable: "3 year", "2023", "3 阶段", "建立", "领先者" (the side's first word)


def _number(text: str) -> float | None:
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text)
    if text == "十":
        return 10
    if len(text) == 2 and text[0] == "十":
        return 10 + _CN_NUM.get(text[1], 0)
    if len(text) == 2 and text[1] == "十":
        return _CN_NUM.get(text[0], 0) * 10
    return _CN_NUM.get(text) if len(text) == 1 else None


def _side(text: str, words: tuple[str, ...], *, patterns: bool = False) -> bool:
    """``text`` holds one of ``words`` (不满意 does not hold 满意, nor 非领先 领先); group sides are patterns."""
    return any(re.search(rf"(?<![不非])(?:{w if patterns else re.escape(w)})", text) for w in words)


def qualifiers(text: str) -> list[Qualifier]:
    """The qualifiers ``text`` states, in normalised (simplified, half-width, lower-case) terms."""
    return list(_qualifiers(text))


@lru_cache(maxsize=8192)
def _qualifiers(text: str) -> tuple[Qualifier, ...]:
    # Cached: every answer checks the same report heads and candidate sentences again and again.
    return tuple(q for q, _, _ in qualifier_spans(normalize(text)))


def qualifier_spans(norm: str) -> list[tuple[Qualifier, int, int]]:
    """The qualifiers normalised text states, each with where it states it (the first place, for groups and
    directions): a chat follow-up that names another group or year replaces the previous question's there."""
    found: list[tuple[Qualifier, int, int]] = []
    for m in _WINDOW.finditer(norm):
        amount, unit = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        n = _number(amount)
        if n is not None and n < 1000:
            found.append((Qualifier("window", f"{n:g} {_UNIT[unit]}"), m.start(), m.end()))
    found += [(Qualifier("year", m.group(1)), m.start(1), m.end(1)) for m in _YEAR.finditer(norm)]
    for m in _STAGE.finditer(norm):
        amount = m.group(1) or m.group(4)
        n = _number(amount) if amount not in "ⅠⅡⅢⅣ" else "ⅠⅡⅢⅣ".index(amount) + 1
        if n is not None:
            found.append((Qualifier("stage", f"{n:g} {m.group(2) or m.group(3)}"), m.start(), m.end()))
    for pairs, kind in ((_DIRECTIONS, "direction"), (_GROUPS, "group"), (_EXPERIENCES, "experience")):
        patterns = kind != "direction"
        for one, other in pairs:
            for side in (one, other):
                rest = other if side is one else one
                if _side(norm, side, patterns=patterns) and not _side(norm, rest, patterns=patterns):
                    m = min(
                        (
                            hit
                            for w in side
                            if (hit := re.search(rf"(?<![不非])(?:{w if patterns else re.escape(w)})", norm))
                        ),
                        key=lambda hit: hit.start(),
                    )
                    found.append((Qualifier(kind, _name(side[0])), m.start(), m.end()))
    return found


def _name(pattern: str) -> str:
    """A readable name for a side: its pattern without regex syntax (领先(?:者|企业) -> 领先者)."""
    name = re.sub(r"\(\?:([^|)]*)[^)]*\)", r"\1", pattern).replace("\\w{0,4}?", "").replace("[他余]", "他")
    return re.sub(r"\[[^]]*\]\?", "", name)


# Which comparison each group side belongs to (领先者 and 落后者 to one, b2b and b2c to another).
_PAIR = {_name(side[0]): i for i, pair in enumerate(_GROUPS) for side in pair}


def conflicts(asked: list[Qualifier], sentence: str, context: str = "", *, figure: bool = False) -> list[str]:
    """The question's qualifiers that ``sentence`` contradicts: it states the same kind with another value
    and not the asked one. ``context`` (the report's head) may state years and groups for every sentence;
    a sentence that compares (而, 相比 …) may name the asked group only as 其, so it never contradicts one.
    ``figure``: the question asks for a figure, so a change it asks about must be stated as one."""
    have = qualifiers(sentence)
    around = qualifiers(context) if context else []
    norm = normalize(sentence)
    compares = bool(_COMPARES.search(norm))
    out = []
    for q in asked:
        same_kind = [h for h in have if h.kind == q.kind]
        if figure and q.kind == "direction" and q.value in _CHANGE_WORDS and not same_kind:
            # A figure for the organisations that have a team does not count those that set one up or disbanded
            # one: a figure asked of a change needs a sentence that states a change, either way. (How to raise
            # something, 如何提升, asks no figure.)
            if not any(w in norm for w in _CHANGE_WORDS[q.value]):
                out.append(f"direction {q.value} (the sentence states no change)")
            continue
        if not same_kind or q in have:
            continue
        if q.kind in ("year", "group") and q in around:
            continue
        if q.kind == "group" and compares and any(_PAIR.get(h.value) == _PAIR.get(q.value) for h in same_kind):
            # 其…，而 B2C 企业…: 其 is the other side of the comparison the sentence names (B2B), so it names
            # the asked group only when that comparison is the asked one.
            continue
        if q.kind == "window" and not any(h.value.split()[1] == q.value.split()[1] for h in same_kind):
            continue  # a window in other units (一年内 vs 30 天) is not a contradiction we can judge
        out.append(f"{q.kind} {q.value} (the sentence says {', '.join(h.value for h in same_kind)})")
    return out
