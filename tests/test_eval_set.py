"""Validate the evaluation question set ``eval/questions.jsonl``.

Offline, fast, stdlib + pytest only.  Deliberately does not import ``cxkb``:
the checks here re-implement the small amount of text handling they need so
that the question set can be validated independently of the package.

The matching rules mirror the ones documented in ``eval/README.md``:

* a ``support`` span must occur in its raw report file once the raw text has
  had its scrape noise removed (inserted pinyin readings such as ``(yàn)``,
  markdown ``**`` markers, PDF page markers such as ``12、`` at the start of a
  line) and all whitespace has been dropped on both sides;
* a figure question must have at least one accepted answer that occurs in its
  support, or whose digits all occur in its support.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ROOT / "eval" / "questions.jsonl"
# Written later, blind to the answering code: their rows must meet the same checks (see README, Evaluation).
SETS = (
    QUESTIONS,
    ROOT / "eval" / "heldout.jsonl",
    ROOT / "eval" / "blind.jsonl",
    ROOT / "eval" / "blind2.jsonl",
    ROOT / "eval" / "blind3.jsonl",
    ROOT / "eval" / "blind4.jsonl",
    ROOT / "eval" / "blind5.jsonl",
)
CORPUS = ROOT / "corpus"

FIELDS = {
    "id": str,
    "question": str,
    "answers": list,
    "report_id": (str, type(None)),
    "support": (str, type(None)),
    "type": str,
    "lang": str,
    "answerable": bool,
}
TYPES = {"figure", "definition", "list", "who_what", "paraphrase", "traditional", "english", "unanswerable"}
LANGS = {"zh-Hans", "zh-Hant", "en"}
TYPE_MINIMUMS = {
    "figure": 45,
    "definition": 8,
    "list": 8,
    "who_what": 8,
    "paraphrase": 12,
    "traditional": 10,
    "english": 6,
    "unanswerable": 12,
}
MIN_QUESTIONS = 100
MIN_PER_REPORT = 10
SUPPORT_MIN, SUPPORT_MAX = 10, 80
MAX_ANSWER_LEN = 40
FORBIDDEN_IN_SUPPORT = ("上海品茶", "?", "\ufffd", "</p>")

PINYIN = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùüǘǚǜ]+\)")
PAGE_MARKER = re.compile(r"(?m)^\d{1,3}、")
WS = re.compile(r"\s+")
DIGITS = re.compile(r"\d+(?:[.,]\d+)*")
# Characters that only occur in traditional script; enough of them marks a
# report (or a question) as traditional.
TRAD_ONLY = set(
    "們個這來說會為與體國時對學關發經點過還際開從當錢應實該頭總產業務戶戰場術網題讓數據購買現類問責華爾壓臨別麼嗎義誰視圖區億萬報訪"
)


def _strip_ws(text: str) -> str:
    return WS.sub("", text)


def clean_report(text: str) -> str:
    """Raw report -> comparable text: noise removed, whitespace dropped."""
    text = PAGE_MARKER.sub("", text)
    text = PINYIN.sub("", text)
    text = text.replace("**", "")
    return _strip_ws(text)


def fold(text: str) -> str:
    """NFKC + lower-case + whitespace removed (no t2s: stdlib only)."""
    return _strip_ws(unicodedata.normalize("NFKC", text).lower())


def is_traditional(text: str, threshold: int = 3) -> bool:
    return sum(ch in TRAD_ONLY for ch in text) >= threshold


def _load(path: Path) -> list[dict]:
    """A JSONL set's rows; shared with tests/test_conversation_sets.py."""
    assert path.is_file(), f"missing {path}"
    rows = []
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:  # pragma: no cover - reported as failure
                pytest.fail(f"{path.name} line {lineno}: invalid JSON: {exc}")
            assert isinstance(obj, dict), f"{path.name} line {lineno}: not a JSON object"
            rows.append(obj)
    return rows


ROWS = [q for path in SETS for q in _load(path)]
ANSWERABLE = [q for q in ROWS if q.get("answerable") is True]


def _ids(rows):
    return [q.get("id", "?") for q in rows]


_REPORT_CACHE: dict[str, str] = {}
_RAW_CACHE: dict[str, str] = {}


def report_raw(report_id: str) -> str:
    if report_id not in _RAW_CACHE:
        _RAW_CACHE[report_id] = (CORPUS / f"{report_id}.txt").read_text(encoding="utf-8")
    return _RAW_CACHE[report_id]


def report_clean(report_id: str) -> str:
    if report_id not in _REPORT_CACHE:
        _REPORT_CACHE[report_id] = clean_report(report_raw(report_id))
    return _REPORT_CACHE[report_id]


# --------------------------------------------------------------------------
# file-level checks
# --------------------------------------------------------------------------


@pytest.mark.parametrize("path", SETS, ids=[p.name for p in SETS])
def test_file_is_utf8_jsonl_without_ascii_escapes(path: Path):
    text = path.read_text(encoding="utf-8")
    assert "\\u" not in text, "write with ensure_ascii=False"
    assert text.endswith("\n")


def test_enough_questions():
    assert len(ROWS) >= MIN_QUESTIONS


def test_ids_unique_and_well_formed():
    ids = _ids(ROWS)
    dupes = [i for i, n in Counter(ids).items() if n > 1]
    assert not dupes, f"duplicate ids: {dupes}"
    # q: eval set, h: held-out, b: blind, c: the second blind set (written for the answerability work),
    # e: the third blind set (issue 12, second round), g: the fourth (issue 12, third round)
    bad = [i for i in ids if not re.fullmatch(r"[qhbcegk]\d{3,}", str(i))]
    assert not bad, f"ids must look like q001, h001, b001, c001, e001 or g001: {bad}"


