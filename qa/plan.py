"""Which retrieval to run for a question, decided from its analysis alone."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from qa.analysis import QuestionAnalysis

PlanMode = Literal["hybrid", "per_district"]


@dataclass(frozen=True)
class RetrievalPlan:
    """``districts`` restricts the search; per-district mode searches each one separately."""

    mode: PlanMode
    districts: tuple[str, ...]
    query: str
    sentence_k: int = 40
    chunk_k: int = 8
    per_district_k: int = 20


def plan_retrieval(
    analysis: QuestionAnalysis,
    search_query: str,
    all_districts: Sequence[str],
    user_districts: Sequence[str] | None = None,
) -> RetrievalPlan:
    """Named districts restrict the search; questions across districts and comparisons
    search every district on its own so a district is never crowded out by another."""
    named = tuple(analysis.districts)
    allowed = tuple(user_districts) if user_districts else tuple(all_districts)
    if named and analysis.kind != "across":
        districts = tuple(d for d in named if d in allowed) or named
    else:
        # "哪几个区写了安宁疗护？闵行有没有？" asks across every district; the one it names
        # is among them, not the only one.
        districts = allowed
    if analysis.kind in ("across", "comparison"):
        return RetrievalPlan("per_district", districts, search_query)
    restricted = districts if (named or user_districts) else ()
    return RetrievalPlan("hybrid", restricted, search_query)
