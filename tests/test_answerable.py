import json
import math

import pytest

from cxkb import answerable
from cxkb.answerable import FEATURES, Model, answerable_model, fit, load
from cxkb.errors import ConfigError
from cxkb.settings import Settings


def _row(**values: float) -> dict[str, float]:
    return {name: values.get(name, 0.0) for name in FEATURES}


def test_the_shipped_model_loads_and_matches_the_features():
    model = answerable_model()
    assert model.features == FEATURES
    assert len(model.coef) == len(FEATURES)
    assert "fitted_on" in model.info and "DRCD_dev.json" not in model.info["fitted_on"]


def test_the_settings_threshold_is_the_one_the_fit_chose():
    # The fit writes its threshold into the model file; settings must quote the same number.
    assert Settings().answerable_threshold == pytest.approx(answerable_model().info["threshold"])


@pytest.mark.parametrize("feature", ["kind_missing", "required_missing", "qualifier_conflict"])
def test_what_the_sentence_lacks_lowers_the_score(feature: str):
    model = answerable_model()
    base = _row(dense=0.85, overlap=0.6, context_overlap=0.6, coverage=0.8, kind_asked=1.0, margin=0.1)
    lacking = {**base, feature: 1.0}
    assert model.probability(lacking) <= model.probability(base)


def test_similarity_and_coverage_raise_the_score():
    model = answerable_model()
    low = _row(dense=0.75, coverage=0.2, overlap=0.2, context_overlap=0.2)
    high = _row(dense=0.9, coverage=0.9, overlap=0.9, context_overlap=0.9, margin=0.2)
    assert model.probability(high) > model.probability(low)


def test_decisive_names_the_feature_that_moved_the_score():
    model = Model(("a", "b"), (0.0, 0.0), (1.0, 1.0), (2.0, -1.0), 0.0, {})
    assert model.probability({"a": 0.0, "b": 0.0}) == pytest.approx(0.5)
    assert model.decisive({"a": 1.0, "b": 3.0}, lowest=True) == ("b", -3.0)
    assert model.decisive({"a": 1.0, "b": 0.0}, lowest=False) == ("a", 2.0)


def test_fit_learns_the_direction_of_a_separating_feature():
    rows = [_row(coverage=c / 20, dense=0.8) for c in range(21)]
    labels = [int(r["coverage"] > 0.5) for r in rows]
    model = fit(rows, labels)
    i = FEATURES.index("coverage")
    assert model.coef[i] > 0
    assert model.probability(_row(coverage=1.0, dense=0.8)) > 0.5 > model.probability(_row(coverage=0.0, dense=0.8))
    assert not any(math.isnan(c) for c in model.coef)  # constant features get scale 1, not a division by zero


def test_a_model_fitted_on_other_features_is_refused_with_the_fix(tmp_path):
    path = tmp_path / "answerable.json"
    path.write_text(json.dumps({"features": ["x"], "mean": [0], "scale": [1], "coef": [1], "intercept": 0}))
    with pytest.raises(ConfigError, match="cxkb bench answerable --fit"):
        load(path)
    path.write_text("{not json")
    with pytest.raises(ConfigError, match="unreadable"):
        load(path)


def test_a_model_round_trips_through_its_json(tmp_path):
    model = answerable_model()
    path = tmp_path / answerable.MODEL_FILE
    path.write_text(json.dumps(model.to_json()))
    assert load(path) == model
