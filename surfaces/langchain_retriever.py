"""A LangChain retriever over the PolicyQA index, so LangChain programs can search our documents.

    from qa import PolicyQA
    from surfaces.langchain_retriever import PolicyQARetriever

    retriever = PolicyQARetriever(index=PolicyQA.load().index, top_k=5)
    docs = retriever.invoke("哪些区提出了中医馆建设目标？")
    docs[0].metadata  # doc_id, start, end, district, section, score, kind, title

Each ``page_content`` is exactly ``document.text[start:end]``, so a citation built from the
metadata points at the same characters the retriever returned.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, Field, field_validator

from kernel.types import UNIT_KINDS, ScoredChunk


def to_langchain(hit: ScoredChunk, title: str = "") -> LCDocument:
    unit = hit.unit
    metadata: dict[str, Any] = {
        "doc_id": unit.doc_id,
        "start": unit.start,
        "end": unit.end,
        "district": hit.district,
        "section": list(unit.section),
        "score": float(hit.score),
        "kind": unit.kind,
        "title": title,
    }
    return LCDocument(page_content=unit.text, metadata=metadata, id=unit.unit_id)


class PolicyQARetriever(BaseRetriever):
    """Hybrid (BM25 + dense) retrieval from a ``HybridIndex`` as LangChain ``Document``s.

    ``index`` is ``PolicyQA.index`` (or ``index.load_index(...)``); ``districts`` and
    ``doc_ids`` restrict every search. Per-call overrides: ``invoke(query, top_k=3)``.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    index: Any
    top_k: int = Field(default=5, ge=1, le=100)
    kinds: tuple[str, ...] = ("chunk",)
    districts: tuple[str, ...] | None = None
    doc_ids: tuple[str, ...] | None = None

    @field_validator("kinds", mode="before")
    @classmethod
    def _check_kinds(cls, value: Sequence[str]) -> tuple[str, ...]:
        kinds = (value,) if isinstance(value, str) else tuple(value)
        bad = [k for k in kinds if k not in UNIT_KINDS]
        if not kinds or bad:
            raise ValueError(f"kinds must be a non-empty subset of {UNIT_KINDS}, got {kinds!r}")
        return kinds

    def _filters(self) -> Any:
        if self.districts is None and self.doc_ids is None:
            return None
        from index.filters import Filters

        return Filters(
            doc_ids=frozenset(self.doc_ids) if self.doc_ids is not None else None,
            districts=frozenset(self.districts) if self.districts is not None else None,
        )

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, **kwargs: Any
    ) -> list[LCDocument]:
        top_k = int(kwargs.get("top_k", self.top_k))
        hits = self.index.retrieve(query, top_k=top_k, filters=self._filters(), kinds=self.kinds)
        documents = getattr(self.index, "documents", {})
        return [to_langchain(h, getattr(documents.get(h.unit.doc_id), "title", "")) for h in hits]
