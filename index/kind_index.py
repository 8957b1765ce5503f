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

    def __init__(
        self, kind: str, documents: Sequence[Document], stored: StoredIndex, groups: np.ndarray | None = None
    ) -> None:
        """``groups``: a group number per row (``Families.groups``); BM25's IDF then counts a
        unit and its near-copies once."""
        self.kind = kind
        self._documents = tuple(documents)
        self.units: tuple[Unit, ...] = tuple(u for d in documents for u in units_of(d, kind))
        self.dense = DenseIndex(stored.vectors[kind])
        self.lexical = stored.lexical[kind]
        if groups is not None:
            self.lexical = self.lexical.counting_groups_once(groups)
        self.row_of: dict[tuple[str, int], int] = {}
        self.doc_span: dict[str, tuple[int, int]] = {}  # a document's rows are consecutive
        for row, u in enumerate(self.units):
            self.row_of[(u.doc_id, u.index)] = row
            first, _ = self.doc_span.get(u.doc_id, (row, row))
            self.doc_span[u.doc_id] = (first, row + 1)
        self._docs_in: dict[str | None, list[str]] = {}  # district -> its documents
        for d in self._documents:
            self._docs_in.setdefault(d.district, []).append(d.doc_id)

    def rank(
        self, query: Query, depth: int, scope: Scope, fusion: FusionConfig, routes: Mapping[str, float]
    ) -> dict[str, RankedRows]:
        """Both lists in full; ``fusion`` and ``routes`` are applied by the caller's fusion."""
        spans = self.scope_spans(self.scope_doc_ids(scope))
        return {
            "bm25": self.bm25_ranking(list(query.tokens), depth, spans),
            "dense": self.dense_ranking(query.vector, depth, spans),
        }

    def rank_per_group(
        self, query: Query, depth: int, scope: Scope, codes: np.ndarray, n_groups: int
    ) -> dict[str, dict[int, RankedRows]]:
        """For each group (``codes``: a group number per row, e.g. its district), its best
        ``depth`` rows by each method: every row in scope is scored once (BM25 from the
        postings, dense by one matrix product) and each group's best are taken from the
        scores, so a question across a hundred districts costs one pass over the kind, not a
        hundred searches and not a ranking of every row. Ties: the earlier row first."""
        spans = self.scope_spans(self.scope_doc_ids(scope))
        qvec = np.asarray(query.vector, dtype=np.float32)
        if spans is None:
            rows = np.arange(len(self.units), dtype=np.int64)
            bm25 = self.lexical.scores(list(query.tokens))
            dense = self.dense.vectors @ qvec
        else:
            rows = _rows(spans)
            bm25 = self.lexical.scores_within(list(query.tokens), spans)
            dense = self.dense.vectors[rows] @ qvec
        groups = codes[rows]
        return {
            "bm25": _best_per_group(bm25, rows, groups, depth, n_groups, positive=True),
            "dense": _best_per_group(dense, rows, groups, depth, n_groups, positive=False),
        }

    def vectors(self, rows: Sequence[int]) -> np.ndarray:
        return self.dense.vectors[np.asarray(rows, dtype=np.int64)]

    def scope_doc_ids(self, scope: Scope) -> frozenset[str] | None:
        if scope.unrestricted:
            return None
        if scope.districts is None:
            return frozenset(scope.doc_ids or ())
        found = (d for district in scope.districts for d in self._docs_in.get(district, ()))
        return frozenset(found if scope.doc_ids is None else (d for d in found if d in scope.doc_ids))

    def scope_spans(self, doc_ids: frozenset[str] | None) -> list[tuple[int, int]] | None:
        """The row ranges of ``doc_ids`` (documents in id order, neighbours merged); None: all."""
        if doc_ids is None:
            return None
        spans: list[tuple[int, int]] = []
        for d in sorted(doc_ids):
            if d not in self.doc_span:
                continue
            a, b = self.doc_span[d]
            if spans and spans[-1][1] == a:
                spans[-1] = (spans[-1][0], b)
            else:
                spans.append((a, b))
        return spans

    def allowed_rows(self, doc_ids: frozenset[str] | None) -> np.ndarray | None:
        """The rows of ``doc_ids`` in the order ``scope_spans`` lists them; None: all."""
        spans = self.scope_spans(doc_ids)
        return None if spans is None else _rows(spans)

    def bm25_ranking(
        self, tokens: list[str], depth: int, spans: list[tuple[int, int]] | None
    ) -> list[tuple[int, float]]:
        """Rows by BM25, scoring only the rows in ``spans`` (None: every row)."""
        if spans is None:
            sub = self.lexical.scores(tokens)
            rows = np.arange(len(sub))
        else:
            sub = self.lexical.scores_within(tokens, spans)
            rows = _rows(spans)
        if not len(rows):
            return []
        positive = sub > 0  # no shared token: not a lexical match at all
        rows, sub = rows[positive], sub[positive]
        order = np.argsort(-sub, kind="stable")[:depth]
        return list(zip(rows[order].tolist(), sub[order].tolist(), strict=True))

    def dense_ranking(
        self, qvec: np.ndarray, depth: int, spans: list[tuple[int, int]] | None
    ) -> list[tuple[int, float]]:
        """Rows by inner product, searching only the rows in ``spans`` (None: every row)."""
        if spans is not None and not spans:
            return []
        if spans is not None and len(spans) == 1:
            scores, rows = self.dense.search_range(qvec, depth, *spans[0])
        else:
            scores, rows = self.dense.search(qvec, depth, None if spans is None else _rows(spans))
        return list(zip(rows.tolist(), scores.tolist(), strict=True))


def _best_per_group(
    scores: np.ndarray, rows: np.ndarray, groups: np.ndarray, depth: int, n_groups: int, positive: bool
) -> dict[int, RankedRows]:
    """group -> its ``depth`` best (row, score), best first (only scores above 0 when
    ``positive``); among equal scores the one earlier in ``rows``. One sort for all groups."""
    if positive:
        keep = scores > 0
        scores, rows, groups = scores[keep], rows[keep], groups[keep]
    want = depth * n_groups
    if len(scores) > 2 * want:
        # Rows below the want-th best score overall are in no group's best ``depth``, except in
        # a group with fewer than ``depth`` rows above it: that group keeps all its rows.
        cut = np.partition(scores, len(scores) - want)[len(scores) - want]
        above = scores >= cut
        short = np.bincount(groups[above], minlength=n_groups) < depth
        keep = above | short[groups]
        scores, rows, groups = scores[keep], rows[keep], groups[keep]
    # group by group, best first, ties in row order: two stable sorts (one lexsort is slower)
    order = np.argsort(-scores, kind="stable")
    order = order[np.argsort(groups[order].astype(np.int32), kind="stable")]
    grouped = groups[order]
    starts = np.searchsorted(grouped, np.arange(n_groups + 1))
    within = np.arange(len(order)) - starts[grouped]  # each row's place in its group's ranking
    take = order[within < depth]
    kept_groups = grouped[within < depth]
    bounds = np.searchsorted(kept_groups, np.arange(n_groups + 1)).tolist()
    row_list, score_list = rows[take].tolist(), scores[take].tolist()
    return {
        g: list(zip(row_list[bounds[g] : bounds[g + 1]], score_list[bounds[g] : bounds[g + 1]], strict=True))
        for g in range(n_groups)
        if bounds[g] < bounds[g + 1]
    }


def _rows(spans: Sequence[tuple[int, int]]) -> np.ndarray:
    if not spans:
        return np.zeros(0, dtype=np.int64)
    return np.concatenate([np.arange(a, b, dtype=np.int64) for a, b in spans])
