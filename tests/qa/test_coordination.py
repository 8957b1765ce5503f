"""Questions asking the same of several things ("A和B分别…"): one question per thing, on
hand-cut tokens, and answered conjunct by conjunct over the real corpus."""

from __future__ import annotations

import pytest

from qa.coordination import coordinated_questions
from qa.terms import cut, part_of_speech

_PLACES = {"闵行", "闵行区", "长宁", "宝山"}
_PLAN_WORDS = {"护理", "中医医院", "中西医结合医院", "医院", "社区卫生", "服务中心", "护理中心", "康复中心"}


def _split(question: str) -> list[str]:
    return coordinated_questions(
        question, cut(question), part_of_speech, _PLAN_WORDS.__contains__, _PLACES.__contains__
    )


def test_each_conjunct_gets_the_whole_question_around_it() -> None:
    assert _split("闵行的中医医院和中西医结合医院分别搬到哪儿去？") == [
        "闵行的中医医院分别搬到哪儿去？",
        "闵行的中西医结合医院分别搬到哪儿去？",
    ]


def test_a_question_word_opening_each_conjunct_stays_with_it() -> None:
    assert _split("分别拿哪家医院、哪家社区卫生服务中心做试点？") == [
        "分别拿哪家医院做试点？",
        "分别拿哪家社区卫生服务中心做试点？",
    ]


def test_three_conjuncts() -> None:
    questions = _split("护理中心、康复中心和中医医院分别要建几家？")
    assert len(questions) == 3 and questions[2] == "中医医院分别要建几家？"


@pytest.mark.parametrize(
    "question",
    [
        "闵行的中医医院和中西医结合医院搬到哪儿去？",  # no word saying each is asked: maybe one thing
        "长宁和宝山分别有多少家医院？",  # districts: answered district by district elsewhere
        "以儿科为模式、名字很亲切的工作室分别是哪家？",  # a conjunct the plans never name joins clauses
        "医院分别在哪里？",  # nothing coordinated
    ],
)
def test_no_split(question: str) -> None:
    assert _split(question) == []


@pytest.mark.slow
def test_each_hospital_s_move_is_found_in_its_own_sentence(policyqa) -> None:  # type: ignore[no-untyped-def]
    answer = policyqa.ask("闵行区中医医院与闵行区中西医结合医院各自在哪里迁建？")
    assert not answer.refused
    assert "七宝" in answer.answer and "紫竹" in answer.answer
    quotes = [c.quote for c in answer.citations]
    assert any("七宝" in q for q in quotes) and any("紫竹" in q for q in quotes)


@pytest.mark.slow
def test_parts_answered_by_one_sentence_cite_it_once(policyqa) -> None:  # type: ignore[no-untyped-def]
    answer = policyqa.ask("松江十三五期间引进了多少名高层次人才？正高级卫生人才增加了多少人？")
    assert "41人" in answer.answer and "37人" in answer.answer
    assert answer.answer.count("41人") == 1, "the one sentence stating both is quoted once"


@pytest.mark.slow
def test_a_later_part_without_a_subject_is_about_the_first_part_s_hospital(policyqa) -> None:  # type: ignore[no-untyped-def]
    # the second part names no hospital: the one the first part names is its subject, and of
    # two sentences naming that hospital, the one the first part did not cite answers it
    answer = policyqa.ask("闵行区中西医结合医院准备迁去哪个园区？要重点打造哪些专科？")
    assert not answer.refused and not any(n.startswith("unanswered part") for n in answer.notes)
    quotes = [c.quote for c in answer.citations]
    assert any("紫竹" in q for q in quotes), quotes
    assert any("中医肺病" in q for q in quotes), quotes


@pytest.mark.slow
def test_a_later_part_without_a_subject_is_about_the_group_the_first_part_names(policyqa) -> None:  # type: ignore[no-untyped-def]
    # not only hospitals: a leading group is the subject carried to "一年最少开几次会"
    answer = policyqa.ask("静安区里医改领导小组谁来牵头当组长？一年最少开几次会？")
    assert not answer.refused and not any(n.startswith("unanswered part") for n in answer.notes), answer.notes
    assert any("每年至少专题研究一次" in c.quote for c in answer.citations)


@pytest.mark.slow
def test_a_kind_of_body_is_no_subject_carried_to_a_later_part(policyqa) -> None:  # type: ignore[no-untyped-def]
    # 分中心 in the first part says what kind of facility, not which one: the second part is
    # asked of the district, and the station standard is found
    answer = policyqa.ask("长宁到2025年中心、分中心、服务站一共规划几个？服务站用房面积标准是多少平方米？")
    assert not any("分中心服务站" in n for n in answer.notes), answer.notes
    assert any("200平方米" in c.quote for c in answer.citations)


def test_a_pointer_with_a_description_means_the_organisation_the_evidence_describes_so() -> None:
    from qa.referents import referents

    evidence = "加快建设东部光华医院、中部天山中医医院、西部同仁医院三个救治中心,同仁医院负责全区危急重症救治及培训指导。"
    bridges = ["光华医院", "天山中医医院", "同仁医院"]
    assert referents("其中负责危急重症救治的那家医院要争创什么等级", bridges, evidence=evidence)[0] == "同仁医院"
    assert referents("那家医院要争创什么等级", bridges, evidence=evidence)[0] == "光华医院"  # no description: the first


@pytest.mark.slow
def test_the_hospital_a_later_part_describes_is_the_one_followed(policyqa) -> None:  # type: ignore[no-untyped-def]
    answer = policyqa.ask("长宁东中西三个救治中心是哪几家医院？其中负责危急重症救治的那家医院要争创什么等级？")
    assert any("三级甲等" in c.quote and "同仁医院" in c.quote for c in answer.citations), answer.answer