def test_questions_unique():
    qs = Counter(fold(q["question"]) for q in ROWS)
    dupes = [k for k, n in qs.items() if n > 1]
    assert not dupes, f"duplicate questions: {dupes}"


def test_type_minimums():
    counts = Counter(q["type"] for q in ROWS)
    short = {t: (counts.get(t, 0), m) for t, m in TYPE_MINIMUMS.items() if counts.get(t, 0) < m}
    assert not short, f"type counts below minimum (have, need): {short}"


def test_every_report_has_enough_questions():
    reports = sorted(p.stem for p in CORPUS.glob("*.txt"))
    assert reports, "no reports in corpus/"
    counts = Counter(q["report_id"] for q in ANSWERABLE)
    short = {r: counts.get(r, 0) for r in reports if counts.get(r, 0) < MIN_PER_REPORT}
    assert not short, f"reports with fewer than {MIN_PER_REPORT} questions: {short}"


def test_figure_questions_cover_every_report():
    reports = {p.stem for p in CORPUS.glob("*.txt")}
    covered = {q["report_id"] for q in ANSWERABLE if q["type"] == "figure"}
    assert reports <= covered, f"no figure question for: {sorted(reports - covered)}"


# --------------------------------------------------------------------------
# per-question checks
# --------------------------------------------------------------------------


@pytest.mark.parametrize("q", ROWS, ids=_ids(ROWS))
def test_schema(q):
    assert set(q) == set(FIELDS), f"fields must be exactly {sorted(FIELDS)}"
    for name, typ in FIELDS.items():
        assert isinstance(q[name], typ), f"{name} has wrong type {type(q[name]).__name__}"
    assert q["question"].strip(), "empty question"
    assert q["type"] in TYPES, q["type"]
    assert q["lang"] in LANGS, q["lang"]
    assert all(isinstance(a, str) and a.strip() for a in q["answers"]), "answers must be non-empty strings"
    assert all(len(a) <= MAX_ANSWER_LEN for a in q["answers"]), "answers must be short"


@pytest.mark.parametrize("q", ROWS, ids=_ids(ROWS))
def test_language_consistent(q):
    if q["type"] == "traditional":
        assert q["lang"] == "zh-Hant"
    if q["type"] == "english":
        assert q["lang"] == "en"
    if q["lang"] == "zh-Hant":
        assert is_traditional(q["question"], threshold=1), "zh-Hant question has no traditional-only character"
    if q["lang"] == "en":
        ascii_share = sum(ch.isascii() for ch in q["question"]) / len(q["question"])
        assert ascii_share > 0.9, "English question is not mostly ASCII"
    if q["lang"] == "zh-Hans":
        assert not is_traditional(q["question"], threshold=1), "zh-Hans question contains traditional characters"


@pytest.mark.parametrize(
    "q", [q for q in ROWS if not q["answerable"]], ids=_ids([q for q in ROWS if not q["answerable"]])
)
def test_unanswerable_shape(q):
    assert q["type"] == "unanswerable"
    assert q["answers"] == []
    assert q["report_id"] is None
    assert q["support"] is None


@pytest.mark.parametrize("q", ANSWERABLE, ids=_ids(ANSWERABLE))
def test_answerable_shape(q):
    assert q["type"] != "unanswerable"
    assert q["answers"], "answerable question needs at least one accepted answer"
    assert q["report_id"] and (CORPUS / f"{q['report_id']}.txt").is_file(), f"unknown report {q['report_id']}"
    assert isinstance(q["support"], str)


def assert_clean_support(support: str, report_id: str) -> None:
    """A support is 10–80 characters of its report (noise removed, whitespace dropped), itself without noise.
    Shared with tests/test_conversation_sets.py."""
    support = _strip_ws(support)
    assert SUPPORT_MIN <= len(support) <= SUPPORT_MAX, f"support length {len(support)}"
    for bad in FORBIDDEN_IN_SUPPORT:
        assert bad not in support, f"support contains noise {bad!r}"
    assert not PINYIN.search(support), "support still contains a pinyin reading"
    assert "**" not in support, "support still contains markdown markers"
    assert support in report_clean(report_id), "support not found in report (after noise + whitespace removal)"


@pytest.mark.parametrize("q", ANSWERABLE, ids=_ids(ANSWERABLE))
def test_support_is_a_clean_span_of_its_report(q):
    assert_clean_support(q["support"], q["report_id"])


def _answer_in_support(answer: str, support: str) -> bool:
    return fold(answer).replace(",", "") in fold(support).replace(",", "")


def _digits_in_support(answer: str, support: str) -> bool:
    nums = [n.replace(",", "") for n in DIGITS.findall(unicodedata.normalize("NFKC", answer))]
    sup = fold(support).replace(",", "")
    return bool(nums) and all(n in sup for n in nums)


@pytest.mark.parametrize("q", ANSWERABLE, ids=_ids(ANSWERABLE))
def test_answers_relate_to_support(q):
    support = q["support"]
    traditional_report = is_traditional(report_raw(q["report_id"]), threshold=50)
    if q["type"] == "figure":
        assert any(_answer_in_support(a, support) or _digits_in_support(a, support) for a in q["answers"]), (
            "no accepted answer (or its digits) occurs in the support"
        )
    elif not traditional_report:
        # Simplified reports: some accepted answer must be literally in the support.
        # Traditional reports are skipped: answers are written in simplified
        # script and the stdlib has no t2s converter.
        assert any(_answer_in_support(a, support) for a in q["answers"]), "no accepted answer occurs in the support"
