"""Build or update the index: embed only what changed, rebuild BM25 whole, write atomically.

A document's vectors are reused when the previous index was built by the same embedder and
the texts that would be embedded are identical (its per-kind fingerprint matches). The
fingerprint, not the file's sha256, is the test: a change in how ingest cuts chunks changes
the texts even when the file did not. BM25 is rebuilt from scratch every time: it takes
well under a second and its statistics (IDF) depend on the whole corpus anyway.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from index.embedders.base import Embedder
from index.lexical import BM25Config, LexicalIndex
from index.retriever import HybridIndex, RetrieverConfig
from index.store import INDEXED_KINDS, StoredIndex, make_manifest, read_store, units_of, write_store
from kernel.errors import CorruptIndexError, IndexNotBuiltError
from kernel.types import Document


@dataclass
class BuildReport:
    """What a build did, for the CLI and the benchmark."""

    embedded: dict[str, int] = field(default_factory=dict)  # doc_id -> units embedded
    reused: list[str] = field(default_factory=list)  # doc_ids whose vectors were reused
    removed: list[str] = field(default_factory=list)  # doc_ids dropped since the last build
    unit_counts: dict[str, int] = field(default_factory=dict)
    previous: str = "none"  # none | reused | ignored (<reason>)
    seconds: float = 0.0


def _previous(index_dir: Path, embedder_id: str, rebuild: bool) -> tuple[StoredIndex | None, str]:
    if rebuild:
        return None, "ignored (--rebuild)"
    try:
        stored = read_store(index_dir)
    except IndexNotBuiltError:
        return None, "none"
    except CorruptIndexError as exc:
        return None, f"ignored (unreadable: {exc})"
    if stored.embedder_id != embedder_id:
        return None, f"ignored (built with {stored.embedder_id})"
    return stored, "reused"


def _old_vectors(stored: StoredIndex) -> dict[tuple[str, str], tuple[str, np.ndarray]]:
    """(doc_id, kind) -> (fingerprint, that document's rows of vectors) from a stored index."""
    out: dict[tuple[str, str], tuple[str, np.ndarray]] = {}
    offsets = dict.fromkeys(INDEXED_KINDS, 0)
    for entry in stored.manifest["documents"]:
        for kind in INDEXED_KINDS:
            n = int(entry["units"][kind])
            start = offsets[kind]
            out[(entry["doc_id"], kind)] = (
                entry["fingerprints"][kind],
                stored.vectors[kind][start : start + n],
            )
            offsets[kind] += n
    return out


def build_index(
    documents: Sequence[Document],
    index_dir: Path | str | None = None,
    embedder: Embedder | None = None,
    progress: bool = True,
    rebuild: bool = False,
    bm25: BM25Config | None = None,
    config: RetrieverConfig | None = None,
) -> HybridIndex:
    """Index ``documents`` into ``index_dir`` (default: the configured index folder)."""
    from index.embedders.factory import make_embedder
    from ingest.settings import index_dir as default_index_dir

    started = time.perf_counter()
    ids = [d.doc_id for d in documents]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ValueError(f"duplicate doc_id {dupes[0]!r}: every document needs its own id")
    folder = Path(index_dir) if index_dir is not None else default_index_dir()
    embedder = embedder or make_embedder()
    bm25 = bm25 or BM25Config()
    manifest = make_manifest(documents, embedder.id, embedder.dim, bm25)
    previous, how = _previous(folder, embedder.id, rebuild)
    old = _old_vectors(previous) if previous else {}
    report = BuildReport(previous=how)
    if previous:
        report.removed = [e["doc_id"] for e in previous.manifest["documents"] if e["doc_id"] not in set(ids)]

    vectors: dict[str, np.ndarray] = {}
    for kind in INDEXED_KINDS:
        parts: list[np.ndarray | None] = []
        todo: list[tuple[int, list[str]]] = []
        for i, (doc, entry) in enumerate(zip(documents, manifest["documents"], strict=True)):
            cached = old.get((doc.doc_id, kind))
            if not units_of(doc, kind):
                parts.append(None)
            elif cached and cached[0] == entry["fingerprints"][kind]:
                parts.append(cached[1])
            else:
                parts.append(None)
                todo.append((i, [u.retrieval_text for u in units_of(doc, kind)]))
        texts = [t for _, ts in todo for t in ts]
        if texts and progress:
            print(f"embedding {len(texts)} {kind} units from {len(todo)} document(s)", file=sys.stderr)
        fresh = embedder.embed(texts, role="passage", progress=progress) if texts else None
        if fresh is not None and fresh.shape != (len(texts), embedder.dim):
            raise ValueError(f"embedder {embedder.id!r} returned shape {fresh.shape} for {len(texts)} texts")
        pos = 0
        for i, ts in todo:
            parts[i] = fresh[pos : pos + len(ts)]  # type: ignore[index]
            pos += len(ts)
            doc_id = documents[i].doc_id
            report.embedded[doc_id] = report.embedded.get(doc_id, 0) + len(ts)
        stacked = [p for p in parts if p is not None and len(p)]
        vectors[kind] = (
            np.ascontiguousarray(np.vstack(stacked), dtype=np.float32)
            if stacked
            else np.zeros((0, embedder.dim), dtype=np.float32)
        )

    report.reused = [d.doc_id for d in documents if d.doc_id not in report.embedded]
    lexical = {
        kind: LexicalIndex.build([u.retrieval_text for d in documents for u in units_of(d, kind)], bm25)
        for kind in INDEXED_KINDS
    }
    stored = StoredIndex(manifest, tuple(documents), vectors, lexical)
    write_store(folder, stored)
    report.unit_counts = dict(manifest["unit_counts"])
    report.seconds = time.perf_counter() - started
    index = HybridIndex(stored, embedder, config)
    index.build_report = report
    return index


def load_index(
    index_dir: Path | str | None = None,
    embedder: Embedder | None = None,
    config: RetrieverConfig | None = None,
) -> HybridIndex:
    """Load and verify the index; the embedder is the given one, else ``$POLICYQA_EMBEDDER``'s,
    else the one the manifest names. A mismatch with a chosen embedder is a ``CorruptIndexError``."""
    from index.embedders.factory import configured_spec, make_embedder
    from ingest.settings import index_dir as default_index_dir

    folder = Path(index_dir) if index_dir is not None else default_index_dir()
    stored = read_store(folder)
    if embedder is None and configured_spec() is not None:
        embedder = make_embedder()
    if embedder is not None and embedder.id != stored.embedder_id:
        raise CorruptIndexError(
            f"the index at {folder} was built with embedder {stored.embedder_id!r} but the configured "
            f"embedder is {embedder.id!r}"
        )
    return HybridIndex(stored, embedder, config)
