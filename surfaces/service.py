"""The one way every surface calls the engine: ask, search, read a span, list documents.

Each function takes the engine (``PolicyQA``) and plain values, and raises the kernel's errors
(``QuestionError``, ``DocumentNotFoundError``, ``BadRangeError``, ``ValueError`` for an unknown
district ...), which each surface reports through ``surfaces.errors.classify``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from kernel.errors import BadArgumentError, PolicyQAError
from kernel.types import Answer, Passage
from surfaces import spans

if TYPE_CHECKING:
    from qa import PolicyQA

DEFAULT_CONTEXT_CHARS = 300  # text shown either side of a span
MAX_CONTEXT_CHARS = 5000


@contextmanager
def _arguments_checked() -> Iterator[None]:
    """The engine refuses a bad argument (an unknown district, ``top_k`` out of range) with a
    plain ``ValueError``: name it ``BadArgumentError`` so every surface reports it as the caller's."""
    try:
        yield
    except PolicyQAError:
        raise
    except ValueError as exc:
        raise BadArgumentError(str(exc)) from exc


def ask(
    engine: PolicyQA,
    question: str,
    *,
    top_k: int | None = None,
    districts: Sequence[str] | None = None,
    history: Sequence[Mapping[str, str]] | None = None,
    id: str | None = None,
) -> Answer:
    """The engine's answer; empty ``districts`` or ``history`` mean none."""
    with _arguments_checked():
        return engine.ask(question, top_k=top_k, districts=list(districts) if districts else None,
                          history=list(history) if history else None, id=id)


def search(engine: PolicyQA, query: str, *, top_k: int = 5, districts: Sequence[str] | None = None) -> list[Passage]:
    """The best passages for ``query``, best first, without an answer."""
    with _arguments_checked():
        return engine.search(query, top_k=top_k, districts=list(districts) if districts else None)


def document_span(
    engine: PolicyQA, doc_id: str, start: int | None = None, end: int | None = None,
    context: int = DEFAULT_CONTEXT_CHARS,
) -> dict[str, Any]:
    """``doc_id``'s text from ``start`` to ``end`` with its context and section path; without
    ``start`` and ``end``, the whole document and its sections."""
    if not 0 <= context <= MAX_CONTEXT_CHARS:
        raise BadArgumentError(f"context must be between 0 and {MAX_CONTEXT_CHARS}, got {context}")
    doc = engine.document(doc_id)
    lo, hi = spans.check_range(doc, start, end)
    out = spans.span_with_context(doc, lo, hi, context)
    if start is None and end is None:
        out["sections"] = spans.sections_of(doc)
    return out


def documents(engine: PolicyQA) -> list[dict[str, Any]]:
    """Every indexed document: doc_id, title, district, length, number of sections."""
    return [spans.summary_of(doc) for doc in engine.documents()]


def upload_region(text: str | None) -> Any:
    """The region an upload names (``DocumentRegion``), None when it names none; a name the
    gazetteer does not know, or one several cities share, is a 400 ``bad_region``."""
    from ingest.regions import parse_region
    from surfaces.errors import ApiError

    if text is None or not text.strip():
        return None
    try:
        return parse_region(text)
    except ValueError as exc:
        raise ApiError(400, "bad_region", str(exc)) from None
