"""Answering: question analysis, evidence selection, verified citations, refusals.

This package is the answering core only; the ways in (HTTP, OpenAI, MCP, Gradio, the command
line) live in ``surfaces``. ``from qa import PolicyQA`` is the Python API: it is imported lazily
so that the command line starts without loading the index or the embedding model, and, being an
entry point, it sets up the offline environment first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qa.engine import PolicyQA

__all__ = ["PolicyQA"]


def __getattr__(name: str) -> Any:
    if name == "PolicyQA":
        from kernel.offline import go_offline

        go_offline()  # the Python API is an entry point: no network before any model library loads
        from qa.engine import PolicyQA

        return PolicyQA
    raise AttributeError(f"module 'qa' has no attribute {name!r}")
