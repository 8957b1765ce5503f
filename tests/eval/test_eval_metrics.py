"""Our metrics against values worked out by hand for three fabricated answer files.

The slice (conftest.SLICE): dev-001 fact zh (1 key fact, 1 quote), dev-002 fact zh (2, 1),
dev-035 aggregation en (2 facts, districts 静安/宝山, 2 quotes), dev-043 comparison zh
(2 facts, districts 闵行/松江, 2 quotes), dev-054 unanswerable zh, dev-060 unanswerable en.
Answerable: 4 items, 7 key facts, 6 gold quotes, 4 required districts.
"""

from __future__ import annotations

import copy
from fractions import Fraction as F

import pytest

from eval import metrics as m

PERFECT = {
    "accuracy": 1.0, "key_fact_coverage": 1.0, "district_recall": 1.0, "district_precision": 1.0,
    "refusal_accuracy": 1.0, "false_refusal_rate": 0.0, "evidence_hit@5": 1.0, "evidence_hit@10": 1.0,
    "citation_recall": 1.0, "citation_precision": 1.0,
}
EMPTY = {
    "accuracy": 0.0,  # 0/6: nothing answered, nothing refused
    "key_fact_coverage": 0.0,  # 0/7 groups
    "district_recall": 0.0,  # 0/4 districts
    "district_precision": None,  # no district named: no denominator
    "refusal_accuracy": 0.0,  # 0/2
    "false_refusal_rate": 0.0,  # 0/4
    "evidence_hit@5": 0.0, "evidence_hit@10": 0.0,  # 0/6 quotes
    "citation_recall": 0.0,  # 0/6
    "citation_precision": None,  # no citations
}
PARTIAL = {
    # correct: dev-001, dev-035, dev-054; wrong: dev-002 (fact missing), dev-043 (refused), dev-060 (answered)
    "accuracy": F(3, 6),
    # dev-001 1/1 + dev-002 1/2 + dev-035 2/2 + dev-043 0/2 (refused: claims nothing)
    "key_fact_coverage": F(4, 7),
    # dev-035 2/2 + dev-043 0/2
    "district_recall": F(2, 4),
    # dev-035 names Jingan, Baoshan, Minhang: 2 of 3 qualify; dev-043 refused: names none
    "district_precision": F(2, 3),
    "refusal_accuracy": F(1, 2),  # dev-054 refused, dev-060 not
    "false_refusal_rate": F(1, 4),  # dev-043
    # quotes in the first 5 passages: dev-001 1/1, dev-002 0/1 (6th), dev-035 1/2, dev-043 2/2
    "evidence_hit@5": F(4, 6),
    "evidence_hit@10": F(5, 6),
    # gold quotes cited: dev-001 1/1, dev-002 0/1, dev-035 1/2, dev-043 0/2
    "citation_recall": F(2, 6),
    # citations supported: dev-001 1/1, dev-002 0/1 (unrelated sentence), dev-035 1/1; dev-060 unanswerable: n/a
    "citation_precision": F(2, 3),
}


def _check(actual: dict, expected: dict) -> None:
    for name, value in expected.items():
        if value is None:
            assert actual[name] is None, name
        else:
            assert actual[name] == pytest.approx(float(value)), name


def test_perfect(items, perfect):
    _check(m.score_set(items, perfect), PERFECT)


def test_empty(items, empty):
    _check(m.score_set(items, empty), EMPTY)


def test_partly_right(items, partial):
    _check(m.score_set(items, partial), PARTIAL)


def test_partly_right_per_item(items, partial):
    assert [m.is_correct(i, a) for i, a in zip(items, partial, strict=True)] == [True, False, True, False, True, False]
    assert m.key_fact_coverage(items, partial).per_item == [1.0, 0.5, 1.0, 0.0, None, None]
    assert m.evidence_hit_at_5(items, partial).per_item == [1.0, 0.0, 0.5, 1.0, None, None]
    assert m.district_precision(items, partial).per_item == [None, None, pytest.approx(2 / 3), None, None, None]
    assert m.refusal_accuracy(items, partial).per_item == [None, None, None, None, 1.0, 0.0]


def test_partly_right_breakdown(items, partial):
    run = m.evaluate_run(items, partial)
    assert run["by_lang"]["en"]["accuracy"] == 0.5 and run["by_lang"]["en"]["n"] == 2
    assert run["by_lang"]["zh"]["accuracy"] == 0.5 and run["by_lang"]["zh"]["n"] == 4
    fact = run["by_type"]["fact"]
    assert (fact["accuracy"], fact["key_fact_coverage"]) == (0.5, pytest.approx(2 / 3))
    assert run["by_type"]["comparison"]["false_refusal_rate"] == 1.0
    assert run["by_type"]["unanswerable"]["refusal_accuracy"] == 0.5
    assert run["by_type"]["unanswerable"]["key_fact_coverage"] is None
    row = {r["id"]: r for r in run["items"]}
    assert row["dev-002"]["missing_facts"] == [["后备定点医院"]]
    assert row["dev-043"]["missing_districts"] == ["闵行区", "松江区"]
    assert row["dev-035"]["missed_evidence"] == [items[2]["evidence"][1]["quote"]]


def test_length_mismatch_is_rejected(items, perfect):
    for fn in m.METRICS.values():
        with pytest.raises(ValueError, match="differ in length"):
            fn(items, perfect[:-1])
    with pytest.raises(ValueError, match="differ in length"):
        m.evaluate_run(items[:2], perfect)


def test_misaligned_ids_are_rejected(items, perfect):
    with pytest.raises(ValueError, match="paired with item id"):
        m.accuracy(items, list(reversed(perfect)))


def test_comparison_is_normalised(items, perfect):
    """Full-width digits, curly quotes, spaces and case do not change a verdict."""
    item = items[1]  # dev-002: 2023 / 后备定点医院
    ans = copy.deepcopy(perfect[1])
    ans["answer"] = "浦江医院 ２０２３ 年开办，作为 后备 定点 医院"
    assert m.is_correct(item, ans)
    en = copy.deepcopy(perfect[2])  # dev-035 needs 静安 + 宝山, accepts Jing'an
    en["answer"] = "JING’AN and BAOSHAN"
    assert m.is_correct(items[2], en)
    en["answer"] = "Jing'an only"
    assert not m.is_correct(items[2], en)
