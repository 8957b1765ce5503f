"""The one document set every entry point indexes: the corpus plus the kept uploads.

A plan uploaded through the server is kept in the uploads folder so that a rebuild can read it
again; ``policyqa index``, ``--rebuild``, ``PolicyQA.load`` and the server all take their
documents from here, so none of them silently drops an upload.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ingest.pipeline import IngestFailure, ingest_paths, load_corpus
from ingest.region_overrides import read_overrides, with_region
from kernel.types import Document


@dataclass(frozen=True)
class DocumentSet:
    """The documents, where each came from, and the uploads that could not be read."""

    documents: tuple[Document, ...]
    sources: dict[str, str]  # doc_id -> "corpus" or "uploads"
    skipped: tuple[IngestFailure, ...]

    def from_source(self, source: str) -> list[str]:
        return [doc_id for doc_id, where in self.sources.items() if where == source]


def document_set(corpus_dir: Path, uploads_dir: Path | None) -> DocumentSet:
    """The corpus (which must ingest cleanly) and the uploads (one bad file is skipped and
    reported, not fatal). A corpus document wins over an upload with the same id."""
    documents = list(load_corpus(corpus_dir)) if corpus_dir.exists() else []
    sources = {d.doc_id: "corpus" for d in documents}
    skipped: tuple[IngestFailure, ...] = ()
    if uploads_dir is not None and uploads_dir.is_dir() and any(uploads_dir.iterdir()):
        report = ingest_paths([uploads_dir])
        skipped = report.failures
        regions = read_overrides(uploads_dir)  # set by whoever uploaded them
        for doc in report.documents:
            if doc.doc_id in regions:
                doc = with_region(doc, regions[doc.doc_id])
            if doc.doc_id not in sources:
                documents.append(doc)
                sources[doc.doc_id] = "uploads"
    return DocumentSet(tuple(documents), sources, skipped)
