"""Questions in people's own words, over the real corpus and index: answered, compared,
answered in part, and followed up in a conversation."""

from __future__ import annotations

import pytest

from qa.figures import parse_figures

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    ("question", "must_say"),
    [
        ("长宁打算弄多少个名中医工作室？带徒弟能带出多少年轻大夫？", ("15个", "30名")),
        ("松江的小宝宝死亡率这几年降到多少了？", ("0.83‰",)),
        ("宝山今年准备把多少家小的卫生服务站翻修扩建一下？", ("5-6家",)),
        ("长宁有哪些部队和企业的医院会把好资源放到区里来？", ("海军特色医学中心", "905医院")),
        ("闵行区中医医院打算搬到哪儿去重新盖？", ("七宝",)),
    ],
)
def test_colloquial_questions_are_answered_from_the_right_sentence(policyqa, question: str, must_say: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    answer = policyqa.ask(question)
    assert not answer.refused, answer.answer
    for fact in must_say:
        assert fact in answer.answer
        assert any(fact in c.quote for c in answer.citations), "the figure is in a cited sentence"


def test_a_pinyin_place_name_finds_the_one_district(policyqa) -> None:  # type: ignore[no-untyped-def]
    answer = policyqa.ask("Which district wants to open a new health station in the Gucun community this year?")
    assert not answer.refused
    assert "Baoshan" in answer.answer and "顾村" in answer.answer
    assert {c.district for c in answer.citations} == {"宝山区"}


def test_a_comparison_states_the_verdict_with_both_figures(policyqa) -> None:  # type: ignore[no-untyped-def]
    answer = policyqa.ask("松江老百姓的健康素养水平，有没有超过长宁2025年定的那个目标？")
    assert not answer.refused
    assert "37.67%" in answer.answer and "36" in answer.answer
    verdict = answer.answer.split("。")[-2] if answer.answer.endswith("。") else answer.answer
    assert "松江区" in verdict and "长宁区" in verdict and ("高于" in verdict or "低于" in verdict)
    cited = {c.district for c in answer.citations}
    assert {"松江区", "长宁区"} <= cited


def test_a_part_the_plans_leave_open_is_named_and_the_rest_answered(policyqa) -> None:  # type: ignore[no-untyped-def]
    answer = policyqa.ask("宝山今年要新增多少台AED？这批设备的采购预算是多少钱？")
    assert not answer.refused, "one part is answered, so the answer is partial, not refused"
    assert "800台" in answer.answer
    assert "文件中未提及" in answer.answer and "预算" in answer.answer.split("文件中未提及")[-1]
    assert any(n.startswith("unanswered part") for n in answer.notes)


def test_a_question_no_part_of_which_is_answered_is_refused(policyqa) -> None:  # type: ignore[no-untyped-def]
    answer = policyqa.ask("宝山的火星基地什么时候建成？登月计划的预算是多少？")
    assert answer.refused and answer.citations == ()


def test_follow_ups_in_a_conversation(policyqa) -> None:  # type: ignore[no-untyped-def]
    first = policyqa.ask("长宁到2025年要建成几个达标中医馆？")
    assert not first.refused and "10个" in first.answer
    history = [{"role": "user", "content": first.question}, {"role": "assistant", "content": first.answer}]
    follow = policyqa.ask("到2030年呢？", history=history)
    assert follow.standalone_question == "长宁到2030年要建成几个达标中医馆？"
    baoshan = policyqa.ask("那宝山呢？", history=history)
    assert baoshan.standalone_question is not None and "宝山" in baoshan.standalone_question
    assert not baoshan.refused and "中医馆" in baoshan.answer
    assert {c.district for c in baoshan.citations} == {"宝山区"}
    minhang = policyqa.ask("What about Minhang?", history=history)
    assert minhang.standalone_question is not None and "闵行" in minhang.standalone_question
    assert minhang.refused and "闵行区" in minhang.answer, "Minhang's plan sets no such target, and says so"
    alone = policyqa.ask("松江区的婴儿死亡率是多少？", history=history)
    assert alone.standalone_question is None, "a standalone question is left alone"
    assert "0.83‰" in alone.answer


def test_cited_figures_parse(policyqa) -> None:  # type: ignore[no-untyped-def]
    answer = policyqa.ask("宝山和长宁的专家号源预留比例各是多少？")
    figures = [f for c in answer.citations for f in parse_figures(c.quote) if f.unit == "%"]
    assert {f.value for f in figures} >= {20.0, 30.0}


def test_a_comparison_cites_the_sentence_that_states_each_figure(policyqa) -> None:  # type: ignore[no-untyped-def]
    # 长宁's best-covering evidence on 家庭医生签约 is about the service, not the rate; the
    # comparison must pick its "签约覆盖率…48%" sentence, comparable with 宝山's 46%.
    answer = policyqa.ask("宝山和长宁的家庭医生签约率目标谁更高？")
    assert not answer.refused, answer.answer
    verdict = answer.answer.splitlines()[-1]
    assert "46%" in verdict and "48%" in verdict and "低于" in verdict
    quotes = " ".join(c.quote for c in answer.citations)
    assert "46%" in quotes and "48%" in quotes


def test_a_table_row_states_the_unit_its_indicator_declares(policyqa) -> None:  # type: ignore[no-untyped-def]
    answer = policyqa.ask("长宁区综合医院中医床位占比2025年的目标值是多少？")
    assert not answer.refused, answer.answer
    assert "5%" in answer.answer
    assert any("综合医院设置中医床位占总床位比例(%)" in c.quote for c in answer.citations)


def test_a_comparison_of_two_wordings_compares_the_same_measure(policyqa) -> None:  # type: ignore[no-untyped-def]
    # 松江 says 急救半径, 闵行 服务半径: both are 半径, and both sides state kilometres
    answer = policyqa.ask("松江和闵行的急救平均服务半径谁更短？")
    assert not answer.refused, answer.answer
    verdict = answer.answer.splitlines()[-1].split("。")[-2]
    assert "3.7公里" in verdict and "3.5公里" in verdict
    assert {c.district for c in answer.citations} == {"松江区", "闵行区"}


def test_a_qualifier_of_one_side_does_not_refuse_the_other(policyqa) -> None:  # type: ignore[no-untyped-def]
    # 区域医疗中心 qualifies 长宁's side only: 宝山's 专家号源 sentence lacks it, and is still
    # the other side of the comparison because both state a percentage beside 专家号源
    answer = policyqa.ask("长宁区域医疗中心和宝山，预留给社区的专家号源比例谁高？")
    assert not answer.refused, answer.answer
    verdict = answer.answer.splitlines()[-1].split("。")[-2]
    assert "20%" in verdict and "30%" in verdict and "低于" in verdict, verdict
    assert {c.district for c in answer.citations} == {"长宁区", "宝山区"}


def test_a_side_whose_plan_gives_no_such_figure_stays_unstated(policyqa) -> None:  # type: ignore[no-untyped-def]
    # 宝山's plan states no emergency-station radius: no pair, no verdict, 宝山 named as silent
    answer = policyqa.ask("闵行和宝山的急救平均服务半径谁更短？")
    assert "宝山区的文件未提及" in answer.answer, answer.answer
    assert {c.district for c in answer.citations} == {"闵行区"}


def test_the_other_sides_figure_is_found_however_its_plan_words_the_indicator(policyqa) -> None:  # type: ignore[no-untyped-def]
    # 宝山 says 家庭医生签约率 46%; 长宁 says 签约覆盖率 48% in a sentence without 家庭医生,
    # while many of its 家庭医生 sentences state other percentages (预留20%的专家号源)
    answer = policyqa.ask("宝山和长宁，家庭医生签约率的目标谁定得高？")
    verdict = answer.answer.splitlines()[-1].split("。")[-2]
    assert "46%" in verdict and "48%" in verdict and "低于" in verdict, answer.answer
    # the gap is stated though not asked: two figures of one unit
    assert "相差2个百分点" in verdict, answer.answer
    assert any("签约覆盖率" in c.quote for c in answer.citations)


def test_how_much_one_district_exceeds_another_is_computed(policyqa) -> None:  # type: ignore[no-untyped-def]
    answer = policyqa.ask("宝山医疗机构预留的专家号源比例比长宁区域医疗中心高多少？")
    verdict = answer.answer.splitlines()[-1].split("。")[-2]
    assert "高于" in verdict and "相差10个百分点" in verdict, answer.answer


def test_a_later_part_about_the_organisation_found_follows_its_name_not_the_words_before_it(policyqa) -> None:  # type: ignore[no-untyped-def]
    # "强化以天山中医医院为中心": the hospital is 天山中医医院, not 强化以天山中医医院
    answer = policyqa.ask("长宁的中医医联体围绕哪家医院建设？这家医院要成为哪所大学的附属医院建设单位？")
    assert not answer.refused, answer.answer
    assert any("上海中医药大学附属医院建设单位" in c.quote for c in answer.citations), answer.answer


def test_an_organisation_named_another_way_later_is_still_followed(policyqa) -> None:  # type: ignore[no-untyped-def]
    # the lead centre "程家桥社区卫生服务中心" reappears as "程家桥高质量社区卫生服务中心"
    answer = policyqa.ask("长宁的安宁疗护由哪家社区卫生服务中心牵头？这家中心还承担什么市级试点？")
    assert not answer.refused, answer.answer
    assert any("程家桥" in c.quote and "试点" in c.quote for c in answer.citations), answer.answer


def test_a_question_naming_no_district_stays_in_the_chats_district(policyqa) -> None:  # type: ignore[no-untyped-def]
    first = policyqa.ask("长宁到2025年要建成几个达标中医馆？")
    history = [{"role": "user", "content": "长宁到2025年要建成几个达标中医馆？"}, {"role": "assistant", "content": first.answer}]
    scoped = policyqa.ask("家庭医生签约覆盖率要到多少？", history=history)
    assert scoped.standalone_question is not None and "长宁" in scoped.standalone_question
    assert not scoped.refused and {c.district for c in scoped.citations} == {"长宁区"}
    # 顾村 is in 宝山's plan only: 长宁's plan does not say, and another district's answer does not bleed in
    other = policyqa.ask("顾村大居卫生服务站是新建还是改建？", history=history)
    assert other.refused and "长宁" in other.answer
    # (a plan that belongs to no district, such as an upload, is still found: tests/app/test_browser.py)


def test_a_later_part_about_this_hospital_is_answered_about_the_hospital_named(policyqa) -> None:  # type: ignore[no-untyped-def]
    """"这家医院" points at the hospital of the first part (not the 科创中心 its sentence also
    names), and its best sentence joins even when no other word of the part matches."""
    answer = policyqa.ask("闵行中西医结合医院将迁建到什么地方？另外这家医院主攻哪些特色专科？")
    assert not answer.refused, answer.answer
    assert "紫竹" in answer.answer and "中医肺病" in answer.answer
    answer = policyqa.ask("闵行哪家医院要建中医肾病特色专科？这家医院将迁往何处？")
    assert "中西医结合医院" in answer.answer and "紫竹" in answer.answer


def test_a_later_part_pointing_back_is_judged_on_its_own(policyqa) -> None:  # type: ignore[no-untyped-def]
    # "它" is the hospital the first part finds; when it opens is not in the plan: named, not hidden
    answer = policyqa.ask("闵行区中医医院要迁到哪里？它哪一年能建成开诊？")
    assert not answer.refused
    assert "七宝" in answer.answer and any("七宝" in c.quote for c in answer.citations)
    assert "文件中未提及" in answer.answer and "开诊" in answer.answer.split("文件中未提及")[-1]
    assert any(n.startswith("unanswered part") for n in answer.notes)


def test_a_year_no_plan_speaks_of_leaves_that_part_open_in_english(policyqa) -> None:  # type: ignore[no-untyped-def]
    answer = policyqa.ask("What rate does Baoshan want family doctor sign-up to reach, and what was it in 2019?")
    assert not answer.refused, "the first part is stated, so the whole is not refused"
    assert "46%" in answer.answer
    assert "The documents do not say" in answer.answer and "2019" in answer.answer.split("do not say")[-1]


def test_an_elliptical_later_part_is_answered_by_the_first_parts_evidence(policyqa) -> None:  # type: ignore[no-untyped-def]
    # "具体是哪些地方" asks more about what the first part found: no "not stated" for it
    answer = policyqa.ask("宝山区要增配多少台AED？具体是哪些地方？")
    assert not answer.refused
    assert "800台" in answer.answer and "公共场所" in answer.answer
    assert "文件中未提及" not in answer.answer


def test_a_target_weighed_against_the_citys_planned_value_is_computed_from_the_row(policyqa) -> None:  # type: ignore[no-untyped-def]
    answer = policyqa.ask("长宁的千人口注册护士数2025年目标是多少？比市里的规划值高吗？")
    assert not answer.refused and "文件中未提及" not in answer.answer
    assert "8.15" in answer.answer and "4.7" in answer.answer
    verdict = answer.answer.rstrip("。").split("。")[-1]
    assert "多于" in verdict or "高于" in verdict, verdict
    english = policyqa.ask("Is Changning's 2025 target for registered nurses per 1,000 people above the city health commission's planned value?")
    assert "Changning's target (≥8.15)" in english.answer and "(≥4.7)" in english.answer


def test_each_row_the_question_names_is_weighed_against_the_citys_value(policyqa) -> None:  # type: ignore[no-untyped-def]
    answer = policyqa.ask("长宁：千人口执业医师数和千人口注册护士数的2025年目标，分别比市卫健委规划值高出多少？")
    assert not answer.refused, answer.answer
    verdicts = answer.answer.split("[")[-3:]  # the computed sentences close the answer
    assert "相差2.6人" in answer.answer and "相差3.45人" in answer.answer, answer.answer
    assert "千人口执业医师数：" in answer.answer and "千人口注册护士数：" in answer.answer, verdicts
    for gap, row in (("相差2.6人", "≥6.2"), ("相差3.45人", "≥8.15")):
        number = int(answer.answer.split(gap + "[")[1].split("]")[0])
        assert row in answer.citations[number - 1].quote, "each verdict cites its own row"


def test_how_much_a_figure_changed_is_computed_and_cited(policyqa) -> None:  # type: ignore[no-untyped-def]
    answer = policyqa.ask("松江的婴儿死亡率十三五期间下降了多少个千分点？")
    assert not answer.refused
    assert "相差2.71个千分点" in answer.answer
    number = int(answer.answer.split("相差2.71个千分点[")[1].split("]")[0])
    assert "0.83‰" in answer.citations[number - 1].quote, "the computed clause cites the sentence it computes from"


def test_plans_that_mention_an_indicator_without_a_figure_qualify(policyqa) -> None:  # type: ignore[no-untyped-def]
    """Baoshan says infant mortality should fall, with no figure: asked which plans mention it,
    Baoshan is one of them."""
    answer = policyqa.ask("哪些区提到了婴儿死亡率？")
    assert not answer.refused
    assert {"宝山区", "长宁区", "松江区"} <= {c.district for c in answer.citations}


def test_the_search_query_adds_the_plans_words_for_topics_not_for_generic_words(policyqa) -> None:  # type: ignore[no-untyped-def]
    """签约率 is searched also as the plans' 签约覆盖率; the generic 目标 is not searched as its
    thesaurus neighbour 对象 (another sense), which pulled BM25 towards unrelated sentences."""
    from qa.analysis import analyze

    answerer = policyqa._snapshot.answerer
    analysis = analyze("长宁的家庭医生签约率目标是多少？", list(policyqa.index.districts))
    query = answerer._search_query(analysis, answerer._terms_to_cover(analysis))
    assert "签约覆盖率" in query
    assert "对象" not in query


def test_a_measure_asked_by_name_is_answered_by_the_sentence_giving_it_in_its_unit(policyqa) -> None:  # type: ignore[no-untyped-def]
    # the annex's task row on the same stations gives counts (2家, 1家), the main text the area
    answer = policyqa.ask("长宁的社区卫生服务站，业务用房面积的标准是多少？")
    assert not answer.refused, answer.answer
    assert any("平方米" in c.quote for c in answer.citations), answer.answer


def test_how_far_apart_a_target_and_the_citys_value_are_is_computed_when_a_later_part_asks(policyqa) -> None:  # type: ignore[no-untyped-def]
    answer = policyqa.ask(
        "In Changning's indicator table, what is the 2025 target for registered nurses per 1,000 people, "
        "what is the city health commission's planned value, and how far apart are they?"
    )
    assert "a difference of 3.45" in answer.answer, answer.answer
    assert "how far apart" not in answer.answer, "the part is answered, not named open"


def test_a_follow_up_the_plans_leave_open_is_refused_not_answered_with_the_topic_again(policyqa) -> None:  # type: ignore[no-untyped-def]
    first = policyqa.ask("闵行要建几个中医专科专病联盟群？")
    assert not first.refused and "7-10个" in first.answer
    history = [{"role": "user", "content": first.question}, {"role": "assistant", "content": first.answer}]
    money = policyqa.ask("这些联盟群一共要投入多少资金？", history=history)
    # the chat's topic question is read before the follow-up, but its answer was the last turn's
    assert money.standalone_question is not None and money.standalone_question.endswith("这些联盟群一共要投入多少资金？")
    assert money.refused and money.citations == () and "闵行区" in money.answer


def test_a_follow_up_asking_when_is_answered_by_the_time_the_evidence_states(policyqa) -> None:  # type: ignore[no-untyped-def]
    first = policyqa.ask("长宁区级财政对社区基本公卫经费的投入标准是多少？")
    history = [{"role": "user", "content": first.question}, {"role": "assistant", "content": first.answer}]
    when = policyqa.ask("这个投入标准要在哪一年达到？", history=history)
    assert not when.refused and "2025年" in when.answer
    assert not any(n.startswith("unanswered part") for n in when.notes), when.answer


def test_an_answer_names_the_district_whose_plan_says_it_though_the_question_named_none(policyqa) -> None:  # type: ignore[no-untyped-def]
    answer = policyqa.ask("“887365”诊疗模式具体指什么？")
    assert not answer.refused and {c.district for c in answer.citations} == {"宝山区"}
    assert answer.answer.startswith("宝山区："), answer.answer
    english = policyqa.ask("What does the 887365 model mean?")
    assert english.answer.startswith("Baoshan (宝山区)"), english.answer


@pytest.mark.parametrize(
    ("question", "grade"),
    [("长宁的同仁医院在冲什么等级？", "三级甲等"), ("What grade is Changning's Tongren Hospital going for?", "三级甲等")],
)
def test_a_grade_asked_for_is_answered_by_the_sentence_stating_one(policyqa, question: str, grade: str) -> None:  # type: ignore[no-untyped-def]
    """"什么等级" names the kind of answer: the sentence giving the grade, not one naming the
    hospital for something else."""
    answer = policyqa.ask(question)
    assert not answer.refused, answer.answer
    assert any(grade in c.quote for c in answer.citations), answer.answer


def test_a_level_of_a_figure_is_not_read_as_a_hospital_grade() -> None:
    from qa.terms import key_terms

    assert any(t.text == "等级" for t in key_terms("闵行那家中医院要建成啥级别的？", "zh"))
    assert not any(t.text == "等级" for t in key_terms("宝山的心理健康素养要提到什么水平？", "zh"))
    assert not any(t.text == "等级" for t in key_terms("What level should mental health literacy reach in Baoshan?", "en"))
