"""A district's short name inside a word the plans use is not a place (安宁 in 安宁疗护).

The plans are the five bundled ones; the corpus is taken to hold a district of 昆明市 too
(五华区), so 昆明's other districts, 安宁市 among them, are recognised by their short names.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from ingest.regions import find_districts, find_mentions, inside_corpus_word
from ingest.settings import DATA_DIR
from kernel.types import Document

SHANGHAI = ["宝山区", "长宁区", "静安区", "闵行区", "松江区"]
WITH_KUNMING = [*SHANGHAI, "五华区"]


@pytest.fixture(scope="module")
def uses(corpus: dict[str, Document]) -> Callable[[str], bool]:
    """Whether the plans use a string at least twice (as ``qa.lexicon.Lexicon`` answers it)."""
    text = "\n".join(d.text for d in corpus.values())
    return lambda s: text.count(s) >= 2


def _names(text: str, known: list[str], uses: Callable[[str], bool] | None) -> list[str]:
    return [d.name for d in find_districts(text, known, uses)]


@pytest.mark.parametrize("question", [
    "哪些区提到了安宁疗护？", "安宁疗护 哪些区有提到", "长宁的安宁疗护是哪家社区中心牵头？",
    "Which districts mention hospice care (安宁疗护)?",
])
def test_hospice_care_is_not_the_city_of_anning(question: str, uses: Callable[[str], bool]) -> None:
    assert "安宁市" in _names(question, WITH_KUNMING, None)  # what the words alone say
    assert "安宁市" not in _names(question, WITH_KUNMING, uses)


@pytest.mark.parametrize(("question", "named"), [
    ("安宁市的家庭医生签约率目标是多少？", ["安宁市"]),  # the full name is always the place
    ("安宁有哪些社区医院？", ["安宁市"]),  # standing alone, the short name still is
    ("安宁和五华各有几家社区医院？", ["安宁市", "五华区"]),
    ("浦东那边家庭医生签约率定的目标是多少？", ["浦东新区"]),
    ("那嘉定今年配多少台？", ["嘉定区"]),
    ("徐汇和嘉定各有几家区域性医疗中心？", ["徐汇区", "嘉定区"]),
    ("苏州市吴中区的家庭医生签约率是多少？", ["吴中区"]),
    ("长宁区域医疗中心要给社区留多少专家号？", ["长宁区"]),  # a district the corpus holds stays
])
def test_places_are_still_places(question: str, named: list[str], uses: Callable[[str], bool]) -> None:
    assert _names(question, WITH_KUNMING, uses) == named


def test_cities_and_full_names_are_never_dropped(uses: Callable[[str], bool]) -> None:
    text = "学习三明医改经验，苏州市和安宁市"
    mentions = find_mentions(text, WITH_KUNMING, uses)
    assert [m.text for m in mentions] == ["三明", "苏州市", "安宁市"]
    assert not any(inside_corpus_word(m, text, frozenset(WITH_KUNMING), uses) for m in mentions)


def test_the_benchmark_questions_name_the_same_districts(uses: Callable[[str], bool]) -> None:
    """Over the five plans, every dev and blind question (and earlier turn) names the same
    districts with the rule as without it: nothing here uses a short name inside a word."""
    rounds = [f"blind-r{n}" for n in range(1, 9)]  # not a round kept unseen until it is run
    files = [DATA_DIR / "bench" / "dev.jsonl", *(p for r in rounds for p in sorted((DATA_DIR / "bench" / r).glob("*.jsonl")))]
    texts = []
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                texts += [item["question"], *(t["content"] for t in item.get("history") or [] if t["role"] == "user")]
    assert len(texts) > 1400
    changed = [t for t in texts if _names(t, SHANGHAI, uses) != _names(t, SHANGHAI, None)]
    assert changed == []


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("Min Hang vs Songjiang: whose ambulances are quicker?", ["闵行区", "松江区"]),
        ("What does Song-jiang plan?", ["松江区"]),
        ("How does Bao  Shan compare?", ["宝山区"]),
    ],
)
def test_a_corpus_districts_syllables_written_apart_name_it(question: str, named: list[str]) -> None:
    assert [d.name for d in find_districts(question, SHANGHAI)] == named


def test_syllables_apart_name_only_the_corpus_districts() -> None:
    # 龙华 (a Shenzhen district) written apart is no mention: only the corpus's districts are read so
    assert find_districts("Is Long Hua a hospital?", SHANGHAI) == []
