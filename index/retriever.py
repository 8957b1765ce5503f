"""``HybridIndex``: BM25 + dense retrieval over the stored units, fused, with filters.

Each indexed kind (chunk, sentence, table row) has a BM25 model and a dense index. A query
is ranked by both, per kind, and the ranked lists are fused (RRF by default). When chunks
are asked for, sentence and table-row hits are also *lifted* to the chunks that contain
them: a ~300-character chunk's vector blurs its sentences together, while a single
sentence's vector matches a precise question sharply, so the lifted lists recover chunks
whose one relevant sentence would otherwise be drowned out.

The units, vectors and lexical statistics live in a store (``index.store_protocol``): the
FAISS folder by default, or Milvus. Each store gives a retriever per kind; this class runs the
same plan over either. A store that fuses BM25 and dense itself (Milvus's hybrid search)
returns one list per kind whose scores are added as fusion scores.

Questions across districts rank each kind once and split it by district
(``index.district_rankings``); the settings and argument checks are in
``index.retriever_config``, the per-document damping in ``index.fusion``.

A ``HybridIndex`` never changes after construction, so any number of threads may call
``retrieve`` at once; only the query embedder (which may wrap a non-thread-safe engine)
sits behind a lock.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Mapping, Sequence
from types import MappingProxyType
from typing import Any

import numpy as np

from index.district_rankings import DistrictRankings
from index.embedders.base import Embedder
from index.families import Families, find_families
from index.filters import Filters, check_filters
from index.fusion import FusionConfig, damp_per_document, fuse
from index.lifting import lift_map, lift_ranking
from index.retriever_config import RetrieverConfig, check_query, check_top_k
from index.store import INDEXED_KINDS, StoredIndex
from index.store_protocol import OpenIndex, Query, RankedRows, Scope, UnitRetriever
from index.tokenize import TOKENIZER_VERSION, load_dictionary, tokenize
from kernel.errors import CorruptIndexError
from kernel.types import Document, ScoredChunk, Unit

LIFT_SOURCES: tuple[str, ...] = ("sentence", "table_row")
__all__ = ["LIFT_SOURCES", "HybridIndex", "RetrieverConfig"]


QUERY_CACHE_SIZE = 512
SEARCH_CACHE_SIZE = 32  # one kind's ranked lists for recent searches (``_search``)


class HybridIndex:
    """The loaded index: documents, per-kind units, and hybrid retrieval over them."""

    def __init__(
        self,
        index: OpenIndex | StoredIndex,
        embedder: Embedder | None = None,
        config: RetrieverConfig | None = None,
    ) -> None:
        if isinstance(index, StoredIndex):  # an in-memory FAISS index
            from index.faiss_store import open_stored

            index = open_stored(index)
        embedder_id = str(index.manifest["embedder"]["id"])
        if embedder is not None and embedder.id != embedder_id:
            raise CorruptIndexError(
                f"the index was built with embedder {embedder_id!r} but the configured embedder "
                f"is {embedder.id!r}; vectors from different models cannot be compared"
            )
        built_with = index.manifest.get("tokenizer")
        if built_with != TOKENIZER_VERSION:
            raise CorruptIndexError(
                f"the index's BM25 files were made by tokenizer {built_with!r}, this version uses "
                f"{TOKENIZER_VERSION!r} (a rebuild re-tokenises without re-embedding)"
            )
        self.config = config or RetrieverConfig()
        self.manifest: Mapping[str, Any] = MappingProxyType(dict(index.manifest))
        # Questions are cut with the dictionary the passages were cut with.
        words = index.manifest.get("tokenizer_words", [])
        if not isinstance(words, list) or not all(isinstance(w, str) and w for w in words):
            raise CorruptIndexError("the index manifest's tokenizer_words is not a list of words; rebuild the index")
        self.tokenizer_words: tuple[str, ...] = tuple(words)
        self.backend = str(index.manifest.get("backend", "faiss"))
        self.location = index.location
        self.embedder_id = embedder_id
        self.dim = int(index.manifest["embedder"]["dim"])
        self.documents: Mapping[str, Document] = MappingProxyType({d.doc_id: d for d in index.documents})
        seen: dict[str, None] = {}
        for d in index.documents:
            if d.district:
                seen.setdefault(d.district, None)
        self.districts: list[str] = list(seen)
        # Every province, city and district some document belongs to: a question naming one
        # of them is about the corpus (a city-level plan covers its city, not a district).
        self.regions_held: frozenset[str] = frozenset(
            n for d in index.documents for n in (d.province, d.city, d.district) if n
        )
        self._kinds: dict[str, UnitRetriever] = {
            k: index.retrievers[k] for k in INDEXED_KINDS if k in index.retrievers
        }
        self._row_of = {
            k: {(u.doc_id, u.index): row for row, u in enumerate(r.units)} for k, r in self._kinds.items()
        }
        self._lift = {
            src: lift_map(self._kinds[src].units, self._kinds["chunk"].units)
            for src in LIFT_SOURCES
            if src in self._kinds and "chunk" in self._kinds
        }
        self._embedder = embedder
        self._embed_lock = threading.Lock()
        self._query_cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._by_district = DistrictRankings(self._kinds, {d.doc_id: d.district for d in index.documents})
        self._docs_in: dict[str, list[str]] = {}  # district -> its documents
        self._docs_above: dict[str, list[str]] = {}  # city or province -> its documents with no district
        for d in index.documents:
            if d.district:
                self._docs_in.setdefault(d.district, []).append(d.doc_id)
            else:
                for place in dict.fromkeys(p for p in (d.city, d.province) if p):
                    self._docs_above.setdefault(place, []).append(d.doc_id)
        self._searches: OrderedDict[Hashable, dict[str, RankedRows]] = OrderedDict()  # (kind, query, scope, depth)
        self._searches_lock = threading.Lock()
        self._families: Families | None = index.families
        self._families_lock = threading.Lock()
        self.build_report: Any = None  # set by build_index; informational only

    @property
    def families(self) -> Families:
        """The documents grouped into near-copies (``index.families``), found on first use:
        what word statistics count once."""
        with self._families_lock:
            if self._families is None:
                self._families = find_families(list(self.documents.values()))
            return self._families

    # ------------------------------------------------------------------ embedding

    @property
    def embedder(self) -> Embedder:
        with self._embed_lock:
            if self._embedder is None:
                from index.embedders.factory import embedder_from_id

                self._embedder = embedder_from_id(self.embedder_id)
            return self._embedder

    def embed_query(self, query: str) -> np.ndarray:
        """The query's vector (``role="query"``), shape ``(dim,)``.

        Recent queries are remembered: one question is searched several times (sentences,
        chunks, per district), and embedding is the slowest step of a search.
        """
        query = check_query(query)
        embedder = self.embedder
        with self._embed_lock:
            cached = self._query_cache.get(query)
            if cached is not None:
                self._query_cache.move_to_end(query)
                return cached
            vec = embedder.embed([query], role="query")
        vec = np.asarray(vec, dtype=np.float32).reshape(-1)
        if vec.shape[0] != self.dim:
            raise CorruptIndexError(
                f"embedder {embedder.id!r} returned {vec.shape[0]}-d vectors, the index holds {self.dim}-d"
            )
        vec.setflags(write=False)
        with self._embed_lock:
            self._query_cache[query] = vec
            while len(self._query_cache) > QUERY_CACHE_SIZE:
                self._query_cache.popitem(last=False)
        return vec

    def warm_up(self) -> None:
        """Load the tokenizer dictionary and the query embedder now, not on the first question.

        ``load_index`` stays fast by deferring both (about a second together); a server
        calls this once at start-up so its first answer is as quick as the rest.
        """
        load_dictionary(self.tokenizer_words)
        tokenize("warm up", self.tokenizer_words)
        self.embed_query("warm up")

    def vectors_for(self, units: Sequence[Unit]) -> np.ndarray:
        """The stored vectors of ``units`` (chunks, sentences or table rows), in order."""
        out = np.empty((len(units), self.dim), dtype=np.float32)
        wanted: dict[str, list[tuple[int, int]]] = {}  # kind -> (position in units, row)
        for i, u in enumerate(units):
            rows = self._row_of.get(u.kind)
            row = rows.get((u.doc_id, u.index)) if rows else None
            if row is None:
                raise ValueError(
                    f"unit {u.unit_id} has no stored vector (indexed kinds: {sorted(self._kinds)})"
                )
            wanted.setdefault(u.kind, []).append((i, row))
        for kind, pairs in wanted.items():  # one request per kind, whatever the store
            out[[i for i, _ in pairs]] = self._kinds[kind].vectors([row for _, row in pairs])
        return out

    # ------------------------------------------------------------------ retrieval

    def retrieve(
        self,
        query: str,
        top_k: int = 10,
        filters: Filters | None = None,
        kinds: Sequence[str] = ("chunk",),
        fusion: FusionConfig | None = None,
    ) -> list[ScoredChunk]:
        """The ``top_k`` best units of the given kinds for ``query``, best first."""
        query = check_query(query)
        check_top_k(top_k)
        kinds = self._check_kinds(kinds)
        scope = check_filters(filters, self.documents, self.districts)
        q = self._query(query)
        boost = self._named_district_docs(query)
        return self._rank(q, kinds, scope, top_k, fusion or self.config.fusion, boost)

    def _query(self, query: str) -> Query:
        return Query(query, tuple(tokenize(query, self.tokenizer_words)), self.embed_query(query))

    def _named_district_docs(self, query: str) -> frozenset[str]:
        """Documents of the indexed districts the query names (Chinese or English spelling),
        and city-level or provincial documents of the cities and provinces it names."""
        from ingest.regions import find_mentions

        mentions = find_mentions(query, self.districts)
        named = {m.regions[0].name for m in mentions if m.regions and m.regions[0].level == "district"} & set(self.districts)
        places = {r.name for m in mentions for r in m.regions if r.level != "district"}
        return frozenset(
            [d for n in named for d in self._docs_in.get(n, ())] + [d for p in places for d in self._docs_above.get(p, ())]
        )

    def retrieve_per_district(
        self,
        query: str,
        per_district: int = 5,
        filters: Filters | None = None,
        kinds: Sequence[str] = ("chunk",),
    ) -> dict[str, list[ScoredChunk]]:
        """The best ``per_district`` units within each district (for "which districts ..." questions).

        One search per kind across every district in scope, split by district
        (``index.district_rankings`` says how each store does it): each district's ranked
        lists are then fused as a search within that district would fuse them. A search per
        district (hundreds of regions) does not scale.
        """
        query = check_query(query)
        check_top_k(per_district, name="per_district")
        kinds = self._check_kinds(kinds)
        scope = check_filters(filters, self.documents, self.districts)
        q = self._query(query)
        present = {
            doc.district for doc in self.documents.values() if scope.doc_ids is None or doc.doc_id in scope.doc_ids
        }
        districts = [d for d in self.districts if d in present and (scope.districts is None or d in scope.districts)]
        if not districts:
            return {}
        within_all = Scope(doc_ids=scope.doc_ids, districts=frozenset(districts))
        if all(within_all.allows(doc) for doc in self.documents.values()):
            within_all = Scope()  # every document: the search needs no filter
        depth = max(self.config.depth, per_district)
        sources = [s for s in self._lift if self.config.lift and "chunk" in kinds]
        grouped = self._by_district.retrievers(q, kinds, sources, within_all, depth, len(districts), self.config.fusion)
        out: dict[str, list[ScoredChunk]] = {}
        for district in districts:
            views = grouped.get(district)
            if views is not None:
                within = Scope(doc_ids=scope.doc_ids, districts=frozenset({district}))
                out[district] = self._rank(q, kinds, within, per_district, self.config.fusion, retrievers=views)
            else:
                out[district] = []
        return out

    def _rank(
        self,
        query: Query,
        kinds: tuple[str, ...],
        scope: Scope,
        top_k: int,
        fusion: FusionConfig,
        boost_docs: frozenset[str] = frozenset(),
        retrievers: Mapping[str, UnitRetriever] | None = None,
    ) -> list[ScoredChunk]:
        depth = max(self.config.depth, top_k)
        searched = retrievers or self._kinds
        lists: dict[str, list[tuple[Hashable, float]]] = {}
        scored: set[str] = set()  # lists a store fused itself: their scores are fusion scores
        sources = [s for s in self._lift if self.config.lift and "chunk" in kinds]
        fine: dict[str, list[tuple[int, float]]] = {}
        for kind in dict.fromkeys([*kinds, *sources]):
            retriever = searched[kind]
            feeds = ([kind] if kind in kinds else []) + (["units>chunk"] if kind in sources else [])
            routes = {m: max(fusion.weight(f"{m}:{f}") for f in feeds) for m in ("bm25", "dense")}
            ranked = self._search(retriever, query, depth, scope, fusion, routes) if retrievers is None else (
                retriever.rank(query, depth, scope, fusion, routes)
            )
            for method, rows in ranked.items():
                if kind in kinds:
                    lists[f"{method}:{kind}"] = [((kind, r), s) for r, s in rows]
                    if retriever.fused:
                        scored.add(f"{method}:{kind}")
                if kind in sources:
                    # map to chunk rows now; sentences and table rows compete in one list
                    fine.setdefault(method, []).extend((c, s) for r, s in rows for c in self._lift[kind][r])
                    if retriever.fused:
                        scored.add(f"{method}:units>chunk")
        for method, pairs in fine.items():
            pairs.sort(key=lambda p: -p[1])
            lists[f"{method}:units>chunk"] = [(("chunk", r), s) for r, s in lift_ranking(pairs)]
        fused = fuse(lists, fusion, scored)
        if boost_docs and self.config.district_boost > 0:
            bonus = (
                self.config.district_boost / (fusion.k + 1)
                if fusion.method == "rrf"
                else self.config.district_boost
            )
            fused = sorted(
                (
                    (item, s + bonus if self._kinds[item[0]].units[item[1]].doc_id in boost_docs else s)
                    for item, s in fused
                ),  # type: ignore[index]
                key=lambda kv: -kv[1],
            )
        if self.config.diversity < 1:
            fused = self._diversify(fused, top_k)
        fused = fused[:top_k]
        wanted = {item for item, _ in fused}
        positions = {  # each list's rank of the units returned (only theirs are looked up)
            name: {item: rank for rank, (item, _) in enumerate(ranked, start=1) if item in wanted}
            for name, ranked in lists.items()
        }
        results = []
        for item, score in fused:
            kind, row = item  # type: ignore[misc]
            unit = self._kinds[kind].units[row]
            ranks = tuple((name, pos[item]) for name, pos in positions.items() if item in pos)
            results.append(ScoredChunk(unit, float(score), self.documents[unit.doc_id].district, ranks))
        return results

    def _search(
        self, retriever: UnitRetriever, query: Query, depth: int, scope: Scope, fusion: FusionConfig,
        routes: Mapping[str, float],
    ) -> dict[str, RankedRows]:
        """One kind's ranked lists, remembered for the next few searches: one answer searches
        the same kind with the same words more than once (sentences for its evidence, then
        again lifted to chunks; a second hop), a third of the search time of a warm answer.
        The lists are only read. A store that fuses its own lists (Milvus) is remembered by
        the fusion and route weights too, which its one fused list depends on."""
        key: Hashable = (retriever.kind, query.text, query.tokens, scope, depth)
        if retriever.fused:
            key = (*key, fusion.method, fusion.k, tuple(sorted(routes.items())))
        with self._searches_lock:
            found = self._searches.get(key)
            if found is not None:
                self._searches.move_to_end(key)
                return found
        ranked = retriever.rank(query, depth, scope, fusion, routes)
        with self._searches_lock:
            self._searches[key] = ranked
            while len(self._searches) > SEARCH_CACHE_SIZE:
                self._searches.popitem(last=False)
        return ranked

    def _diversify(self, fused: list[tuple[Hashable, float]], top_k: int) -> list[tuple[Hashable, float]]:
        """The fused list damped per document (``index.fusion.damp_per_document``)."""
        return damp_per_document(
            fused, top_k, self.config.diversity, lambda item: self._kinds[item[0]].units[item[1]].doc_id  # type: ignore[index]
        )

    def _check_kinds(self, kinds: Sequence[str]) -> tuple[str, ...]:
        if isinstance(kinds, str):
            kinds = (kinds,)
        chosen = tuple(dict.fromkeys(kinds))
        bad = [k for k in chosen if k not in self._kinds]
        if not chosen or bad:
            raise ValueError(
                f"kinds must be a non-empty subset of {sorted(self._kinds)}, got {list(kinds)!r}"
            )
        return chosen
