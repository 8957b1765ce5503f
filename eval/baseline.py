"""The usual alternative, built only from LangChain's stock parts, so every report can show
PolicyQA next to it: RecursiveCharacterTextSplitter with Chinese separators, FAISS and BM25
fused by an EnsembleRetriever (reciprocal-rank fusion), the same embedder as PolicyQA, and the
top three chunks as the answer. It never refuses.

Its answers follow the Answer contract: chunk offsets come from ``add_start_index`` and are
checked against the document text, so ``quote == text[start:end]`` holds here too. The FAISS
store is cached under ``<POLICYQA_HOME>/baseline/<key>`` where the key hashes the embedder id,
the splitter settings and the corpus text, so a rerun never re-embeds an unchanged corpus.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ingest.regions import detect_region
from ingest.settings import home_dir

SEPARATORS = ["\n\n", "\n", "。", "！", "？", "；", "，", ""]


@dataclass(frozen=True)
class BaselineConfig:
    chunk_size: int = 300
    chunk_overlap: int = 50
    separators: tuple[str, ...] = tuple(SEPARATORS)
    k_each: int = 10  # candidates from each retriever before fusion
    passages: int = 10  # fused chunks reported as passages
    answer_chunks: int = 3
    weights: tuple[float, float] = (0.5, 0.5)  # (FAISS, BM25)


def _bm25_tokens(text: str) -> list[str]:
    """BM25Retriever splits on spaces by default, which leaves Chinese as one token: use jieba."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    return [t for t in jieba.lcut(text.lower()) if t.strip()]


class LangChainBaseline:
    """``ask(question, id=None) -> Answer dict``: retrieve with an EnsembleRetriever, answer with top chunks."""

    name = "langchain-baseline"

    def __init__(self, docs: dict[str, str], embedder: Any, config: BaselineConfig | None = None,
                 cache_root: Path | None = None) -> None:
        from langchain_classic.retrievers import EnsembleRetriever
        from langchain_community.retrievers import BM25Retriever

        from eval.lc_embeddings import EmbedderEmbeddings

        self.docs = docs
        self.config = config or BaselineConfig()
        self.embeddings = EmbedderEmbeddings(embedder)
        self.chunks = self._split()
        self.cache_dir = (cache_root or home_dir() / "baseline") / self.cache_key()
        self.vectorstore = self._vectorstore()
        bm25 = BM25Retriever.from_documents(self.chunks, preprocess_func=_bm25_tokens, k=self.config.k_each)
        dense = self.vectorstore.as_retriever(search_kwargs={"k": self.config.k_each})
        self.retriever = EnsembleRetriever(retrievers=[dense, bm25], weights=list(self.config.weights))

    @classmethod
    def load(cls, config: BaselineConfig | None = None) -> LangChainBaseline:
        """The corpus from ``corpus_dir()`` and the default embedder, as PolicyQA uses them."""
        from eval.questions import load_documents
        from index.embedders import make_embedder

        return cls(load_documents(), make_embedder(), config)

    def _split(self) -> list[Any]:
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        splitter = RecursiveCharacterTextSplitter(
            separators=list(self.config.separators), chunk_size=self.config.chunk_size,
            chunk_overlap=self.config.chunk_overlap, add_start_index=True, keep_separator="end",
        )
        chunks = []
        for doc_id, text in self.docs.items():
            meta = {"doc_id": doc_id, "district": detect_region(text).district}
            for chunk in splitter.create_documents([text], metadatas=[meta]):
                start = chunk.metadata["start_index"]
                if text[start : start + len(chunk.page_content)] != chunk.page_content:
                    start = text.find(chunk.page_content)  # the splitter's offset is a search; verify it
                if start < 0:
                    raise RuntimeError(f"splitter produced text not found in {doc_id}")
                chunk.metadata.update(start=start, end=start + len(chunk.page_content))
                chunks.append(chunk)
        return chunks

    def cache_key(self) -> str:
        h = hashlib.sha256()
        h.update(self.embeddings.id.encode())
        h.update(json.dumps(asdict(self.config), sort_keys=True, ensure_ascii=False).encode())
        for doc_id, text in sorted(self.docs.items()):
            h.update(doc_id.encode() + b"\0" + text.encode() + b"\0")
        return h.hexdigest()[:16]

    def _vectorstore(self) -> Any:
        from langchain_community.vectorstores import FAISS

        manifest = self.cache_dir / "manifest.json"
        if manifest.is_file():
            # our own pickle, written by _vectorstore below in a folder keyed by content hash
            return FAISS.load_local(str(self.cache_dir), self.embeddings, allow_dangerous_deserialization=True)
        store = FAISS.from_documents(self.chunks, self.embeddings)
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        store.save_local(str(self.cache_dir))
        manifest.write_text(json.dumps({"embedder": self.embeddings.id, "chunks": len(self.chunks),
                                        "config": asdict(self.config)}, ensure_ascii=False, indent=1))
        return store

    def ask(self, question: str, id: str | None = None) -> dict[str, Any]:
        t0 = time.perf_counter()
        docs = self.retriever.invoke(question)[: self.config.passages]
        t1 = time.perf_counter()
        passages = [
            {"doc_id": d.metadata["doc_id"], "start": d.metadata["start"], "end": d.metadata["end"],
             # EnsembleRetriever returns no scores: report 1/rank so "best first" stays visible
             "text": d.page_content, "score": round(1.0 / (rank + 1), 6), "district": d.metadata["district"],
             "section": []}
            for rank, d in enumerate(docs)
        ]
        top = passages[: self.config.answer_chunks]
        answer = {
            "question": question,
            "answer": "\n".join(f"[{n}] {p['text']}" for n, p in enumerate(top, 1)),
            "refused": False,
            "citations": [{"doc_id": p["doc_id"], "start": p["start"], "end": p["end"], "quote": p["text"],
                           "district": p["district"], "section": []} for p in top],
            "passages": passages,
            "timings_ms": {"retrieve": round((t1 - t0) * 1000, 2), "answer": round((time.perf_counter() - t1) * 1000, 2)},
            "mode": "langchain-baseline",
        }
        return {"id": id, **answer} if id is not None else answer
