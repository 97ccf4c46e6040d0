"""Speed benchmark: ``cxkb bench speed`` measures, in one run on one machine,

- cold ``cxkb ask`` and ``cxkb search`` (a fresh process each: wall time and peak memory),
- warm search and ask p50/p95 over the evaluation questions (query embedding included),
- embedding passages per second on every available path, with the ratio to sentence-transformers fp32.

DRCD hybrid R@1/R@5 with the default path come from ``cxkb bench drcd`` (its build time is the cold
build figure); the README quotes both.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from .settings import DEFAULT_MODEL, Settings


@dataclass
class Speed:
    index: str
    cold: dict[str, dict[str, float]] = field(default_factory=dict)  # command -> {wall_s, peak_mb}
    warm: dict[str, dict[str, float]] = field(default_factory=dict)  # search/ask -> {p50_ms, p95_ms}
    embedding: dict[str, dict[str, float]] = field(default_factory=dict)  # path -> {passages_s, ratio, cosine}
    cpu: str = ""


def _child(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident MB of one child process."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited with {proc.returncode}")
    return wall, usage.ru_maxrss / 1024


def cold(index: Path, question: str, config: Path | None, runs: int = 3) -> dict[str, dict[str, float]]:
    """Median wall time and peak memory of whole ``cxkb ask``/``search`` processes (after one unmeasured run)."""
    base = [sys.executable, "-m", "cxkb.cli", *(["--config", str(config)] if config else [])]
    out = {}
    for command in ("ask", "search"):
        cmd = [*base, command, question, "--index", str(index)]
        _child(cmd)  # the OS file cache warm, as for any second call of the day
        walls, peaks = zip(*(_child(cmd) for _ in range(runs)), strict=True)
        out[command] = {"wall_s": round(statistics.median(walls), 2), "peak_mb": round(max(peaks))}
    return out


def warm(index: Path, questions: list[str], settings: Settings) -> dict[str, dict[str, float]]:
    from .kb import KnowledgeBase

    kb = KnowledgeBase.open(index, settings)
    kb.ask(questions[0])  # the model loaded
    out = {}
    for name, call in (("search", kb.search), ("ask", kb.ask)):
        times = []
        for q in questions:
            started = time.perf_counter()
            call(q)
            times.append((time.perf_counter() - started) * 1000)
        p50, p95 = np.percentile(times, [50, 95])
        out[name] = {"p50_ms": round(float(p50), 1), "p95_ms": round(float(p95), 1), "questions": len(times)}
    return out


def embedding(passages: list[str], settings: Settings, *, warm_up: list[str] = ()) -> dict[str, dict[str, float]]:
    """Passages per second for each path on this machine, and the cosine of its vectors to the float32 ones
    (sentence-transformers, "torch"); bfloat16 only where the CPU has it (elsewhere it is emulated, and slow).

    Each path first embeds ``warm_up`` (other passages of similar lengths): oneDNN compiles a kernel per new
    input shape on first sight, which on an AMX CPU costs bfloat16 a tenth of a first pass over 128 paragraphs
    and a build of thousands of passages pays once. The timed pass is then the steady state a build runs at."""
    from .embed import get_embedder
    from .onnx_embed import has_bf16, resolve

    kw = {"batch_size": settings.batch_size, "max_seq_length": settings.max_seq_length, "threads": settings.threads}
    paths = {
        backend: get_embedder(DEFAULT_MODEL, backend=backend, **kw).embed_passages
        for backend in ("torch", *(("torch-bf16",) if has_bf16() else ()), "onnx", "onnx-int8")
    }
    # float32 at other batch sizes too: each path's ratio is also given against float32's fastest batch,
    # so that a batch size which happens to suit one path and not the other cannot make the ratio.
    for size in sorted({4, 16} - {settings.batch_size}):
        paths[f"torch (batch {size})"] = get_embedder(
            DEFAULT_MODEL, backend="torch", **{**kw, "batch_size": size}
        ).embed_passages
    out: dict[str, dict[str, float]] = {}
    base_vectors = None
    for name, run in paths.items():
        run(list(warm_up) or passages[:4])  # set-up and per-shape kernels are not throughput
        started = time.perf_counter()
        vectors = run(passages)
        rate = len(passages) / (time.perf_counter() - started)
        if base_vectors is None:
            base_vectors = vectors
        out[name] = {
            "passages_s": round(rate, 1),
            "cosine_min": round(float(np.min(np.sum(vectors * base_vectors, axis=1))), 5),
        }
    fastest_fp32 = max(v["passages_s"] for k, v in out.items() if k == "torch" or k.startswith("torch ("))
    for name in out:
        out[name]["ratio"] = round(out[name]["passages_s"] / out["torch"]["passages_s"], 2)
        out[name]["ratio_fastest"] = round(out[name]["passages_s"] / fastest_fp32, 2)
    out["auto"] = {"query": resolve("auto", "query"), "build": resolve("auto", "build")}  # type: ignore[dict-item]
    return out


def to_markdown(result: Speed) -> str:
    lines = [f"# cxkb bench speed: {result.index}", "", f"CPU: {result.cpu}", "", "| measure | value |", "|---|---|"]
    for command, v in result.cold.items():
        lines.append(f"| cold `cxkb {command}` (whole process) | {v['wall_s']:.2f} s, peak {v['peak_mb']:.0f} MB |")
    for name, v in result.warm.items():
        lines.append(
            f"| warm {name} p50 / p95 ({v['questions']} questions) | {v['p50_ms']:.1f} / {v['p95_ms']:.1f} ms |"
        )
    lines += [
        "",
        "| embedding path | passages/s | × sentence-transformers fp32 | × fp32 at its fastest batch "
        "| min cosine to fp32 |",
        "|---|---|---|---|---|",
    ]
    for name, v in result.embedding.items():
        if "passages_s" in v:
            fastest = f"{v['ratio_fastest']:.2f}" if "ratio_fastest" in v else "–"
            lines.append(f"| {name} | {v['passages_s']:.1f} | {v['ratio']:.2f} | {fastest} | {v['cosine_min']:.5f} |")
    if "auto" in result.embedding:
        auto = result.embedding["auto"]
        lines += ["", f'`embed_backend = "auto"` on this CPU: queries {auto["query"]}, builds {auto["build"]}.']
    return "\n".join(lines) + "\n"


def write(result: Speed, out: Path) -> Path:
    return write_pair(out, to_markdown(result), asdict(result))


def write_pair(out: Path, markdown: str, data: dict) -> Path:
    """A benchmark's Markdown at ``out`` and its figures as JSON beside it."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(markdown, encoding="utf-8")
    out.with_suffix(".json").write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return out


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return f"{line.split(':', 1)[1].strip()}, {os.cpu_count()} cores"
    except OSError:
        pass
    return f"{os.cpu_count()} cores"
