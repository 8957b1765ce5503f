"""Years a question names, against the five-year plans a document names instead."""

from __future__ import annotations

from pathlib import Path

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
