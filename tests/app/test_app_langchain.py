"""The LangChain retriever adapter over the real index."""

from __future__ import annotations

import pytest
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever

from surfaces.langchain_retriever import PolicyQARetriever

pytestmark = pytest.mark.slow


def test_retriever_returns_exact_spans(app_qa) -> None:
    retriever = PolicyQARetriever(index=app_qa.index, top_k=4)
    assert isinstance(retriever, BaseRetriever)
    docs = retriever.invoke("社区中医馆建设")
    assert 1 <= len(docs) <= 4
    for d in docs:
        assert isinstance(d, LCDocument)
        meta = d.metadata
        assert {"doc_id", "start", "end", "district", "section", "score"} <= set(meta)
        assert app_qa.document(meta["doc_id"]).text[meta["start"] : meta["end"]] == d.page_content
    scores = [d.metadata["score"] for d in docs]
    assert scores == sorted(scores, reverse=True)
    assert len(retriever.invoke("社区中医馆建设", top_k=2)) == 2


def test_retriever_filters_and_kinds(app_qa) -> None:
    retriever = PolicyQARetriever(index=app_qa.index, top_k=3, districts=("长宁区",), kinds=["sentence"])
    docs = retriever.invoke("中医馆")
    assert docs and all(d.metadata["district"] == "长宁区" and d.metadata["kind"] == "sentence" for d in docs)
    with pytest.raises(ValueError, match="kinds"):
        PolicyQARetriever(index=app_qa.index, kinds=["paragraph"])
