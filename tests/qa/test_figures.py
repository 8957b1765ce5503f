"""Figures and comparison verdicts, on sentences copied verbatim from the bundled corpus.

Each sentence goes through ``quote``, which fails the test if the corpus no longer contains
it, so the expectations stay tied to the real plan text. A few forms the corpus never uses
(百分之三十, full-width digits, 5—6家) are checked on hand-written strings at the end.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

import pytest

from qa.compose import with_declared_unit
from qa.figures import (
    Figure,
    comparable,
    compare,
    declared_unit,
    figure_near,
    parse_figures,
    states_target,
    verdict_text,
)

CORPUS = Path(__file__).resolve().parents[2] / "data" / "corpus"
BAOSHAN = "baoshan-2025-health-work-plan"
CHANGNING = "changning-2023-health-development-action-plan"
JINGAN = "jingan-sanming-reform-plan"
MINHANG = "minhang-2023-2025-health-service-plan"
SONGJIANG = "songjiang-14th-five-year-health-plan"


@cache
def corpus(doc: str) -> str:
    return (CORPUS / f"{doc}.txt").read_text(encoding="utf-8")


def quote(doc: str, sentence: str) -> str:
    """``sentence`` as it stands in ``doc``; fails when the corpus text has changed."""
    assert sentence in corpus(doc), f"no longer in {doc}: {sentence}"
    return sentence


def facts(text: str) -> list[tuple[str, float, float | None, str, str]]:
    return [(f.raw, f.value, f.high, f.unit, f.bound) for f in parse_figures(text)]


def near(doc: str, sentence: str, *anchors: str) -> Figure:
    figure = figure_near(quote(doc, sentence), anchors)
    assert figure is not None
    return figure


# -- parsing -----------------------------------------------------------------------------

SIGNING = "推动常住居民家庭医生签约率提至46%,80岁以上老年人100%签约。"
OUTPATIENT = "加强门诊号源统筹管理,二、三级医院号源分配向社区倾斜,区域医疗中心预留20%的专家号源,优先分配给社区卫生服务中心,为社区预约上级号源提供支撑。"
PROJECTS = (
    "推进民心工程建设,互联网医疗服务量较2022年底上升30%、全覆盖设置社区中医馆并提供不少于8类20项中医医疗技术、"
    "医疗机构预留专家号源比例达30%、乡村医生累计培训600人次、社区发热诊室规范化建设率达100%。"
)
STATIONS = "力争年内完成5-6家面积小于150平方米的服务站改扩建,新建1家顾村大居卫生服务站,助力“15分钟社区生活圈”建设。"
SPECIALTIES = "到 2025年,力争新增 1-2 个上海市临床重点专科、1个上海市重点实验室、区重点专科5个,特色专科10个。"
EMERGENCY_SJ = "完善院前急救网络，新增5个急救分站，平均急救半径缩短至3.7公里，平均急救反应时间缩短至10分45秒，位居全市前列。"
EMERGENCY_MH = "实现急救站点平均服务半径≤3.5公里，急救平均反应时间≤12分钟。"
HEALTH_SJ = (
    "居民健康水平稳步提高，全区户籍人口平均期望寿命从2015年的82.69岁增长至84.20岁，常住人口婴儿死亡率从2015年的3.54‰"
    "降低至0.83‰，连续五年未发生户籍人口孕产妇死亡，处于历史最好水平，各项改革发展任务基本完成。"
)
STAFF = "合理提高公共卫生人员配置,到2025年,每万人口疾病预防控制人员数达1.75名、从事公共卫生人员数达9名。"


def test_percent_age_and_bounds_from_the_words_around() -> None:
    assert facts(quote(BAOSHAN, SIGNING)) == [
        ("46%", 46, None, "%", "="),  # 提至 states the value
        ("80岁", 80, None, "岁", ">="),  # 80岁以上
        ("100%", 100, None, "%", "="),
    ]
    text = quote(BAOSHAN, "落实本市糖尿病防治和慢性呼吸系统疾病防治等行动方案,强化慢性病规范管理,依托慢性病健康管理支持中心平台,探索慢性病队列研究,将标准化测量率提至40%以上。")
    assert facts(text) == [("40%", 40, None, "%", ">=")]


def test_counts_of_several_kinds_and_a_year_inside_a_list() -> None:
    assert facts(quote(BAOSHAN, PROJECTS)) == [
        ("30%", 30, None, "%", "="),  # 2022年底 is not a figure
        ("8类", 8, None, "类", ">="),  # 不少于
        ("20项", 20, None, "项", "="),
        ("30%", 30, None, "%", "="),
        ("600人次", 600, None, "人次", "="),
        ("100%", 100, None, "%", "="),
    ]
    text = quote(BAOSHAN, "大力推进卫生领域市、区两级政府实事项目,在全区居民小区和重点公共场所增配800台自动体外除颤器(AED),打造3个标准化社区门诊手术室、3家社区标准化口腔诊室、3家社区护理中心、4家无病房社区康复中心,建设2家中医药特色巡诊服务社区卫生服务站。")
    assert [(f.value, f.unit) for f in parse_figures(text)] == [
        (800, "台"), (3, "个"), (3, "家"), (3, "家"), (4, "家"), (2, "家"),
    ]


def test_ranges_area_and_minutes() -> None:
    assert facts(quote(BAOSHAN, STATIONS)) == [
        ("5-6家", 5, 6, "家", "="),
        ("150平方米", 150, None, "平方米", "<"),  # 小于
        ("1家", 1, None, "家", "="),
        ("15分钟", 15, None, "分钟", "="),
    ]
    assert facts(quote(CHANGNING, SPECIALTIES)) == [
        ("1-2 个", 1, 2, "个", "="),  # "到 2025年" with a space is still a year
        ("1个", 1, None, "个", "="),
        ("5个", 5, None, "个", "="),
        ("10个", 10, None, "个", "="),
    ]
    text = quote(MINHANG, "做实做优“龙华医院-闵行”中医医联体，建设7-10个中医专科专病联盟群。")
    assert facts(text) == [("7-10个", 7, 10, "个", "=")]


def test_symbols_distance_and_compound_time() -> None:
    assert facts(quote(MINHANG, EMERGENCY_MH)) == [
        ("3.5公里", 3.5, None, "公里", "<="),
        ("12分钟", 12, None, "分钟", "<="),
    ]
    assert facts(quote(SONGJIANG, EMERGENCY_SJ)) == [
        ("5个", 5, None, "个", "="),
        ("3.7公里", 3.7, None, "公里", "="),
        ("10分45秒", 645, None, "秒", "="),  # stored in seconds
    ]


def test_per_mille_decimals_and_strict_bound() -> None:
    assert facts(quote(SONGJIANG, HEALTH_SJ)) == [
        ("82.69岁", 82.69, None, "岁", "="),
        ("84.20岁", 84.2, None, "岁", "="),
        ("3.54‰", 3.54, None, "‰", "="),
        ("0.83‰", 0.83, None, "‰", "="),
    ]
    text = quote(SONGJIANG, "优化无偿献血“松江模式”，加大血液募集力度，力争“十四五”期间千人口献血率超过17.5‰，街头个人自愿无偿献血募集量占总募集量的一半以上，满足用血需求，保障用血安全。")
    assert facts(text) == [("17.5‰", 17.5, None, "‰", ">")]  # 十四五 and 千人口 are not figures


def test_full_width_percent_and_not_lower_than() -> None:
    text = quote(SONGJIANG, "以高血压、糖尿病为重点，建立集健康教育、筛查发现、早期干预、随访管理于一体的慢性病医防融合管理模式，四类主要慢性病的过早死亡率降至7.37％，顺利通过全国慢性病综合防治示范区复审。")
    assert facts(text) == [("7.37％", 7.37, None, "%", "=")]
    text = quote(SONGJIANG, "主动对接市“一网通办”平台，普遍开放医疗卫生服务线上预约，可预约医疗卫生服务种类不低于80%，全面向居民开放健康档案和医疗卫生服务记录查询，可查询服务记录不低于90%。")
    assert [(f.value, f.bound) for f in parse_figures(text)] == [(80, ">="), (90, ">=")]
    text = quote(CHANGNING, "定点医院按照不低于床位总数的10%设置ICU床位数,按不低于床位总数的10%设置可平急转换ICU床位,确保应急状态时ICU床位可扩展,并设置独立的血液透析中心、分娩室、儿科病房。")
    assert [(f.value, f.unit, f.bound) for f in parse_figures(text)] == [(10, "%", ">="), (10, "%", ">=")]


def test_a_suffix_bound_wins_and_binds_only_its_own_figure() -> None:
    text = quote(CHANGNING, "到2025年,全人群、重点人群签约覆盖率分别达到48%以上、80%以上。")
    assert [(f.value, f.bound) for f in parse_figures(text)] == [(48, ">="), (80, ">=")]
    # "48%和80%以上": 以上 is read as bounding 80% only (the shared reading is not attempted)
    text = quote(CHANGNING, "到2025年,全人群、重点人群签约覆盖率分别达到48%和80%以上。")
    assert [(f.value, f.bound) for f in parse_figures(text)] == [(48, "="), (80, ">=")]
    text = quote(CHANGNING, "推进区疾控中心实验室检测能力提升,至2025年检测项目至少达到550项,建成3套P2+微生物实验室。")
    assert facts(text) == [("550项", 550, None, "项", ">="), ("3套", 3, None, "套", "=")]  # not the 2 of P2+


def test_per_population_units() -> None:
    text = quote(CHANGNING, "到2025年,社区全科医生数达到4.5名每万常住人口。")
    assert facts(text) == [("4.5名每万常住人口", 4.5, None, "名/万人口", "=")]
    text = quote(CHANGNING, "到2025年,区级财政对社区基本公共卫生服务经费投入标准达到120元/人年,在增加签约服务内容、提高服务质量的基础上,建立签约服务费标准动态调整机制。")
    assert facts(text) == [("120元/人年", 120, None, "元/人年", "=")]
    # 每万人口 earlier in the clause makes both counts per 10,000 people
    assert [(f.value, f.unit) for f in parse_figures(quote(CHANGNING, STAFF))] == [(1.75, "名/万人口"), (9, "名/万人口")]


def test_chinese_numerals_before_count_units() -> None:
    text = quote(CHANGNING, "推动新华、华阳、虹桥三家区属社区卫生服务中心建设成为上海中医药大学附属社区卫生服务中心。")
    assert facts(text) == [("三家", 3, None, "家", "=")]
    text = quote(CHANGNING, "到2025年,实现以下四个目标:支撑社会治理的区域公共卫生体系建设进一步健全;保障高品质生活的公共卫生安全基础进一步夯实;预防为主、医防融合的健康管理能力进一步提升;着力增效赋能的公共卫生体制机制创新进一步激活。")
    assert facts(text) == [("四个", 4, None, "个", "=")]


@pytest.mark.parametrize(
    ("doc", "text"),
    [
        (CHANGNING, "《长宁区推动卫生健康事业高质量发展行动方案》已经2023年6月26日区政府第46次常务会议讨论通过,现印发给你们,请认真按照执行。"),
        (CHANGNING, "长宁区推进卫生数字化转型三年行动计划(2023—2025年)\n"),
        (CHANGNING, "根据“两个允许”要求,动态调整公立医院薪酬水平,优化公立医院薪酬结构,对紧缺或急需引进的高层次人才,探索实施协议工资、项目工资和年薪制等灵活多样的分配办法。"),
        (SONGJIANG, "“十三五”期间，本区坚持以维护和增进人民群众健康福祉为宗旨，出台实施《“健康松江2030”规划纲要》、《关于推进健康松江行动的实施意见》等重要政策。"),
        (SONGJIANG, "为满足人民群众日益增长的健康需求，助力经济社会高质量发展，根据《上海市卫生健康发展“十四五”规划》、《上海市松江区国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要》和《松江新城“十四五”规划建设行动方案》，制定本规划。"),
        (SONGJIANG, "5G、人工智能、大数据、物联网等信息技术正高速发展，数字化转型已成为本市和本区“十四五”时期主要目标，作为重要应用场景之一的医疗领域有望加快提升智慧化水平。"),
        (JINGAN, "10、深化社区卫生服务中心能力建设。"),
        (CHANGNING, "孕产妇死亡率(1/10万)* |"),
    ],
)
def test_years_dates_ordinals_labels_and_section_numbers_are_not_figures(doc: str, text: str) -> None:
    assert parse_figures(quote(doc, text)) == []


def test_document_numbers_and_slogans_are_not_figures() -> None:
    text = corpus(JINGAN)
    sentence = text[text.index("为更好地学习先进经验") : text.index("制定本区工作方案。")]
    assert "国医改发【2021】2号" in sentence and "【2021】67号" in sentence
    assert parse_figures(sentence) == []
    text = quote(BAOSHAN, "落实以基层为重点的分级诊疗制度,做实 “5+4” 医联体建设,在“十五五”规划期内,谋划建设3个紧密型城市医疗集团和2个国家医学中心,为构建“54321”整合型医疗卫生体系布局奠定坚实基础。")
    assert facts(text) == [("3个", 3, None, "个", "="), ("2个", 2, None, "个", "=")]
    text = quote(BAOSHAN, "在社区“夜门诊”基础上,全面推行社区“887365”全时段诊疗模式(早8点到晚8点,每周7天,全年365天应诊),按需增设周末专科专病门诊,持续扩充药品供应,逐步实现区内医疗机构常见病用药目录统一,保障居民灵活就诊。")
    assert [f.value for f in parse_figures(text) if f.unit == "天"] == [7, 365]
    assert 887365 not in [f.value for f in parse_figures(text)]


def test_a_section_number_opening_the_passage_is_skipped() -> None:
    passage = quote(BAOSHAN, "4、着力加强人群健康管理。依托信息化手段,开展签约居民健康评估项目,加强健康管理和干预。" + SIGNING)
    assert [f.raw for f in parse_figures(passage)] == ["46%", "80岁", "100%"]


def test_table_cells() -> None:
    assert facts(quote(CHANGNING, "84岁左右 |\n")) == [("84岁", 84, None, "岁", "=")]
    assert facts(quote(CHANGNING, "≤5 |\n")) == [("5", 5, None, "", "<=")]


@pytest.mark.parametrize("doc", [BAOSHAN, CHANGNING, JINGAN, MINHANG, SONGJIANG])
def test_whole_documents_spans_years_and_normalisation(doc: str) -> None:
    """Over a whole plan: spans index the text, no year is ever a figure, and the NFKC form
    (what callers pass) reads the same figures as the raw file."""
    text = corpus(doc)
    figures = parse_figures(text)
    assert figures and all(text[f.start : f.end] == f.raw for f in figures)
    years = [m.span() for m in re.finditer(r"(?<![0-9])(?:19|20)[0-9]{2}(?=[ \t]*年|[-—)）])", text)]
    assert not [f.raw for f in figures for s, e in years if f.start < e and s < f.end]
    normalised = parse_figures(unicodedata.normalize("NFKC", text))
    assert [(f.value, f.high, f.unit, f.bound) for f in normalised] == [
        (f.value, f.high, f.unit, f.bound) for f in figures
    ]


# -- the figure for a topic --------------------------------------------------------------

def test_figure_near_picks_the_figure_after_the_anchor() -> None:
    assert near(CHANGNING, SPECIALTIES, "特色专科").raw == "10个"
    # "重点专科" also occurs in "临床重点专科": the last occurrence decides
    assert near(CHANGNING, SPECIALTIES, "重点专科").raw == "5个"
    assert near(BAOSHAN, PROJECTS, "专家号源").start == PROJECTS.index("30%、乡村")
    assert near(BAOSHAN, PROJECTS, "乡村医生").raw == "600人次"
    assert near(MINHANG, EMERGENCY_MH, "反应时间").raw == "12分钟"
    assert near(MINHANG, EMERGENCY_MH, "服务半径", "急救半径").raw == "3.5公里"
    assert near(CHANGNING, STAFF, "从事公共卫生人员数").value == 9
    assert near(CHANGNING, STAFF, "疾病预防控制人员数").value == 1.75


def test_figure_near_prefers_the_figure_whose_words_name_more_of_the_topic() -> None:
    # "平均急救" occurs last before the response time, but only the radius is named by all three
    assert near(SONGJIANG, EMERGENCY_SJ, "平均急救", "急救", "半径").raw == "3.7公里"
    assert near(SONGJIANG, EMERGENCY_SJ, "平均急救", "急救", "反应时间").raw == "10分45秒"
    # a count's words follow it ("新增5个急救分站")
    assert near(SONGJIANG, EMERGENCY_SJ, "急救分站", "急救").raw == "5个"


def test_a_target_is_told_from_a_value_reached() -> None:
    def targets(doc: str, sentence: str) -> list[tuple[str, bool]]:
        text = quote(doc, sentence)
        return [(f.raw, states_target(text, f)) for f in parse_figures(text)]

    assert targets(MINHANG, EMERGENCY_MH) == [("3.5公里", True), ("12分钟", True)]
    assert targets(SONGJIANG, EMERGENCY_SJ) == [("5个", False), ("3.7公里", False), ("10分45秒", False)]
    assert targets(SONGJIANG, "力争“十四五”期间千人口献血率超过17.5‰") == [("17.5‰", True)]


def test_figure_near_reads_a_count_before_its_noun() -> None:
    plan = quote(BAOSHAN, "落实以基层为重点的分级诊疗制度,做实 “5+4” 医联体建设,在“十五五”规划期内,谋划建设3个紧密型城市医疗集团和2个国家医学中心,为构建“54321”整合型医疗卫生体系布局奠定坚实基础。")
    assert near(BAOSHAN, plan, "紧密型城市医疗集团").raw == "3个"
    assert near(BAOSHAN, plan, "国家医学中心").raw == "2个"
    assert near(SONGJIANG, EMERGENCY_SJ, "急救分站").raw == "5个"
    # only counts read this way: 80岁以上 does not describe 老年人's figure
    assert near(BAOSHAN, SIGNING, "老年人").raw == "100%"


def test_figure_near_takes_the_new_value_of_a_change() -> None:
    assert near(SONGJIANG, HEALTH_SJ, "婴儿死亡率").raw == "0.83‰"
    assert near(SONGJIANG, HEALTH_SJ, "期望寿命").raw == "84.20岁"


def test_figure_near_fallbacks() -> None:
    # the anchor comes after its figure: the nearest figure
    assert near(CHANGNING, OUTPATIENT, "专家号源").raw == "20%"
    # no anchor in the sentence: the first figure
    assert near(BAOSHAN, STATIONS, "床位").raw == "5-6家"
    assert figure_near(quote(JINGAN, "10、深化社区卫生服务中心能力建设。"), ["社区"]) is None


# -- verdicts ----------------------------------------------------------------------------

def test_higher_rate_in_both_languages() -> None:
    baoshan, changning = near(BAOSHAN, PROJECTS, "专家号源"), near(CHANGNING, OUTPATIENT, "专家号源")
    assert compare(baoshan, changning).relation == "higher"
    assert compare(changning, baoshan).relation == "lower"
    assert verdict_text("宝山区", baoshan, "长宁区", changning, "zh") == "宝山区（30%）高于长宁区（20%）"
    assert verdict_text("Baoshan", baoshan, "Changning", changning, "en") == "Baoshan (30%) is higher than Changning (20%)"


def test_a_bound_is_shown_but_values_decide() -> None:
    baoshan = near(BAOSHAN, SIGNING, "签约率")
    changning = near(CHANGNING, "到2025年,全人群、重点人群签约覆盖率分别达到48%以上、80%以上。", "签约覆盖率")
    assert verdict_text("宝山区", baoshan, "长宁区", changning, "zh") == "宝山区（46%）低于长宁区（≥48%）"


def test_fewer_and_equal_counts() -> None:
    songjiang = near(SONGJIANG, EMERGENCY_SJ, "急救分站")
    minhang = near(MINHANG, "新建、改建急救分站5个，完善急救网络布局，优化反应迅速、配置精良的院前急救服务体系。", "急救分站")
    changning = near(CHANGNING, "开展长宁区医学硕博士创新人才基地建设,力争到2025年打造10个医学博士创新人才基地和20个医学硕博士创新人才基地,培育一批优秀医学硕博士创新实践人才和优秀学术带头人。", "打造")
    assert changning.raw == "10个"
    assert verdict_text("松江区", songjiang, "长宁区", changning, "zh") == "松江区（5个）少于长宁区（10个）"
    assert verdict_text("Songjiang", songjiang, "Changning", changning, "en") == "Songjiang (5) has fewer than Changning (10)"
    assert compare(songjiang, minhang).relation == "equal"
    assert verdict_text("松江区", songjiang, "闵行区", minhang, "zh") == "两者相同（均为5个）"
    assert verdict_text("Songjiang", songjiang, "Minhang", minhang, "en") == "The two are the same (5 each)"


def test_ranges_equal_overlap_and_apart() -> None:
    minhang = near(MINHANG, "鼓励区级综合医院及专科医院以重大慢性病和疑难疾病、重大传染病等为重点领域，建设2-3个独具特色的中西医结合诊治的重点专科专病。", "建设")
    changning = near(CHANGNING, "三年内,打造区重点专科5个,特色专科10个,力争新获批市重点学科2-3个。", "市重点学科")
    assert verdict_text("闵行区", minhang, "长宁区", changning, "zh") == "两者相同（均为2-3个）"
    jingan = near(JINGAN, "各社区卫生服务中心结合自身实际和特点，培育壮大3-5个全科家医特色专科。", "特色专科")
    stations = near(CHANGNING, "推动市中医药示范社区卫生服务站建设,加强卫生服务站软实力提升,加大专用设备投入,每年完成2-3家市中医药特色示范卫生服务站建设工作,2025年以前完成各街镇至少1家市中医药特色示范卫生服务站的目标。", "每年完成")
    assert comparable(jingan, stations)  # 个 and 家 are both counts
    assert compare(jingan, stations).relation == "overlap"
    assert verdict_text("静安区", jingan, "长宁区", stations, "zh") == "静安区为3-5个，长宁区为2-3家，范围有重叠"
    assert verdict_text("Jing'an", jingan, "Changning", stations, "en") == "Jing'an is 3-5 and Changning is 2-3, so the ranges overlap"
    baoshan = near(BAOSHAN, STATIONS, "完成")
    alliances = near(MINHANG, "做实做优“龙华医院-闵行”中医医联体，建设7-10个中医专科专病联盟群。", "联盟群", "建设")
    assert verdict_text("宝山区", baoshan, "闵行区", alliances, "zh") == "宝山区（5-6家）少于闵行区（7-10个）"


def test_durations_compare_across_units() -> None:
    songjiang = near(SONGJIANG, EMERGENCY_SJ, "反应时间")
    minhang = near(MINHANG, EMERGENCY_MH, "反应时间")
    assert comparable(songjiang, minhang)  # 秒 and 分钟
    assert verdict_text("松江区", songjiang, "闵行区", minhang, "zh") == "松江区（10分45秒）短于闵行区（≤12分钟）"
    assert verdict_text("Songjiang", songjiang, "Minhang", minhang, "en") == "Songjiang (10 min 45 s) is shorter than Minhang (≤12 min)"


def test_incomparable_units() -> None:
    baoshan = near(BAOSHAN, PROJECTS, "专家号源")
    changning = near(CHANGNING, SPECIALTIES, "特色专科")
    assert not comparable(baoshan, changning)
    assert compare(baoshan, changning).relation == "incomparable"
    assert verdict_text("宝山区", baoshan, "长宁区", changning, "zh") == "两者指标单位不同，无法直接比较：宝山区为30%，长宁区为10个"
    assert verdict_text("Baoshan", baoshan, "Changning", changning, "en") == (
        "The two are not directly comparable (different units): Baoshan is 30%, Changning is 10"
    )
    per_mille = near(SONGJIANG, HEALTH_SJ, "婴儿死亡率")
    assert compare(per_mille, baoshan).relation == "incomparable"  # ‰ is not converted to %
    per_population = near(CHANGNING, "到2025年,社区全科医生数达到4.5名每万常住人口。", "全科医生")
    assert compare(per_population, near(CHANGNING, STAFF, "疾病预防控制人员数")).relation == "higher"
    recruits = near(BAOSHAN, "以需定培,落实人才激励举措,加大紧缺专业人才招录,力争新招全科医生30-50名。", "全科医生")
    assert verdict_text("长宁区", per_population, "宝山区", recruits, "zh") == (
        "两者指标单位不同，无法直接比较：长宁区为4.5名/万人口，宝山区为30-50名"
    )


def test_unknown_language_is_rejected() -> None:
    figure = near(BAOSHAN, SIGNING, "签约率")
    with pytest.raises(ValueError, match="'zh' or 'en'"):
        verdict_text("a", figure, "b", figure, "fr")  # type: ignore[arg-type]


# -- forms the corpus does not use (hand-written) ----------------------------------------

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("年内完成5—6家服务站改扩建", [("5—6家", 5, 6, "家", "=")]),
        ("覆盖率达到80%-90%以上", [("80%-90%", 80, 90, "%", ">=")]),
        ("签约率提高到百分之三十", [("百分之三十", 30, None, "%", "=")]),
        ("死亡率控制在千分之五点五以内", [("千分之五点五", 5.5, None, "‰", "<=")]),
        ("急救反应时间不超过１５分钟", [("１５分钟", 15, None, "分钟", "<=")]),
        ("平均等候1小时30分钟", [("1小时30分钟", 90, None, "分钟", "=")]),
        ("引进人才1,200名", [("1,200名", 1200, None, "名", "=")]),
        ("床位数达到6张/千人口", [("6张/千人口", 6, None, "张/千人口", "=")]),
        ("新增100余家", [("100余家", 100, None, "家", ">")]),
        ("从1%至5%", [("1%", 1, None, "%", "="), ("5%", 5, None, "%", "=")]),
    ],
)
def test_forms_beyond_the_corpus(text: str, expected: list[tuple[str, float, float | None, str, str]]) -> None:
    assert facts(text) == expected


@pytest.mark.parametrize(
    ("indicator", "unit"),
    [
        ("居民健康素养水平(%)*", "%"),
        ("婴儿死亡率(‰)*", "‰"),
        ("千人口医疗机构床位数(张)*", "张"),
        ("精神科执业(助理)医师数 (人/10万人口)*", "人/10万人口"),  # the closing brackets, not 助理
        ("孕产妇死亡率(1/10万)*", "1/10万"),
        ("定点医院ICU床位数设置占床位总数比例(平时/紧急状态)", ""),
        ("社区卫生服务中心(站)设置发热门诊(诊室或哨点)比例(%)", "%"),
        ("医疗机构设置中医科室比例(%)(除精神专科医院)", "%"),  # a scope note after the unit
    ],
)
def test_declared_unit_of_a_corpus_indicator(indicator: str, unit: str) -> None:
    assert indicator.rstrip("*") in corpus(CHANGNING)
    assert declared_unit(indicator) == unit


def test_a_bare_cell_figure_takes_the_declared_unit() -> None:
    assert with_declared_unit("2025年目标值 ≥36", "居民健康素养水平(%)*") == "2025年目标值 ≥36%"
    assert with_declared_unit("2025年目标值 84岁左右", "人均预期寿命(岁)*") == "2025年目标值 84岁左右"
    assert with_declared_unit("2025年目标值 保持发达国家水平", "婴儿死亡率(‰)*") == "2025年目标值 保持发达国家水平"
    # brackets inside the label ("(诊室或哨点)") declare no unit
    assert declared_unit("社区卫生服务中心(站)设置发热门诊(诊室或哨点)比例") == ""
    assert with_declared_unit("2025年目标值 5", "设置发热门诊(诊室或哨点)比例") == "2025年目标值 5"


def test_the_difference_of_two_figures_in_one_unit() -> None:
    from qa.figures import difference_text

    rates = parse_figures(quote(SONGJIANG, "常住人口婴儿死亡率从2015年的3.54‰降低至0.83‰"))
    assert difference_text(rates[0], rates[1]) == "相差2.71个千分点"
    assert difference_text(rates[0], rates[1], "en") == "a difference of 2.71 per-mille points"
    a, b = parse_figures("46%"), parse_figures("48%")
    assert difference_text(a[0], b[0]) == "相差2个百分点"
    ranged = parse_figures(quote(BAOSHAN, "5-6家"))
    assert difference_text(ranged[0], a[0]) == "", "a range, or another unit: no single difference"
    assert difference_text(a[0], parse_figures("46%")[0]) == "", "equal: the verdict says they are the same"
    # a figure outside a range is a span apart (长宁's CMI target 0.9, the city's 0.87-0.88)
    cmi = parse_figures(quote(CHANGNING, "0.9 |\n0.87-0.88 |"))
    assert difference_text(cmi[0], cmi[1]) == "相差0.02-0.03"
    assert difference_text(parse_figures("4个")[0], parse_figures("3-5个")[0]) == "", "inside the range: no gap"
    # two durations in different units are a duration apart (松江's 10分45秒, 闵行's ≤12分钟)
    (done,) = parse_figures(quote(SONGJIANG, "平均急救反应时间缩短至10分45秒"))
    (target,) = parse_figures("急救平均反应时间≤12分钟")
    assert difference_text(done, target) == "相差1分15秒"
    assert difference_text(target, done, "en") == "a difference of 1 min 15 s"
    assert difference_text(parse_figures("15分钟")[0], parse_figures("1小时")[0]) == "相差45分钟"
    assert difference_text(parse_figures("3个月")[0], parse_figures("1年")[0]) == "", "months and years: not in seconds"


def test_the_change_a_sentence_states_is_computed_for_the_figure_asked_about() -> None:
    from kernel.types import Unit
    from qa.analysis import analyze
    from qa.comparison import change_clause
    from qa.compose import CitationList
    from qa.evidence import Evidence

    sentence = quote(
        SONGJIANG, "全区户籍人口平均期望寿命从2015年的82.69岁增长至84.20岁，常住人口婴儿死亡率从2015年的3.54‰降低至0.83‰"
    )
    unit = Unit(SONGJIANG, "sentence", 0, 0, len(sentence), sentence)
    evidence = [Evidence(unit, "松江区", 1.0, 0.9, 1.0, True, True, 1.0)]
    infant = analyze("松江婴儿死亡率下降了多少？", ["松江区"])
    conclude = change_clause(infant, evidence, ["婴儿死亡率"])
    assert conclude is not None
    cites = CitationList({SONGJIANG: type("Doc", (), {"text": sentence})()})  # type: ignore[arg-type]
    assert conclude(cites) == "从3.54‰到0.83‰，相差2.71个千分点[1]。"
    life = change_clause(analyze("松江平均期望寿命提高了多少？", ["松江区"]), evidence, ["期望寿命"])
    assert life is not None and "相差1.51岁" in life(CitationList({SONGJIANG: type("Doc", (), {"text": sentence})()}))  # type: ignore[arg-type]
    assert change_clause(analyze("松江婴儿死亡率是多少？", ["松江区"]), evidence, ["婴儿死亡率"]) is None, "no change asked"


def test_without_a_named_indicator_the_unit_and_direction_asked_pick_the_change() -> None:
    """"下降了多少个千分点" with anchors neither clause names: the ‰ change that fell, not the
    first change of the sentence (life expectancy, which rose, in 岁)."""
    from kernel.types import Unit
    from qa.analysis import analyze
    from qa.comparison import change_clause
    from qa.compose import CitationList
    from qa.evidence import Evidence

    sentence = quote(
        SONGJIANG, "全区户籍人口平均期望寿命从2015年的82.69岁增长至84.20岁，常住人口婴儿死亡率从2015年的3.54‰降低至0.83‰"
    )
    unit = Unit(SONGJIANG, "sentence", 0, 0, len(sentence), sentence)
    evidence = [Evidence(unit, "松江区", 1.0, 0.9, 1.0, True, True, 1.0)]
    cites = CitationList({SONGJIANG: type("Doc", (), {"text": sentence})()})  # type: ignore[arg-type]
    fell = change_clause(analyze("松江那项指标下降了多少个千分点？", ["松江区"]), evidence, ["十三五"])
    assert fell is not None and "相差2.71个千分点" in fell(cites)
    rose = change_clause(analyze("松江那项指标提高了多少岁？", ["松江区"]), evidence, ["十三五"])
    assert rose is not None and "相差1.51岁" in rose(cites)


def test_states_figure_is_parse_figures_remembered() -> None:
    """Evidence scoring asks of each candidate sentence whether it states a figure in digits;
    the answer is a property of the sentence, so it is remembered for the next question."""
    from qa.evidence import states_figure

    cases = {"到2025年完成达标中医馆10个": True, "覆盖率达到95%以上": True, "2025年": False,
             "第三章 总体要求": False, "床位增加三百张": False}  # a year is no figure; digits only
    for text, expected in cases.items():
        assert states_figure(text) is expected
        assert states_figure(text) is expected  # remembered, same answer
    assert states_figure.cache_info().hits >= len(cases)


def test_a_count_of_times_in_chinese_numerals_is_a_figure_and_a_one_off_is_not() -> None:
    """"每年至少专题研究一次" answers "how often"; "一次性补助" states no count."""
    assert [(f.value, f.unit) for f in parse_figures("医改领导小组会议每年至少专题研究一次医改工作")] == [(1.0, "次")]
    assert [(f.value, f.unit) for f in parse_figures("开展两次培训")] == [(2.0, "次")]
    assert parse_figures("给予一次性补助") == []


def test_a_sentence_stating_its_figure_in_chinese_numerals_states_a_figure() -> None:
    from qa.evidence import states_figure

    assert states_figure("每年至少专题研究一次医改工作")
    assert states_figure("十家社区卫生服务中心开展居家安宁疗护")
    assert not states_figure("进一步推进医防融合")


def test_durations_asked_which_is_faster_are_weighed_in_speed() -> None:
    minhang = parse_figures("急救平均反应时间≤12分钟")[0]
    songjiang = parse_figures("平均急救反应时间缩短至10分45秒")[0]
    assert verdict_text("闵行区", minhang, "松江区", songjiang, "zh") == "闵行区（≤12分钟）长于松江区（10分45秒）"
    assert verdict_text("闵行区", minhang, "松江区", songjiang, "zh", speed=True) == "闵行区（≤12分钟）慢于松江区（10分45秒）"
    assert verdict_text("Songjiang", songjiang, "Minhang", minhang, "en", speed=True) == "Songjiang (10 min 45 s) is faster than Minhang (≤12 min)"
    # a speed asked of figures that are no durations changes nothing
    rates = parse_figures("签约率提至46%"), parse_figures("签约覆盖率达到48%")
    assert verdict_text("宝山区", rates[0][0], "长宁区", rates[1][0], "zh", speed=True) == "宝山区（46%）低于长宁区（48%）"
