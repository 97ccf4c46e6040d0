"""Evaluation runner: cxkb and its peers on ``eval/questions.jsonl``, with a report.

``run_eval(settings)`` asks every question of every system (see :mod:`cxkb.peers`), scores the
responses with the small pure functions below, and writes ``report.md``, ``eval.json`` and
``chart.png`` to ``eval/results/``. ``check_floors(result)`` lists the cxkb totals that fell
below ``eval/floors.json`` (empty when all hold), for CI.

Matching follows ``eval/README.md``: both sides go through :func:`cxkb.normalize.normalize`
(NFKC, traditional -> simplified, lower case) and lose all whitespace, then a substring test.

* retrieval (answerable questions only): a passage *holds* the question when it contains the
  support sentence; the rank is the first such passage in the top 10. R@1, R@5, MRR@10.
* answer accuracy (answerable only): an accepted answer occurs in the answer text.
* citation accuracy (answerable only): the answer is correct *and* a citation comes from the
  question's report and its text holds the support.
* abstention (all questions): precision = unanswerable among the abstentions, recall =
  abstentions among the unanswerable.
* latency: p50/p95 per question, after one untimed warm-up question per system.

The run pins torch to one thread (``TORCH_THREADS``): on a 2-core machine shared with other work, two
torch threads made a query embedding take ~1 s instead of ~50 ms, which swamped both the latency
figures and the runtime. The previous thread count is restored afterwards.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import math
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .answer import unsupported_numbers
from .kb import KnowledgeBase
from .normalize import normalize
from .peers import DEPTH, Passage, Response, System, cxkb_system, dense_peer, has_ask, keyword_peer
from .settings import Settings

log = logging.getLogger(__name__)

QUESTIONS = Path("eval/questions.jsonl")
RESULTS = Path("eval/results")
FLOORS = Path("eval/floors.json")
TORCH_THREADS = 1
METRICS = (
    "R@1",
    "R@5",
    "MRR@10",
    "answer_accuracy",
    "citation_accuracy",
    "abstention_precision",
    "abstention_recall",
)


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    answers: tuple[str, ...]
    report_id: str | None
    support: str | None
    type: str
    lang: str
    answerable: bool
    page: int | None = None  # the page the support starts on, for paged documents (PDF pages, slides)


def load_questions(path: Path) -> list[Question]:
    questions = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            raw = json.loads(line)
            if "answerable" in raw and raw["answerable"] is None:
                continue  # a 👎 without a correction (cxkb.feedback): nothing to check it against
            questions.append(
                Question(
                    raw["id"],
                    raw["question"],
                    tuple(raw.get("answers") or ()),
                    raw.get("report_id"),
                    raw.get("support"),
                    raw.get("type", ""),
                    raw.get("lang", ""),
                    bool(raw.get("answerable", True)),
                    raw.get("page"),
                )
            )
    return questions


# --- matching and metrics: small pure functions -----------------------------------------------


@lru_cache(maxsize=65536)
def squash(text: str) -> str:
    """Normalised for matching: NFKC, traditional -> simplified, lower case, no whitespace."""
    return "".join(normalize(text).split())


def holds(support: str, text: str) -> bool:
    """Does ``text`` contain the support sentence, ignoring script, width, case and whitespace?"""
    needle = squash(support)
    return bool(needle) and needle in squash(text)


def first_rank(support: str, texts: Sequence[str], depth: int = DEPTH) -> int | None:
    """1-based rank of the first text holding ``support`` within ``depth``; None when none does."""
    for rank, text in enumerate(texts[:depth], 1):
        if holds(support, text):
            return rank
    return None


def recall_at(ranks: Sequence[int | None], k: int) -> float | None:
    """Share of questions whose support is at rank <= k (None: no questions)."""
    if not ranks:
        return None
    return sum(r is not None and r <= k for r in ranks) / len(ranks)


def mrr(ranks: Sequence[int | None], depth: int = DEPTH) -> float | None:
    """Mean reciprocal rank, counting only ranks within ``depth``."""
    if not ranks:
        return None
    return sum(1 / r for r in ranks if r is not None and r <= depth) / len(ranks)


def answer_correct(accepted: Iterable[str], answer: str) -> bool:
    """Any accepted answer occurs in the answer text (normalised, whitespace removed)."""
    text = squash(answer)
    return any(squash(a) and squash(a) in text for a in accepted)


def citation_correct(
    report_id: str | None,
    support: str | None,
    citations: Iterable[tuple[str, str] | tuple[str, str, int | None]],
    page: int | None = None,
) -> bool:
    """Some citation (report id, cited text[, page]) comes from ``report_id``, its text holds ``support``,
    and, where both the question and the citation give a page, on that page."""
    return bool(report_id and support) and any(
        c[0] == report_id
        and holds(support, c[1])  # type: ignore[arg-type]
        and (page is None or len(c) < 3 or c[2] is None or c[2] == page)
        for c in citations
    )


def abstention(abstained: Sequence[bool], unanswerable: Sequence[bool]) -> tuple[float | None, float | None]:
    """(precision, recall) of abstaining on the truly unanswerable; None where undefined."""
    hits = sum(a and u for a, u in zip(abstained, unanswerable, strict=True))
    n_abstained, n_unanswerable = sum(abstained), sum(unanswerable)
    precision = hits / n_abstained if n_abstained else None
    recall = hits / n_unanswerable if n_unanswerable else None
    return precision, recall


def mean(flags: Sequence[bool]) -> float | None:
    return sum(flags) / len(flags) if flags else None


def percentile(values: Sequence[float], p: float) -> float | None:
    """Linear-interpolated percentile (``p`` in 0..100); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * p / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


