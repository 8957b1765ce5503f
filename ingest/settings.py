"""Where things live: the bundled corpus and dev set, the index and the store that holds it.

Every path can be overridden by an environment variable so a commission can keep its
documents and index wherever its backups run:

    POLICYQA_HOME               working state (index, uploads, model cache)
    POLICYQA_CORPUS             documents to index
    POLICYQA_INDEX              the FAISS index folder
    POLICYQA_UPLOADS            kept uploads
    POLICYQA_BACKEND            ``faiss`` (default: a folder of FAISS + bm25s files) or ``milvus``
    POLICYQA_MILVUS_URI         a Milvus Lite file (default ``<home>/milvus.db``, run in-process by
                                pymilvus) or ``http://host:19530`` for a standalone or distributed server
    POLICYQA_MILVUS_COLLECTION  the alias the live collection is reached by (default ``policyqa``)
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Literal, cast

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"


def corpus_dir() -> Path:
    """Documents to index: ``POLICYQA_CORPUS`` or the bundled ``data/corpus``."""
    return Path(os.environ.get("POLICYQA_CORPUS", DATA_DIR / "corpus"))


def dev_bench_path() -> Path:
    return DATA_DIR / "bench" / "dev.jsonl"


def home_dir() -> Path:
    """Working state (index, uploads, model cache): ``POLICYQA_HOME`` or ``~/.cache/policyqa``."""
    default = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "policyqa"
    return Path(os.environ.get("POLICYQA_HOME", default))


def index_dir() -> Path:
    """The index folder: ``POLICYQA_INDEX`` or ``<home>/index``."""
    return Path(os.environ.get("POLICYQA_INDEX", home_dir() / "index"))


def uploads_dir() -> Path:
    """Where uploaded documents are kept, so a re-index can always re-read them."""
    return Path(os.environ.get("POLICYQA_UPLOADS", home_dir() / "uploads"))


Backend = Literal["faiss", "milvus"]
BACKENDS: tuple[Backend, ...] = ("faiss", "milvus")
_COLLECTION_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,199}$")


def backend() -> Backend:
    """Which store holds the index: ``POLICYQA_BACKEND`` (``faiss`` unless set)."""
    value = os.environ.get("POLICYQA_BACKEND", "").strip().lower() or "faiss"
    if value not in BACKENDS:
        raise ValueError(f"POLICYQA_BACKEND must be one of {', '.join(BACKENDS)}, got {value!r}")
    return cast(Backend, value)


def milvus_uri(home: Path | None = None) -> str:
    """``POLICYQA_MILVUS_URI``, or a Milvus Lite file under the home (``<home>/milvus.db``)."""
    value = os.environ.get("POLICYQA_MILVUS_URI", "").strip()
    return value or str((home or home_dir()) / "milvus.db")


def milvus_collection() -> str:
    """The alias the live Milvus collection is reached by: ``POLICYQA_MILVUS_COLLECTION`` or ``policyqa``."""
    value = os.environ.get("POLICYQA_MILVUS_COLLECTION", "").strip() or "policyqa"
    if not _COLLECTION_NAME.match(value):
        raise ValueError(
            f"POLICYQA_MILVUS_COLLECTION must be letters, digits and underscores, starting with a "
            f"letter or underscore, got {value!r}"
        )
    return value
