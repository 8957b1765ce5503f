"""Choose the store an index lives in: ``POLICYQA_BACKEND`` (``faiss`` or ``milvus``).

``open_store`` is the one switch scripts use (the scale benchmark builds and loads either
backend for a corpus and a home with it); ``build_index`` and ``load_index`` call
``resolve_store`` so every entry point (``policyqa index``, ``PolicyQA.load``, the server,
eval) follows the environment without knowing which store it is.
"""

from __future__ import annotations

from pathlib import Path

from index.store_protocol import DocumentStore
from ingest import settings
from ingest.settings import BACKENDS, Backend


def open_store(
    backend: Backend | str | None = None,
    *,
    home: Path | str | None = None,
    index_dir: Path | str | None = None,
    uri: str | None = None,
    collection: str | None = None,
) -> DocumentStore:
    """The store for ``backend`` (default ``POLICYQA_BACKEND``).

    ``home`` stands for ``POLICYQA_HOME``: the FAISS folder is ``<home>/index`` and the Milvus
    Lite file ``<home>/milvus.db`` unless ``index_dir`` / ``uri`` (or their variables) say otherwise.
    """
    chosen = (backend or settings.backend()).strip().lower()
    if chosen not in BACKENDS:
        raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, got {backend!r}")
    if chosen == "faiss":
        from index.faiss_store import FaissStore

        if index_dir is not None:
            return FaissStore(Path(index_dir))
        return FaissStore(Path(home) / "index" if home is not None else settings.index_dir())
    from index.milvus.store import MilvusStore

    return MilvusStore(
        uri or settings.milvus_uri(Path(home) if home is not None else None),
        collection or settings.milvus_collection(),
    )


def resolve_store(where: Path | str | DocumentStore | None) -> DocumentStore:
    """A store as given, else the configured one; a folder means the FAISS folder there.

    With ``POLICYQA_BACKEND=milvus`` a folder (the FAISS index folder callers pass by default)
    is not used: the index is the configured Milvus collection.
    """
    if where is not None and not isinstance(where, (str, Path)):
        return where
    if settings.backend() == "milvus":
        return open_store("milvus")
    return open_store("faiss", index_dir=where)
