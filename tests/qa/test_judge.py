"""The judge on hand-written evidence: vetoes, features and the calibrated decision."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kernel.types import Unit
from qa.analysis import analyze
from qa.evidence import Evidence
from qa.judge import FEATURES, REASONS, Judge, JudgeModel, evidence_features, follow_up_left_open
from qa.lexicon import Lexicon
from qa.terms import Term, coverage, idf_weights, key_terms

CORPUS = Path(__file__).resolve().parents[2] / "data" / "corpus"
KNOWN = ["长宁区", "宝山区", "闵行区", "松江区", "静安区"]


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return Lexicon([p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))])


def evidence(text: str, dense: float = 0.9, kind: str = "sentence") -> Evidence:
    unit = Unit("doc", kind, 0, 0, len(text), text)  # type: ignore[arg-type]
    return Evidence(unit, "长宁区", 0.0, dense, 1.0, True, any(c.isdigit() for c in text), 1.0)


def features_for(
    question: str, text: str, lexicon: Lexicon, pool_dense: float = 0.85, kind: str = "sentence"
) -> dict[str, float]:
    analysis = analyze(question, KNOWN)
    terms = key_terms(analysis.question, analysis.lang, lexicon)
    weights = idf_weights(terms, [text, "其他句子。"])
    pool = [evidence("其他", pool_dense)] * 5
    return evidence_features(
        terms, weights, [evidence(text, kind=kind)], english=False, per_district=False,
        asks_number=analysis.asks_quantity, pool=pool, asks_money=analysis.asks_money, asks_time=analysis.asks_time,
        asked_unit=analysis.asked_unit, asks_rate=analysis.asks_rate, asks_achieved=analysis.asks_achieved,
    )


def test_vetoes_need_no_evidence() -> None:
    assert Judge.veto(analyze("長寧の病院は？ですか", KNOWN), (), ()).reason == "language"  # type: ignore[union-attr]
    outside = analyze("徐汇区有几家社区卫生服务中心？", KNOWN)
    assert Judge.veto(outside, ("徐汇区",), ()).reason == "outside_place"  # type: ignore[union-attr]
    assert Judge.veto(analyze("长宁区有几家社区卫生服务中心？", KNOWN), (), ()) is None


def test_no_evidence_is_a_refusal_with_a_closed_reason() -> None:
    verdict = Judge().judge(None)
    assert not verdict.answerable and verdict.reason == "no_evidence" and verdict.reason in REASONS


def test_colloquial_words_match_the_plans_words(lexicon: Lexicon) -> None:
    """大夫 is not a word of the plans, but its Cilin synonym 医师 is: with the plans' words
    the same evidence covers more of the question than with the question's words alone."""
    question, text = "长宁能培养多少年轻大夫？", "通过师带徒传承培养青年医师30名"
    analysis = analyze(question, KNOWN)
    with_lexicon = key_terms(analysis.question, "zh", lexicon)
    assert any(v.form == "医师" for t in with_lexicon if t.text == "大夫" for v in t.variants)
    weights = idf_weights(with_lexicon, [text, "其他句子。"])
    plain = [Term(t.text, soft=t.soft) for t in with_lexicon]
    assert coverage(with_lexicon, weights, text) > coverage(plain, weights, text)


def test_a_figure_question_without_a_figure_is_marked(lexicon: Lexicon) -> None:
    f = features_for("宝山区家庭医生签约率是多少？", "推进家庭医生签约服务提质增效", lexicon)
    assert f["number_missing"] == 1.0


def test_the_model_answers_matching_evidence_and_refuses_unrelated(lexicon: Lexicon) -> None:
    judge = Judge()
    good = features_for(
        "长宁打算弄多少个名中医工作室？", "到2025年,完成市区两级名中医工作室建设15个", lexicon, pool_dense=0.8
    )
    bad = features_for("长宁的医保报销比例是多少？", "到2025年,完成市区两级名中医工作室建设15个", lexicon, pool_dense=0.88)
    assert judge.judge(good).answerable
    assert not judge.judge(bad).answerable
    assert judge.judge(good).score > judge.judge(bad).score


