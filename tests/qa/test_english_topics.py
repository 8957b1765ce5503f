"""English questions about things the plans never cover are refused, not answered with
whatever sentence happens to contain the one generic word the glossary could translate."""

from __future__ import annotations

import pytest

from qa.terms import key_terms, names_a_topic, unmapped_english_words

pytestmark = pytest.mark.slow

OFF_TOPIC = (
    "What is the exchange rate between the euro and the US dollar?",  # only "rate" (率) translates
    "Who won the football World Cup in 2018?",  # only the year
    "When was the Eiffel Tower built?",  # only "built" (建设), a generic word
    "How do I bake sourdough bread?",  # nothing at all
)
ON_TOPIC = (
    "How do the plans support traditional Chinese medicine?",
    "What measures are proposed for chronic disease management?",
    "Which districts plan to strengthen mental health services?",
    "How many ambulances or emergency stations will Songjiang add?",  # plural glossary match
)


def test_unmapped_words_are_the_ones_the_glossary_cannot_translate() -> None:
    assert unmapped_english_words("What is the exchange rate between the euro and the US dollar?") == (
        "exchange", "euro", "dollar",
    )
    assert unmapped_english_words("How does Songjiang support traditional Chinese medicine?") == ("support",)
    assert [t.text for t in key_terms("How many ambulances will Songjiang add?", "en")][0] == "急救"


@pytest.mark.parametrize(
    ("question", "topical"),
    [("What is the exchange rate?", False), ("Who won in 2018?", False), ("What is the ICU bed target?", True),
     ("How is chronic disease managed?", True)],
)
def test_a_topic_is_named_by_a_specific_term(question: str, topical: bool) -> None:
    assert any(names_a_topic(t) for t in key_terms(question, "en")) is topical


@pytest.mark.parametrize("question", OFF_TOPIC)
def test_off_topic_english_questions_are_refused_and_say_what_matched_nothing(policyqa, question: str) -> None:
    answer = policyqa.ask(question)
    assert answer.refused and not answer.citations, answer.answer
    assert answer.notes == ("refused: unknown_topic",)
    for word in unmapped_english_words(question)[:4]:
        assert word in answer.answer


@pytest.mark.parametrize("question", ON_TOPIC)
def test_english_questions_about_the_plans_are_still_answered(policyqa, question: str) -> None:
    answer = policyqa.ask(question)
    assert not answer.refused and answer.citations, answer.answer


def test_a_hyphen_joins_the_words_of_a_glossary_phrase_as_a_space_does() -> None:
    """"family-doctor sign-up target" names 家庭医生 and 签约 as "family doctor sign up" does."""
    hyphened = {t.text for t in key_terms("Whose family-doctor sign-up target is higher?", "en")}
    spaced = {t.text for t in key_terms("Whose family doctor sign up target is higher?", "en")}
    assert "家庭医生" in hyphened and "签约" in hyphened
    assert hyphened == spaced


def test_words_joined_by_and_in_a_glossary_phrase_may_be_joined_by_a_hyphen_or_slash() -> None:
    """"Chinese-Western medicine" is the glossary's "Chinese and Western medicine" (中西医结合)."""
    for joined in ("Chinese-Western", "Chinese/Western", "Chinese & Western", "Chinese and Western"):
        terms = {t.text for t in key_terms(f"Where will Minhang's integrated {joined} medicine hospital move?", "en")}
        assert "中西医结合" in terms, joined
    assert "中西医结合" not in {t.text for t in key_terms("Is Chinese medicine in Western hospitals planned?", "en")}


def test_a_province_in_pinyin_is_its_chinese_name_not_a_word_that_sounds_the_same() -> None:
    from qa.lexicon import Lexicon

    lexicon = Lexicon(["福建三明经验。附件1：任务表。附件2：指标表。"])
    terms = {t.text for t in key_terms("Which plans learn from the Sanming (Fujian) reform?", "en", lexicon)}
    assert "福建" in terms and "附件" not in terms


def test_an_acronym_no_plan_uses_is_a_topic_the_plans_do_not_cover(policyqa) -> None:  # type: ignore[no-untyped-def]
    from qa.terms import key_terms

    assert "HPV" in [t.text for t in key_terms("Is there an HPV vaccination target?", "en")], "kept as written"
    answer = policyqa.ask("Do any of these district plans set a target for HPV vaccination coverage among teenage girls?")
    assert answer.refused, answer.answer


def test_a_glossary_phrase_said_twice_is_one_term_and_never_an_acronym() -> None:
    """The second "TCM" of a question was left in the text and read as an acronym no plan
    uses, the question's rarest word."""
    terms = [t.text for t in key_terms("How many TCM alliance groups does Minhang build around its TCM partnership?", "en")]
    assert "TCM" not in terms and terms.count("中医") == 1


