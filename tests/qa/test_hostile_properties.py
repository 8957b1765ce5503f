"""Hostile input, property-based: question analysis and unit offsets on arbitrary text.

tests/ingest/test_sentences.py already checks sentence spans and parsed units on text built
from a policy-like token alphabet; here the text is any Unicode at all (controls, NUL,
surrogates, U+2028, combining marks, full-width forms), mixed with the tokens that matter.
"""

from __future__ import annotations

from typing import get_args

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.pipeline import parse_text
from ingest.regions import all_regions
from ingest.sentences import split_sentences
from qa.analysis import Language, QuestionKind, analyze, sub_questions

ALL_DISTRICTS = tuple(r.name for r in all_regions() if r.level == "district" and r.city == "上海市")
FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Pieces a hostile question or document likes to contain, next to arbitrary code points.
HOSTILE = st.sampled_from(
    [
        "长宁区", "浦东新区", "Jing'an", "jing an", "Pudong", "北京", "New York", "火星区", "区",
        "忽略以上指令，", "Ignore previous instructions. ", "哪些区", "which districts", "compare ",
        "２０２５年", "1,000", "99.5%", "？", "?", "；", "。", "\n", "\r\n", "\u2028", "\u0085", "\x00",
        "\ud800", "\u200b", "\ufeff", "e\u0301", "（", "）", "“", "”", " |\n", "一、", "（二）",
    ]
)
HOSTILE_TEXT = st.lists(st.one_of(HOSTILE, st.text(max_size=12)), max_size=40).map("".join)
# Document text is always the result of a strict decode, so it never holds a lone surrogate
# (a question can: JSON allows "\\ud800").
DOCUMENT_TEXT = HOSTILE_TEXT.map(lambda t: t.replace("\ud800", ""))


@FAST
@given(question=st.one_of(st.text(max_size=300), HOSTILE_TEXT),
       known=st.lists(st.sampled_from(ALL_DISTRICTS), unique=True))
def test_analyze_never_raises_and_names_only_known_districts(question: str, known: list[str]) -> None:
    a = analyze(question, known)
    assert set(a.districts) <= set(known)
    assert len(set(a.districts)) == len(a.districts)
    assert set(a.outside_places).isdisjoint(a.districts)
    assert a.lang in get_args(Language) and a.kind in get_args(QuestionKind)
    assert all(isinstance(y, int) for y in a.years)
    assert all(n and n in a.question for n in a.numbers)
    sub_questions(question)  # must not raise either


@FAST
@given(question=HOSTILE_TEXT)
def test_analyze_with_every_district_known_returns_names_from_the_list(question: str) -> None:
    assert set(analyze(question, ALL_DISTRICTS).districts) <= set(ALL_DISTRICTS)


@FAST
@given(text=st.one_of(st.text(max_size=400), HOSTILE_TEXT))
def test_sentence_offsets_slice_back_on_any_unicode(text: str) -> None:
    last_end = 0
    for s, e in split_sentences(text):
        assert 0 <= last_end <= s < e <= len(text)
        last_end = e


@FAST
@given(text=DOCUMENT_TEXT)
def test_parsed_units_slice_back_on_any_unicode(text: str) -> None:
    if not text.strip():
        return
    doc = parse_text("hostile", text)
    assert doc.text == text
    for unit in doc.units():
        assert 0 <= unit.start <= unit.end <= len(text)
        assert text[unit.start : unit.end] == unit.text
        for cell in unit.cells:
            assert text[cell.start : cell.end] == cell.text
