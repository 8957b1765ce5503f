"""Combine ranked lists from several retrievers into one ranking. Pure functions.

Reciprocal rank fusion (Cormack et al., 2009) is the default: it needs no score
calibration between BM25 (unbounded) and cosine similarity (-1..1), and a passage ranked
well by either retriever surfaces. Weighted score fusion (min-max normalised scores) is
kept as an option for experiments.

A list a store has already fused itself (Milvus's hybrid search) is *scored*: its scores are
fusion scores already, so they are added as they are (times the list's weight) instead of
being turned into ranks a second time. The fused list is then damped per document
(``damp_per_document``).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

FusionMethod = Literal["rrf", "weighted"]
FUSION_METHODS: tuple[str, ...] = ("rrf", "weighted")


@dataclass(frozen=True)
class FusionConfig:
    """How ranked lists are merged. ``weights`` maps a list name to its weight (default 1)."""

    method: FusionMethod = "rrf"
    k: int = 60
    weights: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.method not in FUSION_METHODS:
            raise ValueError(f"fusion method must be one of {FUSION_METHODS}, got {self.method!r}")
        if self.k <= 0:
            raise ValueError(f"RRF k must be positive, got {self.k!r}")
        bad = {name: w for name, w in self.weights.items() if w < 0}
        if bad:
            raise ValueError(f"fusion weights must be >= 0, got {bad}")

    def weight(self, name: str) -> float:
        return float(self.weights.get(name, 1.0))


# A ranked list: (item, score) pairs, best first.
Ranked = Sequence[tuple[Hashable, float]]


def reciprocal_rank_fusion(
    lists: Mapping[str, Ranked],
    k: int = 60,
    weights: Mapping[str, float] | None = None,
    scored: Collection[str] = (),
) -> dict[Hashable, float]:
    """``sum(weight / (k + rank))`` over the lists an item appears in (rank from 1);
    a list named in ``scored`` adds ``weight * score`` instead."""
    weights = weights or {}
    fused: dict[Hashable, float] = {}
    get = fused.get
    for name, ranked in lists.items():
        w = float(weights.get(name, 1.0))
        if w == 0:
            continue
        if name in scored:
            for item, score in ranked:
                fused[item] = get(item, 0.0) + w * float(score)
        else:
            for rank, (item, _) in enumerate(ranked, start=1):
                fused[item] = get(item, 0.0) + w / (k + rank)
    return fused


def weighted_score_fusion(
    lists: Mapping[str, Ranked], weights: Mapping[str, float] | None = None, scored: Collection[str] = ()
) -> dict[Hashable, float]:
    """``sum(weight * minmax(score))``: each list's scores scaled to 0..1 first (a ``scored``
    list's are already on that scale and are added as they are)."""
    weights = weights or {}
    fused: dict[Hashable, float] = {}
    for name, ranked in lists.items():
        w = float(weights.get(name, 1.0))
        if w == 0 or not ranked:
            continue
        if name in scored:
            for item, score in ranked:
                fused[item] = fused.get(item, 0.0) + w * float(score)
            continue
        scores = [s for _, s in ranked]
        lo, hi = min(scores), max(scores)
        span = hi - lo
        for item, score in ranked:
            norm = (score - lo) / span if span > 0 else 1.0
            fused[item] = fused.get(item, 0.0) + w * norm
    return fused


def fuse(
    lists: Mapping[str, Ranked], config: FusionConfig, scored: Collection[str] = ()
) -> list[tuple[Hashable, float]]:
    """Fused ``(item, score)`` pairs, best first; ties keep first-seen order."""
    if config.method == "rrf":
        fused = reciprocal_rank_fusion(lists, k=config.k, weights=config.weights, scored=scored)
    else:
        fused = weighted_score_fusion(lists, weights=config.weights, scored=scored)
    # a stable sort: equal scores keep the dict's order, which is first-seen order
    return sorted(fused.items(), key=lambda kv: -kv[1])


def damp_per_document(
    fused: Sequence[tuple[Hashable, float]], top_k: int, diversity: float, doc_of: Callable[[Hashable], str]
) -> list[tuple[Hashable, float]]:
    """The fused list (best first) with each document's n-th item damped by ``diversity ** n``
    (``doc_of``: an item's document), re-sorted, so one long plan cannot fill the top k.

    Exact for its first ``top_k``: damping only lowers a score that is not negative, so once
    ``top_k`` damped scores reach the next item's undamped one, nothing after it can enter
    (an equal score would sort after them).
    """
    seen: dict[str, int] = {}
    out = []
    best: list[float] = []  # the top_k damped scores so far, a min-heap
    for item, score in fused:
        if len(best) == top_k and best[0] >= score >= 0:
            break
        doc_id = doc_of(item)
        n = seen.get(doc_id, 0)
        seen[doc_id] = n + 1
        damped = score * diversity**n
        out.append((item, damped))
        if len(best) < top_k:
            heapq.heappush(best, damped)
        elif damped > best[0]:
            heapq.heapreplace(best, damped)
    return sorted(out, key=lambda kv: -kv[1])