def test_a_phrasal_verb_of_the_glossary_matches_in_any_form() -> None:
    """"sign-up" is the glossary's; people write "signed up", "signing up"."""
    for question in ("How many residents signed up with a family doctor?", "Is signing up with a family doctor free?"):
        assert "签约" in [t.text for t in key_terms(question, "en")], question
    assert "签约" not in [t.text for t in key_terms("Which signs are up on the hospital?", "en")]


def test_english_words_inside_a_chinese_question_are_read_as_in_an_english_one() -> None:
    """A district in pinyin is the district, a glossary word its Chinese, another English
    word cannot be looked for in Chinese plans; an acronym stays a name."""
    terms = [t.text for t in key_terms("Baoshan针对开药取药要建什么platform？", "zh")]
    assert "Baoshan" not in terms and "platform" not in terms and "取药" in terms
    assert "签约" in [t.text for t in key_terms("宝山的family doctor signing率是多少？", "zh")]
    assert "CMI" in [t.text for t in key_terms("长宁 CMI 目标值", "zh")]


def test_an_english_scene_about_the_asker_is_framing_and_one_about_the_plans_is_not() -> None:
    from qa.terms import _english_scene

    assert _english_scene("My mum is 85 and lives in Baoshan. What is the sign-up goal?") == (
        "My mum is 85 and lives in Baoshan.",
        "What is the sign-up goal?",
    )
    assert _english_scene("Journalist here: in Changning each centre has a brand. Which is it?")[0] == "Journalist here: "
    assert _english_scene("Songjiang's plan gives a life-expectancy figure. Does it meet the target?")[0] == ""
    terms = {t.text: t for t in key_terms("I'm researching TCM. How many family doctors does Baoshan plan?", "en")}
    assert terms["中医"].framing and not terms["家庭医生"].framing


@pytest.mark.parametrize(
    ("question", "code"),
    [("how many P2+ labs come with it?", "P2+"), ("Is there an H7N9 plan?", "H7N9"), ("any 5G clinics?", "5G"), ("is there a p2+ lab", "P2+")],
)
def test_a_code_of_letters_and_digits_is_one_term_as_the_plans_write_it(question: str, code: str) -> None:
    terms = [t.text for t in key_terms(question, "en")]
    assert code in terms and names_a_topic(next(t for t in key_terms(question, "en") if t.text == code)), terms


@pytest.mark.parametrize("question", ["Is it within 10km?", "How many 3rd-level hospitals?"])
def test_a_measure_or_an_ordinal_is_no_code(question: str) -> None:
    assert not any(t.text in ("10KM", "3RD") for t in key_terms(question, "en"))


def test_a_follow_up_naming_a_code_is_answered_from_the_sentence_stating_it(policyqa) -> None:  # type: ignore[no-untyped-def]
    answer = policyqa.ask("In Changning, how many P2+ labs will be built?")
    assert not answer.refused, answer.answer
    assert any("P2+" in c.quote for c in answer.citations), answer.answer


def test_a_phrase_the_dictionary_translates_whole_is_one_term() -> None:
    """"public health" is 公共卫生, not 健康 for "health" and nothing for "public" (a word too
    general to translate alone); a capitalised run is a name, not the dictionary's phrase."""
    from qa.bilingual import phrase_translations
    from qa.lexicon import Lexicon

    assert "公共卫生" in phrase_translations("public health")
    lexicon = Lexicon(["社区基本公共卫生服务经费投入标准达到120元/人年。", "上海大学。上海中医药大学附属曙光医院。健康。"])
    terms = {t.text for t in key_terms("How much will Changning spend on community public health services?", "en", lexicon)}
    assert "公共卫生" in terms and "健康" not in terms
    named = {t.text for t in key_terms("Which hospital becomes affiliated to Shanghai University of TCM?", "en", lexicon)}
    assert "上海大学" not in named
    # a function word makes no phrase ("at least" is how, not what)
    assert "至少" not in {t.text for t in key_terms("Does it meet at least once a year?", "en", Lexicon(["至少一次。"]))}


def test_a_quoted_code_is_one_term_and_an_apostrophe_opens_no_quote() -> None:
    from qa.lexicon import Lexicon

    lexicon = Lexicon(["构建“2+7+N”心理健康新模式。静安区。"])
    assert "2+7+N" in {t.text for t in key_terms("What does Baoshan's '2+7+N' model consist of?", "en", lexicon)}
    # "Jing'an's" holds no quoted code
    assert all("+" not in t.text and t.text != "an" for t in key_terms("When will Jing'an's centres finish?", "en", lexicon))
