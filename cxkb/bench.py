"""DRCD as an open-retrieval benchmark (``cxkb bench drcd``).

Every paragraph of a DRCD split becomes a report file in a folder, indexed with
the ordinary build; every question (converted to simplified script, as a
mainland reader types it, or as written in traditional script) is asked, and we
score whether the question's own paragraph comes back: Recall@1, Recall@5,
MRR@10, for keyword-only, dense-only and the fusion methods side by side.
Keyword and dense scores are computed once per question and re-fused per
method, so every method sees exactly the same candidates.
"""

from __future__ import annotations

import json
import random
import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .fusion import rrf, zscore
from .settings import Settings

DEFAULT_DRCD = Path(__file__).resolve().parent.parent.parent / "shared" / "benchmarks" / "drcd"


@dataclass(frozen=True)
class Question:
    text: str
    doc: str  # report id of the paragraph holding the answer
    answers: tuple[str, ...]


def write_drcd_corpus(split_file: Path, out: Path) -> list[Question]:
    """One .txt report per paragraph (``p0000.txt``…); returns the questions."""
    data = json.loads(Path(split_file).read_text(encoding="utf-8"))["data"]
    out.mkdir(parents=True, exist_ok=True)
    questions = []
    n = 0
    for article in data:
        for paragraph in article["paragraphs"]:
            doc = f"p{n:04d}"
            (out / f"{doc}.txt").write_text(paragraph["context"], encoding="utf-8")
            for qa in paragraph["qas"]:
                answers = tuple(a["text"] for a in qa.get("answers", []))
                questions.append(Question(qa["question"], doc, answers))
            n += 1
    return questions


def sample(questions: list[Question], n: int, seed: int = 13) -> list[Question]:
    if n <= 0 or n >= len(questions):
        return questions
    return random.Random(seed).sample(questions, n)


def methods(settings: Settings) -> dict[str, dict[str, Any]]:
    """The compared rankings; the first three are the headline columns."""
    return {
        "keyword": {"fusion": "keyword"},
        "dense": {"fusion": "dense"},
        "hybrid (default)": {"fusion": settings.fusion, "w": settings.keyword_weight},
        **{f"zscore w={w}": {"fusion": "zscore", "w": w} for w in (0.3, 0.5, 0.6, 0.7, 0.8)},
        **{f"rrf w={w}": {"fusion": "rrf", "w": w} for w in (0.5, 0.7)},
    }


def _fuse(keyword: np.ndarray, dense: np.ndarray, spec: dict[str, Any], settings: Settings) -> np.ndarray:
    if spec["fusion"] == "keyword":
        return keyword
    if spec["fusion"] == "dense":
        return dense
    w = spec["w"]
    if spec["fusion"] == "rrf":
        return rrf([keyword, dense], [w, 1 - w], depth=settings.candidates, k=settings.rrf_k)
    return zscore([keyword, dense], [w, 1 - w], depth=settings.candidates)


def _doc_ranking(scores: np.ndarray, chunk_docs: np.ndarray, depth: int = 10) -> list[str]:
    ranked: list[str] = []
    for i in np.argsort(-scores, kind="stable")[: depth * 8]:
        if not np.isfinite(scores[i]):
            break
        doc = chunk_docs[i]
        if doc not in ranked:
            ranked.append(doc)
            if len(ranked) == depth:
                break
    return ranked


def evaluate(index_path: Path, questions: list[Question], settings: Settings, *, script: str = "simplified") -> dict:
    """R@1, R@5, MRR@10 and query time per method over one built index."""
    import opencc

    from .index import open_index
    from .search import dense_scores, keyword_scores

    index = open_index(index_path)
    settings = settings.replace(model=index.model)
    convert = opencc.OpenCC("t2s").convert if script == "simplified" else (lambda s: s)
    chunk_docs = np.array([c.report_id for c in index.chunks])
    specs = methods(settings)
    ranks: dict[str, list[int | None]] = {name: [] for name in specs}
    timings = {"keyword": [], "dense": []}
    dense_scores(index, "warm up", settings)  # load the model outside the timings
    for q in questions:
        text = convert(q.text)
        t0 = time.perf_counter()
        keyword = keyword_scores(index, text)
        t1 = time.perf_counter()
        dense = dense_scores(index, text, settings)
        t2 = time.perf_counter()
        timings["keyword"].append(t1 - t0)
        timings["dense"].append(t2 - t1)
        for name, spec in specs.items():
            ranking = _doc_ranking(_fuse(keyword, dense, spec, settings), chunk_docs)
            ranks[name].append(ranking.index(q.doc) + 1 if q.doc in ranking else None)
    table = {}
    for name, rs in ranks.items():
        n = len(rs)
        table[name] = {
            "R@1": sum(r == 1 for r in rs if r) / n,
            "R@5": sum(r <= 5 for r in rs if r) / n,
            "MRR@10": sum(1 / r for r in rs if r) / n,
        }
    return {
        "questions": len(questions),
        "script": script,
        "methods": table,
        "query_ms": {
            "keyword_median": 1000 * statistics.median(timings["keyword"]),
            "dense_median": 1000 * statistics.median(timings["dense"]),
            "hybrid_p95": 1000
            * sorted(a + b for a, b in zip(timings["keyword"], timings["dense"], strict=True))[
                int(0.95 * (len(questions) - 1))
            ],
        },
    }


def to_markdown(result: dict) -> str:
    lines = [
        f"DRCD {result['split']} — {result['paragraphs']} paragraphs as reports ({result['chunks']} chunks), "
        f"{result['questions']} questions in {result['script']} script; model `{result['model']}`",
        "",
        "| method | R@1 | R@5 | MRR@10 |",
        "|---|---|---|---|",
    ]
    for name, m in result["methods"].items():
        lines.append(f"| {name} | {m['R@1']:.3f} | {m['R@5']:.3f} | {m['MRR@10']:.3f} |")
    q = result["query_ms"]
    lines += [
        "",
        f"Build: {result['build_s']:.1f} s (cold embedding cache: {result['cold_cache']}). "
        f"Query: keyword median {q['keyword_median']:.1f} ms, dense median {q['dense_median']:.1f} ms, "
        f"hybrid p95 {q['hybrid_p95']:.1f} ms.",
    ]
    return "\n".join(lines) + "\n"
