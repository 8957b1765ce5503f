"""Documents in, units with exact offsets out: sections, sentences, table rows, chunks."""

from ingest.pipeline import (
    IngestFailure,
    IngestReport,
    ingest_paths,
    load_corpus,
    load_document,
    parse_text,
)

__all__ = ["IngestFailure", "IngestReport", "ingest_paths", "load_corpus", "load_document", "parse_text"]