# --- scoring one system ------------------------------------------------------------------------


def score(q: Question, r: Response) -> dict[str, Any]:
    """One per-question row: what came back and how it scored."""
    texts = [p.text for p in r.passages]
    rank = first_rank(q.support, texts) if q.answerable and q.support else None
    correct = q.answerable and r.answerable and answer_correct(q.answers, r.answer)
    cited = correct and citation_correct(
        q.report_id, q.support, [(c.report_id, c.text, c.page) for c in r.citations], q.page
    )
    # The answer contract: every number in an answer occurs in a quote it cites.
    numbers_ok = not unsupported_numbers(r.answer, [c.text for c in r.citations]) if r.citations else None
    return {
        "id": q.id,
        "type": q.type,
        "lang": q.lang,
        "answerable": q.answerable,
        "rank": rank,
        "answer_correct": correct if q.answerable else None,
        "citation_correct": cited if q.answerable else None,
        "abstained": not r.answerable,
        "answer": r.answer[:240],
        "top_report": r.passages[0].report_id if r.passages else None,
        "cited_reports": sorted({c.report_id for c in r.citations}),
        "numbers_supported": numbers_ok,
        "search_ms": 1000 * r.search_s,
        "ask_ms": None if r.ask_s is None else 1000 * r.ask_s,
    }


def totals(rows: list[dict[str, Any]]) -> dict[str, float | None]:
    answerable = [row for row in rows if row["answerable"]]
    ranks = [row["rank"] for row in answerable]
    precision, recall = abstention([row["abstained"] for row in rows], [not row["answerable"] for row in rows])
    return {
        "R@1": recall_at(ranks, 1),
        "R@5": recall_at(ranks, 5),
        "MRR@10": mrr(ranks),
        "answer_accuracy": mean([row["answer_correct"] for row in answerable]),
        "citation_accuracy": mean([row["citation_correct"] for row in answerable]),
        "abstention_precision": precision,
        "abstention_recall": recall,
        "numbers_supported": mean([row["numbers_supported"] for row in rows if row["numbers_supported"] is not None]),
    }


def latency(rows: list[dict[str, Any]]) -> dict[str, float | None]:
    search = [row["search_ms"] for row in rows]
    ask = [row["ask_ms"] for row in rows if row["ask_ms"] is not None]
    return {
        "search_p50": percentile(search, 50),
        "search_p95": percentile(search, 95),
        "ask_p50": percentile(ask, 50),
        "ask_p95": percentile(ask, 95),
    }


def by_type(rows: list[dict[str, Any]]) -> dict[str, dict[str, float | int | None]]:
    """R@5 and answer accuracy per question type (answerable types only)."""
    out: dict[str, dict[str, float | int | None]] = {}
    for kind in sorted({row["type"] for row in rows if row["answerable"]}):
        group = [row for row in rows if row["type"] == kind and row["answerable"]]
        out[kind] = {
            "n": len(group),
            "R@5": recall_at([row["rank"] for row in group], 5),
            "answer_accuracy": mean([row["answer_correct"] for row in group]),
        }
    return out


def run_system(system: System, questions: list[Question]) -> list[dict[str, Any]]:
    if questions:
        system.run(questions[0].question)  # warm-up: model loads and caches stay out of the timings
    return [score(q, system.run(q.question)) for q in questions]


