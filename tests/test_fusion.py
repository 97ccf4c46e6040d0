import numpy as np

from cxkb.fusion import rrf, zscore

INF = -np.inf


def test_zscore_rewards_agreement():
    keyword = np.array([3.0, 2.0, 1.0, INF])
    dense = np.array([0.1, 0.9, 0.8, 0.2])
    fused = zscore([keyword, dense], [0.5, 0.5], depth=10)
    assert int(np.argmax(fused)) == 1


def test_zscore_weight_one_is_keyword_order():
    keyword = np.array([1.0, 3.0, 2.0])
    dense = np.array([0.9, 0.1, 0.5])
    fused = zscore([keyword, dense], [1.0, 0.0], depth=10)
    assert list(np.argsort(-fused)) == [1, 2, 0]


def test_missing_from_all_candidates_is_excluded():
    keyword = np.array([2.0, INF, INF])
    dense = np.array([0.5, 0.4, 0.1])
    fused = zscore([keyword, dense], [0.5, 0.5], depth=2)
    assert np.isneginf(fused[2]) and np.isfinite(fused[:2]).all()


def test_rrf_ranks():
    a = np.array([3.0, 2.0, 1.0])
    b = np.array([1.0, 3.0, 2.0])
    fused = rrf([a, b], [1.0, 1.0], depth=3, k=60)
    assert int(np.argmax(fused)) == 1
