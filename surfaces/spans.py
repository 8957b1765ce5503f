"""A span of a document with the text around it, snapped to whole lines (pure functions)."""

from __future__ import annotations

from typing import Any

from kernel.errors import BadRangeError
from kernel.types import Document


def context_bounds(text: str, start: int, end: int, context_chars: int) -> tuple[int, int]:
    """Up to ``context_chars`` either side of ``[start, end)``, trimmed to whole lines when possible."""
    lo = max(0, start - context_chars)
    if lo > 0:
        newline = text.find("\n", lo, start)
        if newline != -1:
            lo = newline + 1
    hi = min(len(text), end + context_chars)
    if hi < len(text):
        newline = text.rfind("\n", end, hi)
        if newline != -1:
            hi = newline
    return lo, hi


def check_range(doc: Document, start: int | None, end: int | None) -> tuple[int, int]:
    """Validate a requested span; ``BadRangeError`` naming the bad value and the allowed range."""
    n = len(doc.text)
    s = 0 if start is None else start
    e = n if end is None else end
    if s < 0 or e < 0:
        raise BadRangeError(f"start and end must not be negative, got start={s}, end={e}")
    if s > e:
        raise BadRangeError(f"start ({s}) is after end ({e}): a span runs from start to end, start <= end")
    if e > n:
        raise BadRangeError(f"end must be at most {n}, the length of {doc.doc_id}, got {e}")
    return s, e


def span_with_context(doc: Document, start: int, end: int, context_chars: int) -> dict[str, Any]:
    lo, hi = context_bounds(doc.text, start, end, context_chars)
    return {
        "doc_id": doc.doc_id,
        "title": doc.title,
        "district": doc.district,
        "chars": len(doc.text),
        "start": start,
        "end": end,
        "text": doc.text[start:end],
        "before": doc.text[lo:start],
        "after": doc.text[end:hi],
        "context_start": lo,
        "context_end": hi,
        "section": list(doc.section_path_at(start)),
    }


def sections_of(doc: Document) -> list[dict[str, Any]]:
    return [
        {"heading": s.heading, "level": s.level, "path": list(s.path), "start": s.start, "end": s.end}
        for s in doc.sections
    ]


def summary_of(doc: Document) -> dict[str, Any]:
    return {
        "doc_id": doc.doc_id,
        "title": doc.title,
        "district": doc.district,
        "region": doc.region,
        "chars": len(doc.text),
        "sections": len(doc.sections),
    }
