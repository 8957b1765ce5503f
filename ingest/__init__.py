"""Documents in, units with exact offsets out: sections, sentences, table rows, chunks."""

from ingest.offline import apply_offline_env

apply_offline_env()
