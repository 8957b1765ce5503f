"""Questions across districts: each district's ranked lists from one search per kind.

A question such as "哪些区…" needs each district's best units. A search per district does not
scale to hundreds of regions, so each kind is searched once across every district in scope
and the result is split by district; ``HybridIndex`` then fuses each district's lists as a
search within that district would (``RestrictedRetriever`` hands them over). How a kind is
searched once depends on its size and its store:

- up to ``FULL_RANK_ROWS`` units it is ranked whole, then split: exactly a search per district;
- a larger one, in a store that can (``rank_per_group``: FAISS), has every row scored once and
  each district's best ``depth`` taken from the scores: still exactly a search per district;
- a store that fuses its routes itself (``rank_grouped``: Milvus) returns each district's best
  ``depth`` from one search per route grouped by district, fused per district as its hybrid
  search within the district would fuse them;
- otherwise a global ranking as deep as the districts' shares need is split (districts ranked
  nowhere near the top get nothing).

The split rankings of the last few questions are kept: a question across districts searches
sentences for its evidence, then chunks lifted from the same sentence rankings, and one search
of 150,000 sentences serves both.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Mapping, Sequence

import numpy as np

from index.fusion import FusionConfig
from index.store_protocol import Query, RankedRows, Scope, UnitRetriever

# Per-district retrieval ranks every unit of a kind up to this many (exactly a search within
# each district); beyond, as deep as the districts' shares need, up to Milvus's top-k limit.
FULL_RANK_ROWS = 5000
MAX_GLOBAL_DEPTH = 16384
RANKING_CACHE_SIZE = 8  # rankings of recent questions across districts (a few MB each at 100×)

Split = dict[str | None, dict[str, RankedRows]]  # district -> method -> rows, best first


class DistrictRankings:
    """Each kind's rankings split by district, for the index's kinds; thread-safe."""

    def __init__(self, kinds: Mapping[str, UnitRetriever], district_of_doc: Mapping[str, str | None]) -> None:
        self._kinds = kinds
        self.district_of: dict[str, list[str | None]] = {  # kind -> each row's district
            k: [district_of_doc[u.doc_id] for u in r.units] for k, r in kinds.items()
        }
        self.codes: dict[str, tuple[np.ndarray, list[str | None]]] = {}  # kind -> (row codes, names)
        for k, rows in self.district_of.items():
            names = list(dict.fromkeys(rows))
            code = {d: i for i, d in enumerate(names)}
            self.codes[k] = (np.asarray([code[d] for d in rows], dtype=np.int64), names)
        self._cache: OrderedDict[Hashable, Split] = OrderedDict()
        self._lock = threading.Lock()

    def clear(self) -> None:
        """Forget the rankings kept for recent questions."""
        with self._lock:
            self._cache.clear()

    def retrievers(
        self, query: Query, kinds: tuple[str, ...], sources: Sequence[str], scope: Scope, depth: int,
        n_districts: int, fusion: FusionConfig,
    ) -> dict[str, dict[str, UnitRetriever]]:
        """district -> kind -> a retriever answering from one search across districts,
        restricted to the district (each list ``depth`` deep, as ``HybridIndex`` reads it);
        ``sources``: the kinds lifted to chunks."""
        per: dict[str, dict[str, UnitRetriever]] = {}
        for kind in dict.fromkeys([*kinds, *sources]):
            retriever = self._kinds[kind]
            feeds = ([kind] if kind in kinds else []) + (["units>chunk"] if kind in sources else [])
            routes = {m: max(fusion.weight(f"{m}:{f}") for f in feeds) for m in ("bm25", "dense")}
            split = self.rankings(retriever, query, scope, depth, n_districts, routes, fusion)
            for district, lists in split.items():
                per.setdefault(district, {})[kind] = RestrictedRetriever(retriever, lists)  # type: ignore[index]
        return {d: {k: v.get(k) or RestrictedRetriever(self._kinds[k], {}) for k in dict.fromkeys([*kinds, *sources])}
                for d, v in per.items()}

    def rankings(
        self, retriever: UnitRetriever, query: Query, scope: Scope, depth: int, n_districts: int,
        routes: Mapping[str, float], fusion: FusionConfig,
    ) -> Split:
        """district -> method -> the kind's rows of that district, best first, from one search
        across districts (the module docstring says which), remembered for the next few calls."""
        n = len(retriever.units)
        by_group = getattr(retriever, "rank_per_group", None) if n > FULL_RANK_ROWS else None
        # a store that fuses its own rankings (Milvus) groups one search per route by district
        fused_groups = getattr(retriever, "rank_grouped", None) if retriever.fused else None
        if fused_groups is not None:
            by_group = None
        global_depth = n if n <= FULL_RANK_ROWS else min(n, max(depth * n_districts, FULL_RANK_ROWS), MAX_GLOBAL_DEPTH)
        key = (
            retriever.kind, query.text, query.tokens, scope, depth if by_group or fused_groups else global_depth,
            tuple(sorted(routes.items())) if retriever.fused else None,
        )
        with self._lock:
            found = self._cache.get(key)
            if found is not None:
                self._cache.move_to_end(key)
                return found
        district_of = self.district_of[retriever.kind]
        split: Split = {}
        if fused_groups is not None:
            # +1: documents with no district (city-level, national) form a group of their own
            split = fused_groups(query, depth, scope, fusion, routes, n_districts + 1)
            methods = ["hybrid"]
        elif by_group is not None:
            codes, names = self.codes[retriever.kind]
            grouped = by_group(query, depth, scope, codes, len(names))
            methods = list(grouped)
            for method, groups in grouped.items():
                for code, rows in groups.items():
                    split.setdefault(names[code], {})[method] = rows
        else:
            ranked = retriever.rank(query, global_depth, scope, fusion, routes)
            methods = list(ranked)
            for method, rows in ranked.items():
                for row, score in rows:
                    split.setdefault(district_of[row], {}).setdefault(method, []).append((row, score))
        # every district's lists in the store's order of methods (fusion adds them in that order)
        split = {d: {m: lists.get(m, []) for m in methods} for d, lists in split.items()}
        with self._lock:
            self._cache[key] = split
            while len(self._cache) > RANKING_CACHE_SIZE:
                self._cache.popitem(last=False)
        return split


class RestrictedRetriever:
    """A kind's retriever answering from lists already ranked (one global search, one
    district's rows): the district's own search, without searching again."""

    def __init__(self, base: UnitRetriever, lists: Mapping[str, RankedRows]) -> None:
        self.kind = base.kind
        self.units = base.units
        self.fused = base.fused
        self._base = base
        self._lists = lists

    def rank(
        self, query: Query, depth: int, scope: Scope, fusion: FusionConfig, routes: Mapping[str, float]
    ) -> dict[str, RankedRows]:
        return {m: rows[:depth] for m, rows in self._lists.items()}

    def vectors(self, rows: Sequence[int]) -> np.ndarray:
        return self._base.vectors(rows)
