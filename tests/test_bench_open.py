"""Fitting data and the threshold choice of `cxkb bench open`, on small sets made here."""

from __future__ import annotations

import json

import numpy as np

from cxkb import bench_open as bo
from cxkb.question import parse


def _write(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def test_examples_label_questions_by_their_set_and_never_take_the_measuring_sets(tmp_path):
    eval_dir, shared = tmp_path / "eval", tmp_path / "shared"
    eval_dir.mkdir()
    for name in bo.OPEN_SETS:
        _write(eval_dir / name, [{"question": f"门店该怎么改进服务？({name})"}])
    for name in bo.CLOSED_SETS + bo.MEASURE_CLOSED:
        _write(eval_dir / name, [{"question": f"会员复购率是多少？({name})"}])
    turn = {"question": "满意度是多少？"}
    for name in bo.CONVERSATION_SETS:
        _write(
            eval_dir / name, [{"turns": [turn, {"question": "那门店呢？", "standalone": f"门店满意度是多少？{name}"}]}]
        )
    qas = {"data": [{"paragraphs": [{"qas": [{"question": "长江有多长？"}]}]}]}
    for (folder, file), _ in bo.EXTERNAL:
        (shared / folder).mkdir(parents=True)
        (shared / folder / file).write_text(json.dumps(qas), encoding="utf-8")
    rows = bo.examples(eval_dir, shared)
    assert sum(r.open for r in rows) == len(bo.OPEN_SETS)
    assert not {r.source for r in rows} & set(bo.MEASURE_CLOSED + bo.MEASURE_OPEN)
    assert "那门店呢？" not in {r.text for r in rows}  # a follow-up as typed leans on its first turn
    assert {r.source for r in bo.measured(eval_dir)} == set(bo.MEASURE_CLOSED)


def test_the_threshold_keeps_factual_questions_closed_in_every_left_out_round():
    rng = np.random.default_rng(1)
    rows, vectors, parsed = [], [], []
    for name in bo.OPEN_SETS:
        for _ in range(10):
            rows.append(bo.Example(name, "门店服务的改进思路和经验", True))
            vectors.append(rng.normal(1.0, 0.5, 6))
    for _ in range(200):
        rows.append(bo.Example("questions.jsonl", "门店服务的改进记录", False))
        vectors.append(rng.normal(-1.0, 0.5, 6))
    parsed = [parse(r.text) for r in rows]
    chosen = bo.choose_threshold(np.array(vectors), parsed, rows, "m")
    assert chosen["threshold"] in bo.THRESHOLDS
    for held in bo.OPEN_SETS:
        assert chosen["left_out"][held]["closed_turned_open"] <= bo.MAX_FLIPS
        assert chosen["left_out"][held]["open_found"] >= 0.9
    result = {"threshold": chosen["threshold"], "fit": {"questions": 240, "open": 40}, "left_out": chosen["left_out"]}
    result["measure"] = bo.outcomes(rows[:2], parsed[:2], [0.99, None], chosen["threshold"])
    text = bo.to_markdown(result)
    assert "| questions.jsonl" not in text and "open_questions.jsonl | 2 | open | 0 | 1 | 1 |" in text
