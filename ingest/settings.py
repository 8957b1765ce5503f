"""Where things live: the bundled corpus and dev set, and the index folder.

Every path can be overridden by an environment variable so a commission can keep its
documents and index wherever its backups run.
"""

from __future__ import annotations

import os
from pathlib import Path

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
