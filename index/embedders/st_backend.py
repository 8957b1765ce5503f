"""A sentence-transformers backend for any Hugging Face model id or local model folder.

Lets a commission swap in a stronger (or a bundled, audited) model without code changes.
The library and the model are loaded on first use, never at import: importing torch costs
seconds and the index only needs a query vector when a question arrives. Everything runs
offline (``ingest`` sets ``HF_HUB_OFFLINE``), so a model that is not on disk or in the local
cache is an ``EmbedderUnavailableError`` that names it, not a network timeout.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from index.embedders.base import Role, SpanVectors
from kernel.errors import EmbedderUnavailableError


class SentenceTransformerEmbedder:
    """``Embedder`` over ``sentence_transformers.SentenceTransformer``.

    Asymmetric models (E5, BGE, ...) need different prefixes for queries and passages: give
    them as ``query_prompt`` / ``passage_prompt``, or let the model's own configured prompts
    named ``query`` / ``passage`` apply. Symmetric models need neither.
    """

    def __init__(
        self,
        model: str,
        query_prompt: str | None = None,
        passage_prompt: str | None = None,
        device: str = "cpu",
        batch_size: int = 32,
    ) -> None:
        if not model or not model.strip():
            raise ValueError(
                "model must be a Hugging Face model id or a local model path, got an empty string"
            )
        if batch_size <= 0:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
        self.model_name = model.strip()
        self.query_prompt = query_prompt
        self.passage_prompt = passage_prompt
        self.device = device
        self.batch_size = batch_size
        self._model: Any = None
        self._lock = threading.Lock()

    @property
    def id(self) -> str:
        return f"st:{self.model_name}"

    @property
    def dim(self) -> int:
        model = self._get_model()
        getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        dim = getter()
        if not dim:  # some pooling setups do not report it: measure once
            dim = int(self.embed(["dim"], role="passage").shape[1])
        return int(dim)

    def _get_model(self) -> Any:
        with self._lock:
            if self._model is None:
                try:
                    from sentence_transformers import SentenceTransformer
                except ImportError as exc:
                    raise EmbedderUnavailableError(
                        "the sentence-transformers embedder needs the sentence-transformers package; "
                        "install it with: pip install sentence-transformers"
                    ) from exc
                try:
                    self._model = SentenceTransformer(self.model_name, device=self.device)
                except Exception as exc:  # OSError, ValueError, HF offline errors: all mean "can't load"
                    raise EmbedderUnavailableError(
                        f"could not load sentence-transformers model {self.model_name!r} offline: "
                        f"{type(exc).__name__}: {exc}. Give a local model folder or a model already in "
                        "the Hugging Face cache."
                    ) from exc
            return self._model

    def _prompt_for(self, model: Any, role: Role) -> str | None:
        explicit = self.query_prompt if role == "query" else self.passage_prompt
        if explicit is not None:
            return explicit
        prompts = getattr(model, "prompts", None) or {}
        return prompts.get(role)

    def pools_spans(self) -> bool:
        """Whether this model's vector is a mean over its tokens (its ``Pooling`` module says so):
        CLS-pooled models (e.g. BAAI/bge-m3) answer False, and their units are embedded alone."""
        from index.embedders.st_spans import mean_pooled

        return mean_pooled(self._get_model())

    def embed_spans(self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]],
                    progress: bool = False) -> SpanVectors:
        """Passage vectors and span vectors from one pass (``index.embedders.st_spans``); a
        ValueError for a model that does not mean-pool (check ``pools_spans`` first)."""
        from index.embedders.st_spans import embed_spans

        model = self._get_model()
        if not self.pools_spans():
            raise ValueError(f"{self.model_name!r} does not mean-pool its tokens: span vectors cannot be pooled")
        with self._lock:
            return embed_spans(model, texts, spans, self._prompt_for(model, "passage") or "",
                               lambda alone: self._encode(model, alone, "passage", False))

    def embed(self, texts: Sequence[str], role: Role = "passage", progress: bool = False) -> np.ndarray:
        if role not in ("query", "passage"):
            raise ValueError(f"role must be 'query' or 'passage', got {role!r}")
        items = list(texts)
        model = self._get_model()
        if not items:
            return np.empty((0, self.dim), dtype=np.float32)
        with self._lock:  # torch modules are fine to share, but keep calls ordered and predictable
            return self._encode(model, items, role, progress)

    def _encode(self, model: Any, items: list[str], role: Role, progress: bool) -> np.ndarray:
        vecs = model.encode(
            items,
            prompt=self._prompt_for(model, role),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=progress,
        )
        return np.ascontiguousarray(vecs, dtype=np.float32)
