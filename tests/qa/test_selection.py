"""Selection on hand-written evidence: the most complete evidence leads, and of equally
complete evidence, what another part of the question cites already comes last."""

from __future__ import annotations

from kernel.types import Unit
from qa.evidence import Evidence
from qa.selection import SelectionConfig, completed, select_claims
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


# ``completed``: once the judge has said the evidence states the answer, what else the
# question asks is cited from sentences that share fewer of its words, never a heading, a
# restatement or a sentence much less like the question.
STATIONS = Evidence(
    Unit("doc", "sentence", 10, 1000, 1020, "新建、改建急救分站5个，完善急救网络布局。"),  # type: ignore[arg-type]
    "闵行区", 0.6, 0.900, 1.0, True, True, 1.00,
)
RADIUS_TEXT = "实现急救站点平均服务半径≤3.5公里，急救平均反应时间≤12分钟。"
AMBULANCE_TERMS = [Term("急救分站"), Term("服务半径")]
AMBULANCE_WEIGHTS = {"急救分站": 1.0, "服务半径": 1.0}
CONFIG = SelectionConfig()


def _radius(index: int = 11, dense: float = 0.895, score: float = 0.65, text: str = RADIUS_TEXT) -> Evidence:
    unit = Unit("doc", "sentence", index, index * 100, index * 100 + len(text), text)  # type: ignore[arg-type]
    return Evidence(unit, "闵行区", 0.5, dense, 1.0, True, True, score)


def test_a_part_stated_in_a_sentence_scored_below_the_first_choice_is_cited_once_judged() -> None:
    radius = _radius()
    assert select_claims([STATIONS, radius], AMBULANCE_TERMS, AMBULANCE_WEIGHTS, 3, 0.75) == [STATIONS]
    assert completed([STATIONS], [STATIONS, radius], AMBULANCE_TERMS, AMBULANCE_WEIGHTS, CONFIG) == [STATIONS, radius]


def test_a_sentence_much_less_like_the_question_is_not_added() -> None:
    far = _radius(dense=STATIONS.dense - 2 * CONFIG.completion_dense_drop)
    assert completed([STATIONS], [STATIONS, far], AMBULANCE_TERMS, AMBULANCE_WEIGHTS, CONFIG) == [STATIONS]


def test_a_sentence_scored_far_below_the_first_choice_is_not_added() -> None:
    weak = _radius(score=0.5 * CONFIG.completion_score_ratio)
    assert completed([STATIONS], [STATIONS, weak], AMBULANCE_TERMS, AMBULANCE_WEIGHTS, CONFIG) == [STATIONS]


def test_a_heading_or_a_restatement_is_never_added() -> None:
    heading = _radius(text="18、提升急救服务半径能力")
    # the same target restated elsewhere (an annex), with one more word of the question
    again = _radius(index=12, text="新建、改建急救分站5个，完善急救网络布局，缩短服务半径。")
    assert completed([STATIONS], [STATIONS, heading, again], AMBULANCE_TERMS, AMBULANCE_WEIGHTS, CONFIG) == [STATIONS]


def test_a_parallel_statement_is_added_only_when_several_things_are_asked() -> None:
    # "两家医院分别迁到哪里": the second relocation adds no new word, but is the second answer
    moved = _evidence(3, "对照三级中医医院建设标准，在七宝地区迁址新建区中医医院。", 0.8, 0.88)
    partial = _evidence(4, "推进中医医联体建设。", 0.5, 0.89)  # less complete: no member of the set
    pool = [MOVE, partial, moved]
    assert completed([MOVE], pool, TERMS, WEIGHTS, CONFIG) == [MOVE]
    assert completed([MOVE], pool, TERMS, WEIGHTS, CONFIG, several=True) == [MOVE, moved]
