"""The evaluation runner: metric functions on handmade hits, floors, and one tiny end-to-end run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cxkb.evaluate import (
    Question,
    abstention,
    answer_correct,
    check_floors,
    citation_correct,
    first_rank,
    holds,
    mrr,
    percentile,
    recall_at,
    run_eval,
    score,
    totals,
    unreachable,
)
from cxkb.peers import Passage, Response
from cxkb.settings import Settings

SUPPORT = "87% 的受访者表示他们的组织有一个核心的客户体验指标"


def _response(
    texts: list[str],
    *,
    answer: str = "",
    answerable: bool = True,
    cite: int | None = 0,
    reports: list[str] | None = None,
) -> Response:
    """Handmade ranked hits (all from report r0 unless ``reports`` says otherwise) citing hit ``cite``."""
    passages = tuple(Passage(rid, t) for rid, t in zip(reports or ["r0"] * len(texts), texts, strict=True))
    citations = (passages[cite],) if cite is not None and passages else ()
    return Response(passages, answer or (texts[0] if texts else ""), answerable, citations, 0.01)


def _question(**kw) -> Question:
    base = {
        "id": "q1",
        "question": "有核心客户体验指标的组织占多少？",
        "answers": ("87%",),
        "report_id": "r0",
        "support": SUPPORT,
        "type": "figure",
        "lang": "zh-Hans",
        "answerable": True,
    }
    return Question(**{**base, **kw})


# --- matching ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "前文。87% 的受访者表示他们的组织有一个核心的客户体验指标,三分之二……",  # as is
        "８７％ 的受访者表示他们的组织\n有一个核心的 客户体验指标",  # full width, line break, spaces
        "87% 的受訪者表示他們的組織有一個核心的客戶體驗指標",  # traditional script
    ],
)
def test_holds_ignores_whitespace_width_and_script(text: str):
    assert holds(SUPPORT, text)


def test_holds_rejects_partial_and_empty():
    assert not holds(SUPPORT, "87% 的受访者表示他们的组织有一个核心的客户")  # truncated
    assert not holds(SUPPORT, "86% 的受访者表示他们的组织有一个核心的客户体验指标")  # wrong figure
    assert not holds("   ", "anything")  # an empty support holds nowhere


def test_answer_correct_any_accepted_form():
    assert answer_correct(["三分之二", "2/3"], "约 2 / 3 的受访者")
    assert answer_correct(["首席客户官"], "首席客戶官（CCO）")  # traditional answer text
    assert answer_correct(["Netflix"], "像蘋果、NETFLIX")  # case
    assert not answer_correct(["87%"], "86% 的受访者")
    assert not answer_correct([], "87%")  # no accepted answers: never correct
    assert not answer_correct(["", " "], "87%")  # blank accepted answers do not match everything


def test_citation_needs_right_report_and_support():
    assert citation_correct("r0", SUPPORT, [("r1", "x"), ("r0", "……" + SUPPORT + "。")])
    assert not citation_correct("r0", SUPPORT, [("r1", SUPPORT)])  # wrong report
    assert not citation_correct("r0", SUPPORT, [("r0", "87% 的受访者")])  # right report, no support
    assert not citation_correct(None, None, [("r0", SUPPORT)])


# --- ranking metrics on handmade hits ---------------------------------------------------------


def test_first_rank_on_handmade_hits():
    hits = ["无关", "也无关", "……" + SUPPORT + "。", SUPPORT]
    assert first_rank(SUPPORT, hits) == 3  # 1-based, the first holder
    assert first_rank(SUPPORT, ["无关"] * 4) is None
    assert first_rank(SUPPORT, ["无关"] * 10 + [SUPPORT]) is None  # beyond depth 10
    assert first_rank(SUPPORT, ["无关"] * 2 + [SUPPORT], depth=2) is None


def test_recall_and_mrr():
    ranks = [1, 3, None, 7]
    assert recall_at(ranks, 1) == pytest.approx(0.25)
    assert recall_at(ranks, 5) == pytest.approx(0.5)
    assert recall_at(ranks, 10) == pytest.approx(0.75)
    assert mrr(ranks) == pytest.approx((1 + 1 / 3 + 1 / 7) / 4)
    assert mrr([11, 1]) == pytest.approx(0.5)  # rank 11 is outside MRR@10
    assert recall_at([], 5) is None and mrr([]) is None


def test_abstention_precision_and_recall():
    abstained = [True, True, False, False, True, True]
    unanswerable = [True, False, True, False, True, False]
    precision, recall = abstention(abstained, unanswerable)
    assert precision == pytest.approx(2 / 4)  # 2 of 4 abstentions were right
    assert recall == pytest.approx(2 / 3)  # 2 of 3 unanswerable were declined
    assert abstention([False, False], [True, False]) == (None, 0.0)  # never abstains: precision undefined
    assert abstention([True], [False]) == (0.0, None)


def test_percentile():
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0
    assert percentile([0.0, 10.0], 95) == pytest.approx(9.5)
    assert percentile([], 50) is None


def test_score_and_totals_from_handmade_responses():
    answerable = _question()
    unanswerable = _question(id="q2", answers=(), report_id=None, support=None, type="unanswerable", answerable=False)
    rows = [
        score(answerable, _response(["无关", SUPPORT], answer="87%", cite=1)),  # rank 2, right answer and citation
        score(answerable, _response([SUPPORT], answer="86%")),  # rank 1, wrong answer
        score(unanswerable, _response(["无关"], answer="", answerable=False, cite=None)),  # abstained rightly
        score(answerable, _response(["无关"], answer="", answerable=False, cite=None)),  # abstained wrongly
    ]
    assert [r["rank"] for r in rows] == [2, 1, None, None]
    assert [r["answer_correct"] for r in rows] == [True, False, None, False]
    assert [r["citation_correct"] for r in rows] == [True, False, None, False]
    t = totals(rows)
    assert t["R@1"] == pytest.approx(1 / 3)  # unanswerable excluded: 3 answerable rows
    assert t["R@5"] == pytest.approx(2 / 3)
    assert t["MRR@10"] == pytest.approx((1 / 2 + 1) / 3)
    assert t["answer_accuracy"] == pytest.approx(1 / 3)
    assert t["abstention_precision"] == pytest.approx(1 / 2)
    assert t["abstention_recall"] == pytest.approx(1.0)


def test_unreachable_lists_supports_in_no_passage_of_their_report():
    answerable, elsewhere = _question(id="q1"), _question(id="q2", report_id="r9")
    units = [Passage("r0", "……" + SUPPORT), Passage("r1", "无关")]
    assert unreachable([answerable, elsewhere], units) == ["q2"]  # q2's report r9 has no passage holding it


def test_citation_from_wrong_report_is_not_credited():
    q = _question(report_id="r0")
    row = score(q, _response(["无关", SUPPORT], answer="87%", cite=1, reports=["r0", "r1"]))  # cites r1
    assert row["answer_correct"] and not row["citation_correct"]


# --- floors ---------------------------------------------------------------------------------


def _result(**totals_: float | None) -> dict:
    return {"systems": {"cxkb": {"totals": totals_}}}


def test_check_floors(tmp_path: Path):
    floors = tmp_path / "floors.json"
    floors.write_text(json.dumps({"_about": "comment", "R@5": 0.9, "answer_accuracy": 0.5}), encoding="utf-8")
    assert check_floors(_result(**{"R@5": 0.95, "answer_accuracy": 0.5}), floors) == []
    failed = check_floors(_result(**{"R@5": 0.85, "answer_accuracy": 0.6}), floors)
    assert len(failed) == 1 and failed[0].startswith("R@5")
    missing = check_floors(_result(**{"R@5": 0.95, "answer_accuracy": None}), floors)
    assert len(missing) == 1 and "answer_accuracy" in missing[0]


EVAL = Path(__file__).resolve().parent.parent / "eval"


@pytest.mark.parametrize("name", sorted(p.name for p in EVAL.glob("floors*.json")))
def test_repository_floors_files_are_valid(name: str):
    floors = json.loads((EVAL / name).read_text(encoding="utf-8"))
    values = {k: v for k, v in floors.items() if not k.startswith("_")}
    assert values and all(0 <= v <= 1 for v in values.values())
    assert values["numbers_supported"] == 1.0  # on every set: no answer quotes a number it cannot cite


def test_eval_refuses_a_missing_floors_file_before_running(tmp_path: Path):
    from click.testing import CliRunner

    from cxkb.cli import main

    result = CliRunner().invoke(main, ["eval", "--set", str(tmp_path / "q.jsonl"), "--floors", str(tmp_path / "no")])
    assert result.exit_code == 2 and "--floors" in result.output


# --- end to end on the tiny corpus ------------------------------------------------------------


def test_run_eval_tiny(tiny_index: Settings, tmp_path: Path):
    questions = tmp_path / "questions.jsonl"
    rows = [
        {
            "id": "q001",
            "question": "有核心客户体验指标的组织占多少？",
            "answers": ["87%"],
            "report_id": "qualtrics",
            "support": "87% 的受访者表示他们的组织有一个核心的客户体验指标",
            "type": "figure",
            "lang": "zh-Hans",
            "answerable": True,
        },
        {
            "id": "q002",
            "question": "與《首席執行官》雜誌合作收集了多少位 CEO 的反饋？",
            "answers": ["550"],
            "report_id": "walker",
            "support": "我们与《首席执行官》杂志合作,收集了超过 550 位 CEO 的相关反馈",  # simplified vs traditional text
            "type": "traditional",
            "lang": "zh-Hant",
            "answerable": True,
        },
        {
            "id": "q003",
            "question": "2023 年中国银行业的 NPS 平均值是多少？",
            "answers": [],
            "report_id": None,
            "support": None,
            "type": "unanswerable",
            "lang": "zh-Hans",
            "answerable": False,
        },
    ]
    questions.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    out = tmp_path / "results"
    out.mkdir()
    (out / "drcd.md").write_text("DRCD marker table\n", encoding="utf-8")

    result = run_eval(tiny_index, questions=questions, index=tiny_index.index, peers=False, out=out)

    assert list(result["systems"]) == ["cxkb"]
    assert [r["id"] for r in result["rows"]["cxkb"]] == ["q001", "q002", "q003"]
    assert result["systems"]["cxkb"]["totals"]["R@5"] == 1.0  # both supports are in the tiny corpus
    assert result["diagnostics"]["support_not_in_cleaned_report"] == []
    assert {"figure", "traditional"} == set(result["systems"]["cxkb"]["by_type"])
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "| cxkb |" in report and "## External check: DRCD" in report and "DRCD marker table" in report
    assert json.loads((out / "eval.json").read_text(encoding="utf-8"))["questions"]["total"] == 3
    assert (out / "chart.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    floors = tmp_path / "floors.json"
    floors.write_text(json.dumps({"R@5": 0.5}), encoding="utf-8")
    assert check_floors(result, floors) == []
    floors.write_text(json.dumps({"R@5": 1.01}), encoding="utf-8")
    assert check_floors(result, floors)
