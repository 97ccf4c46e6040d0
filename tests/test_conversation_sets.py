"""Validate the blind chat evaluation sets ``eval/conversations.jsonl``, ``eval/conversations2.jsonl``,
``eval/conversations3.jsonl`` (ids ``c301``…), ``eval/conversations4.jsonl`` (``c401``…) and ``eval/open_questions.jsonl``.

Offline, fast, stdlib + pytest only.  Deliberately does not import ``cxkb``: the
sets were written blind to the code and are checked independently of it.

``conversations.jsonl`` (ids ``t001``…): two-turn conversations.  Each turn follows
the single-question rules of ``eval/README.md`` (``answers``, ``report_id``,
``support``, ``answerable``); the second turn is the follow-up as a person would
type it in a chat (elliptical or referring) plus ``standalone``, the same question
written out in full.

``open_questions.jsonl`` (ids ``o001``…): how / why / what-should questions that
the reports discuss but do not answer in one sentence, with the reports that
discuss them and a few simplified-Chinese ``topic_terms`` a passage on the topic
would contain.

Supports are checked against the raw report files exactly as in
``tests/test_eval_set.py``: scrape noise removed (inserted pinyin readings,
markdown ``**``, PDF page markers ``12、`` at the start of a line), whitespace
dropped on both sides, then a substring test.  Nothing else is converted: a
support from the traditional-script report is copied in traditional script.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

# The single-question rules (support spans, noise, answer matching) are those of the eval sets.
from test_eval_set import (
    MAX_ANSWER_LEN,
    _answer_in_support,
    _digits_in_support,
    _load,
    _strip_ws,
    assert_clean_support,
    fold,
    report_clean,
    report_raw,
)

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
CONVERSATIONS = ROOT / "eval" / "conversations.jsonl"
CONVERSATIONS2 = ROOT / "eval" / "conversations2.jsonl"  # the second set (c001…), written blind later
CONVERSATIONS3 = ROOT / "eval" / "conversations3.jsonl"  # the third (c301…), written blind on 2026-12-02
CONVERSATIONS4 = ROOT / "eval" / "conversations4.jsonl"  # the fourth (c401…), written blind on 2026-12-02
OPEN_QUESTIONS = ROOT / "eval" / "open_questions.jsonl"

LANGS = {"zh-Hans", "zh-Hant", "en"}
MIN_CONVERSATIONS = 30
MIN_OPEN = 20
MIN_ZH_HANT_CONVERSATIONS = 5
MIN_EN_CONVERSATIONS = 3

TURN1_FIELDS = {
    "question": str,
    "answers": list,
    "report_id": (str, type(None)),
    "support": (str, type(None)),
    "answerable": bool,
}
TURN2_FIELDS = {**TURN1_FIELDS, "standalone": str}
CONV_FIELDS = {"id": str, "lang": str, "turns": list}
OPEN_FIELDS = {"id": str, "lang": str, "question": str, "reports": list, "topic_terms": list}


# Traditional -> simplified for the characters of the traditional-script report (002), generated once with
# OpenCC t2s.  Used only to look for the (simplified) topic terms of the open questions in that report.
_T2S_FROM = (
    "亂亞來個們傳傾僅價優內兩凈別則創劃動務勢勵協參員問圍圖團執堅報場壓壘夠實將專尋對導層島帶幫幾廣強從復慮憑應懷戰戶換揮"
    "擁據數時會業極構標樣權歡歷決沒沖況淵測準溝滲潛為無營爭爾獎獨獲獻現環產異當疊發盡監確礎種積穩競級終組結給經維線緣編績"
    "織續義聯職聽臨與興舉華萬蕩蘋處號蛻術見規視觀計討記許詢話該認說誰調談請論諾證識譯議護變讓豐負財責費資質賴贏趨較載轉辭"
    "這進運過達遜遠適還邊銷鍵長門開間閹關闡隊雖雜難靈響頂項須預領頭題顏類顯養饋馬驅驗體鵜鶘點"
)
_T2S_TO = (
    "乱亚来个们传倾仅价优内两净别则创划动务势励协参员问围图团执坚报场压垒够实将专寻对导层岛带帮几广强从复虑凭应怀战户换挥"
    "拥据数时会业极构标样权欢历决没冲况渊测准沟渗潜为无营争尔奖独获献现环产异当叠发尽监确础种积稳竞级终组结给经维线缘编绩"
    "织续义联职听临与兴举华万荡苹处号蜕术见规视观计讨记许询话该认说谁调谈请论诺证识译议护变让丰负财责费资质赖赢趋较载转辞"
    "这进运过达逊远适还边销键长门开间阉关阐队虽杂难灵响顶项须预领头题颜类显养馈马驱验体鹈鹕点"
)
T2S = str.maketrans(_T2S_FROM, _T2S_TO)
# Characters that only occur in traditional script: a zh-Hant question has one, a zh-Hans question none.
TRAD_ONLY = set(_T2S_FROM) | set("麼裡後歸納幾蒐訪體驗們這層營聯繫臺灣嗎誰麽")

OPEN_CUES = re.compile(
    r"如何|怎样|怎么|怎麼|怎樣|为什么|為什麼|为何|為何|建议|建議|哪些|应该|應該|该怎|該怎|要怎|做法|办法|辦法|"
    r"\bhow\b|\bwhy\b|\bwhat\b.*\b(should|can|separates|holds)\b",
    re.IGNORECASE,
)


def has_traditional(text: str) -> bool:
    return any(ch in TRAD_ONLY for ch in text)


CONVS = _load(CONVERSATIONS) + _load(CONVERSATIONS2) + _load(CONVERSATIONS3) + _load(CONVERSATIONS4)
OPENS = _load(OPEN_QUESTIONS)
REPORT_IDS = sorted(p.stem for p in CORPUS.glob("*.txt"))


def is_traditional_report(report_id: str) -> bool:
    return sum(ch in TRAD_ONLY for ch in report_raw(report_id)) >= 50


def _ids(rows):
    return [r.get("id", "?") for r in rows]


def _turns():
    """(conversation, turn index, turn) for every turn, for parametrisation."""
    out = []
    for c in CONVS:
        for i, t in enumerate(c.get("turns") or []):
            out.append(pytest.param(c, i, t, id=f"{c.get('id', '?')}-{i + 1}"))
    return out


TURNS = _turns()


# --------------------------------------------------------------------------
# file-level checks
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", [CONVERSATIONS, CONVERSATIONS2, CONVERSATIONS3, CONVERSATIONS4, OPEN_QUESTIONS], ids=lambda p: p.name
)
def test_file_is_utf8_jsonl_without_ascii_escapes(path: Path):
    text = path.read_text(encoding="utf-8")
    assert "\\u" not in text, "write with ensure_ascii=False"
    assert text.endswith("\n")


def test_corpus_present():
    assert REPORT_IDS, "no reports in corpus/"


def test_enough_conversations_and_languages():
    assert len(CONVS) >= MIN_CONVERSATIONS, f"{len(CONVS)} conversations"
    langs = Counter(c.get("lang") for c in CONVS)
    assert langs["zh-Hant"] >= MIN_ZH_HANT_CONVERSATIONS, langs
    assert langs["en"] >= MIN_EN_CONVERSATIONS, langs


def test_enough_open_questions():
    assert len(OPENS) >= MIN_OPEN, f"{len(OPENS)} open questions"


def test_ids_unique_and_well_formed():
    conv_ids, open_ids = _ids(CONVS), _ids(OPENS)
    dupes = [i for i, n in Counter(conv_ids + open_ids).items() if n > 1]
    assert not dupes, f"duplicate ids: {dupes}"
    bad = [i for i in conv_ids if not re.fullmatch(r"[tc]\d{3,}", str(i))]
    bad += [i for i in open_ids if not re.fullmatch(r"o\d{3,}", str(i))]
    assert not bad, f"ids must look like t001 (conversations) or o001 (open questions): {bad}"


def test_questions_unique():
    # First questions and standalone follow-ups must be unique; short follow-ups (落后者呢？) may repeat.
    qs = [fold(c["turns"][0]["question"]) for c in CONVS]
    qs += [fold(c["turns"][1]["standalone"]) for c in CONVS]
    qs += [fold(o["question"]) for o in OPENS]
    dupes = [k for k, n in Counter(qs).items() if n > 1]
    assert not dupes, f"duplicate questions: {dupes}"


def test_conversations_cover_every_report():
    covered = {t["report_id"] for c in CONVS for t in c["turns"] if t.get("report_id")}
    assert set(REPORT_IDS) <= covered, f"no conversation about: {sorted(set(REPORT_IDS) - covered)}"


def test_open_questions_cover_every_report():
    covered = {r for o in OPENS for r in o["reports"]}
    assert set(REPORT_IDS) <= covered, f"no open question about: {sorted(set(REPORT_IDS) - covered)}"


def test_some_but_not_all_second_turns_unanswerable():
    unanswerable = sum(not c["turns"][1]["answerable"] for c in CONVS)
    assert 1 <= unanswerable <= len(CONVS) // 4, unanswerable


# --------------------------------------------------------------------------
# conversations
# --------------------------------------------------------------------------


def _assert_shape(row: dict, fields: dict) -> None:
    """Exactly ``fields``, each of its type, and a known language."""
    assert set(row) == set(fields), f"fields must be exactly {sorted(fields)}"
    for name, typ in fields.items():
        assert isinstance(row[name], typ), f"{name} has wrong type {type(row[name]).__name__}"
    assert row["lang"] in LANGS, row["lang"]


@pytest.mark.parametrize("c", CONVS, ids=_ids(CONVS))
def test_conversation_schema(c):
    _assert_shape(c, CONV_FIELDS)
    assert len(c["turns"]) == 2, "a conversation has exactly two turns"
    for i, (turn, fields) in enumerate(zip(c["turns"], (TURN1_FIELDS, TURN2_FIELDS), strict=True), 1):
        assert isinstance(turn, dict), f"turn {i} is not an object"
        assert set(turn) == set(fields), f"turn {i} fields must be exactly {sorted(fields)}"
        for name, typ in fields.items():
            assert isinstance(turn[name], typ), f"turn {i}: {name} has wrong type {type(turn[name]).__name__}"
        assert turn["question"].strip(), f"turn {i}: empty question"


@pytest.mark.parametrize("c", CONVS, ids=_ids(CONVS))
def test_first_turn_is_answerable(c):
    assert c["turns"][0]["answerable"] is True, "the first question must be answerable"


@pytest.mark.parametrize("c", CONVS, ids=_ids(CONVS))
def test_follow_up_is_elliptical_with_a_full_standalone(c):
    t2 = c["turns"][1]
    follow, standalone = fold(t2["question"]), fold(t2["standalone"])
    assert standalone, "empty standalone"
    assert follow != standalone, "the follow-up must be the elliptical form, not the standalone one"
    assert len(follow) < len(standalone), "the follow-up should be shorter than its standalone form"
    assert fold(c["turns"][0]["question"]) != follow


@pytest.mark.parametrize("c", CONVS, ids=_ids(CONVS))
def test_second_answer_is_a_different_fact(c):
    a1 = {fold(a) for a in c["turns"][0]["answers"]}
    a2 = {fold(a) for a in c["turns"][1]["answers"]}
    assert not (a1 & a2), f"turns share accepted answers: {sorted(a1 & a2)}"


@pytest.mark.parametrize("c", CONVS, ids=_ids(CONVS))
def test_language_consistent(c):
    texts = [c["turns"][0]["question"], c["turns"][1]["question"], c["turns"][1]["standalone"]]
    for text in texts:
        if c["lang"] == "zh-Hant":
            assert has_traditional(text), f"zh-Hant question has no traditional-only character: {text}"
        elif c["lang"] == "zh-Hans":
            assert not has_traditional(text), f"zh-Hans question contains traditional characters: {text}"
        else:
            ascii_share = sum(ch.isascii() for ch in text) / len(text)
            assert ascii_share > 0.9, f"English question is not mostly ASCII: {text}"


@pytest.mark.parametrize("c,i,t", TURNS)
def test_answerable_iff_report_and_support(c, i, t):
    if t["answerable"]:
        assert t["answers"], "answerable turn needs at least one accepted answer"
        assert t["report_id"] is not None and t["support"] is not None
        assert t["report_id"] in REPORT_IDS, f"unknown report {t['report_id']}"
    else:
        assert t["answers"] == [], "unanswerable turn has answers"
        assert t["report_id"] is None and t["support"] is None


@pytest.mark.parametrize("c,i,t", TURNS)
def test_answers_are_short_strings(c, i, t):
    assert all(isinstance(a, str) and a.strip() for a in t["answers"]), "answers must be non-empty strings"
    assert all(len(a) <= MAX_ANSWER_LEN for a in t["answers"]), "answers must be short"
    assert len({fold(a) for a in t["answers"]}) == len(t["answers"]), "duplicate accepted answers"


@pytest.mark.parametrize("c,i,t", TURNS)
def test_support_is_a_clean_span_of_its_report(c, i, t):
    if not t["answerable"]:
        pytest.skip("unanswerable")
    assert_clean_support(t["support"], t["report_id"])


@pytest.mark.parametrize("c,i,t", TURNS)
def test_answers_relate_to_support(c, i, t):
    if not t["answerable"]:
        pytest.skip("unanswerable")
    support, answers = t["support"], t["answers"]
    if is_traditional_report(t["report_id"]):
        # Answers are written in simplified script (matching converts t2s): compare with the support mapped
        # to simplified through the report's own character table.
        support = support.translate(T2S)
    assert any(_answer_in_support(a, support) or _digits_in_support(a, support) for a in answers), (
        "no accepted answer (or its digits) occurs in the support"
    )


# --------------------------------------------------------------------------
# open questions
# --------------------------------------------------------------------------


@pytest.mark.parametrize("o", OPENS, ids=_ids(OPENS))
def test_open_question_schema(o):
    _assert_shape(o, OPEN_FIELDS)
    assert o["question"].strip(), "empty question"
    assert o["reports"], "an open question names at least one report"
    assert len(set(o["reports"])) == len(o["reports"]), "duplicate report ids"
    unknown = [r for r in o["reports"] if r not in REPORT_IDS]
    assert not unknown, f"unknown reports {unknown}"
    terms = o["topic_terms"]
    assert 3 <= len(terms) <= 6, "3-6 topic terms"
    assert all(isinstance(t, str) and t.strip() and len(t) <= 12 for t in terms), "topic terms are short strings"
    assert len(set(terms)) == len(terms), "duplicate topic terms"
    assert not any(has_traditional(t) for t in terms), "topic terms are written in simplified script"


@pytest.mark.parametrize("o", OPENS, ids=_ids(OPENS))
def test_open_question_language_and_form(o):
    q = o["question"]
    if o["lang"] == "zh-Hant":
        assert has_traditional(q), "zh-Hant question has no traditional-only character"
    elif o["lang"] == "zh-Hans":
        assert not has_traditional(q), "zh-Hans question contains traditional characters"
    else:
        assert sum(ch.isascii() for ch in q) / len(q) > 0.9, "English question is not mostly ASCII"
    assert OPEN_CUES.search(q), "an open question asks how / why / what should / 如何 / 为什么 / 建议 …"


@pytest.mark.parametrize("o", OPENS, ids=_ids(OPENS))
def test_listed_reports_contain_topic_terms(o):
    for rid in o["reports"]:
        text = report_clean(rid)
        if is_traditional_report(rid):
            text = text.translate(T2S)
        hits = [t for t in o["topic_terms"] if _strip_ws(t) in text]
        assert len(hits) >= 2, f"{rid} contains only {hits} of the topic terms"


def test_open_question_languages_mixed():
    langs = Counter(o["lang"] for o in OPENS)
    assert langs["zh-Hans"] and langs["zh-Hant"], langs
    assert langs["en"] >= 3, langs
