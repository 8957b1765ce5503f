"""A private copy of the shared test index, for tests that change an index.

The shared index (under the test ``POLICYQA_HOME``) is built once per session and used by
everyone; a test that uploads, re-indexes or breaks things works on its own copy with its own
uploads folder, so nothing it does leaks into what other tests see.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def shared_index_dir() -> Path:
    """The shared test index, brought up to date (built the first time, checked afterwards)."""
    from index import build_index, make_embedder
    from ingest import load_corpus, settings

    folder = settings.index_dir()
    build_index(load_corpus(settings.corpus_dir()), folder, make_embedder(None), progress=False)
    return folder


@contextmanager
def private_engine(work: Path) -> Iterator[Any]:
    """``PolicyQA`` on ``work/index`` (a copy of the shared index) with uploads in ``work/uploads``.

    ``POLICYQA_UPLOADS`` is read by every upload job, so it is set for as long as the engine is
    in use and restored afterwards.
    """
    from qa import PolicyQA

    shutil.copytree(shared_index_dir(), work / "index")
    old_uploads = os.environ.get("POLICYQA_UPLOADS")
    os.environ["POLICYQA_UPLOADS"] = str(work / "uploads")
    try:
        yield PolicyQA.load(work / "index", build_if_missing=False, progress=False)
    finally:
        if old_uploads is None:
            os.environ.pop("POLICYQA_UPLOADS", None)
        else:
            os.environ["POLICYQA_UPLOADS"] = old_uploads
