"""The seam between retrieval and storage: a store Protocol, and a retriever per store.

As in Haystack (``DocumentStore`` + a retriever written for each store), the store keeps an
index (documents, the vectors of their units, whatever lexical statistics it needs) and
hands out retrievers that search it its own way; ``index.retriever.HybridIndex`` runs the
same plan (kinds, lifting sentences to chunks, fusion, district boost, diversity) over
whichever store it is given. Two stores exist: ``index.faiss_store.FaissStore`` (a folder
of FAISS + bm25s files, the default) and ``index.milvus.store.MilvusStore``.

Rows are positions in a kind's ``units`` tuple (documents in index order, units in document
order) in every store, so the plan never sees store-specific ids.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np

from index.fusion import FusionConfig
from kernel.types import Document, Unit

# A ranked list of (row, score), best first.
RankedRows = list[tuple[int, float]]


@dataclass(frozen=True)
class Query:
    """One search as every retriever needs it: the text, its BM25 tokens and its vector."""

    text: str
    tokens: tuple[str, ...]
    vector: np.ndarray


@dataclass(frozen=True)
class Scope:
    """What a search may return, as asked (already checked against the index).

    ``None`` means no restriction on that field. A store turns it into what it filters
    with: FAISS a row subset, Milvus a scalar filter expression.
    """

    doc_ids: frozenset[str] | None = None
    districts: frozenset[str] | None = None

    def allows(self, doc: Document) -> bool:
        if self.doc_ids is not None and doc.doc_id not in self.doc_ids:
            return False
        return self.districts is None or doc.district in self.districts

    @property
    def unrestricted(self) -> bool:
        return self.doc_ids is None and self.districts is None


@runtime_checkable
class UnitRetriever(Protocol):
    """Searches the units of one kind in one store."""

    kind: str
    units: tuple[Unit, ...]
    # True when ``rank`` returns one list the store fused itself (its scores are fusion
    # scores, added as they are), False when it returns one list per method (fused by rank).
    fused: bool

    def rank(
        self, query: Query, depth: int, scope: Scope, fusion: FusionConfig, routes: Mapping[str, float]
    ) -> dict[str, RankedRows]:
        """Ranked rows per method name (``bm25``, ``dense``; or ``hybrid`` when fused).

        ``routes`` weighs the methods (``bm25``, ``dense``) for this search; a store that
        fuses uses it, one that returns separate lists leaves weighing to the fusion.
        """
        ...

    def vectors(self, rows: Sequence[int]) -> np.ndarray:
        """The stored vectors of ``rows``, shape ``(len(rows), dim)``."""
        ...


@dataclass(frozen=True)
class OpenIndex:
    """An index ready to search: its manifest, its documents and a retriever per kind."""

    manifest: Mapping[str, Any]
    documents: tuple[Document, ...]
    retrievers: Mapping[str, UnitRetriever]
    location: str  # where it lives, for messages ("/home/.../index", "milvus.db#policyqa_...")
    # The documents' near-copy families (``index.families.Families``) when the store found them
    # to open its retrievers; otherwise ``HybridIndex`` finds them when first asked.
    families: Any = None


@runtime_checkable
class DocumentStore(Protocol):
    """Where an index lives. Writes are atomic: a reader sees the old index or the new one."""

    backend: str

    @property
    def location(self) -> str:
        """Where the live index is, for messages and build reports."""
        ...

    def read(self) -> Any:
        """Everything the index holds, vectors included (``index.store.StoredIndex``): what an
        incremental build reuses. ``IndexNotBuiltError`` when there is none yet,
        ``CorruptIndexError`` when it is damaged."""
        ...

    def write(self, stored: Any) -> OpenIndex:
        """Replace the live index by ``stored`` atomically and return it ready to search."""
        ...

    def open(self) -> OpenIndex:
        """The live index ready to search, without loading what searching does not need."""
        ...

    def count_documents(self) -> int:
        """How many documents the live index holds (0 when there is none)."""
        ...
