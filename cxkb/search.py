"""Hybrid search: BM25 and dense scores for every chunk, fused, filtered, ranked."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .embed import get_embedder
from .errors import IndexIncompatibleError, InputError
from .fusion import rrf, top_candidates, zscore
from .index import Index
from .models import Hit
from .normalize import normalize
from .question import Question, parse
from .segment import english_expansion, keyword_tokens
from .settings import Settings


@dataclass(frozen=True)
class Filters:
    reports: tuple[str, ...] = ()  # report ids or source file names
    publisher: str = ""  # substring, matched after normalisation
    year: int | None = None

    def mask(self, index: Index) -> np.ndarray | None:
        if not (self.reports or self.publisher or self.year):
            return None
        wanted = set(self.reports)
        known = {rid for rid in index.reports} | {r.source for r in index.reports.values()}
        unknown = sorted(wanted - known)
        if unknown:
            raise InputError(
                f"no report matches {', '.join(map(repr, unknown))}; `cxkb reports` lists the report ids and file names"
            )
        publisher = normalize(self.publisher)
        keep = {}
        for rid, report in index.reports.items():
            ok = not wanted or rid in wanted or report.source in wanted
            ok = ok and (not publisher or publisher in normalize(report.meta.publisher))
            ok = ok and (self.year is None or report.meta.year == self.year)
            keep[rid] = ok
        per_report = np.array([keep[rid] for rid in index.reports], dtype=bool)
        return per_report[index.chunks.report_numbers()] if len(index.chunks) else np.zeros(0, bool)  # type: ignore[attr-defined]


def check_question(question: str, settings: Settings) -> str:
    question = (question or "").strip()
    if not question:
        raise InputError("the question is empty; ask something, e.g. cxkb search '有核心客户体验指标的组织占多少？'")
    if len(question) > settings.max_question_chars:
        raise InputError(
            f"the question is {len(question)} characters, over the {settings.max_question_chars}-character limit; "
            "shorten it"
        )
    return question


def read_question(question: str | Question, settings: Settings) -> Question:
    """``question`` checked and parsed, once; an already parsed one is passed through."""
    return question if isinstance(question, Question) else parse(check_question(question, settings))


def keyword_scores(index: Index, question: str | Question) -> np.ndarray:
    terms = (
        question.keywords if isinstance(question, Question) else keyword_tokens(question) + english_expansion(question)
    )
    tokens = [t for t in terms if t in index.bm25.vocab_dict]
    if not tokens or not index.chunks:
        return np.full(len(index.chunks), -np.inf)
    scores = np.asarray(index.bm25.get_scores(tokens), dtype=np.float64)
    scores[scores <= 0] = -np.inf  # no shared term: not a keyword candidate
    return scores


def query_vector(index: Index, question: str | Question, settings: Settings) -> np.ndarray:
    """The question's embedding under the model the index was built with."""
    if index.model != settings.model:
        raise IndexIncompatibleError(
            f"index {index.path} was built with model {index.model!r} but the settings ask for "
            f"{settings.model!r}; rebuild with `cxkb build --model {settings.model}` or set model = "
            f"{index.model!r}"
        )
    embedder = get_embedder(
        index.model,
        batch_size=settings.batch_size,
        max_seq_length=settings.max_seq_length,
        threads=settings.query_threads,
        backend=settings.embed_backend,
    )
    check_backend(index, embedder)
    norm = question.norm if isinstance(question, Question) else normalize(question)
    return embedder.embed_queries([norm])[0]


_AGREED: set[tuple[str, str, str, int]] = set()  # (index path, generation, backend) already compared


def check_backend(index: Index, embedder) -> None:
    """Refuse a query path whose vectors disagree with the index's beyond the tolerance (checked once)."""
    from .embed import EMBED_TOLERANCE, agreement

    built = index.manifest["model"].get("backend", "")
    if built == embedder.backend:
        return
    probe = np.asarray(index.manifest["model"].get("probe") or [], dtype=np.float32)
    key = (str(index.path), index.generation, embedder.backend, hash(probe.tobytes()))
    if key in _AGREED:
        return
    cosine = agreement(embedder, probe) if probe.size else -1.0
    if cosine < EMBED_TOLERANCE:
        raise IndexIncompatibleError(
            f"index {index.path} was built with the {built or 'sentence-transformers'} path of {index.model!r}; "
            f"this machine runs {embedder.backend}, whose vectors differ (cosine {cosine:.3f} < {EMBED_TOLERANCE}); "
            f"set embed_backend = {built or 'torch'!r} or rebuild with `cxkb build`"
        )
    _AGREED.add(key)


