"""Retrieval filters: restrict a search to some documents and/or districts.

Filters are validated against what the index holds, so a misspelt district is an error
that lists the known ones rather than an empty, misleading result.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from index.store_protocol import Scope
from kernel.types import Document


def _as_frozenset(value: Iterable[str] | None, name: str) -> frozenset[str] | None:
    if value is None:
        return None
    if isinstance(value, str):  # frozenset("长宁区") would be a set of characters
        raise ValueError(f"{name} must be a collection of strings, not the single string {value!r}")
    return frozenset(value)


@dataclass(frozen=True)
class Filters:
    """Keep units whose document is in ``doc_ids`` *and* whose district is in ``districts``.

    ``None`` means no restriction on that field.
    """

    doc_ids: frozenset[str] | None = None
    districts: frozenset[str] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "doc_ids", _as_frozenset(self.doc_ids, "doc_ids"))
        object.__setattr__(self, "districts", _as_frozenset(self.districts, "districts"))


def check_filters(filters: Filters | None, documents: Mapping[str, Document], districts: list[str]) -> Scope:
    """The filters as a ``Scope`` every store understands, after checking every name exists
    (as ``resolve_filters`` does, without listing the allowed documents: a search within one
    region of a large library should not walk every document)."""
    if filters is None:
        return Scope()
    if filters.doc_ids is not None and any(d not in documents for d in filters.doc_ids):
        resolve_filters(filters, documents, districts)  # raises, naming the unknown doc_id
    if filters.districts is not None and not filters.districts <= set(districts):
        resolve_filters(filters, documents, districts)  # raises, naming the unknown district
    return Scope(doc_ids=filters.doc_ids, districts=filters.districts)


def resolve_filters(
    filters: Filters | None, documents: Mapping[str, Document], districts: list[str]
) -> frozenset[str] | None:
    """The allowed doc_ids (``None``: all), after checking every name exists in the index."""
    if filters is None or (filters.doc_ids is None and filters.districts is None):
        return None
    allowed = frozenset(documents)
    if filters.doc_ids is not None:
        unknown = sorted(filters.doc_ids - allowed)
        if unknown:
            raise ValueError(
                f"unknown doc_id {unknown[0]!r} in filter; known documents: {', '.join(sorted(allowed))}"
            )
        allowed = filters.doc_ids
    if filters.districts is not None:
        unknown = sorted(filters.districts - set(districts))
        if unknown:
            raise ValueError(
                f"unknown district {unknown[0]!r} in filter; known districts: {', '.join(districts)}"
            )
        allowed = frozenset(d for d in allowed if documents[d].district in filters.districts)
    return allowed
