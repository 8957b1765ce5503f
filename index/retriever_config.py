"""Retrieval settings and the checks every search argument passes first.

Kept apart from ``index.retriever`` so that the settings (saved with nothing, passed to
``HybridIndex``) and the argument checks (shared by every entry point that searches) read
without the retrieval plan around them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from index.fusion import FusionConfig

MAX_TOP_K = 1000


@dataclass(frozen=True)
class RetrieverConfig:
    """Retrieval defaults; ``retrieve`` can override fusion per call."""

    # RRF with k=20 rather than the textbook 60: each list here holds at most a few hundred
    # units, and a smaller k lets a unit ranked first by one retriever count for more.
    fusion: FusionConfig = field(default_factory=lambda: FusionConfig(k=20))
    depth: int = 100  # candidates taken from each ranked list before fusion
    lift: bool = True  # let sentence and table-row hits rank their chunks
    # A question that names districts ("宝山今年…", "Songjiang's targets") is about their
    # documents: their units get this much extra fused score (in RRF rank-1 units).
    district_boost: float = 1.0
    # Per-document damping of the fused list: the n-th unit from one document keeps
    # ``diversity ** n`` of its score, so one long plan cannot fill the whole top k.
    diversity: float = 0.95

    def __post_init__(self) -> None:
        if self.depth <= 0:
            raise ValueError(f"depth must be positive, got {self.depth!r}")
        if not 0 < self.diversity <= 1:
            raise ValueError(f"diversity must be in (0, 1], got {self.diversity!r}")
        if self.district_boost < 0:
            raise ValueError(f"district_boost must be >= 0, got {self.district_boost!r}")


def check_query(query: str) -> str:
    """The query without surrounding spaces; ``ValueError`` for a non-string or empty one."""
    if not isinstance(query, str):
        raise ValueError(f"query must be a string, got {type(query).__name__}")
    if not query.strip():
        raise ValueError("query is empty: give a question or some search words")
    return query.strip()


def check_top_k(top_k: int, name: str = "top_k") -> None:
    """``ValueError`` unless ``top_k`` is an integer from 1 to ``MAX_TOP_K``."""
    if isinstance(top_k, bool) or not isinstance(top_k, int) or not 1 <= top_k <= MAX_TOP_K:
        raise ValueError(f"{name} must be an integer from 1 to {MAX_TOP_K}, got {top_k!r}")
