"""Selection on hand-written evidence: the most complete evidence leads, and of equally
complete evidence, what another part of the question cites already comes last."""

from __future__ import annotations

from kernel.types import Unit
from qa.evidence import Evidence
from qa.selection import select_claims
from qa.terms import Term


def _evidence(index: int, text: str, coverage: float, score: float) -> Evidence:
    unit = Unit("doc", "sentence", index, index * 100, index * 100 + len(text), text)  # type: ignore[arg-type]
    return Evidence(unit, "闵行区", coverage, 0.9, 1.0, True, False, score)


MOVE = _evidence(0, "在紫竹园区迁建中西医结合医院。", 0.8, 0.90)
SPECIALTY = _evidence(1, "全面提升中西医结合医院能级，打造中医肺病特色专科。", 0.8, 0.89)
TERMS = [Term("中西医结合医院")]
WEIGHTS = {"中西医结合医院": 1.0}


def test_the_best_scored_of_equally_complete_evidence_leads() -> None:
    assert select_claims([MOVE, SPECIALTY], TERMS, WEIGHTS, max_claims=1, follow_ratio=0.75) == [MOVE]


def test_evidence_another_part_cites_gives_way_to_equally_complete_evidence() -> None:
    chosen = select_claims([MOVE, SPECIALTY], TERMS, WEIGHTS, max_claims=1, follow_ratio=0.75, cited=frozenset({MOVE.unit}))
    assert chosen == [SPECIALTY]


def test_cited_evidence_still_leads_when_it_is_more_complete() -> None:
    fuller = _evidence(2, "在紫竹园区迁建中西医结合医院，打造肺病专科。", 0.95, 0.80)
    chosen = select_claims([fuller, SPECIALTY], TERMS, WEIGHTS, max_claims=1, follow_ratio=0.75, cited=frozenset({fuller.unit}))
    assert chosen == [fuller]
