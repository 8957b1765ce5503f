"""Hybrid search index: jieba BM25 + dense FAISS over document units, persisted atomically."""

from index.builder import BuildReport, build_index, load_index
from index.embedders import make_embedder
from index.filters import Filters
from index.fusion import FusionConfig
from index.retriever import HybridIndex, RetrieverConfig

__all__ = [
    "BuildReport",
    "Filters",
    "FusionConfig",
    "HybridIndex",
    "RetrieverConfig",
    "build_index",
    "load_index",
    "make_embedder",
]
