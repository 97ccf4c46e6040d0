"""Scale benchmark: ``cxkb bench scale --chunks 130000``.

A synthetic library is written from the sentences of the DRCD and CMRC paragraphs in
``../shared/benchmarks`` (about a million characters, so sentences recur; reports are
random draws of them, so chunks and their neighbourhoods do not). It is built with the
test embedder ``hash:384`` in a fresh process (embedding is left out of the build
figure), then opened and queried in another fresh process:

- build wall time and peak memory, index size on disk;
- open time and serving memory (RSS after opening and answering);
- warm search and ask p50/p95 over DRCD questions, plus the real query embedding's own
  p50 (ONNX path of the default model), added to give the figures with the query embedding;
- recall@10 of the approximate dense index against exact search.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

_SENTENCE = re.compile(r"[^。！？]+[。！？]?")


@dataclass
class Scale:
    chunks_asked: int
    reports: int = 0
    characters: int = 0
    chunks: int = 0
    build: dict[str, float] = field(default_factory=dict)  # wall_s, peak_mb, size_mb
    serve: dict[str, float] = field(default_factory=dict)  # open_s, rss_mb, search/ask p50/p95, embed p50
    ann: dict[str, float] = field(default_factory=dict)  # kind, recall_at_10, queries
    cpu: str = ""


def _split_files(data: Path) -> list[Path]:
    names = ("drcd/DRCD_dev.json", "drcd/DRCD_test.json", "cmrc2018/cmrc2018_trial.json")
    files = [data / n for n in names if (data / n).is_file()]
    if not files:
        from .errors import CxkbError

        raise CxkbError(f"no DRCD or CMRC files under {data}; pass --data with the benchmarks folder")
    return files


def pool(data: Path) -> tuple[list[str], list[str]]:
    """Every sentence of the benchmark paragraphs, and every question."""
    sentences, questions = [], []
    for file in _split_files(data):
        for doc in json.loads(file.read_text(encoding="utf-8"))["data"]:
            for paragraph in doc["paragraphs"]:
                sentences += [s for s in _SENTENCE.findall(paragraph["context"]) if len(s) >= 8]
                questions += [qa["question"] for qa in paragraph["qas"]]
    return sentences, questions


def write_library(out: Path, chunks: int, sentences: list[str], chunk_size: int, seed: int = 7) -> tuple[int, int]:
    """Reports of 4-40 paragraphs of 2-6 random sentences until about ``chunks`` chunks of ``chunk_size``."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    target = chunks * chunk_size * 0.76  # chunks run short of chunk_size (sentences are not split; overlap)
    written = n = 0
    while written < target:
        paragraphs = [
            "".join(rng.choice(sentences) for _ in range(rng.randint(2, 6))) for _ in range(rng.randint(4, 40))
        ]
        text = f"合成报告第{n}号\n\n" + "\n\n".join(paragraphs) + "\n"
        (out / f"r{n:05d}.txt").write_text(text, encoding="utf-8")
        written += len(text)
        n += 1
    return n, written


def _tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants (shared pages counted in each: an upper bound)."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return total / 1024


