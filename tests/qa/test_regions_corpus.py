"""A plan from outside Shanghai, end to end: ingested with its region, answered by name in
Chinese and English, counted among the districts, while places no document covers are refused.

The engine is the real one on a private copy of the shared test index; the Hangzhou plans are
added the way an upload is (incremental index, region detected or set by the uploader).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from private_index import private_engine

from ingest.region_overrides import read_overrides
from ingest.regions import parse_region

pytestmark = pytest.mark.slow

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "regions"
XIHU = "xihu-2025-health-work-plan"
HANGZHOU = "hangzhou-2025-health-plan"
WUHUA = "wuhua-2025-health-work-plan"  # 昆明市: its district 安宁市 shares a word with 安宁疗护


@pytest.fixture(scope="module")
def qa(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    with private_engine(tmp_path_factory.mktemp("regions")) as engine:
        engine.add_documents([FIXTURES / f"{XIHU}.txt"])
        engine.add_documents([FIXTURES / f"{HANGZHOU}.txt"], region=parse_region("浙江省杭州市"))
        engine.add_documents([FIXTURES / f"{WUHUA}.txt"])
        yield engine


def _cited_docs(answer: object) -> set[str]:
    return {c.doc_id for c in answer.citations}  # type: ignore[attr-defined]


def test_the_plans_carry_their_regions(qa: object) -> None:
    docs = {d.doc_id: d for d in qa.documents()}  # type: ignore[attr-defined]
    assert docs[XIHU].region == {"province": "浙江省", "city": "杭州市", "district": "西湖区"}
    assert docs[HANGZHOU].region == {"province": "浙江省", "city": "杭州市", "district": None}
    assert docs[WUHUA].region == {"province": "云南省", "city": "昆明市", "district": "五华区"}
    assert docs["baoshan-2025-health-work-plan"].region == {"province": "上海市", "city": "上海市", "district": "宝山区"}
    assert "西湖区" in qa.index.districts and None not in qa.index.districts  # type: ignore[attr-defined]


def test_a_district_outside_shanghai_is_answered_in_chinese(qa: object) -> None:
    a = qa.ask("西湖区到2025年底要建成多少个社区智慧健康驿站？")  # type: ignore[attr-defined]
    assert not a.refused and "18" in a.answer, a.answer
    assert _cited_docs(a) == {XIHU} and all(c.district == "西湖区" for c in a.citations)


def test_a_district_outside_shanghai_is_answered_in_english(qa: object) -> None:
    a = qa.ask("What is Xihu District's family doctor contract coverage target?")  # type: ignore[attr-defined]
    assert not a.refused and "47%" in a.answer and a.answer.startswith("Xihu"), a.answer
    assert _cited_docs(a) == {XIHU}


def test_the_city_names_its_district_plan_too(qa: object) -> None:
    a = qa.ask("杭州市西湖区家庭医生签约服务覆盖率要达到多少？")  # type: ignore[attr-defined]
    assert not a.refused and "47%" in a.answer, a.answer


def test_a_city_level_plan_is_answered_as_the_citys(qa: object) -> None:
    a = qa.ask("杭州市到2025年底要建成几个城市医疗集团？")  # type: ignore[attr-defined]
    assert not a.refused and "9" in a.answer, a.answer
    assert _cited_docs(a) == {HANGZHOU} and all(c.district is None for c in a.citations)


def test_aggregation_ranges_over_the_districts_the_corpus_holds(qa: object) -> None:
    a = qa.ask("哪些区提出了安宁疗护的建设目标？")  # type: ignore[attr-defined]
    assert not a.refused and "西湖" in a.answer, a.answer
    assert "杭州市" not in a.answer  # the city-level plan is not a district


@pytest.mark.parametrize("question", ["北京市的家庭医生签约率目标是多少？", "东京的家庭医生签约率是多少？",
                                      "What is the family doctor contract rate target in Tokyo?",
                                      "鼓楼区的家庭医生签约率目标是多少？", "安宁市的家庭医生签约率目标是多少？",
                                      "浦东那边家庭医生签约率定的目标是多少？", "那嘉定今年配多少台AED？",
                                      "徐汇区计划到2025年建成多少家社区卫生服务中心？", "苏州市的家庭医生签约率目标是多少？"])
def test_places_no_document_covers_are_refused(qa: object, question: str) -> None:
    a = qa.ask(question)  # type: ignore[attr-defined]
    assert a.refused, a.answer


def test_an_uploaders_region_survives_a_rebuild(qa: object) -> None:
    from ingest import settings
    from ingest.document_set import document_set

    uploads = settings.uploads_dir()
    assert read_overrides(uploads)[HANGZHOU].city == "杭州市"
    assert XIHU not in read_overrides(uploads)  # detected, not set: nothing stored
    rebuilt = {d.doc_id: d for d in document_set(settings.corpus_dir(), uploads).documents}
    assert rebuilt[HANGZHOU].region == {"province": "浙江省", "city": "杭州市", "district": None}
    assert rebuilt[XIHU].district == "西湖区"


@pytest.mark.parametrize("question", ["哪些区提到了安宁疗护？", "安宁疗护 哪些区有提到"])
def test_hospice_care_is_asked_across_the_plans_not_about_anning(qa: object, question: str) -> None:
    """安宁 is a district of 昆明市, whose 五华区 the corpus holds: in 安宁疗护 it names no place."""
    a = qa.ask(question)  # type: ignore[attr-defined]
    assert not a.refused and "五华" in a.answer and "长宁" in a.answer, a.answer
    assert "安宁市" not in a.answer


def test_hospice_care_in_one_district_is_answered(qa: object) -> None:
    a = qa.ask("长宁的安宁疗护由哪家社区卫生服务中心牵头？")  # type: ignore[attr-defined]
    assert not a.refused and "程家桥" in a.answer, a.answer
    assert _cited_docs(a) == {"changning-2023-health-development-action-plan"}


def test_a_kunming_district_is_answered_by_name(qa: object) -> None:
    a = qa.ask("五华区到2025年底要建成几家社区医院？")  # type: ignore[attr-defined]
    assert not a.refused and "7" in a.answer, a.answer
    assert _cited_docs(a) == {WUHUA}
    en = qa.ask("What is Wuhua District's family doctor contract coverage target?")  # type: ignore[attr-defined]
    assert not en.refused and "52%" in en.answer, en.answer


TCM_CHAT = [{"role": "user", "content": "长宁到2025年要建成几个达标中医馆？"},
            {"role": "assistant", "content": "到2025年完成达标中医馆10个，完成达标中医阁6个［1］。"}]


@pytest.mark.parametrize("question", ["那安宁疗护呢？", "安宁疗护有哪些安排？"])
def test_a_follow_up_on_hospice_care_asks_the_topic_not_about_anning(qa: object, question: str) -> None:
    """The follow-up resolver finds places as the analysis does: 安宁 in 安宁疗护 is the plans'
    word, so the turn is about hospice care in the chat's district, not a turn about 安宁市."""
    a = qa.ask(question, history=TCM_CHAT)  # type: ignore[attr-defined]
    assert a.standalone_question is not None and "长宁区的安宁疗护" in a.standalone_question, a.standalone_question
    assert "安宁市" not in a.answer and "refused: outside_place" not in a.notes, (a.answer, a.notes)
    assert not a.refused and "安宁疗护" in a.answer, a.answer
    assert _cited_docs(a) == {"changning-2023-health-development-action-plan"}