def failures(q: Question, row: dict[str, Any]) -> list[str]:
    """Why a question counts as failed for the report; empty when it passed."""
    if not q.answerable:
        return [] if row["abstained"] else ["did not abstain"]
    reasons = []
    if row["rank"] is None or row["rank"] > 5:
        reasons.append("support not in top 5" if row["rank"] is None else f"support at rank {row['rank']}")
    if row["abstained"]:
        reasons.append("abstained")
    elif not row["answer_correct"]:
        reasons.append("answer wrong")
    elif not row["citation_correct"]:
        reasons.append("citation wrong")
    return reasons


def unreachable(questions: list[Question], units: Sequence[Passage]) -> list[str]:
    """Answerable questions whose support is in none of a system's passages: R@10 cannot reach them."""
    by_report: dict[str, list[str]] = {}
    for p in units:
        by_report.setdefault(p.report_id, []).append(p.text)
    return [
        q.id
        for q in questions
        if q.answerable and q.support and not any(holds(q.support, t) for t in by_report.get(q.report_id or "", []))
    ]


def diagnostics(
    kb: KnowledgeBase, questions: list[Question], rows: dict[str, list[dict[str, Any]]], systems: list[System]
) -> dict:
    """Data checks: supports missing from the cleaned text, split over chunks, out of a system's reach, or
    never retrieved by any system."""
    reports = {r.id: r for r in kb.reports()}
    missing, split = [], []
    for q in questions:
        if not (q.answerable and q.support):
            continue
        report = reports.get(q.report_id or "")
        if report is None or not holds(q.support, report.text):
            missing.append(q.id)
        elif not any(holds(q.support, c.text) for c in kb.chunks(report.id)):
            split.append(q.id)
    never = [
        q.id
        for i, q in enumerate(questions)
        if q.answerable and all(system_rows[i]["rank"] is None for system_rows in rows.values())
    ]
    return {
        "support_not_in_cleaned_report": missing,
        "support_split_across_chunks": split,
        "unreachable": {s.name: unreachable(questions, s.units) for s in systems if s.units},
        "never_retrieved": never,
    }


# --- the run ----------------------------------------------------------------------------------


@contextlib.contextmanager
def torch_threads(n: int) -> Iterator[None]:
    """Run with ``n`` torch threads, then restore the previous count (no-op without torch)."""
    try:
        import torch
    except ImportError:
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _peer_systems(kb: KnowledgeBase, settings: Settings) -> tuple[list[System], dict[str, float], list[str]]:
    """Keyword, dense and llama-index peers; a peer that cannot run is skipped with a note."""
    from .peers import llamaindex_peer, local_model_folder

    systems, setup, notes = [keyword_peer(kb), dense_peer(kb)], {}, []
    try:
        folder = local_model_folder(kb.settings.model)
        if folder is None:
            notes.append(
                f"llama-index peer skipped: model {kb.settings.model!r} has no local sentence-transformers folder"
            )
        else:
            started = time.perf_counter()
            systems.append(llamaindex_peer(settings.corpus, folder))
            setup["llama-index"] = time.perf_counter() - started
    except ImportError as exc:
        notes.append(
            f"llama-index peer skipped: {exc} (pip install 'llama-index-core>=0.12' llama-index-embeddings-huggingface)"
        )
    return systems, setup, notes


def run_eval(
    settings: Settings,
    *,
    questions: Path = QUESTIONS,
    index: Path | None = None,
    peers: bool = True,
    out: Path = RESULTS,
) -> dict:
    """Evaluate cxkb (and, with ``peers``, its peers); write report.md, eval.json, chart.png to ``out``.

    ``index``: an index built from ``settings.corpus``; None builds a temporary one with ``settings``.
    Returns the result that ``eval.json`` holds.
    """
    started = time.perf_counter()
    qs = load_questions(questions)
    with contextlib.ExitStack() as stack:
        stack.enter_context(torch_threads(TORCH_THREADS))
        setup: dict[str, float] = {}
        if index is None:
            from .index import build_index

            index = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="cxkb-eval-"))) / "index"
            t0 = time.perf_counter()
            build_index(settings.replace(index=index))
            setup["cxkb index build"] = time.perf_counter() - t0
        kb = KnowledgeBase.open(index, settings)
        systems, notes = [cxkb_system(kb)], []
        if peers:
            more, peer_setup, notes = _peer_systems(kb, settings)
            systems += more
            setup.update(peer_setup)
        rows: dict[str, list[dict[str, Any]]] = {}
        run_s: dict[str, float] = {}
        for system in systems:
            log.info("evaluating %s on %d questions", system.name, len(qs))
            t0 = time.perf_counter()
            rows[system.name] = run_system(system, qs)
            run_s[system.name] = time.perf_counter() - t0
        result = {
            "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "model": kb.index.model,
            "corpus": str(settings.corpus),
            "reports": [{"id": r.id, "title": r.meta.title} for r in kb.reports()],
            "chunks": len(kb.chunks()),
            "settings": {k: kb.settings.to_dict()[k] for k in ("fusion", "keyword_weight", "chunk_size", "model")},
            "questions": {"file": str(questions), "total": len(qs), "unanswerable": sum(not q.answerable for q in qs)},
            "answer_mode": "ask" if has_ask(kb) else "top-hit fallback",
            "torch_threads": TORCH_THREADS,
            "systems": {
                s.name: {
                    "note": s.note,
                    "totals": totals(rows[s.name]),
                    "latency_ms": latency(rows[s.name]),
                    "by_type": by_type(rows[s.name]),
                }
                for s in systems
            },
            "notes": notes,
            "diagnostics": diagnostics(kb, qs, rows, systems),
            "setup_s": setup,
            "run_s": run_s,
            "rows": rows,
        }
    result["runtime_s"] = time.perf_counter() - started
    write_results(result, qs, Path(out))
    return result


