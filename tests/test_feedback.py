"""Feedback rows: eval-set schema beside the index, counted per report, run by cxkb eval."""

from __future__ import annotations

import json

from click.testing import CliRunner

from cxkb.cli import main
from cxkb.evaluate import load_questions
from cxkb.feedback import feedback_path, record, wrong_by_report
from cxkb.kb import KnowledgeBase
from cxkb.settings import Settings


def test_verdicts_become_eval_rows_and_counts(tiny_index: Settings, tmp_path):
    kb = KnowledgeBase.open(tiny_index.index, tiny_index)
    good = kb.ask("有核心客户体验指标的组织占多少？")
    assert good.answerable
    up = record(tiny_index.index, good, "up")
    assert up["answerable"] and "87%" in up["answers"] and up["report_id"] == "qualtrics"
    down = record(tiny_index.index, good, "down", correction="41%", passage="只有 41% 的受访者")
    assert down["answers"] == ["41%"] and down["answerable"] is True
    record(tiny_index.index, good, "down")  # no correction: counted, not evaluated
    record(tiny_index.index, good, "down", not_in_reports=True)
    path = feedback_path(tiny_index.index)
    assert path.parent == tiny_index.index.parent  # beside the index: a rebuild swaps the index folder
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["f0001", "f0002", "f0003", "f0004"]
    assert wrong_by_report(tiny_index.index) == {"qualtrics": 3}
    questions = load_questions(path)
    assert [q.id for q in questions] == ["f0001", "f0002", "f0004"]  # f0003 has nothing to check
    assert [q.answerable for q in questions] == [True, True, False]


def test_cxkb_eval_runs_the_feedback_file(tiny_index: Settings, tmp_path):
    kb = KnowledgeBase.open(tiny_index.index, tiny_index)
    record(tiny_index.index, kb.ask("有核心客户体验指标的组织占多少？"), "up")
    config = tmp_path / "cxkb.toml"
    config.write_text("answerable_threshold = 0.0\n")  # the hash embedder is no judge (see tiny_settings)
    out = CliRunner().invoke(
        main,
        [
            "--config", str(config), "eval", "--set", str(feedback_path(tiny_index.index)),
            "--index", str(tiny_index.index), "--no-peers", "--out", str(tmp_path / "fb"),
        ],
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    result = json.loads((tmp_path / "fb" / "eval.json").read_text(encoding="utf-8"))
    assert result["systems"]["cxkb"]["totals"]["answer_accuracy"] == 1.0
