"""The learned open-question detector: whether a question asks for advice, reasons or an approach.

The question words of :mod:`cxkb.question` catch the usual ways of asking how, why or what should be done, but
people ask in more ways than any list holds ("帮我梳理一下…", "what gets in the way of…"). A logistic regression
over the question's embedding (the query vector search computes anyway) catches the rest: it was fitted by
``cxkb bench open --fit`` on open questions against figure, name and fact questions from the CX sets and from
DRCD and CMRC 2018, and ships as ``cxkb/data/open_questions.json``. Scoring is a dot product. It only ever turns
a question open that asks for no figure, name, date or definition (:func:`cxkb.question.could_be_open`), and
only under the embedding model it was fitted with.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

from .errors import ConfigError

MODEL_FILE = "open_questions.json"


@dataclass(frozen=True)
class OpenModel:
    model: str  # the embedding model whose query vectors it reads
    coef: np.ndarray
    intercept: float
    threshold: float  # probability from which a question is read as open
    info: dict  # how and on what it was fitted, and what it measured

    def probability(self, qvec: np.ndarray) -> float:
        z = float(qvec @ self.coef) + self.intercept
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def to_json(self) -> dict:
        return {
            "model": self.model,
            "coef": [float(c) for c in self.coef],
            "intercept": self.intercept,
            "threshold": self.threshold,
            "info": self.info,
        }


def load(path: Path | None = None) -> OpenModel:
    """The shipped detector (or the one at ``path``)."""
    where = path or f"cxkb/data/{MODEL_FILE}"
    try:
        if path is None:
            raw = json.loads((resources.files("cxkb") / "data" / MODEL_FILE).read_text(encoding="utf-8"))
        else:
            raw = json.loads(Path(path).read_text(encoding="utf-8"))
        return OpenModel(
            raw["model"],
            np.asarray(raw["coef"], dtype=np.float32),
            float(raw["intercept"]),
            float(raw["threshold"]),
            raw.get("info", {}),
        )
    except (OSError, ValueError, KeyError) as exc:
        raise ConfigError(
            f"open-question model {where} is unreadable ({exc}); refit it with `cxkb bench open --fit`"
        ) from exc


@lru_cache(maxsize=1)
def open_model() -> OpenModel:
    return load()


def open_probability(qvec: np.ndarray, embedding_model: str) -> float | None:
    """How likely a question with query vector ``qvec`` is open; None under another embedding model."""
    model = open_model()
    if model.model != embedding_model or len(model.coef) != len(qvec):
        return None
    return model.probability(qvec)


def fit(vectors: np.ndarray, labels: list[int], embedding_model: str, threshold: float, *, c: float) -> OpenModel:
    """An L2 logistic regression (scikit-learn) with balanced classes: open questions are the rarer kind."""
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression(C=c, max_iter=3000, class_weight="balanced")
    lr.fit(vectors, np.asarray(labels))
    return OpenModel(embedding_model, lr.coef_[0].astype(np.float32), float(lr.intercept_[0]), threshold, {})
