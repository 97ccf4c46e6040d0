"""Soak benchmark of the web app: ``cxkb bench serve --qps 20 --minutes 10``.

Starts ``cxkb serve`` on a free loopback port in a child process, asks questions through
Gradio's HTTP API at a fixed rate (open loop: a slow answer does not slow the arrivals), and
samples the server's resident memory. Reports requests, errors (a "queue full" refusal is
counted apart: it is the server saying it is busy, as designed), latency p50/p95, and RSS
after warm-up and at the end. Loopback only; rate and duration are bounded.
"""

from __future__ import annotations

import json
import logging
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from .errors import InputError

log = logging.getLogger(__name__)

HOST = "127.0.0.1"  # never anything else: this sends thousands of requests
MAX_QPS = 50.0
MAX_MINUTES = 60.0
READY_SECONDS = 300.0


@dataclass
class Soak:
    qps: float
    minutes: float
    warmup_seconds: float
    requests: int = 0
    ok: int = 0
    queue_full: int = 0
    errors: int = 0
    error_examples: list[str] = field(default_factory=list)
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    rss_start_mb: float = 0.0  # after warm-up
    rss_end_mb: float = 0.0
    rss_max_mb: float = 0.0
    rss_samples: list[tuple[float, float]] = field(default_factory=list)  # (seconds, MB)

    @property
    def growth_mb(self) -> float:
        return self.rss_end_mb - self.rss_start_mb


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _ask(client, base: str, question: str) -> tuple[str, float, str]:
    """One question through ``/gradio_api/call/ask``: (outcome, seconds, detail)."""
    from .app import ANY_YEAR

    started = time.perf_counter()
    try:
        posted = client.post(f"{base}/gradio_api/call/ask", json={"data": [question, [], "", ANY_YEAR, [], None, []]})
        if posted.status_code == 503 or "queue is full" in posted.text.lower():
            return "queue_full", time.perf_counter() - started, posted.text[:200]
        if posted.status_code != 200:
            return "error", time.perf_counter() - started, f"HTTP {posted.status_code}: {posted.text[:200]}"
        event = posted.json()["event_id"]
        with client.stream("GET", f"{base}/gradio_api/call/ask/{event}") as stream:
            kind = ""
            for line in stream.iter_lines():
                if line.startswith("event:"):
                    kind = line.split(":", 1)[1].strip()
                elif line.startswith("data:") and kind in ("complete", "error"):
                    data = line.split(":", 1)[1].strip()
                    if kind == "complete" and "cxkb-turn" in data:
                        return "ok", time.perf_counter() - started, ""
                    full = "queue is full" in data.lower()
                    return ("queue_full" if full else "error"), time.perf_counter() - started, data[:200]
        return "error", time.perf_counter() - started, "the event stream ended without a result"
    except Exception as exc:  # a refused connection or timeout is a measured error, not a crash
        return "error", time.perf_counter() - started, f"{type(exc).__name__}: {exc}"


