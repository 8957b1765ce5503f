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

A ``HybridIndex`` never changes after construction, so any number of threads may call
``retrieve`` at once; only the query embedder (which may wrap a non-thread-safe engine)
sits behind a lock.
"""

from __future__ import annotations

import heapq
import threading
from collections import OrderedDict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

from index.embedders.base import Embedder
from index.families import Families, find_families
from index.filters import Filters, check_filters
from index.fusion import FusionConfig, fuse
from index.lifting import lift_map, lift_ranking
from index.store import INDEXED_KINDS, StoredIndex
from index.store_protocol import OpenIndex, Query, RankedRows, Scope, UnitRetriever
from index.tokenize import TOKENIZER_VERSION, load_dictionary, tokenize
from kernel.errors import CorruptIndexError
from kernel.types import Document, ScoredChunk, Unit

MAX_TOP_K = 1000
# Per-district retrieval ranks every unit of a kind up to this many (exactly a search within
# each district); beyond, as deep as the districts' shares need, up to Milvus's top-k limit.
FULL_RANK_ROWS = 5000
MAX_GLOBAL_DEPTH = 16384
LIFT_SOURCES: tuple[str, ...] = ("sentence", "table_row")


@dataclass(frozen=True)
class RetrieverConfig:
    """Retrieval defaults; ``retrieve`` can override fusion per call."""

    # RRF with k=20 rather than the textbook 60: each list here holds at most a few hundred
    # units, and a smaller k lets a unit ranked first by one retriever count for more.
    fusion: FusionConfig = field(default_factory=lambda: FusionConfig(k=20))
    depth: int = 100  # candidates taken from each ranked list before fusion
    lift: bool = True  # let sentence and table-row hits rank their chunks
    # A question that names districts ("宝山今年…", "Songjiang's targets") is about their
    # documents: their units get this much extra fused score (in RRF rank-1 units).
    district_boost: float = 1.0
    # Per-document damping of the fused list: the n-th unit from one document keeps
    # ``diversity ** n`` of its score, so one long plan cannot fill the whole top k.
    diversity: float = 0.95

    def __post_init__(self) -> None:
        if self.depth <= 0:
            raise ValueError(f"depth must be positive, got {self.depth!r}")
        if not 0 < self.diversity <= 1:
            raise ValueError(f"diversity must be in (0, 1], got {self.diversity!r}")
        if self.district_boost < 0:
            raise ValueError(f"district_boost must be >= 0, got {self.district_boost!r}")


QUERY_CACHE_SIZE = 512
SEARCH_CACHE_SIZE = 32  # one kind's ranked lists for recent searches (``_search``)
RANKING_CACHE_SIZE = 8  # rankings of recent questions across districts (a few MB each at 100×)


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
        self._district_of: dict[str, list[str | None]] = {  # kind -> each row's district
            k: [self.documents[u.doc_id].district for u in r.units] for k, r in self._kinds.items()
        }
        self._district_codes: dict[str, tuple[np.ndarray, list[str | None]]] = {}  # kind -> (row codes, names)
        for k, rows in self._district_of.items():
            names = list(dict.fromkeys(rows))
            code = {d: i for i, d in enumerate(names)}
            self._district_codes[k] = (np.asarray([code[d] for d in rows], dtype=np.int64), names)
        self._docs_in: dict[str, list[str]] = {}  # district -> its documents
        self._docs_above: dict[str, list[str]] = {}  # city or province -> its documents with no district
        for d in index.documents:
            if d.district:
                self._docs_in.setdefault(d.district, []).append(d.doc_id)
            else:
                for place in dict.fromkeys(p for p in (d.city, d.province) if p):
                    self._docs_above.setdefault(place, []).append(d.doc_id)
        self._rankings: OrderedDict[Hashable, dict[str | None, dict[str, RankedRows]]] = OrderedDict()
        self._rankings_lock = threading.Lock()
        self._searches: OrderedDict[Hashable, dict[str, RankedRows]] = OrderedDict()  # (kind, query, scope, depth)
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
        query = _check_query(query)
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
        query = _check_query(query)
        _check_top_k(top_k)
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

        One search across every district in scope, deep enough for each district's share,
        then grouped: each district's ranked lists are the global lists restricted to it, fused
        as a search within that district would fuse them. While the global lists reach every
        unit (``FULL_RANK_ROWS``) that is exactly the per-district search; beyond, districts
        whose units rank nowhere near the top get no candidates, and the answerer's checks
        say they do not answer. A search per district (hundreds of regions) does not scale,
        except in a store that fuses its own rankings and filters natively (Milvus).
        """
        query = _check_query(query)
        _check_top_k(per_district, name="per_district")
        kinds = self._check_kinds(kinds)
        scope = check_filters(filters, self.documents, self.districts)
        q = self._query(query)
        present = {
            doc.district for doc in self.documents.values() if scope.doc_ids is None or doc.doc_id in scope.doc_ids
        }
        districts = [d for d in self.districts if d in present and (scope.districts is None or d in scope.districts)]
        if not districts:
            return {}
        if any(self._kinds[kind].fused for kind in kinds):
            # A store that fuses its own rankings (Milvus) fuses across every district in one
            # search, which grouping cannot undo; it filters by district natively instead.
            return {
                d: self._rank(q, kinds, Scope(doc_ids=scope.doc_ids, districts=frozenset({d})), per_district, self.config.fusion)
                for d in districts
            }
        within_all = Scope(doc_ids=scope.doc_ids, districts=frozenset(districts))
        if all(within_all.allows(doc) for doc in self.documents.values()):
            within_all = Scope()  # every document: the search needs no filter
        depth = max(self.config.depth, per_district)
        grouped = self._grouped_retrievers(q, kinds, within_all, depth, len(districts))
        out: dict[str, list[ScoredChunk]] = {}
        for district in districts:
            views = grouped.get(district)
            if views is not None:
                within = Scope(doc_ids=scope.doc_ids, districts=frozenset({district}))
                out[district] = self._rank(q, kinds, within, per_district, self.config.fusion, retrievers=views)
            else:
                out[district] = []
        return out

    def _grouped_retrievers(
        self, query: Query, kinds: tuple[str, ...], scope: Scope, depth: int, n_districts: int
    ) -> dict[str, dict[str, UnitRetriever]]:
        """district -> kind -> a retriever answering from one search across districts,
        restricted to the district (each list ``depth`` deep, as ``_rank`` reads it)."""
        sources = [s for s in self._lift if self.config.lift and "chunk" in kinds]
        per: dict[str, dict[str, UnitRetriever]] = {}
        for kind in dict.fromkeys([*kinds, *sources]):
            retriever = self._kinds[kind]
            feeds = ([kind] if kind in kinds else []) + (["units>chunk"] if kind in sources else [])
            routes = {m: max(self.config.fusion.weight(f"{m}:{f}") for f in feeds) for m in ("bm25", "dense")}
            split = self._district_rankings(retriever, query, scope, depth, n_districts, routes)
            for district, lists in split.items():
                per.setdefault(district, {})[kind] = _Restricted(retriever, lists)
        return {d: {k: v.get(k) or _Restricted(self._kinds[k], {}) for k in dict.fromkeys([*kinds, *sources])}
                for d, v in per.items()}

    def _district_rankings(
        self, retriever: UnitRetriever, query: Query, scope: Scope, depth: int, n_districts: int,
        routes: Mapping[str, float],
    ) -> dict[str | None, dict[str, RankedRows]]:
        """district -> method -> the kind's rows of that district, best first, from one search
        across districts; remembered for the next few calls: a question across districts
        searches sentences for its evidence, then chunks lifted from the same sentence
        rankings, and one search of 150,000 sentences serves both.

        A kind of up to ``FULL_RANK_ROWS`` units is ranked whole, then split. A larger one, in
        a store that can (``rank_per_group``: FAISS), has every row scored once and each
        district's best ``depth`` taken from the scores: still exactly a search within each
        district, without ranking the whole kind. Otherwise a global ranking as deep as the
        districts' shares need is split (districts ranked nowhere near the top get nothing).
        """
        n = len(retriever.units)
        by_group = getattr(retriever, "rank_per_group", None) if n > FULL_RANK_ROWS else None
        global_depth = n if n <= FULL_RANK_ROWS else min(n, max(depth * n_districts, FULL_RANK_ROWS), MAX_GLOBAL_DEPTH)
        key = (
            retriever.kind, query.text, query.tokens, scope, depth if by_group else global_depth,
            tuple(sorted(routes.items())) if retriever.fused else None,
        )
        with self._rankings_lock:
            found = self._rankings.get(key)
            if found is not None:
                self._rankings.move_to_end(key)
                return found
        district_of = self._district_of[retriever.kind]
        split: dict[str | None, dict[str, RankedRows]] = {}
        if by_group is not None:
            codes, names = self._district_codes[retriever.kind]
            grouped = by_group(query, depth, scope, codes, len(names))
            methods = list(grouped)
            for method, groups in grouped.items():
                for code, rows in groups.items():
                    split.setdefault(names[code], {})[method] = rows
        else:
            ranked = retriever.rank(query, global_depth, scope, self.config.fusion, routes)
            methods = list(ranked)
            for method, rows in ranked.items():
                for row, score in rows:
                    split.setdefault(district_of[row], {}).setdefault(method, []).append((row, score))
        # every district's lists in the store's order of methods (fusion adds them in that order)
        split = {d: {m: lists.get(m, []) for m in methods} for d, lists in split.items()}
        with self._rankings_lock:
            self._rankings[key] = split
            while len(self._rankings) > RANKING_CACHE_SIZE:
                self._rankings.popitem(last=False)
        return split

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
        The lists are only read. A store that fuses its own lists is asked every time."""
        if retriever.fused:
            return retriever.rank(query, depth, scope, fusion, routes)
        key = (retriever.kind, query.text, query.tokens, scope, depth)
        with self._rankings_lock:
            found = self._searches.get(key)
            if found is not None:
                self._searches.move_to_end(key)
                return found
        ranked = retriever.rank(query, depth, scope, fusion, routes)
        with self._rankings_lock:
            self._searches[key] = ranked
            while len(self._searches) > SEARCH_CACHE_SIZE:
                self._searches.popitem(last=False)
        return ranked

    def _diversify(self, fused: list[tuple[Hashable, float]], top_k: int) -> list[tuple[Hashable, float]]:
        """The fused list (best first) with each document's n-th unit damped by
        ``diversity ** n``, re-sorted; exact for its first ``top_k``: damping only lowers a
        score that is not negative, so once ``top_k`` damped scores reach the next unit's
        undamped one, nothing after it can enter (an equal score would sort after them)."""
        seen: dict[str, int] = {}
        out = []
        best: list[float] = []  # the top_k damped scores so far, a min-heap
        for item, score in fused:
            if len(best) == top_k and best[0] >= score >= 0:
                break
            doc_id = self._kinds[item[0]].units[item[1]].doc_id  # type: ignore[index]
            n = seen.get(doc_id, 0)
            seen[doc_id] = n + 1
            damped = score * self.config.diversity**n
            out.append((item, damped))
            if len(best) < top_k:
                heapq.heappush(best, damped)
            elif damped > best[0]:
                heapq.heapreplace(best, damped)
        return sorted(out, key=lambda kv: -kv[1])

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


class _Restricted:
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


def _check_query(query: str) -> str:
    if not isinstance(query, str):
        raise ValueError(f"query must be a string, got {type(query).__name__}")
    if not query.strip():
        raise ValueError("query is empty: give a question or some search words")
    return query.strip()


def _check_top_k(top_k: int, name: str = "top_k") -> None:
    if isinstance(top_k, bool) or not isinstance(top_k, int) or not 1 <= top_k <= MAX_TOP_K:
        raise ValueError(f"{name} must be an integer from 1 to {MAX_TOP_K}, got {top_k!r}")