def test_committed_model_has_every_feature() -> None:
    model = JudgeModel.load()
    assert set(model.weights) == set(FEATURES)
    data = json.loads((Path(__file__).resolve().parents[2] / "qa" / "judge_model.json").read_text(encoding="utf-8"))
    assert data["fitted_on"]["half"] == "tune"


def test_the_threshold_is_the_one_its_recorded_answers_choose() -> None:
    """eval/calibrate_threshold.py writes the accuracy of every threshold it tried beside the
    one it chose; that record must choose the committed threshold (the full rerun, several
    minutes, is ``calibrate_threshold.py --check``)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from eval.calibrate_threshold import THRESHOLDS, choose

    data = json.loads((Path(__file__).resolve().parents[2] / "qa" / "judge_model.json").read_text(encoding="utf-8"))
    record = data["threshold_fitted_on"]
    found = {float(t): a for t, a in record["accuracy"].items()}
    assert set(found) == set(THRESHOLDS) and record["half"] == "tune"
    assert choose(found, record["questions"]) == data["threshold"] == JudgeModel.load().threshold


def test_of_thresholds_the_answers_cannot_tell_apart_the_nearest_the_fit_wins() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from eval.calibrate_threshold import choose

    # one answer in 1,000 apart: noise; the threshold moves only as far as it must
    assert choose({0.3: 0.878, 0.4: 0.877, 0.5: 0.870}, 1000) == 0.4
    assert choose({0.3: 0.890, 0.4: 0.877, 0.5: 0.870}, 1000) == 0.3
    assert choose({0.4: 0.870, 0.5: 0.870, 0.6: 0.870}, 1000) == 0.5


@pytest.mark.slow
def test_calibration_script_reproduces_the_committed_coefficients(policyqa) -> None:  # type: ignore[no-untyped-def]
    """The script, run as it is documented, in a process of its own on the built index."""
    root = Path(__file__).resolve().parents[2]
    run = subprocess.run(
        [sys.executable, str(root / "eval" / "calibrate_judge.py"), "--check"],
        capture_output=True, text=True, timeout=600, cwd=root, env=os.environ.copy(),
    )
    assert run.returncode == 0, run.stdout + run.stderr[-2000:]
    assert "reproduced" in run.stdout


def test_a_table_rows_number_is_not_a_figure_it_states() -> None:
    from ingest.pipeline import load_corpus
    from qa.evidence import stated_text

    (changning,) = [d for d in load_corpus(CORPUS) if d.doc_id.startswith("changning")]
    row = next(r for r in changning.table_rows if r.text.startswith("15 |") and "发热门诊" in r.text)
    stated = stated_text(row)
    assert stated.startswith("社区卫生服务中心") and stated.endswith("|")
    # "15分钟" in a question must not find this row through its 序号.
    assert coverage([Term("15")], {"15": 1.0}, stated) == 0.0
    assert coverage([Term("15")], {"15": 1.0}, row.text) == 1.0


def test_framing_clauses_count_less_than_what_is_asked(lexicon: Lexicon) -> None:
    terms = {t.text: t for t in key_terms("我家老人身体不太好，想问下哪几个区提到医养结合？", "zh", lexicon)}
    assert terms["医养结合"].framing is False
    assert terms["身体"].framing is True
    # With nothing topical in what is asked, the scene is the topic: nothing is marked.
    assert not any(t.framing for t in key_terms("我想了解长宁的家庭医生签约，目标是多少？", "zh", lexicon))


def test_a_district_with_no_plan_here_is_refused_even_beside_one_that_has() -> None:
    """嘉定 has no plan in the corpus: its side of a comparison with 闵行 is unknown. A city
    named as the model a plan follows (三明) is not such a district."""
    compared = analyze("嘉定区院前急救平均反应时间目标是多少？比闵行快还是慢？", KNOWN)
    assert compared.districts == ("闵行区",)
    assert Judge.veto(compared, ("嘉定区",), ()).reason == "outside_place"  # type: ignore[union-attr]
    model = analyze("静安学三明经验，医改领导小组组长由谁担任？", KNOWN)
    assert Judge.veto(model, ("三明",), ()) is None


def test_a_question_asking_a_sum_of_money_needs_one_in_the_evidence(lexicon: Lexicon) -> None:
    """The 疾控中心 sentence is about the project asked about, but states no sum in 元."""
    question = "宝山疾控中心迁建项目总投资多少？"
    no_sum = features_for(question, "确保疾控中心迁建项目年内开工", lexicon)
    assert no_sum["money_missing"] == 1.0
    verdict = Judge().judge(no_sum)
    assert not verdict.answerable and verdict.reason == "not_stated"
    with_sum = features_for("长宁社区基本公共卫生服务经费投入标准是多少钱？", "经费投入标准达到120元/人年", lexicon)
    assert with_sum["money_missing"] == 0.0
    assert features_for("长宁到2025年要建成几个达标中医馆？", "完成达标中医馆10个", lexicon)["money_missing"] == 0.0


def test_plan_anchor_coverage_asks_whether_the_plan_names_the_topic_at_all(lexicon: Lexicon) -> None:
    """A plan that says 中医 but never 中医馆 does not name the topic: no credit for a part
    of the compound, unlike coverage of a sentence."""
    question = "闵行到2025年要建成几个达标中医馆？"
    analysis = analyze(question, KNOWN)
    terms = key_terms(analysis.question, analysis.lang, lexicon)
    text = "建设7-10个中医专科专病联盟群"
    weights = idf_weights(terms, [text, "到2025年建成。", "到2025年完成。", "完成达标中医馆10个"])
    def plan(plans_text: str) -> float:
        return evidence_features(
            terms, weights, [evidence(text)], english=False, per_district=False, plans_text=plans_text
        )["plan_anchor_coverage"]
    assert plan("做实中医医联体。建设7-10个中医专科专病联盟群。") == 0.0
    assert plan("开展中医馆、中医阁达标建设，完成达标中医馆10个。") == 1.0
    assert plan("") == 1.0  # no plan text given: nothing to say


def test_a_question_asking_when_needs_a_time_in_the_evidence(lexicon: Lexicon) -> None:
    """"哪一年" is answered by a year or a plan period, not by where the hospital goes."""
    assert analyze("When will the new hospital open?", KNOWN).asks_time
    assert not analyze("闵行区中医医院迁到哪里？", KNOWN).asks_time
    question = "闵行区中医医院哪一年建成？"
    assert features_for(question, "在七宝地区迁址新建闵行区中医医院", lexicon)["number_missing"] == 1.0
    assert features_for(question, "到2025年，在七宝地区建成闵行区中医医院", lexicon)["number_missing"] == 0.0
    assert features_for(question, "“十四五”期间在七宝地区迁址新建闵行区中医医院", lexicon)["number_missing"] == 0.0


def test_an_english_function_word_in_a_chinese_question_is_not_a_term(lexicon: Lexicon) -> None:
    """"vs" between two Chinese phrases compares them; as a word no plan uses it would weigh
    as a missing topic word."""
    terms = [t.text for t in key_terms("宝山 签约率 2025目标 vs 长宁 谁高", "zh", lexicon)]
    assert "vs" not in terms and "签约率" in terms
    assert "CMI" in [t.text for t in key_terms("长宁 CMI 目标值", "zh", lexicon)], "an ASCII topic word stays"


def test_a_span_of_time_in_chinese_numerals_answers_how_long(lexicon: Lexicon) -> None:
    """"利用三年时间" says how long; a sentence with no span of time does not."""
    question = "静安区中医医院计划用多长时间建成？"
    jingan = (Path(__file__).resolve().parents[2] / "data" / "corpus" / "jingan-sanming-reform-plan.txt").read_text(encoding="utf-8")
    stated = "利用三年时间建成特色显著精品中医院和上海中医大教学医院"
    assert stated in jingan
    assert features_for(question, stated, lexicon)["number_missing"] == 0.0
    assert features_for(question, "建成特色显著精品中医院和上海中医大教学医院", lexicon)["number_missing"] == 1.0


def test_a_share_asked_is_not_stated_by_words_that_state_no_share(policyqa) -> None:  # type: ignore[no-untyped-def]
    # "应签尽签" says everyone who should sign does: it answers "how many", not "what percentage"
    from qa.analysis import analyze

    assert analyze("静安要求居民家庭医生签约的比例是多少？", ["静安区"]).asks_share
    assert analyze("What share of Jing'an residents should sign up?", ["静安区"]).asks_share
    assert not analyze("静安的家庭医生签约服务怎么安排？", ["静安区"]).asks_share
    answer = policyqa.ask("What percentage of Jing'an residents should be signed up with a family doctor?")
    assert answer.refused, answer.answer
    row = policyqa.ask("长宁定点医院ICU床位占床位总数的比例定为多少？")  # the row states 10(平) /20(急), its label 比例
    assert not row.refused and any("ICU" in c.quote for c in row.citations), row.answer


def test_a_figure_asked_in_a_unit_needs_a_figure_in_that_unit(lexicon: Lexicon) -> None:
    """"多少张病床" is not answered by "十家" (a count of centres), and "几家" is by "5-6家"."""
    question = "长宁同仁医院一共有多少张病床？"
    assert analyze(question, KNOWN).asked_unit == "张"
    beds = "同仁医院负责医疗技术支持,十家社区卫生服务中心开展居家和机构安宁疗护工作"
    assert features_for(question, beds, lexicon)["number_missing"] == 1.0
    assert features_for(question, "同仁医院核定床位600张", lexicon)["number_missing"] == 0.0
    assert features_for("宝山今年要改扩建几家服务站？", "完成5-6家服务站改扩建", lexicon)["number_missing"] == 0.0
    # a generic 个 asks no unit; a table row's bare figure takes its label's unit
    assert analyze("长宁要建多少个名中医工作室？", KNOWN).asked_unit == ""
    assert features_for("长宁千人口床位数多少张？", "千人口床位数(张) | ≥6.2 |", lexicon, kind="table_row")["number_missing"] == 0.0
    # a measure asked by name asks its unit; a count of things with that measure does not
    assert analyze("长宁服务站的用房面积要多大？", KNOWN).asked_unit == "平方米"
    assert analyze("闵行急救站服务半径是多少？", KNOWN).asked_unit == "米"
    assert analyze("面积达标的服务站有多少个？", KNOWN).asked_unit == ""
    # a standard for a measure is a figure in its unit too
    assert analyze("服务站用房的面积标准是什么？", KNOWN).asked_unit == "平方米"
    assert analyze("急救站点的服务半径要求是多少？", KNOWN).asked_unit == "米"
    assert analyze("长宁 服务站 面积标准", KNOWN).asked_unit == "平方米"  # typed as keywords
    assert analyze("长宁服务站面积标准化建设进展", KNOWN).asked_unit == ""
    # in prose a figure with no unit states none ("5大主线" is no ‰), and a bracketed symbol asks one
    asked = "宝山婴儿死亡率的具体目标数值（‰）是多少？"
    assert analyze(asked, KNOWN).asked_unit == "‰"
    assert features_for(asked, "婴儿死亡率紧扣5大主线,落实25项重点任务", lexicon)["number_missing"] == 1.0
    assert features_for(asked, "婴儿死亡率控制在3‰以内", lexicon)["number_missing"] == 0.0
    # two figures asked: each part is judged on its own, the whole question asks no one unit
    assert analyze("闵行新建急救分站几个？新增急救车辆多少辆？", KNOWN).asked_unit == ""


def test_unit_coverage_is_what_one_passage_covers(lexicon: Lexicon) -> None:
    """Words of one indicator met in two unrelated sentences of a plan cover the question
    together, not in one passage; a task and the line after it naming its leaders are one."""
    question = "松江千人口执业医师数目标值是多少？"
    analysis = analyze(question, KNOWN)
    terms = key_terms(analysis.question, analysis.lang, lexicon)
    weights = idf_weights(terms, ["力争千人口献血率超过17.5‰", "保护医务人员正常执业", "其他句子。"])
    def at(text: str, start: int) -> Evidence:
        return Evidence(Unit("doc", "sentence", start, start, start + len(text), text), "松江区", 0.0, 0.9, 1.0, True, True, 1.0)
    apart = [at("力争千人口献血率超过17.5‰", 0), at("保护医务人员正常执业", 5000)]
    near = [at("力争千人口献血率超过17.5‰", 0), at("保护医务人员正常执业", 40)]
    f_apart = evidence_features(terms, weights, apart, english=False, per_district=False)
    f_near = evidence_features(terms, weights, near, english=False, per_district=False)
    assert f_apart["coverage"] == pytest.approx(f_near["coverage"])
    assert f_apart["unit_coverage"] < f_near["unit_coverage"] == pytest.approx(f_near["coverage"])


def test_words_asking_for_a_figure_are_not_the_topic(lexicon: Lexicon) -> None:
    """"具体数值", "百分比目标" say in what form the answer comes; "46%" states it."""
    terms = {t.text: t for t in key_terms("哪些区给出了家庭医生签约率的百分比目标？具体数值分别是多少？", "zh", lexicon)}
    assert terms["数值"].soft and terms["百分比"].soft and not terms["签约率"].soft


def test_a_follow_up_is_left_open_only_when_every_part_of_it_is() -> None:
    open_part = "闵行区这些联盟群一共要投入多少资金"
    assert follow_up_left_open("这些联盟群一共要投入多少资金？", [open_part])
    # the district put before the part and the punctuation changed: still the same part
    assert follow_up_left_open("这些联盟群，一共要投入多少资金？", [open_part])
    # one part answered (not named open): the answer stands
    asked = "How much money is budgeted for the substations? Also, which hospital opens in 2023?"
    assert not follow_up_left_open(asked, ["In Minhang: How much money is budgeted for the substations"])
    assert follow_up_left_open(
        asked, ["In Minhang: How much money is budgeted for the substations", "Also, which hospital opens in 2023"]
    )
    assert not follow_up_left_open("这些联盟群一共要投入多少资金？", [])
    # a part of another question named open says nothing of this one
    assert not follow_up_left_open("这些联盟群一共要投入多少资金？", ["宝山区的社区医院今年建几家"])


@pytest.mark.parametrize(
    ("question", "text", "missing"),
    [
        ("闵行每3万人口救护车配置数的目标是多少？", "新建、改建急救分站5个，完善急救网络布局", 1.0),
        ("How many ambulances per 10,000 residents does Minhang plan?", "新建、改建急救分站5个，完善急救网络布局", 1.0),
        ("长宁社区全科医生每万人口要达到多少？", "到2025年,社区全科医生数达到4.5名每万常住人口", 0.0),
        ("长宁每一千个人能有几张床位？", "千人口医疗机构床位数(张)*：2025年目标值 12.37", 0.0),
        ("闵行要新建几个急救分站？", "新建、改建急救分站5个", 0.0),  # no rate asked
    ],
)
def test_a_rate_per_so_many_people_needs_a_population_basis_in_the_evidence(
    lexicon: Lexicon, question: str, text: str, missing: float
) -> None:
    features = features_for(question, text, lexicon)
    assert features["basis_missing"] == missing
    if missing:
        assert Judge().judge(features).reason == "not_stated"


@pytest.mark.parametrize(
    ("question", "text", "missing"),
    [
        # only targets: a bound, a target column, an aim
        ("闵行现在急救车实际平均多少分钟能到？", "实现急救站点平均服务半径≤3.5公里，急救平均反应时间≤12分钟。", 1.0),
        ("长宁千人口执业医师数的现状基线值是多少？", "千人口执业医师数(人)*：2025年目标值 ≥6.2人，市卫健委规划值 ≥3.6人", 1.0),
        ("What is Songjiang's actual blood donation rate per 1,000 people?", "力争“十四五”期间千人口献血率超过17.5‰", 1.0),
        # a value reached answers it
        ("松江平均急救反应时间实际是多少？", "平均急救半径缩短至3.7公里，平均急救反应时间缩短至10分45秒，位居全市前列。", 0.0),
        # the target itself asked, or no value reached asked
        ("闵行急救平均反应时间的目标是多少？实际是多少？", "急救平均反应时间≤12分钟。", 0.0),
        ("闵行急救平均反应时间要求是多少？", "急救平均反应时间≤12分钟。", 0.0),
    ],
)
def test_the_value_reached_is_not_stated_by_a_target(lexicon: Lexicon, question: str, text: str, missing: float) -> None:
    features = features_for(question, text, lexicon)
    assert features["achieved_missing"] == missing
    if missing:
        assert Judge().judge(features).reason == "not_stated"
