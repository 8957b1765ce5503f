"""The figures of the plans' sentences in English, for English answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.figures_en import english_figures

CORPUS = Path(__file__).resolve().parents[2] / "data" / "corpus"


def plan_text(doc: str, holding: str) -> str:
    text = (CORPUS / f"{doc}.txt").read_text(encoding="utf-8")
    assert holding in text, "the corpus changed: pick another sentence"
    return holding


@pytest.mark.parametrize(
    ("doc", "clause", "english"),
    [
        ("baoshan-2025-health-work-plan", "(早8点到晚8点,每周7天,全年365天应诊)", ["8 a.m. to 8 p.m.", "7 days a week", "365 days a year"]),
        ("changning-2023-health-development-action-plan", "至2025年至少达到550项,建成3套P2+微生物实验室", ["at least 550 items", "3 sets"]),
        ("jingan-sanming-reform-plan", "医改领导小组会议每年至少专题研究一次医改工作", ["at least once a year"]),
        ("songjiang-14th-five-year-health-plan", "平均急救反应时间缩短至10分45秒", ["10 min 45 s"]),
        ("changning-2023-health-development-action-plan", "经费投入标准达到120元/人年", ["120 yuan per person per year"]),
        ("baoshan-2025-health-work-plan", "力争新招全科医生30-50名", ["30-50 people"]),
        ("songjiang-14th-five-year-health-plan", "街头个人自愿无偿献血募集量占总募集量的一半以上", ["over half"]),
        ("changning-2023-health-development-action-plan", "实现超过一半数量站的业务用房面积", ["over half"]),
    ],
)
def test_figures_read_in_english(doc: str, clause: str, english: list[str]) -> None:
    assert english_figures(plan_text(doc, clause)) == english


@pytest.mark.parametrize(
    "clause",
    [
        "推动常住居民家庭医生签约率提至46%",  # a percentage reads the same in English
        "“887365”全时段诊疗模式",  # a quoted code is a name, not a figure
        "到2025年,基本实现",  # a year is not a figure
        "提出8点建议",  # a number of points is no time of day
    ],
)
def test_what_reads_the_same_or_is_no_figure_is_left_to_the_quote(clause: str) -> None:
    assert english_figures(clause) == []


@pytest.mark.slow
def test_an_english_answer_gives_the_quotes_figures_in_english(policyqa) -> None:  # type: ignore[no-untyped-def]
    answer = policyqa.ask("What hours does Baoshan's 887365 model mean for patients?")
    assert not answer.refused and "8 a.m. to 8 p.m." in answer.answer and "7 days a week" in answer.answer
    # the quote stays the plans' Chinese, verified like every citation
    assert any("早8点到晚8点" in c.quote for c in answer.citations)
    chinese = policyqa.ask("宝山的887365是什么意思？")
    assert "a.m." not in chinese.answer, "a Chinese answer quotes only"
