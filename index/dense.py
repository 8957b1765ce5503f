"""Exact inner-product search over L2-normalised vectors (FAISS ``IndexFlatIP``).

Flat is the right index at this size (a few thousand vectors): exact, no training, and a
search is one small matrix product. Filters restrict the search to a subset of rows with a
FAISS ``IDSelectorBatch``, so a filtered query ranks exactly the allowed rows.
"""

from __future__ import annotations

from typing import Any

import numpy as np


class DenseIndex:
    """Normalised float32 vectors, one row per unit, searchable by inner product (= cosine)."""

    def __init__(self, vectors: np.ndarray) -> None:
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.ndim != 2:
            raise ValueError(f"vectors must be a 2-D array, got shape {vectors.shape}")
        self.vectors = vectors
        self.vectors.setflags(write=False)
        self._faiss: Any = None
        if len(vectors):
            import faiss

            self._faiss = faiss.IndexFlatIP(vectors.shape[1])
            self._faiss.add(vectors)

    @property
    def size(self) -> int:
        return int(self.vectors.shape[0])

    @property
    def dim(self) -> int:
        return int(self.vectors.shape[1])

    def search(
        self, query: np.ndarray, k: int, subset: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top ``k`` rows by inner product, best first: ``(scores, rows)``.

        ``subset`` (row numbers) limits the search to those rows. Fewer than ``k`` rows come
        back when fewer exist; padding from FAISS (row -1) is removed.
        """
        if k <= 0:
            raise ValueError(f"k must be positive, got {k!r}")
        q = np.ascontiguousarray(query, dtype=np.float32).reshape(1, -1)
        if q.shape[1] != self.dim:
            raise ValueError(f"query vector has dimension {q.shape[1]}, the index has {self.dim}")
        n_allowed = self.size if subset is None else len(subset)
        k = min(k, n_allowed)
        if self._faiss is None or k == 0:
            return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64)
        if subset is None:
            scores, rows = self._faiss.search(q, k)
        else:
            import faiss

            selector = faiss.IDSelectorBatch(np.ascontiguousarray(subset, dtype=np.int64))
            scores, rows = self._faiss.search(q, k, params=faiss.SearchParameters(sel=selector))
        keep = rows[0] >= 0
        return scores[0][keep], rows[0][keep].astype(np.int64)

    def search_range(self, query: np.ndarray, k: int, start: int, end: int) -> tuple[np.ndarray, np.ndarray]:
        """``search`` within the rows ``[start, end)``: FAISS scans only that range (an
        ``IDSelectorRange``), where a batch selector visits every row to test it."""
        if not 0 <= start <= end <= self.size:
            raise ValueError(f"row range [{start}, {end}) is outside 0..{self.size}")
        if k <= 0:
            raise ValueError(f"k must be positive, got {k!r}")
        q = np.ascontiguousarray(query, dtype=np.float32).reshape(1, -1)
        if q.shape[1] != self.dim:
            raise ValueError(f"query vector has dimension {q.shape[1]}, the index has {self.dim}")
        k = min(k, end - start)
        if self._faiss is None or k == 0:
            return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64)
        import faiss

        selector = faiss.IDSelectorRange(start, end)
        scores, rows = self._faiss.search(q, k, params=faiss.SearchParameters(sel=selector))
        keep = rows[0] >= 0
        return scores[0][keep], rows[0][keep].astype(np.int64)

    def brute_force(
        self, query: np.ndarray, k: int, subset: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """The same search with plain numpy: the reference the FAISS path is tested against."""
        q = np.asarray(query, dtype=np.float32).reshape(-1)
        rows = np.arange(self.size) if subset is None else np.asarray(subset, dtype=np.int64)
        sims = self.vectors[rows] @ q
        order = np.argsort(-sims, kind="stable")[:k]
        return sims[order], rows[order]
