"""The default store: an index folder of FAISS vectors and bm25s files (``index.store``).

Writing builds the BM25 models (the lexical half of this store) and swaps the folder in by
atomic rename; opening reads and verifies the folder and gives one ``KindIndex`` per kind.
"""

from __future__ import annotations

from pathlib import Path

from index.families import find_families
from index.kind_index import KindIndex
from index.lexical import BM25Config, LexicalIndex
from index.store import (
    INDEXED_KINDS,
    StoredIndex,
    read_manifest,
    read_store,
    resolve_folder,
    units_of,
    write_store,
)
from index.store_protocol import OpenIndex
from kernel.errors import IndexNotBuiltError


class FaissStore:
    """An index folder (``POLICYQA_INDEX``): FAISS for vectors, bm25s for BM25."""

    backend = "faiss"

    def __init__(self, folder: Path | str) -> None:
        self.folder = Path(folder)

    def __repr__(self) -> str:
        return f"FaissStore({str(self.folder)!r})"

    @property
    def location(self) -> str:
        return str(self.folder)

    def read(self) -> StoredIndex:
        return read_store(self.folder)

    def write(self, stored: StoredIndex) -> OpenIndex:
        if not stored.lexical:
            bm25 = BM25Config(**stored.manifest["bm25"])
            words = tuple(stored.manifest.get("tokenizer_words", ()))  # the corpus's place words
            lexical = {
                kind: LexicalIndex.build(
                    [u.retrieval_text for d in stored.documents for u in units_of(d, kind)], bm25, words
                )
                for kind in INDEXED_KINDS
                if kind in stored.vectors
            }
            stored = StoredIndex(stored.manifest, stored.documents, stored.vectors, lexical)
        write_store(self.folder, stored)
        return open_stored(stored, self.location)

    def open(self) -> OpenIndex:
        return open_stored(read_store(self.folder), self.location)

    def count_documents(self) -> int:
        try:
            return len(read_manifest(resolve_folder(self.folder))["documents"])
        except IndexNotBuiltError:
            return 0


def open_stored(stored: StoredIndex, location: str = "") -> OpenIndex:
    """An in-memory ``StoredIndex`` ready to search (one ``KindIndex`` per indexed kind).

    Near-copies (``index.families``) are found here, so BM25 counts a template's words once
    per family; the index carries the families for the answerer's statistics."""
    families = find_families(stored.documents)
    retrievers = {
        k: KindIndex(k, stored.documents, stored, families.groups(stored.documents, k) if families.has_copies else None)
        for k in INDEXED_KINDS
        if k in stored.vectors
    }
    return OpenIndex(stored.manifest, stored.documents, retrievers, location, families)
