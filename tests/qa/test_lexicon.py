"""Paraphrase-tolerant matching on the real corpus: Cilin synonyms, spelled-out forms, pinyin."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.lexicon import RELATED_CREDIT, SPELLED_OUT_CREDIT, SYNONYM_CREDIT, Lexicon
from qa.terms import Term, term_match
from qa.thesaurus import related, synonyms

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


def test_pinyin_place_names_find_their_chinese(lexicon: Lexicon, corpus: dict[str, str]) -> None:
    sentence(corpus, "baoshan-2025-health-work-plan", "新建1家顾村大居卫生服务站")
    assert "顾村" in lexicon.pinyin_forms("gucun")
    assert lexicon.pinyin_forms("qibao") == ("七宝",)
    assert lexicon.pinyin_forms("health") == ()
