from __future__ import annotations

import pytest

from index.fusion import FusionConfig, fuse, reciprocal_rank_fusion, weighted_score_fusion


def test_rrf_exact_values():
    lists = {"bm25": [("a", 9.0), ("b", 5.0)], "dense": [("b", 0.9), ("c", 0.8)]}
    fused = reciprocal_rank_fusion(lists, k=60)
    assert fused["a"] == pytest.approx(1 / 61)
    assert fused["b"] == pytest.approx(1 / 62 + 1 / 61)
    assert fused["c"] == pytest.approx(1 / 62)
    assert [item for item, _ in fuse(lists, FusionConfig())] == ["b", "a", "c"]


def test_rrf_weights_and_zero_weight_switches_a_list_off():
    lists = {"bm25": [("a", 9.0)], "dense": [("b", 0.9)]}
    assert [i for i, _ in fuse(lists, FusionConfig(weights={"dense": 2.0}))] == ["b", "a"]
    assert [i for i, _ in fuse(lists, FusionConfig(weights={"dense": 0.0}))] == ["a"]


def test_weighted_score_fusion_minmax():
    lists = {"bm25": [("a", 10.0), ("b", 0.0)], "dense": [("b", 0.9), ("a", 0.5)]}
    fused = weighted_score_fusion(lists, {"bm25": 1.0, "dense": 1.0})
    assert fused == pytest.approx({"a": 1.0, "b": 1.0})
    assert [i for i, _ in fuse(lists, FusionConfig(method="weighted", weights={"dense": 2}))] == ["b", "a"]


@pytest.mark.parametrize(
    "kwargs, message",
    [({"method": "max"}, "'max'"), ({"k": 0}, "k must be positive"), ({"weights": {"bm25": -1}}, "bm25")],
)
def test_bad_fusion_config(kwargs, message):
    with pytest.raises(ValueError, match=message):
        FusionConfig(**kwargs)
