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


@pytest.mark.parametrize(("british", "american"), [("neighbourhood", "neighborhood"), ("centres", "centers"), ("behaviour", "behavior")])
def test_a_british_spelling_is_looked_up_the_american_way(british: str, american: str) -> None:
    assert base_forms(british)[0] == american
    assert any(chinese == "社区" for chinese, _ in translations("neighbourhood"))  # not only 居委会


@pytest.mark.parametrize("word", ["your", "four", "tour", "hour"])
def test_words_ending_in_our_that_are_no_british_spellings_stay_as_they_are(word: str) -> None:
    assert base_forms(word) == (word,)


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


def test_every_base_form_is_offered_for_choosing_by_context() -> None:
    from qa.bilingual import all_translations

    offered = [chinese for chinese, _ in all_translations("papers")]
    assert "论文" in offered and "书报" in offered  # paper's senses and papers'
    assert translations("papers") == (), "too general to translate alone"


def test_a_general_word_takes_the_sense_the_best_passages_use() -> None:
    from qa.lexicon import Lexicon
    from qa.terms import feedback_terms

    plans = ["十三五期间发表论文1560篇。", "印发论文评审办法。", "严格执行纸质病历管理。"]
    lexicon = Lexicon(plans)
    about_research = feedback_terms("How many papers did they publish?", lexicon, None, [plans[0]])
    assert [t.text for t in about_research] == ["论文"] and about_research[0].translated
    assert feedback_terms("How many papers did they publish?", lexicon, None, [plans[2]])[0].text == "纸质"
    assert feedback_terms("How many papers did they publish?", lexicon, None, ["没有相关内容。"]) == []


def test_a_word_the_dictionary_translates_alone_is_not_fed_back() -> None:
    from qa.lexicon import Lexicon
    from qa.terms import feedback_terms

    plans = ["加强糖尿病健康管理。"] * 2
    assert feedback_terms("What about diabetes?", Lexicon(plans), None, plans) == []


@pytest.mark.slow
def test_an_english_questions_general_word_is_read_in_the_sense_its_retrieved_passages_use(policyqa) -> None:  # type: ignore[no-untyped-def]
    from qa.analysis import analyze

    answerer = policyqa._snapshot.answerer
    index = policyqa._snapshot.index
    a = analyze("How many papers did Songjiang publish in the 13th five-year period?", list(index.districts), uses=answerer.lexicon)
    terms = answerer._terms_to_cover(a)
    assert "论文" not in {f for t in terms for f in t.forms()}, "papers alone is too general to translate"
    from qa.evidence import collect_candidates
    from qa.plan import plan_retrieval

    plan = plan_retrieval(a, answerer._search_query(a, terms), index.districts, None)
    sentences, chunks = answerer._retrieve(plan)
    fed, _ = answerer._with_feedback(a, terms, collect_candidates([*sentences, *chunks], answerer.lookup))
    assert any(t.text == "论文" and t.translated for t in fed), fed
    answer = policyqa.ask("How many papers did Songjiang publish in the 13th five-year period?")
    assert any("论文" in c.quote for c in answer.citations), answer.answer


def test_british_spellings_are_read_the_way_the_glossary_and_dictionary_write_them() -> None:
    from qa.bilingual import american

    assert american("standardisation of neighbourhood centres, practising gps") == (
        "standardization of neighborhood centers, practicing gps"
    )
    # an -ise word that is -ise in American English too stays as it is
    assert american("advise, exercise, promise, raise") == "advise, exercise, promise, raise"
    terms = {t.text for t in key_terms("When should Jing'an finish the standardisation of its community health centres?", "en")}
    assert {"标准化", "社区卫生服务中心"} <= terms, terms


def test_per_head_is_per_person_not_a_head_of_anything() -> None:
    """"per-head funding" is 人均 / 元/人年; "head" alone stayed 组长 (a group's head)."""
    from qa.terms import key_terms

    terms = key_terms("What is Changning's per-head funding for community public health?", "en")
    texts = {t.text for t in terms}
    assert "组长" not in texts and any("人年" in t.forms() for t in terms), texts
    assert "组长" in {t.text for t in key_terms("Who is the head of the reform group?", "en")}
