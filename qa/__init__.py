"""Answering: question analysis, evidence selection, verified citations, refusals.

``from qa import PolicyQA`` is the Python API. It is imported lazily so that the
command line starts without loading the index or the embedding model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import ingest  # noqa: F401  (offline environment first)

if TYPE_CHECKING:
    from qa.engine import PolicyQA

__all__ = ["PolicyQA"]


def __getattr__(name: str) -> Any:
    if name == "PolicyQA":
        from qa.engine import PolicyQA

        return PolicyQA
    raise AttributeError(f"module 'qa' has no attribute {name!r}")
