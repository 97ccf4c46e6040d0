"""The learned answerability score: how likely a candidate sentence answers the question.

A logistic regression over a few features of the (question, sentence) pair — dense similarity, word
overlap and synonym-aware coverage, whether the sentence holds the kind of figure asked for and names
what is measured, qualifier conflicts, the margin over the runner-up — fitted by ``cxkb bench
answerable --fit`` on pairs built from DRCD and CMRC 2018 (never on the CX eval sets). The fitted
coefficients ship as ``cxkb/data/answerable.json``; scoring is a dot product.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from .errors import ConfigError

FEATURES = (
    "dense",  # cosine of question and sentence embeddings
    "dense_gap",  # dense minus the best other candidate's
    "overlap",  # IDF share of the question's words among the sentence's words
    "context_overlap",  # the same, counting the report's title, publisher and author as the sentence's
    "coverage",  # IDF share of the question's words the quoted span states, CX synonyms included
    "unmatched",  # specificity of the most specific noun asked about that the corpus knows and the span lacks
    "kind_asked",  # the question asks for a kind of figure (a share, a count, a year …)
    "kind_missing",  # … and the span holds no figure of that kind
    "required_missing",  # share of the words naming what is measured that the span lacks
    "qualifier_conflict",  # the span states another window, year, stage, direction or group
    "margin",  # the candidate's ranking score minus the best other candidate's
    "chunk_rank",  # 1 / rank of the retrieved chunk holding the sentence
    "hit_score",  # the chunk's fused retrieval score
    "cue",  # the span defines the term asked about, is the byline asked about, or the table row looked up
    "english",  # an English question (its words never occur in the Chinese text)
    "log_chars",  # log length of the quoted span
)

MODEL_FILE = "answerable.json"


@dataclass(frozen=True)
class Model:
    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    info: dict  # how and on what it was fitted, the threshold and what it measured

    def contributions(self, x: dict[str, float]) -> dict[str, float]:
        """Each feature's share of the log-odds, relative to the average training pair."""
        return {
            name: c * (x.get(name, 0.0) - m) / s
            for name, m, s, c in zip(self.features, self.mean, self.scale, self.coef, strict=True)
        }

    def probability(self, x: dict[str, float]) -> float:
        z = self.intercept + sum(self.contributions(x).values())
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def decisive(self, x: dict[str, float], *, lowest: bool) -> tuple[str, float]:
        """The feature that pushed the score down most (``lowest``) or up most."""
        parts = self.contributions(x)
        name = (min if lowest else max)(parts, key=parts.__getitem__)
        return name, parts[name]

    def to_json(self) -> dict:
        return {
            "features": list(self.features),
            "mean": list(self.mean),
            "scale": list(self.scale),
            "coef": list(self.coef),
            "intercept": self.intercept,
            "info": self.info,
        }


def load(path: Path | None = None) -> Model:
    """The shipped model (or the one at ``path``)."""
    try:
        if path is None:
            raw = json.loads((resources.files("cxkb") / "data" / MODEL_FILE).read_text(encoding="utf-8"))
        else:
            raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(
            f"answerability model {path or 'cxkb/data/' + MODEL_FILE} is unreadable ({exc}); "
            "refit it with `cxkb bench answerable --fit`"
        ) from exc
    if tuple(raw["features"]) != FEATURES:
        raise ConfigError(
            f"answerability model {path or 'cxkb/data/' + MODEL_FILE} was fitted on other features; "
            "refit it with `cxkb bench answerable --fit`"
        )
    return Model(
        tuple(raw["features"]),
        tuple(raw["mean"]),
        tuple(raw["scale"]),
        tuple(raw["coef"]),
        float(raw["intercept"]),
        raw.get("info", {}),
    )


@lru_cache(maxsize=1)
def answerable_model() -> Model:
    return load()


def fit(rows: list[dict[str, float]], labels: list[int], *, c: float = 1.0) -> Model:
    """A standardised L2 logistic regression (scikit-learn) over :data:`FEATURES`."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    x = np.array([[r[name] for name in FEATURES] for r in rows], dtype=np.float64)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    # Unweighted: the probabilities stay calibrated to how often a judged candidate answers.
    lr = LogisticRegression(C=c, max_iter=2000)
    lr.fit((x - mean) / scale, np.array(labels))
    return Model(
        FEATURES,
        tuple(float(v) for v in mean),
        tuple(float(v) for v in scale),
        tuple(float(v) for v in lr.coef_[0]),
        float(lr.intercept_[0]),
        {},
    )
