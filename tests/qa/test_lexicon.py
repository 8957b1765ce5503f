"""Paraphrase-tolerant matching on the real corpus: Cilin synonyms, spelled-out forms, pinyin."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qa.lexicon import RELATED_CREDIT, SPELLED_OUT_CREDIT, SYNONYM_CREDIT, Lexicon, gapped_matches
from qa.terms import Term, term_match
from qa.thesaurus import related, says_a_predicate, synonyms

CORPUS = Path(__file__).resolve().parents[2] / "data" / "corpus"


@pytest.fixture(scope="module")
def corpus() -> dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))}


@pytest.fixture(scope="module")
def lexicon(corpus: dict[str, str]) -> Lexicon:
    return Lexicon(list(corpus.values()))


def sentence(corpus: dict[str, str], doc: str, text: str) -> str:
    assert text in corpus[doc], "the corpus changed: pick another sentence"
    return text


def test_cilin_knows_everyday_words() -> None:
    assert "医生" in synonyms("大夫")
    assert {"就医", "就诊"} <= set(synonyms("看病"))
    assert "婴儿" in related("宝宝")


def test_cilin_files_some_words_jieba_calls_nouns_under_actions() -> None:
    # 挂帅 ("take command") is a noun to jieba, an activity to Cilin; 组长 and 火星 are things
    assert says_a_predicate("挂帅") and says_a_predicate("牵头")
    assert not says_a_predicate("组长") and not says_a_predicate("火星") and not says_a_predicate("不是一个词")


def test_an_action_word_no_plan_uses_weighs_little_however_jieba_tags_it() -> None:
    from qa.terms import Term, idf_weights

    texts = ["由区政府主要领导担任领导小组组长。", "其他句子。", "另一句。"]
    weights = idf_weights([Term("挂帅"), Term("火星")], texts)
    assert weights["挂帅"] < weights["火星"] / 2


def test_variants_keep_only_forms_the_plans_use(lexicon: Lexicon, corpus: dict[str, str]) -> None:
    forms = {v.form: v.credit for v in lexicon.variants("大夫")}
    assert forms.get("医生") == SYNONYM_CREDIT
    assert all(lexicon(f) for f in forms)
    assert "郎中" not in forms  # a synonym no plan uses is no help


def test_a_colloquial_word_matches_a_real_sentence(lexicon: Lexicon, corpus: dict[str, str]) -> None:
    text = sentence(corpus, "songjiang-14th-five-year-health-plan", "常住人口婴儿死亡率从2015年的3.54‰降低至0.83‰")
    term = Term("小宝宝", variants=lexicon.variants("小宝宝"))
    assert term_match(term, text) == pytest.approx(RELATED_CREDIT)
    assert term_match(Term("小宝宝"), text) == 0.0


def test_spelled_out_forms_of_the_corpus(lexicon: Lexicon, corpus: dict[str, str]) -> None:
    text = sentence(corpus, "changning-2023-health-development-action-plan", "全人群、重点人群签约覆盖率分别达到48%和80%以上")
    term = Term("签约率", variants=lexicon.variants("签约率"))
    assert term_match(term, text) == pytest.approx(SPELLED_OUT_CREDIT)


@pytest.mark.parametrize(("abbreviation", "spelled"), [("疾控", "疾病预防控制"), ("公卫", "公共卫生"), ("家医", "家庭医生")])
def test_an_abbreviation_the_plans_use_also_matches_its_spelled_out_form(
    lexicon: Lexicon, corpus: dict[str, str], abbreviation: str, spelled: str
) -> None:
    # the plans use both 疾控 and 疾病预防控制: a sentence with only the long form states it
    assert lexicon.count(abbreviation) >= 5 and any(spelled in text for text in corpus.values())
    sentence = next(s for text in corpus.values() for s in re.split("[。；]", text) if spelled in s and abbreviation not in s)
    assert term_match(Term(abbreviation, variants=lexicon.variants(abbreviation)), sentence) == SPELLED_OUT_CREDIT


@pytest.mark.parametrize("word", ["中医", "医保"])
def test_an_everyday_word_is_no_abbreviation(lexicon: Lexicon, word: str) -> None:
    # 中医 is not 中心医院: general Chinese uses the word itself
    assert not any(v.credit == SPELLED_OUT_CREDIT and len(v.form) > len(word) + 1 for v in lexicon.variants(word))


def test_an_abbreviation_takes_the_first_character_of_each_word(lexicon: Lexicon) -> None:
    forms = [v.form for v in lexicon.variants("家医")]
    assert "家庭医" in forms and not any("中医" in f for f in forms), forms  # "一家中医…" holds no 家医


def test_pinyin_place_names_find_their_chinese(lexicon: Lexicon, corpus: dict[str, str]) -> None:
    sentence(corpus, "baoshan-2025-health-work-plan", "新建1家顾村大居卫生服务站")
    assert "顾村" in lexicon.pinyin_forms("gucun")
    assert lexicon.pinyin_forms("qibao") == ("七宝",)
    assert lexicon.pinyin_forms("health") == ()


def _texts(terms: tuple[Term, ...]) -> list[str]:
    return [t.text for t in terms]


def test_split_domain_words_are_joined_without_stranding_a_character(lexicon: Lexicon) -> None:
    from qa.terms import key_terms

    # jieba: 达标/中医/馆; joining 达标中医 would strand 馆, so the corpus compound 中医馆 wins
    assert _texts(key_terms("闵行到2025年要建成几个达标中医馆？", "zh", lexicon))[-2:] == ["达标", "中医馆"]
    # jieba: 多少/个名/中医; the classifier belongs to 多少, the compound is 名中医
    assert "名中医" in _texts(key_terms("长宁打算弄多少个名中医工作室？", "zh", lexicon))
    assert "人口" in _texts(key_terms("长宁有多少人口？", "zh", lexicon))  # 人 is no classifier here


def test_the_askers_action_words_are_phrasing_and_weigh_nothing(lexicon: Lexicon, corpus: dict[str, str]) -> None:
    from qa.lexicon import TextSet
    from qa.terms import idf_weights, key_terms

    terms = {t.text: t for t in key_terms("长宁有哪些部队和企业的医院会把好资源放到区里来？带徒弟能带出多少年轻大夫？", "zh", lexicon)}
    assert terms["放到"].phrasing and terms["能带"].phrasing  # a verb; a modal + verb jieba lists as a noun
    assert not terms["部队"].phrasing and not terms["大夫"].phrasing  # topics (大夫 has the plans' 医生)
    weights = idf_weights(list(terms.values()), TextSet(list(corpus.values())))
    assert weights["放到"] == 0.0 and weights["能带"] == 0.0
    assert weights["部队"] > 0.0
    mars = key_terms("宝山的火星基地什么时候建成？", "zh", lexicon)[0]
    assert mars.text == "火星" and not mars.phrasing  # an unknown noun is a topic the plans lack


def test_a_compound_missing_its_head_gets_less_credit() -> None:
    # head-final: 急救半径 is a kind of 半径, like 服务半径; 中医 is not a kind of 中医馆
    head_kept = term_match(Term("服务半径"), "平均急救半径缩短至3.7公里")
    head_missing = term_match(Term("中医馆"), "建设7-10个中医专科专病联盟群")
    assert 0 < head_missing < head_kept < 1


def test_what_the_question_says_it_does_not_ask_about_is_no_term(lexicon: Lexicon) -> None:
    """"（而非泛泛的“互联网+医疗”服务）" excludes a topic: its words must not be looked for."""
    from qa.terms import key_terms

    terms = [t.text for t in key_terms("哪些区提出建设互联网医院（而非泛泛的“互联网+医疗”服务）？", "zh", lexicon)]
    assert "互联网" in terms and not any("医疗" in t or "泛泛" in t for t in terms), terms
    assert "不是" not in " ".join(t.text for t in key_terms("长宁是不是要建互联网医院？", "zh", lexicon))


def _regex_gapped(text: str, word: str, gap: int) -> list[str]:
    """The pattern ``gapped_matches`` stands in for, compiled the slow way."""
    return [m.group(0) for m in re.finditer(f"[\u4e00-\u9fff]{{0,{gap}}}".join(map(re.escape, word)), text)]


def test_gapped_matches_find_what_the_regex_finds_in_the_plans(corpus: dict[str, str]) -> None:
    text = "\n".join(corpus.values())
    words = sorted({text[i : i + n] for i in range(0, len(text) - 5, 97) for n in (2, 3, 4, 5)
                    if re.fullmatch(r"[\u4e00-\u9fff]+", text[i : i + n])})
    words += ["签约率", "中医馆", "家庭医生", "医疗服务", "卫生服务中心"]
    assert len(words) > 500
    found = 0
    for word in words:
        expected = _regex_gapped(text, word, 2)
        assert gapped_matches(text, word, 2) == expected, word
        found += any(m != word for m in expected)
    assert found > 50  # the gaps are exercised, not only exact hits


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="甲乙丙 a\n", max_size=16), st.text(alphabet="甲乙丙", min_size=2, max_size=4),
       st.integers(min_value=0, max_value=3))
def test_gapped_matches_backtrack_as_the_regex_engine_does(text: str, word: str, gap: int) -> None:
    """Overlapping candidates, gaps of repeated word characters, non-CJK gaps that stop a match."""
    assert gapped_matches(text, word, gap) == _regex_gapped(text, word, gap)


def test_words_are_never_joined_across_punctuation(lexicon: Lexicon) -> None:
    # the plans write "到2025年,社区全科医生数…": "年,社区" occurs, but it is no word
    from qa.terms import merge_attested

    assert lexicon("年,社区")
    assert "年,社区" not in merge_attested(["2030", "年", ",", "社区", "这块"], lexicon)
    assert "中医馆" in merge_attested(["达标", "中医", "馆"], lexicon)  # a domain compound still is


def test_a_word_the_plans_never_use_matches_by_its_english_sense(lexicon: Lexicon, corpus: dict[str, str]) -> None:
    """救护车 is no word of the plans, nor has Cilin a synonym for it; CC-CEDICT says it means
    "ambulance", which the health glossary puts as 急救."""
    from qa.bilingual import english_senses
    from qa.lexicon import GLOSSED_CREDIT

    assert "ambulance" in english_senses("救护车")
    text = sentence(corpus, "minhang-2023-2025-health-service-plan", "急救平均反应时间≤12分钟")
    term = Term("救护车", variants=lexicon.variants("救护车"))
    assert term_match(term, text) == pytest.approx(GLOSSED_CREDIT)
    hospice = {v.form for v in lexicon.variants("临终关怀")}
    assert "安宁疗护" in hospice
    # a word the plans use, even once, is matched as written, not by its sense
    assert all(v.credit != GLOSSED_CREDIT for v in lexicon.variants("组长"))
    # and a word with no health sense gets none
    assert lexicon.variants("彩票") == ()


def test_a_thesaurus_variant_gives_an_unused_verb_credit_not_weight() -> None:
    """来得 (how the asker says "comes quickly") is related by Cilin to 展示, which a plan uses
    four times: found, the variant counts, but the verb must not weigh as a plan word would."""
    from qa.lexicon import TextSet, Variant
    from qa.terms import idf_weights

    texts = TextSet(["展示成果。", "展示服务。", "救护车急救反应时间缩短至10分45秒。", *[f"其他句子{i}。" for i in range(40)]])
    bare, related = Term("来得"), Term("来得", variants=(Variant("展示", 0.8),))
    noun = Term("救护车", variants=(Variant("急救", 0.7),))
    weights = idf_weights([bare, noun], texts)
    assert idf_weights([related], texts)["来得"] <= weights["来得"]  # no heavier than unseen
    assert weights["来得"] < weights["救护车"]


@pytest.mark.parametrize(
    ("question", "number"),
    [("我打120叫救护车，闵行多久能到？", "120"), ("拨打12345热线能问医保吗？", "12345"), ("If I call 120 in Minhang, how fast is the ambulance?", "120")],
)
def test_a_number_dialled_is_no_figure_and_no_term(lexicon: Lexicon, question: str, number: str) -> None:
    """"打120" is a phone call: 120 is no topic word (the plans' 120元/人年 would match it)
    and no figure the evidence must state."""
    from qa.analysis import analyze
    from qa.terms import key_terms

    lang = "en" if question.isascii() else "zh"
    assert number not in [t.text for t in key_terms(question, lang, lexicon)]
    assert number not in analyze(question, ["闵行区"]).numbers
    assert "120元" in [t.text for t in key_terms("长宁的公卫经费标准是不是120元？", "zh", lexicon)]  # a figure stays


def test_of_equal_joins_a_verb_and_its_object_stay_apart(lexicon: Lexicon) -> None:
    """建成|社区|医院: 建成社区 and 社区医院 both occur in the plans, and both joins score
    alike; the verb with its object is a phrase, the noun compound is the word."""
    from qa.terms import merge_attested

    assert merge_attested(["建成", "社区", "医院"], lexicon) == ["建成", "社区医院"]
    assert merge_attested(["达标", "中医", "馆"], lexicon) == ["达标", "中医馆"]


def test_terms_offered_as_alternatives_are_one_term(lexicon: Lexicon) -> None:
    """"DRG or DIP": a plan naming either answers; "120元/人年" offers no choice."""
    from qa.terms import key_terms

    en = {t.text: t for t in key_terms("Which district plans name DRG or DIP?", "en", lexicon)}
    assert "DRG" in en and "DIP" in en["DRG"].forms() and "DIP" not in en
    zh = {t.text: t for t in key_terms("哪些区提到DRG或DIP？", "zh", lexicon)}
    assert "DIP" in zh["DRG"].forms() and "DIP" not in zh
    per_head = key_terms("长宁社区基本公卫经费120元/人年是哪一年达到？", "zh", lexicon)
    assert all(len(t.forms()) == 1 or "人年" not in t.forms() for t in per_head)


def test_a_later_part_asking_only_for_the_number_asks_nothing_of_its_own(policyqa) -> None:  # type: ignore[no-untyped-def]
    """"What's the number?" after a question about a target the plan does not set is no
    topic of its own: answered alone, it cited a heading; the whole is refused."""
    answer = policyqa.ask("Does Jing'an set a figure for how many people get a family doctor by 2025? What's the number?")
    assert answer.refused and not answer.citations, answer.answer


def test_a_character_jieba_glued_to_a_modal_is_no_term(lexicon: Lexicon) -> None:
    """"签家庭医生的人能覆盖多少": jieba guesses 人能 (not in its dictionary); the plans hold
    人能 only inside 个人能力, so as a term it weighed like a rare topic word."""
    from qa.terms import key_terms, merge_attested

    assert "人能" not in [t.text for t in key_terms("到2025年签家庭医生的人能覆盖多少？", "zh", lexicon)]
    assert merge_attested(["人", "能"], lexicon) == ["人", "能"]
    assert "服务能力" in [t.text for t in key_terms("长宁要提升哪些服务能力？", "zh", lexicon)]  # a word keeps its 能


def test_the_year_keeps_its_character_from_the_word_after_it(lexicon: Lexicon) -> None:
    """jieba cuts "2025年全人群" as 2025|年全|人群 and "2025年家医" as 2025|年家医: a term the
    plans never write, weighed as a rare topic word, and 全人群 or 家医 lost with it."""
    from qa.terms import key_terms

    cut = [t.text for t in key_terms("长宁2025年全人群签约覆盖率目标多少？", "zh", lexicon)]
    assert "年全" not in cut and "全人群" in cut, cut
    assert "家医" in [t.text for t in key_terms("长宁2025年家医签约率多少", "zh", lexicon)]
    assert "年底" in [t.text for t in key_terms("2025年底前要完成什么？", "zh", lexicon)]  # a word stays one


def test_a_word_the_plans_write_only_inside_a_longer_one_gets_their_word_for_it(lexicon: Lexicon) -> None:
    """The plans write 病床 only in 家庭病床 (home sickbeds); a question's 病床 means beds,
    which the plans call 床位 (hospital bed -> bed, through the glossary)."""
    assert "床位" in [v.form for v in lexicon.variants("病床")]
    assert "家庭病床" not in [v.form for v in lexicon.variants("病床")]
    # a word the plans use on its own keeps only its own variants
    assert not any(v.form == "床位" for v in lexicon.variants("家庭病床"))