def soak(
    index: Path,
    corpus: Path,
    questions: list[str],
    *,
    qps: float = 20.0,
    minutes: float = 10.0,
    warmup_seconds: float = 60.0,
    config: Path | None = None,
    progress=None,
) -> Soak:
    """Serve ``index`` in a child process and ask ``questions`` (cycled) at ``qps`` for ``minutes``."""
    import httpx

    if not 0 < qps <= MAX_QPS:
        raise InputError(f"--qps {qps} is out of range; give a rate above 0 and at most {MAX_QPS:g}")
    if not 0 < minutes <= MAX_MINUTES:
        raise InputError(f"--minutes {minutes} is out of range; give a duration above 0 and at most {MAX_MINUTES:g}")
    if not questions:
        raise InputError('no questions to ask; pass --questions with a JSONL file of {"question": …} lines')
    warmup_seconds = min(warmup_seconds, minutes * 60 / 2)
    port = _free_port()
    base = f"http://{HOST}:{port}"
    cmd = [sys.executable, "-m", "cxkb.cli", *(["--config", str(config)] if config else [])]
    cmd += ["serve", "--index", str(index), "--corpus", str(corpus), "--host", HOST, "--port", str(port)]
    server = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    result = Soak(qps, minutes, warmup_seconds)
    try:
        deadline = time.monotonic() + READY_SECONDS
        while True:
            if server.poll() is not None:
                raise InputError(f"cxkb serve exited before serving: {(server.stderr.read() or '').strip()[-300:]}")
            try:
                if httpx.get(base + "/", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise InputError(f"cxkb serve did not answer on {base} within {READY_SECONDS:.0f} s")
            time.sleep(0.5)
        threading.Thread(target=lambda: server.stderr.read(), daemon=True).start()  # keep its pipe drained

        total = int(qps * minutes * 60)
        outcomes: list[tuple[float, str, float, str]] = []
        lock = threading.Lock()
        started = time.monotonic()
        stop = threading.Event()

        def sample() -> None:
            while not stop.wait(1.0):
                result.rss_samples.append((round(time.monotonic() - started, 1), round(_rss_mb(server.pid), 1)))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        limits = httpx.Limits(max_connections=256, max_keepalive_connections=64)
        with httpx.Client(timeout=60, limits=limits) as client, ThreadPoolExecutor(max_workers=128) as pool:

            def one(i: int) -> None:
                at = time.monotonic() - started
                outcome, seconds, detail = _ask(client, base, questions[i % len(questions)])
                with lock:
                    outcomes.append((at, outcome, seconds, detail))

            for i in range(total):
                delay = started + i / qps - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                pool.submit(one, i)
                if progress and i % max(int(qps), 1) == 0:
                    progress(i, total)
        stop.set()
        sampler.join()
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    result.requests = len(outcomes)
    result.ok = sum(o == "ok" for _, o, _, _ in outcomes)
    result.queue_full = sum(o == "queue_full" for _, o, _, _ in outcomes)
    result.errors = sum(o == "error" for _, o, _, _ in outcomes)
    result.error_examples = sorted({d for _, o, _, d in outcomes if o == "error"})[:5]
    answered = [s * 1000 for _, o, s, _ in outcomes if o == "ok"]
    if answered:
        result.p50_ms, result.p95_ms = (round(float(x), 1) for x in np.percentile(answered, [50, 95]))
    after = [mb for t, mb in result.rss_samples if t >= warmup_seconds and mb]
    if after:
        result.rss_start_mb, result.rss_end_mb, result.rss_max_mb = after[0], after[-1], max(after)
    return result


def report_markdown(result: Soak, index: Path) -> str:
    rows = [
        ("requests", f"{result.requests:,} at {result.qps:g}/s for {result.minutes:g} min"),
        ("answered", f"{result.ok:,}"),
        ("refused: queue full", f"{result.queue_full:,}"),
        ("errors", f"{result.errors:,}"),
        ("latency p50 / p95", f"{result.p50_ms:.0f} / {result.p95_ms:.0f} ms"),
        (f"server RSS after {result.warmup_seconds:.0f} s warm-up", f"{result.rss_start_mb:,.0f} MB"),
        ("server RSS at the end", f"{result.rss_end_mb:,.0f} MB (max {result.rss_max_mb:,.0f} MB)"),
        ("RSS growth after warm-up", f"{result.growth_mb:+.0f} MB"),
    ]
    lines = [
        f"# cxkb bench serve: {index}",
        "",
        f"`cxkb bench serve --qps {result.qps:g} --minutes {result.minutes:g}` ({time.strftime('%Y-%m-%d')}, "
        "loopback, 2 handlers, 16 waiting).",
        "",
        "| measure | value |",
        "|---|---|",
        *(f"| {k} | {v} |" for k, v in rows),
    ]
    if result.error_examples:
        lines += ["", "Errors seen:", *(f"- {e}" for e in result.error_examples)]
    return "\n".join(lines) + "\n"


def write(result: Soak, index: Path, out: Path) -> tuple[Path, Path]:
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    md, js = out.with_suffix(".md"), out.with_suffix(".json")
    md.write_text(report_markdown(result, index), encoding="utf-8")
    body = {**asdict(result), "growth_mb": round(result.growth_mb, 1), "index": str(index)}
    js.write_text(json.dumps(body, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return md, js
