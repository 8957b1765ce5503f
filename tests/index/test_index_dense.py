"""FAISS search == brute-force numpy search on the same stored vectors."""

from __future__ import annotations

import numpy as np
import pytest

from index.dense import DenseIndex

QUERIES = ["家庭医生签约率目标", "Which hospital is being relocated?", "安宁疗护床位", "区域性医疗中心建设"]


def _assert_same(faiss_result, numpy_result):
    (fs, fr), (ns, nr) = faiss_result, numpy_result
    assert len(fr) == len(nr)
    np.testing.assert_allclose(fs, ns, rtol=1e-5, atol=1e-5)
    # rows agree wherever the score is not tied with a neighbour
    for i, (a, b) in enumerate(zip(fr, nr, strict=True)):
        if a != b:
            assert abs(float(fs[i]) - float(ns[i])) < 1e-5


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["chunk", "sentence", "table_row"])
def test_faiss_matches_brute_force_on_real_vectors(real_index, kind):
    dense = real_index._kinds[kind].dense
    for q in QUERIES:
        qvec = real_index.embed_query(q)
        for k in (1, 10, 100):
            _assert_same(dense.search(qvec, k), dense.brute_force(qvec, k))
        subset = np.arange(0, dense.size, 3)
        _assert_same(dense.search(qvec, 20, subset), dense.brute_force(qvec, 20, subset))
        assert set(dense.search(qvec, 20, subset)[1]) <= set(subset.tolist())


def test_random_vectors_and_edge_cases():
    rng = np.random.default_rng(0)
    vecs = rng.normal(size=(500, 32)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    dense = DenseIndex(vecs)
    for _ in range(5):
        q = vecs[rng.integers(500)] + 0.1 * rng.normal(size=32).astype(np.float32)
        _assert_same(dense.search(q, 50), dense.brute_force(q, 50))
    assert len(dense.search(q, 1000)[1]) == 500  # k larger than the index
    assert len(dense.search(q, 5, np.array([3, 4]))[1]) == 2
    assert len(dense.search(q, 5, np.array([], dtype=np.int64))[1]) == 0
    with pytest.raises(ValueError, match="dimension 31"):
        dense.search(q[:31], 5)
    with pytest.raises(ValueError, match="positive"):
        dense.search(q, 0)
