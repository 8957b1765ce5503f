"""Documents in, units with exact offsets out: sections, sentences, table rows, chunks."""

from ingest.offline import apply_offline_env

apply_offline_env()

from ingest.pipeline import (  # noqa: E402  (after the offline environment is set)
    IngestFailure,
    IngestReport,
    ingest_paths,
    load_corpus,
    load_document,
    parse_text,
)

__all__ = ["IngestFailure", "IngestReport", "ingest_paths", "load_corpus", "load_document", "parse_text"]