def test_a_refusal_names_the_place_outside_the_corpus_but_not_anning(qa: object) -> None:
    a = qa.ask("鼓楼区的安宁疗护有什么安排？")  # type: ignore[attr-defined]
    assert a.refused and "鼓楼区" in a.answer, a.answer
    assert "安宁" not in a.answer.replace("安宁疗护", ""), a.answer
    en = qa.ask("What does Suzhou plan for 安宁疗护?")  # type: ignore[attr-defined]
    assert en.refused and "Suzhou" in en.answer and "Anning" not in en.answer and "安宁市" not in en.answer, en.answer


def test_an_english_name_before_hospital_is_the_hospital_the_plans_name_not_a_city(qa: object) -> None:
    # Tongren is a city in Guizhou and a county-level city in Qinghai; Tongren Hospital is
    # 同仁医院, which Changning's plan names. The city alone stays outside the corpus.
    a = qa.ask("What role does Tongren Hospital play in Changning's infectious disease treatment?")  # type: ignore[attr-defined]
    assert not a.refused, a.answer
    assert any("同仁医院" in c.quote for c in a.citations), a.answer
    city = qa.ask("What is Tongren's plan for hospitals?")  # type: ignore[attr-defined]
    assert city.refused and "refused: outside_place" in city.notes, city.answer
