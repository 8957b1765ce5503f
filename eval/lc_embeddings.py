"""Our ``Embedder`` seen as a LangChain ``Embeddings``, so stock LangChain and ragas parts use
the very model PolicyQA uses (a baseline with a different embedder would measure the model,
not the method)."""

from __future__ import annotations

from typing import Any

from langchain_core.embeddings import Embeddings


class EmbedderEmbeddings(Embeddings):
    """``embed_documents`` -> role "passage", ``embed_query`` -> role "query" (E5 prefixes)."""

    def __init__(self, embedder: Any) -> None:
        self.embedder = embedder

    @property
    def id(self) -> str:
        return str(self.embedder.id)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        return self.embedder.embed(list(texts), role="passage").astype(float).tolist()  # type: ignore[no-any-return]

    def embed_query(self, text: str) -> list[float]:
        return self.embedder.embed([text], role="query")[0].astype(float).tolist()  # type: ignore[no-any-return]
