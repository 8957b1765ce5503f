"""The Milvus store's retriever: one kind, searched by Milvus's hybrid search.

Both routes, dense (inner product on normalised vectors, = cosine) and BM25, run in one
``hybrid_search`` with the same scalar filter, fused by Milvus's ``RRFRanker`` (or
``WeightedRanker`` for weighted fusion); the fused list comes back as ``hybrid`` with the
ranker's scores, which ``HybridIndex`` adds as fusion scores.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from index.fusion import FusionConfig, fuse
from index.milvus import client_bm25
from index.milvus.schema import DEFAULT_PARTITION, BM25Mode, normalise, pk, row_of_pk, string_list
from index.store_protocol import Query, RankedRows, Scope
from kernel.types import Unit

PK_BATCH = 1000


def scope_expression(kind: str, scope: Scope) -> str:
    """The scalar filter of a search: the kind, and the documents and districts allowed."""
    parts = [f'kind == "{kind}"']
    if scope.doc_ids is not None:
        parts.append(f"doc_id in {string_list(scope.doc_ids)}")
    if scope.districts is not None:
        parts.append(f"district in {string_list(scope.districts)}")
    return " and ".join(parts)


class MilvusKindRetriever:
    """The units of one kind in one Milvus collection (pinned: an alias swap does not move it)."""

    fused = True

    def __init__(
        self, kind: str, units: tuple[Unit, ...], client: Any, collection: str, mode: BM25Mode,
        stats: Mapping[str, Any] | None = None, dense_type: str = "FLAT",
        partitions: Mapping[str, str] | None = None, district_of: Mapping[str, str | None] | None = None,
    ) -> None:
        self.kind = kind
        self.units = units
        self._client = client
        self.collection = collection
        self.mode = mode
        self._stats = stats  # client BM25 statistics of this kind (mode "client" only)
        self._dense_type = dense_type
        self._partitions = partitions  # district -> partition (None: the collection is not partitioned)
        self._district_of = district_of or {}  # doc_id -> district

    def partition_names(self, scope: Scope) -> list[str] | None:
        """The partitions a search within ``scope`` reads (None: all). The scalar filter stays
        on every search, so the rows allowed are the same either way; only the rows read differ."""
        if self._partitions is None or (scope.districts is None and scope.doc_ids is None):
            return None
        districts: set[str | None] = set(scope.districts) if scope.districts is not None else set()
        if scope.doc_ids is not None:
            in_docs = {self._district_of.get(d) for d in scope.doc_ids}
            districts = in_docs if scope.districts is None else districts & in_docs
        return self._partitions_of(districts)

    def _partitions_of(self, districts: set[str | None]) -> list[str] | None:
        if self._partitions is None:
            return None
        names = sorted({self._partitions.get(d, DEFAULT_PARTITION) if d else DEFAULT_PARTITION for d in districts})
        return names or [DEFAULT_PARTITION]

    def rank(
        self, query: Query, depth: int, scope: Scope, fusion: FusionConfig, routes: Mapping[str, float]
    ) -> dict[str, RankedRows]:
        search = self._search(query, depth, scope, fusion, routes)
        if search is None:
            return {"hybrid": []}
        requests, ranker = search
        hits = self._client.hybrid_search(
            self.collection, requests, ranker=ranker, limit=depth, output_fields=["pk"],
            partition_names=self.partition_names(scope),
        )[0]
        return {"hybrid": [(row_of_pk(self.kind, h["pk"]), float(h["distance"])) for h in hits]}

    def rank_grouped(
        self, query: Query, depth: int, scope: Scope, fusion: FusionConfig, routes: Mapping[str, float], groups: int,
    ) -> dict[str | None, dict[str, RankedRows]]:
        """Each district's best ``depth`` rows, as a hybrid search filtered to that district
        ranks them, from one search per route grouped by district (``group_by_field``)
        instead of a hybrid search per district: district (None for city-level and national
        documents) -> ``{"hybrid": rows}``, at most ``groups`` districts.

        Each route comes back ranked within each district and the two are fused per district
        the way Milvus's ranker fuses them (RRF: ``sum(weight / (k + rank))``, the same scores
        as ``RRFRanker``; weighted: ``index.fusion``'s min-max sum). A grouped *hybrid* search
        would fuse ranks taken across all districts instead, which on the dev set cost
        evidence hit@5 (0.925 against 0.963). Scores equal those of the per-district search;
        ties are broken by primary key, as Milvus Lite breaks them.
        """
        expr = scope_expression(self.kind, scope)
        searches: list[tuple[str, Any, dict[str, Any]]] = []
        if routes.get("bm25", 1.0) > 0:
            data = self._bm25_query(query)
            if data is not None:
                searches.append(("bm25", data, {"anns_field": "sparse", "search_params": {}}))
        if routes.get("dense", 1.0) > 0:
            ef = {"params": {"ef": max(depth * groups, 64)}} if self._dense_type == "HNSW" else {}
            searches.append(("dense", np.asarray(query.vector, dtype=np.float32).tolist(),
                             {"anns_field": "dense", "search_params": ef}))
        per: dict[str | None, dict[str, RankedRows]] = {}
        for method, data, where in searches:
            hits = self._client.search(
                self.collection, data=[data], filter=expr, limit=groups, output_fields=["pk", "district"],
                group_by_field="district", group_size=depth, partition_names=self.partition_names(scope), **where,
            )[0]
            for h in hits:
                per.setdefault(h["district"] or None, {}).setdefault(method, []).append(
                    (row_of_pk(self.kind, h["pk"]), float(h["distance"]))
                )
        config = FusionConfig(fusion.method, fusion.k, {m: float(routes.get(m, 1.0)) for m in ("bm25", "dense")})
        # equal scores in primary-key order (= row order within a kind), as Milvus's ranker sorts them
        return {
            d: {"hybrid": sorted(fuse(lists, config), key=lambda p: (-p[1], p[0]))[:depth]}  # type: ignore[misc]
            for d, lists in per.items()
        }

    def _search(
        self, query: Query, limit: int, scope: Scope, fusion: FusionConfig, routes: Mapping[str, float]
    ) -> tuple[list[Any], Any] | None:
        """The route requests (each ``limit`` deep) and the ranker that fuses them; None when
        no route applies."""
        from pymilvus import AnnSearchRequest, RRFRanker, WeightedRanker

        expr = scope_expression(self.kind, scope)
        requests, weights = [], []
        if routes.get("bm25", 1.0) > 0:
            data = self._bm25_query(query)
            if data is not None:
                requests.append(AnnSearchRequest(data=[data], anns_field="sparse", param={}, limit=limit, expr=expr))
                weights.append(float(routes.get("bm25", 1.0)))
        if routes.get("dense", 1.0) > 0:
            param = {"ef": max(limit, 64)} if self._dense_type == "HNSW" else {}
            requests.append(AnnSearchRequest(
                data=[np.asarray(query.vector, dtype=np.float32).tolist()], anns_field="dense", param=param,
                limit=limit, expr=expr,
            ))
            weights.append(float(routes.get("dense", 1.0)))
        if not requests:
            return None
        if fusion.method == "rrf":
            if len(set(weights)) > 1:
                raise ValueError(
                    f"Milvus's RRFRanker weighs its routes equally; got weights {weights} "
                    "(use fusion method 'weighted', or weights of 0 and 1)"
                )
            return requests, RRFRanker(fusion.k)
        return requests, WeightedRanker(*weights)

    def _bm25_query(self, query: Query) -> Any:
        if self.mode == "milvus":
            return normalise(query.text)
        vec = client_bm25.query_vector(query.tokens, self._stats or {"n": 0, "df": {}})
        return vec or None  # no known token: no lexical match at all

    def vectors(self, rows: Sequence[int]) -> np.ndarray:
        keys = [pk(self.kind, int(r)) for r in rows]
        # the rows' regions' partitions only: Milvus Lite reads every row of the partitions it
        # is given to find primary keys, and a single-region answer's candidates are one region's
        partitions = self._partitions_of({self._district_of.get(self.units[int(r)].doc_id) for r in rows})
        found: dict[int, list[float]] = {}
        for i in range(0, len(keys), PK_BATCH):
            batch = keys[i : i + PK_BATCH]
            for hit in self._client.query(
                self.collection, filter=f"pk in [{', '.join(map(str, batch))}]", output_fields=["pk", "dense"],
                partition_names=partitions,
            ):
                found[int(hit["pk"])] = hit["dense"]
        missing = [k for k in keys if k not in found]
        if missing:
            raise ValueError(f"{len(missing)} {self.kind} vector(s) missing from Milvus collection {self.collection}")
        return np.asarray([found[k] for k in keys], dtype=np.float32).reshape(len(keys), -1)