# --- floors -----------------------------------------------------------------------------------


def check_floors(result: dict, floors: Path = FLOORS) -> list[str]:
    """The cxkb totals below their floor in ``floors`` (a JSON object metric -> minimum); empty when all hold.

    Keys starting with ``_`` are comments. A floored metric that is missing or undefined fails too.
    """
    spec = json.loads(Path(floors).read_text(encoding="utf-8"))
    got = result.get("systems", {}).get("cxkb", {}).get("totals", {})
    failed = []
    for metric, floor in spec.items():
        if metric.startswith("_"):
            continue
        value = got.get(metric)
        if value is None:
            failed.append(f"{metric}: no value in the result (floor {floor})")
        elif value < floor:
            failed.append(f"{metric}: {value:.3f} is below the floor {floor:.3f}")
    return failed


# --- writing ----------------------------------------------------------------------------------


def _fmt(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _ms(lat: dict[str, float | None], what: str) -> str:
    if lat[f"{what}_p50"] is None:
        return "—"
    return f"{lat[f'{what}_p50']:.0f} / {lat[f'{what}_p95']:.0f}"


def _one_line(text: str, limit: int = 160) -> str:
    flat = " ".join(text.split()).replace("|", "\\|")
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def to_markdown(result: dict, questions: list[Question], drcd: str | None = None) -> str:
    systems = result["systems"]
    qinfo = result["questions"]
    lines = [
        "# cxkb evaluation",
        "",
        f"- Date: {result['date']}",
        f"- Model: `{result['model']}`; cxkb settings: "
        + ", ".join(f"{k}={v}" for k, v in result["settings"].items() if k != "model"),
        f"- Corpus: `{result['corpus']}`: {len(result['reports'])} reports, {result['chunks']} chunks "
        f"({', '.join(r['id'] for r in result['reports'])})",
        f"- Questions: `{qinfo['file']}`: {qinfo['total']} ({qinfo['total'] - qinfo['unanswerable']} answerable, "
        f"{qinfo['unanswerable']} unanswerable)",
        f"- cxkb answers: {result['answer_mode']}; latency measured warm with {result['torch_threads']} torch thread(s)",
        f"- Runtime: {result['runtime_s']:.0f} s"
        + "".join(f"; {name} setup {s:.0f} s" for name, s in result["setup_s"].items())
        + "; questions: "
        + ", ".join(f"{name} {s:.0f} s" for name, s in result["run_s"].items()),
        "",
        "## Headline",
        "",
        "Retrieval over the top 10 passages, answerable questions only; answer and citation accuracy on "
        "answerable questions; abstention on all. Latency p50 / p95 in ms, warm.",
        "",
        "| system | R@1 | R@5 | MRR@10 | answer acc. | citation acc. | abstain P | abstain R | search ms | ask ms |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, s in systems.items():
        t = s["totals"]
        lines.append(
            f"| {name} | {_fmt(t['R@1'])} | {_fmt(t['R@5'])} | {_fmt(t['MRR@10'])} | {_fmt(t['answer_accuracy'])} | "
            f"{_fmt(t['citation_accuracy'])} | {_fmt(t['abstention_precision'])} | {_fmt(t['abstention_recall'])} | "
            f"{_ms(s['latency_ms'], 'search')} | {_ms(s['latency_ms'], 'ask')} |"
        )
    lines += ["", *[f"- **{name}**: {s['note']}" for name, s in systems.items()]]
    lines += [f"- {note}" for note in result["notes"]]
    checked = systems.get("cxkb", {}).get("totals", {}).get("numbers_supported")
    if checked is not None:
        lines.append(f"- cxkb answers whose every number occurs in a quote they cite: {_fmt(checked)} (must be 1.000)")
    lines += ["", "![R@1, R@5 and answer accuracy per system](chart.png)", ""]

    names = list(systems)
    kinds = list(systems[names[0]]["by_type"])
    lines += [
        "## By question type",
        "",
        "R@5 / answer accuracy.",
        "",
        "| type | n | " + " | ".join(names) + " |",
        "|---|---|" + "---|" * len(names),
    ]
    for kind in kinds:
        cells = [
            f"{_fmt(systems[n]['by_type'][kind]['R@5'], 2)} / {_fmt(systems[n]['by_type'][kind]['answer_accuracy'], 2)}"
            for n in names
        ]
        lines.append(f"| {kind} | {systems[names[0]]['by_type'][kind]['n']} | " + " | ".join(cells) + " |")

    diag = result["diagnostics"]
    lines += [
        "",
        "## Data checks",
        "",
        f"- Support not found in the cleaned report text (eval-set or cleaner bug): "
        f"{', '.join(diag['support_not_in_cleaned_report']) or 'none'}",
        f"- Support in the report but in no single chunk (split by chunking): "
        f"{', '.join(diag['support_split_across_chunks']) or 'none'}",
        f"- Support never in any system's top 10: {', '.join(diag['never_retrieved']) or 'none'}",
    ]
    groups: dict[tuple[str, ...], list[str]] = {}
    for name, ids in diag["unreachable"].items():
        groups.setdefault(tuple(ids), []).append(name)
    for ids, names_ in groups.items():
        cap = 1 - len(ids) / max(1, qinfo["total"] - qinfo["unanswerable"])
        lines.append(
            f"- {', '.join(names_)}: support in none of the passages it can return (caps R@10 at {cap:.3f}): "
            f"{', '.join(ids) or 'none'}"
        )

    cx_rows = result["rows"]["cxkb"]
    failed = [(q, row, failures(q, row)) for q, row in zip(questions, cx_rows, strict=True) if failures(q, row)]
    lines += ["", f"## Failed questions (cxkb): {len(failed)} of {len(questions)}", ""]
    for q, row, reasons in failed:
        expected = " / ".join(q.answers) if q.answers else "(abstain)"
        lines.append(f"- `{q.id}` ({q.type}) {_one_line(q.question, 120)} — **{'; '.join(reasons)}**")
        lines.append(
            f"  - expected: {_one_line(expected, 80)}"
            + (f" in `{q.report_id}`" if q.report_id else "")
            + f"; got: {_one_line(row['answer'])} (cited: {', '.join(row['cited_reports']) or 'nothing'}; "
            f"top hit: {row['top_report']}; support rank: {row['rank'] or '-'})"
        )
    if drcd:
        lines += ["", "## External check: DRCD", "", drcd.strip()]
    return "\n".join(lines) + "\n"


def write_chart(result: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(result["systems"])
    metrics = [("R@1", "R@1"), ("R@5", "R@5"), ("answer_accuracy", "Answer accuracy")]
    width = 0.8 / len(metrics)
    fig, ax = plt.subplots(figsize=(1.8 + 1.9 * len(names), 4.2))
    for i, (key, label) in enumerate(metrics):
        values = [result["systems"][n]["totals"][key] or 0.0 for n in names]
        xs = [j + (i - (len(metrics) - 1) / 2) * width for j in range(len(names))]
        bars = ax.bar(xs, values, width, label=label)
        ax.bar_label(bars, fmt="%.2f", fontsize=8, padding=2)
    ax.set_xticks(range(len(names)), names)
    ax.set_ylim(0, 1.1)
    ax.set_ylabel("share of answerable questions")
    ax.set_title(f"cxkb eval: {result['questions']['total']} questions, model {result['model']}", fontsize=10)
    ax.legend(loc="upper right", fontsize=8, ncols=len(metrics))
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def write_results(result: dict, questions: list[Question], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    drcd_file = out / "drcd.md"
    drcd = drcd_file.read_text(encoding="utf-8") if drcd_file.is_file() else None
    (out / "eval.json").write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    (out / "report.md").write_text(to_markdown(result, questions, drcd), encoding="utf-8")
    write_chart(result, out / "chart.png")


__all__ = [
    "METRICS",
    "Question",
    "abstention",
    "answer_correct",
    "check_floors",
    "citation_correct",
    "first_rank",
    "holds",
    "load_questions",
    "mrr",
    "recall_at",
    "run_eval",
]