def run_measured(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident MB of a command and its worker processes together (sampled)."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = 0.0
    while proc.poll() is None:
        peak = max(peak, _tree_rss_mb(proc.pid))
        time.sleep(0.2)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited with {proc.returncode}: {proc.stderr.read().strip()[-800:]}")
    return wall, peak


def folder_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def _rss_mb(field: str = "VmRSS") -> float:
    """Resident MB: all (VmRSS), or anonymous memory only (RssAnon), or mapped files' pages (RssFile)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _percentiles(times: list[float]) -> tuple[float, float]:
    p50, p95 = np.percentile(times, [50, 95])
    return round(float(p50), 1), round(float(p95), 1)


def serve(index: Path, questions: list[str], config: Path, out: Path, recall_queries: int = 200) -> None:
    """Run in a fresh process (``python -m cxkb.bench_scale``): open, ask, measure; JSON to ``out``."""
    from .kb import KnowledgeBase
    from .settings import load_settings

    settings = load_settings(config)
    started = time.perf_counter()
    kb = KnowledgeBase.open(index, settings)
    result: dict[str, float | str] = {"open_s": round(time.perf_counter() - started, 2)}
    for name, call in (("search", kb.search), ("ask", kb.ask)):
        call(questions[0])
        times = []
        for q in questions:
            t = time.perf_counter()
            call(q)
            times.append((time.perf_counter() - t) * 1000)
        result[f"{name}_p50_ms"], result[f"{name}_p95_ms"] = _percentiles(times)
    result["rss_mb"] = round(_rss_mb())
    # Pages of memory-mapped index files count in RSS but are the kernel's file cache, dropped under pressure.
    result["rss_anon_mb"], result["rss_file_mb"] = round(_rss_mb("RssAnon")), round(_rss_mb("RssFile"))
    result.update(_ann_recall(kb, questions[:recall_queries], settings))
    out.write_text(json.dumps(result), encoding="utf-8")


def _ann_recall(kb, questions: list[str], settings) -> dict[str, float | str]:
    """Recall@10 of the dense HNSW search against exact inner products over every chunk vector."""
    from .search import query_vector

    index = kb._index
    if index.ann is None:
        return {"ann": "exact (below ann_above)"}
    hits = 0
    for q in questions:
        qvec = np.asarray(query_vector(index, q, settings), np.float32)
        exact = np.concatenate(
            [np.asarray(index.vectors[i : i + 65536], np.float32) @ qvec for i in range(0, len(index.vectors), 65536)]
        )
        truth = set(np.argpartition(-exact, 10)[:10].tolist())
        _, found = index.ann.search(qvec[None, :], 10)
        hits += len(truth & set(found[0].tolist()))
    return {"ann": "hnsw", "recall_at_10": round(hits / (10 * len(questions)), 4), "recall_queries": len(questions)}


def query_embedding_ms(questions: list[str]) -> float | None:
    """p50 of the default model's query embedding on its default query path (None where it is not installed)."""
    from .embed import get_embedder
    from .errors import CxkbError
    from .settings import DEFAULT_MODEL, Settings

    try:
        embedder = get_embedder(DEFAULT_MODEL, backend="auto", threads=Settings().query_threads)
    except CxkbError:
        return None
    embedder.embed_queries(questions[:1])
    times = []
    for q in questions:
        t = time.perf_counter()
        embedder.embed_queries([q])
        times.append((time.perf_counter() - t) * 1000)
    return _percentiles(times)[0]


def to_markdown(result: Scale) -> str:
    b, s, a = result.build, result.serve, result.ann
    embed = s.get("query_embed_p50_ms")
    plus = f" + {embed:.1f} ms query embedding = **{{:.1f}} ms**" if embed is not None else ""
    lines = [
        f"# cxkb bench scale: {result.chunks:,} chunks",
        "",
        f"CPU: {result.cpu}. Synthetic library: {result.reports:,} reports, {result.characters:,} characters of "
        "DRCD and CMRC sentences in random order, built with the test embedder `hash:384` (embedding left out).",
        "",
        "| measure | value |",
        "|---|---|",
        f"| build without embedding (whole process, all workers) | **{b['without_embedding_s']:.0f} s** "
        f"({b['wall_s']:.0f} s in all, {b['embedding_s']:.0f} s of it embedding), peak {b['peak_mb']:,.0f} MB |",
        f"| index on disk | {b['size_mb']:,.0f} MB |",
        f"| open (fresh process, after imports) | {s['open_s']:.2f} s |",
        f"| serving RSS (after opening and answering) | {s['rss_mb']:,.0f} MB: {s['rss_anon_mb']:,.0f} MB process "
        f"memory, {s['rss_file_mb']:,.0f} MB pages of the memory-mapped index files |",
    ]
    for name in ("search", "ask"):
        p50 = s[f"{name}_p50_ms"]
        total = plus.format(p50 + embed) if embed is not None else ""
        lines.append(
            f"| warm {name} p50 / p95 ({s['questions']:.0f} questions) | {p50:.1f}{total} / {s[f'{name}_p95_ms']:.1f} ms |"
        )
    if a.get("ann") == "hnsw":
        lines.append(
            f"| HNSW recall@10 against exact search ({a['recall_queries']:.0f} queries) | {a['recall_at_10']:.3f} |"
        )
    else:
        lines.append(f"| dense search | {a.get('ann')} |")
    return "\n".join(lines) + "\n"


def write(result: Scale, out: Path) -> Path:
    from .bench_speed import write_pair

    return write_pair(out, to_markdown(result), asdict(result))


def run(chunks: int, data: Path, work: Path, questions_n: int = 200, keep: bool = False) -> Scale:
    """The whole benchmark (``cxkb bench scale``): write, build, open and ask; ``work`` is emptied first."""
    from .bench_speed import cpu_name
    from .settings import Settings

    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    sentences, questions = pool(data)
    questions = random.Random(3).sample(questions, min(questions_n, len(questions)))
    result = Scale(chunks_asked=chunks, cpu=cpu_name())
    result.reports, result.characters = write_library(work / "corpus", chunks, sentences, Settings().chunk_size)
    config = work / "scale.toml"
    config.write_text('model = "hash:384"\n', encoding="utf-8")
    index = work / "index"
    cli = [sys.executable, "-m", "cxkb.cli", "--config", str(config)]
    wall, peak = run_measured([*cli, "build", "--corpus", str(work / "corpus"), "--index", str(index)])
    manifest = json.loads((index / "manifest.json").read_text(encoding="utf-8"))
    result.chunks = manifest["chunk_count"]
    embedding = float(manifest.get("embedding_seconds", 0.0))
    result.build = {
        "wall_s": round(wall, 1),
        "embedding_s": embedding,
        "without_embedding_s": round(wall - embedding, 1),
        "peak_mb": round(peak),
        "size_mb": round(folder_mb(index)),
    }
    (work / "questions.json").write_text(json.dumps(questions, ensure_ascii=False), encoding="utf-8")
    served = work / "serve.json"
    subprocess.run(
        [sys.executable, "-m", "cxkb.bench_scale", str(index), str(work / "questions.json"), str(config), str(served)],
        check=True,
    )
    measured = json.loads(served.read_text(encoding="utf-8"))
    result.ann = {k: measured.pop(k) for k in ("ann", "recall_at_10", "recall_queries") if k in measured}
    result.serve = {**measured, "questions": len(questions), "query_embed_p50_ms": query_embedding_ms(questions)}
    if not keep:
        shutil.rmtree(work, ignore_errors=True)
    return result


if __name__ == "__main__":  # the serving half, in its own process
    _index, _questions, _config, _out = map(Path, sys.argv[1:5])
    serve(_index, json.loads(_questions.read_text(encoding="utf-8")), _config, _out)
