"""The FAISS store's retriever: the units of one kind with their two indexes.

Rows are in document order; ``doc_rows`` turns a scope's doc_ids into the row subset both
retrievers search, so filtering happens inside the search rather than after it. ``rank``
returns the BM25 and dense lists apart; ``HybridIndex`` fuses them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from index.dense import DenseIndex
from index.fusion import FusionConfig
from index.store import StoredIndex, units_of
from index.store_protocol import Query, RankedRows, Scope
from kernel.types import Document, Unit


class KindIndex:
    """The units of one kind with their dense and lexical indexes, rows in document order."""

    fused = False  # BM25 and dense come back as two lists

    def __init__(self, kind: str, documents: Sequence[Document], stored: StoredIndex) -> None:
        self.kind = kind
        self._documents = tuple(documents)
        self.units: tuple[Unit, ...] = tuple(u for d in documents for u in units_of(d, kind))
        self.dense = DenseIndex(stored.vectors[kind])
        self.lexical = stored.lexical[kind]
        self.row_of: dict[tuple[str, int], int] = {}
        rows: dict[str, list[int]] = {}
        for row, u in enumerate(self.units):
            self.row_of[(u.doc_id, u.index)] = row
            rows.setdefault(u.doc_id, []).append(row)
        self.doc_rows = {d: np.asarray(r, dtype=np.int64) for d, r in rows.items()}

    def rank(
        self, query: Query, depth: int, scope: Scope, fusion: FusionConfig, routes: Mapping[str, float]
    ) -> dict[str, RankedRows]:
        """Both lists in full; ``fusion`` and ``routes`` are applied by the caller's fusion."""
        allowed = self.allowed_rows(self.scope_doc_ids(scope))
        return {
            "bm25": self.bm25_ranking(list(query.tokens), depth, allowed),
            "dense": self.dense_ranking(query.vector, depth, allowed),
        }

    def vectors(self, rows: Sequence[int]) -> np.ndarray:
        return self.dense.vectors[np.asarray(rows, dtype=np.int64)]

    def scope_doc_ids(self, scope: Scope) -> frozenset[str] | None:
        if scope.unrestricted:
            return None
        return frozenset(d.doc_id for d in self._documents if scope.allows(d))

    def allowed_rows(self, doc_ids: frozenset[str] | None) -> np.ndarray | None:
        if doc_ids is None:
            return None
        parts = [self.doc_rows[d] for d in sorted(doc_ids) if d in self.doc_rows]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)

    def bm25_ranking(
        self, tokens: list[str], depth: int, allowed: np.ndarray | None
    ) -> list[tuple[int, float]]:
        scores = self.lexical.scores(tokens)
        rows = np.arange(len(scores)) if allowed is None else allowed
        if not len(rows):
            return []
        sub = scores[rows]
        positive = sub > 0  # no shared token: not a lexical match at all
        rows, sub = rows[positive], sub[positive]
        order = np.argsort(-sub, kind="stable")[:depth]
        return [(int(rows[i]), float(sub[i])) for i in order]

    def dense_ranking(
        self, qvec: np.ndarray, depth: int, allowed: np.ndarray | None
    ) -> list[tuple[int, float]]:
        if allowed is not None and not len(allowed):
            return []
        scores, rows = self.dense.search(qvec, depth, allowed)
        return [(int(r), float(s)) for r, s in zip(rows, scores, strict=True)]