def dense_scores(
    index: Index,
    question: str | Question,
    settings: Settings,
    qvec: np.ndarray | None = None,
    keyword: np.ndarray | None = None,
) -> np.ndarray:
    """Each dense candidate's closeness to the question; ``keyword``: BM25's scores, whose candidates are
    rescored too (with sentence vectors, see :data:`Settings.sentence_weight`)."""
    qvec = query_vector(index, question, settings) if qvec is None else qvec
    if not index.chunks:
        return np.zeros(0)
    if index.ann is None:
        scores = (index.vectors @ qvec).astype(np.float64)
    else:
        # Approximate: the graph's nearest chunks, rescored exactly; the rest are not dense candidates.
        _, found = index.ann.search(np.asarray(qvec, np.float32)[None, :], settings.candidates)
        ids = np.unique(found[0][found[0] >= 0])
        scores = np.full(len(index.chunks), -np.inf)
        scores[ids] = np.asarray(index.vectors[ids], dtype=np.float32) @ qvec
    return _with_sentences(index, scores, qvec, settings, keyword)


SENTENCES_PER_CHUNK = 2  # 1, 2 and 3 were compared on the open sets (README, Evaluation); 2 found the most


def _with_sentences(
    index: Index, scores: np.ndarray, qvec: np.ndarray, settings: Settings, keyword: np.ndarray | None
) -> np.ndarray:
    """``scores`` blended with the mean cosine of each candidate chunk's :data:`SENTENCES_PER_CHUNK` sentences
    closest to the question.

    A second stage, like the graph's exact rescoring: only the chunks either retriever put in its top
    ``settings.candidates`` are rescored, and the rest are no dense candidates."""
    weight = settings.sentence_weight
    if weight == 0 or not index.sentence_vectors.size:
        return scores
    pool = [top_candidates(scores, settings.candidates)]
    if keyword is not None:
        pool.append(top_candidates(keyword, settings.candidates))
    chunks = np.unique(np.concatenate(pool))
    whole = scores[chunks]
    unreached = ~np.isfinite(whole)  # keyword candidates the graph did not reach
    if unreached.any():
        whole[unreached] = np.asarray(index.vectors[chunks[unreached]], dtype=np.float32) @ qvec
    groups = [index.chunk_sentences(index.chunks[i]) for i in chunks.tolist()]
    cosines = np.asarray(index.sentence_vectors[[sid for group in groups for sid in group]], dtype=np.float32) @ qvec
    closest = whole.copy()  # a chunk holding no whole sentence keeps its own cosine
    at = 0
    for n, group in enumerate(groups):
        if len(group):
            mine = cosines[at : at + len(group)]
            closest[n] = np.sort(mine)[-SENTENCES_PER_CHUNK:].mean()
            at += len(group)
    out = np.full(len(scores), -np.inf)
    out[chunks] = (1 - weight) * whole + weight * closest
    return out


def search(
    index: Index,
    question: str | Question,
    settings: Settings,
    *,
    k: int | None = None,
    filters: Filters | None = None,
    qvec: np.ndarray | None = None,
) -> list[Hit]:
    """Top-``k`` chunks for ``question`` under ``settings.fusion``."""
    q = read_question(question, settings)
    k = settings.k if k is None else k
    if k < 1:
        raise InputError(f"k must be at least 1, not {k}; ask for the number of passages wanted, e.g. -k 5")
    method = settings.fusion
    keyword = keyword_scores(index, q) if method != "dense" else None
    dense = dense_scores(index, q, settings, qvec, keyword) if method != "keyword" else None
    if method == "keyword":
        fused = keyword
    elif method == "dense":
        fused = dense
    else:
        fuse = zscore if method == "zscore" else rrf
        extra = {"k": settings.rrf_k} if method == "rrf" else {}
        w = settings.keyword_weight
        fused = fuse([keyword, dense], [w, 1 - w], depth=settings.candidates, **extra)
    assert fused is not None
    mask = (filters or Filters()).mask(index)
    if mask is not None:
        fused = np.where(mask, fused, -np.inf)
    # Only fused candidates are finite: sorting those (not every chunk of a large library) gives the same order.
    finite = np.flatnonzero(np.isfinite(fused))
    order = finite[np.argsort(-fused[finite], kind="stable")][: max(k, 0)].tolist()
    hits = []
    for rank, i in enumerate(order, 1):
        chunk = index.chunks[i]
        report = index.reports[chunk.report_id]
        parts = {"keyword": keyword, "dense": dense}
        scores = {name: float(s[i]) for name, s in parts.items() if s is not None and np.isfinite(s[i])}
        hits.append(Hit(rank, float(fused[i]), chunk, report.meta, report.source, scores))
    return hits
