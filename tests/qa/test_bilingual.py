"""English words the glossary does not know are put into Chinese with CC-CEDICT (``qa.bilingual``):
the plans' word counts when evidence has it and costs nothing in the judge when it does not."""

from __future__ import annotations

import pytest

from qa.bilingual import EXACT, base_forms, translations
from qa.terms import Term, coverage, key_terms


def test_a_domain_word_is_translated_and_its_inflections_with_it() -> None:
    assert ("糖尿病", EXACT) in translations("diabetes")
    assert translations("clinics") == translations("clinic")
    assert any(chinese == "基层" for chinese, _ in translations("grassroots"))  # "grassroots unit"


@pytest.mark.parametrize("word", ["life", "high", "open", "care", "kinds"])
def test_a_general_word_is_not_translated(word: str) -> None:
    """Used in hundreds of the dictionary's definitions: no one translation is meant."""
    assert translations(word) == ()


def test_base_forms() -> None:
    assert "illness" in base_forms("illnesses")
    assert "study" in base_forms("studies")
    assert "eliminate" in base_forms("eliminated")
    assert base_forms("class") == ("class",)


def _lexicon(policyqa):  # type: ignore[no-untyped-def]
    return policyqa._snapshot.answerer.lexicon


@pytest.mark.slow
def test_words_outside_the_glossary_become_the_plans_words(policyqa) -> None:
    terms = {t.text: t for t in key_terms("How many grassroots TCM brands will Minhang create?", "en", _lexicon(policyqa))}
    assert terms["基层"].translated and terms["品牌"].translated
    assert not terms["中医"].translated  # the glossary's own term
    assert terms["基层"].hard is False  # never the anchor the evidence must name


@pytest.mark.slow
def test_a_translation_the_plans_never_use_is_no_term(policyqa) -> None:
    """pharmacist -> 药剂师, which no plan says: nothing to look for."""
    terms = key_terms("How many pharmacists will Changning have?", "en", _lexicon(policyqa))
    assert all(not t.translated for t in terms)


def test_a_missing_translation_costs_nothing_when_judging_but_counts_when_ranking() -> None:
    terms = [Term("社区卫生服务中心"), Term("糖尿病", translated=True)]
    weights = {"社区卫生服务中心": 2.0, "糖尿病": 2.0}
    without = "推进社区卫生服务中心标准化建设。"
    with_it = "新泾社区卫生服务中心打造糖尿病健康管理特色。"
    assert coverage(terms, weights, without, lenient=True) == 1.0
    assert coverage(terms, weights, without) == 0.5
    assert coverage(terms, weights, with_it) == coverage(terms, weights, with_it, lenient=True) == 1.0


@pytest.mark.slow
@pytest.mark.parametrize(
    ("question", "stated"),
    [
        ("How many grassroots TCM brands will Minhang create?", "8-10个基层中医药服务特色品牌"),
        ("Will Baoshan's community clinics open at weekends?", "887365"),
        ("Which Changning community health centre has diabetes as its speciality?", "新泾"),
    ],
)
def test_english_questions_in_words_the_glossary_lacks_are_answered(policyqa, question: str, stated: str) -> None:
    answer = policyqa.ask(question)
    assert not answer.refused, answer.answer
    assert any(stated in c.quote for c in answer.citations), answer.answer
