"""Years a question names, against the five-year plans a document names instead."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.periods import spanned, years_present
from qa.terms import key_terms

SONGJIANG = (Path(__file__).resolve().parents[2] / "data" / "corpus" / "songjiang-14th-five-year-health-plan.txt").read_text(
    encoding="utf-8"
)


def _sentence(fragment: str) -> str:
    assert fragment in SONGJIANG, fragment
    return fragment


def test_a_span_of_years_is_the_period_that_spans_them() -> None:
    stated = _sentence("“十三五”期间，共引进高层次人才41人")
    assert spanned({2016, 2020}) == ["十三五"]
    assert years_present((2016, 2020), stated)
    assert not years_present((2016, 2019), stated), "2016-2019 is not the whole period"
    assert not years_present((2021, 2025), stated), "another period"
    assert not years_present((2020,), stated), "one year of a period is not the period's total"


def test_a_period_s_end_is_its_last_year() -> None:
    assert years_present((2020,), "到“十三五”末，全区每千人口执业医师数达到3.1人")
    assert not years_present((2019,), "到“十三五”末，全区每千人口执业医师数达到3.1人")


def test_year_terms_take_the_period_and_a_named_period_makes_them_redundant() -> None:
    spans = {t.text: t.alternatives for t in key_terms("How many experts did Songjiang recruit during 2016-2020?", "en")}
    assert "十三五" in spans["2016"] and "十三五" in spans["2020"]
    named = [t.text for t in key_terms("宝山在“十五五”期间（2026—2030年）的目标是多少？", "zh")]
    assert "2026" not in named and "2030" not in named


def test_a_period_asked_as_a_time_must_be_the_sentence_s_period() -> None:
    from qa.periods import periods_agree, periods_asked, title_for

    stated = _sentence("“十三五”期间，共引进高层次人才41人")
    assert periods_asked("“十四五”期间计划再引进多少名高层次人才？") == {"十四五"}
    assert periods_asked("松江“十四五”规划里婴儿死亡率降到多少？") == set(), "the plan's name, not a time"
    assert not periods_agree("“十四五”期间计划再引进多少名高层次人才？", stated)
    assert periods_agree("“十三五”期间引进了多少名高层次人才？", stated)
    assert periods_agree("松江“十四五”规划里说引进了多少名高层次人才？", stated)
    assert "十四五" not in title_for(stated, "松江区卫生健康发展“十四五”规划")
    assert "十四五" in title_for("到2025年，形成15分钟基本医疗卫生服务圈", "松江区卫生健康发展“十四五”规划")


@pytest.mark.slow
def test_a_later_part_asking_another_period_is_named_open(policyqa) -> None:  # type: ignore[no-untyped-def]
    answer = policyqa.ask("松江十三五期间引进了多少名高层次人才？十四五期间计划再引进多少名？")
    assert not answer.refused and "41人" in answer.answer
    assert any(n.startswith("unanswered part") and "十四五" in n for n in answer.notes), answer.notes


def test_a_sentence_naming_no_period_is_about_the_one_its_section_opens_with() -> None:
    from qa.periods import section_period

    text = "一、发展基础\n“十三五”期间，本区稳步发展。\n（九）卫生应急\n新增5个急救分站。\n二、主要任务\n新建急救分站3个。"
    review = text.find("新增5个")
    assert section_period(text, ("一、发展基础", "（九）卫生应急"), review) == "十三五"
    assert section_period(text, ("二、主要任务",), text.find("新建急救")) == ""  # its opening names none
    assert section_period(text, ("（九）卫生应急",), review) == ""  # no numbered heading: nothing inherited
    # the real plan: Songjiang's review of the 13th five-year period
    at = SONGJIANG.find("新增5个急救分站")
    assert section_period(SONGJIANG, ("一、发展基础", "（九）卫生应急核心能力显著提升"), at) == "十三五"
