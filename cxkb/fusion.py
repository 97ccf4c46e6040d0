"""Pure rank-fusion functions: score arrays in, one fused score array out.

Each input is a score per document (``-inf`` where a retriever did not return
the document). Only each retriever's top ``depth`` candidates take part, as in
a real two-stage system. Benchmarks in ``eval/`` pick the default
(see README: z-score fusion beats reciprocal-rank fusion on DRCD).
"""

from __future__ import annotations

import numpy as np


def top_candidates(scores: np.ndarray, depth: int) -> np.ndarray:
    """Indices of the ``depth`` best finite scores."""
    finite = np.flatnonzero(np.isfinite(scores))
    if len(finite) > depth:
        finite = finite[np.argpartition(-scores[finite], depth - 1)[:depth]]
    return finite


def zscore(score_lists: list[np.ndarray], weights: list[float], depth: int = 100) -> np.ndarray:
    """Weighted sum of per-retriever z-scores over each one's top ``depth`` candidates.

    A document missing from one retriever's candidates gets that retriever's
    lowest candidate z-score, so it is neither rewarded nor erased.
    """
    n = len(score_lists[0])
    fused = np.full(n, -np.inf)
    pool = np.unique(np.concatenate([top_candidates(s, depth) for s in score_lists])) if n else np.array([], int)
    if len(pool) == 0:
        return fused
    total = np.zeros(len(pool))
    for scores, weight in zip(score_lists, weights, strict=True):
        top = top_candidates(scores, depth)
        if weight == 0 or len(top) == 0:
            continue
        values = scores[top]
        std = values.std() or 1.0
        z = np.full(n, (values.min() - values.mean()) / std)
        z[top] = (values - values.mean()) / std
        total += weight * z[pool]
    fused[pool] = total
    return fused


def rrf(score_lists: list[np.ndarray], weights: list[float], depth: int = 100, k: int = 60) -> np.ndarray:
    """Weighted reciprocal-rank fusion: sum of weight / (k + rank)."""
    n = len(score_lists[0])
    fused = np.zeros(n)
    seen = np.zeros(n, dtype=bool)
    for scores, weight in zip(score_lists, weights, strict=True):
        top = top_candidates(scores, depth)
        order = top[np.argsort(-scores[top], kind="stable")]
        fused[order] += weight / (k + np.arange(1, len(order) + 1))
        seen[order] = True
    fused[~seen] = -np.inf
    return fused
