"""Where a statement comes from: source follow-ups, on the real plans' lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.pipeline import load_document
from kernel.types import Document, Unit
from qa.source import SourceAsk, source_ask, source_facts, source_text

CORPUS = Path(__file__).resolve().parents[2] / "data" / "corpus"


@pytest.fixture(scope="module")
def plans() -> dict[str, Document]:
    return {p.stem.split("-")[0]: load_document(p) for p in sorted(CORPUS.glob("*.txt"))}


def sentence(doc: Document, holding: str) -> Unit:
    return next(u for u in doc.sentences if holding in u.text)


@pytest.mark.parametrize(
    ("question", "date", "issuer", "place"),
    [
        ("这个说法出自哪份文件？", False, False, False),
        ("这是哪个文件里写的？落款日期是哪天", True, True, False),
        ("它放在文件的第几项？是哪个文件？", False, False, True),
        ("Which document is that from, and which section?", False, False, True),
        ("When was that plan issued, and by whom?", True, True, False),
    ],
)
def test_source_asks_are_read(question: str, date: bool, issuer: bool, place: bool) -> None:
    ask = source_ask(question)
    assert ask is not None and (ask.date, ask.issuer, ask.place) == (date, issuer, place)


@pytest.mark.parametrize(
    "question",
    [
        "这个计划是依据哪些文件定的？",  # the documents the plan rests on: what the plan says
        "它说要落实哪个文件？",
        "长宁的中医馆目标是多少？",  # no source asked
        "哪份文件提到了家庭病床？",  # points at nothing: a question across the plans
        "第几项任务？",
    ],
)
def test_other_questions_ask_no_source(question: str) -> None:
    assert source_ask(question) is None


def test_an_untitled_work_plan_is_known_by_its_signature_and_numbered_item(plans: dict[str, Document]) -> None:
    doc = plans["baoshan"]
    unit = sentence(doc, "887365")
    facts = source_facts(doc, unit, SourceAsk(place=True))
    roles = [f.role for f in facts]
    assert roles[:2] == ["issuer", "date"] and roles[-1] == "statement"
    assert facts[1].unit.text == "2025年3月3日"
    item = next(f for f in facts if f.role == "item")
    assert item.number == 6 and item.unit.text.startswith("6、")
    # every fact is the document's own line: a citation a reader can open
    assert all(doc.text[f.unit.start : f.unit.end] == f.unit.text for f in facts)
    text = source_text(facts, list(range(1, len(facts) + 1)), "zh", "宝山区", "Baoshan")
    assert "第6项" in text and "2025年3月3日[2]" in text and text.startswith("宝山区：")


def test_a_statement_in_an_annex_names_the_annex_and_its_title(plans: dict[str, Document]) -> None:
    doc = plans["changning"]
    unit = next(u for u in doc.sentences if u.section and u.section[0] == "附件3" and "P2+" in u.text)
    facts = source_facts(doc, unit, SourceAsk())
    roles = [f.role for f in facts]
    assert roles[0] == "title" and "《长宁区推动卫生健康事业高质量发展行动方案》" in facts[0].unit.text
    assert ["annex", "annex_title"] == roles[1:3] and facts[1].unit.text == "附件3"
    assert "公共卫生体系建设三年行动计划" in facts[2].unit.text
    assert "issuer" not in roles, "a signature is given when asked, or when the plan has no title"


def test_a_title_over_two_lines_is_cited_line_by_line(plans: dict[str, Document]) -> None:
    doc = plans["minhang"]
    unit = sentence(doc, "七宝地区")
    facts = source_facts(doc, unit, SourceAsk(place=True))
    titles = [f.unit.text for f in facts if f.role == "title"]
    assert "".join(titles) == doc.title
    headings = [f.unit.text for f in facts if f.role == "heading"]
    assert headings[0] == "二、重点任务", "the place asked: every heading above it, the top first"
    text = source_text(facts, list(range(1, len(facts) + 1)), "en", "闵行区", "Minhang")
    assert text.startswith("Minhang (闵行区) — It is from “闵行区医疗卫生服务体系高质量发展” [1]; “三年行动计划")


@pytest.mark.slow
def test_a_source_follow_up_cites_where_the_statement_stands(policyqa) -> None:  # type: ignore[no-untyped-def]
    first = policyqa.ask("宝山的887365是什么意思？")
    history = [{"role": "user", "content": first.question}, {"role": "assistant", "content": first.answer}]
    source = policyqa.ask("这是哪个部门发的文件？什么时候发的？", history=history)
    assert not source.refused and "2025年3月3日" in source.answer and "卫生健康委员会" in source.answer
    assert any("887365" in c.quote for c in source.citations), "the statement itself is cited last"
    english = policyqa.ask("Which document is that from, and which section?", history=history)
    assert english.lang == "en" and "item 6" in english.answer
    # a topic the plans leave open has no source to name
    silent = policyqa.ask("宝山有没有建火星基地？", history=[])
    chat = [{"role": "user", "content": silent.question}, {"role": "assistant", "content": silent.answer}]
    assert policyqa.ask("这个出自哪份文件？", history=chat).refused
