"""Which figure of a sentence belongs to the topic a comparison asks about."""

from __future__ import annotations

import pytest

from qa.figures import figure_clause, parse_figures


@pytest.mark.parametrize(
    ("text", "raw", "clause"),
    [
        ("到2025年,全人群、重点人群签约覆盖率分别达到48%以上、80%以上。", "48%", "全人群、重点人群签约覆盖率分别达到48%以上、80%以上"),
        ("开设签约居民转诊绿色通道,号源分配向社区倾斜,区域医疗中心预留20%的专家号源。", "20%", "区域医疗中心预留20%的专家号源"),
        ("实现急救站点平均服务半径≤3.5公里", "3.5公里", "实现急救站点平均服务半径≤3.5公里"),
    ],
)
def test_a_figures_clause_is_the_text_between_the_punctuation_around_it(text: str, raw: str, clause: str) -> None:
    figure = next(f for f in parse_figures(text) if f.raw == raw)
    assert figure_clause(text, figure) == clause


@pytest.mark.parametrize(
    ("known", "question", "names_it"),
    [
        (["长宁区", "宝山区"], "Is Changning's CMI target above Shanghai's?", True),
        (["长宁区", "宝山区"], "长宁的CMI目标比全市的规划值高吗？", True),
        (["长宁区", "宝山区"], "长宁的CMI目标比宝山高吗？", False),
        (["五华区", "盘龙区"], "五华的目标比昆明的高吗？", True),  # the corpus's own city, from the gazetteer
        (["五华区", "盘龙区"], "Is Wuhua's target above Kunming's?", True),
        (["五华区", "盘龙区"], "Is Wuhua's target above Shanghai's?", False),
    ],
)
def test_the_city_side_of_a_comparison_is_the_corpus_cities(known: list[str], question: str, names_it: bool) -> None:
    from qa.analysis import analyze
    from qa.comparison import _names_the_city

    assert _names_the_city(analyze(question, known)) is names_it


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("松江户籍人口期望寿命提高了多少岁？", True),
        ("松江 户籍人口 期望寿命 十三五 提高 多少岁", True),  # a search-box query: spaces between words
        ("By how much did infant mortality fall?", True),
        ("家医签约率谁高？差几个点？", True),
        ("比长宁高几个百分点", True),
        ("By how many years did life expectancy go up?", True),
        ("blood donation rate, Changning vs Songjiang, how far apart?", True),
        ("What's the gap between the two targets?", True),
        ("几个区提出了目标？", False),
        ("松江 户籍人口 期望寿命 十三五", False),
        ("How much is the budget?", False),
        ("跟2015年比多活了多久？", True),  # the verb after 多: how much longer
        ("How many years of life expectancy did Songjiang's residents gain since 2015?", True),
        ("How much did infant mortality fall?", True),
        ("How many beds does the plan add?", False),
        ("比去年少花了多少钱？", True),
        ("跟2015年比一共涨了几岁？", True),  # 涨 / 跌: the everyday words for rising and falling
        ("挂号费会不会涨？", False),
    ],
)
def test_asking_by_how_much_is_read_through_a_search_box_querys_spaces(question: str, asks: bool) -> None:
    from qa.comparison import asks_amount

    assert asks_amount(question) is asks


def _sentence(text: str, index: int = 0):  # type: ignore[no-untyped-def]
    from kernel.types import Unit
    from qa.evidence import Evidence

    return Evidence(Unit("plan", "sentence", index, 0, len(text), text), "长宁区", 1.0, 0.9, 1.0, True, True, 1.0)


def _row(name: str, target: str, planned: str, index: int = 1):  # type: ignore[no-untyped-def]
    from kernel.types import Cell, Unit
    from qa.evidence import Evidence

    text = f"7 |\n{name} |\n{target} |\n{planned} |"
    cells = (Cell("序号", "7", 0, 1), Cell("指标", name, 5, 5 + len(name)), Cell("2025年目标值", target, 0, 0), Cell("市卫健委规划值", planned, 0, 0))
    return Evidence(Unit("plan", "table_row", index, 0, len(text), text, cells=cells), "长宁区", 1.0, 0.9, 1.0, True, True, 1.0)


def _concluded(question: str, chosen: list) -> str | None:  # type: ignore[type-arg]
    from qa.agreement import rate_consistency_clause
    from qa.analysis import analyze

    conclude = rate_consistency_clause(analyze(question, ["长宁区", "宝山区"]), chosen)
    if conclude is None:
        return None
    class Numbered:  # the citation numbers: the unit's place in ``chosen``
        def number(self, unit, district):  # type: ignore[no-untyped-def]
            return unit.index + 1

    return conclude(Numbered())  # type: ignore[arg-type]


def test_per_capita_statements_on_two_bases_are_converted_before_they_are_weighed() -> None:
    chosen = [_sentence("到2025年,社区全科医生数达到4.5名每万常住人口。"), _row("千人口全科医生数(人)*", "≥0.45", "0.45左右")]
    said = _concluded("长宁社区全科医生每万人目标与千人口全科医生数目标换算后一致吗？", chosen)
    assert said == "换算后一致：每万人口4.5即每千人口0.45，另一处为每千人口0.45[1][2]。"
    english = _concluded("Does Changning's GP target per 10,000 line up with the indicator table?", chosen)
    assert english is not None and english.startswith("Converted to one base they agree: 4.5 per 10,000 is 0.45 per 1,000")
    assert _concluded("长宁社区全科医生有多少？", chosen) is None, "not asked whether they agree"


def test_figures_of_two_different_indicators_are_never_weighed() -> None:
    # 1.75 per 10,000 counts disease-control staff; the row counts public-health staff (9 per 10,000)
    chosen = [_sentence("每万人口疾病预防控制人员数达1.75名、从事公共卫生人员数达9名。"), _row("千人口公共卫生人员数(人)*", "≥0.9", "/")]
    said = _concluded("长宁每万人口公卫人员与千人口公共卫生人员数一致吗？", chosen)
    assert said == "换算后一致：每万人口9即每千人口0.9，另一处为每千人口0.9[1][2]。"
    other = [_sentence("每万人口疾病预防控制人员数达1.75名。"), _row("千人口公共卫生人员数(人)*", "≥0.9", "/")]
    assert _concluded("长宁疾控人员与千人口公共卫生人员数一致吗？", other) is None


def _total(question: str, text: str) -> str | None:
    from qa.analysis import analyze
    from qa.totals import total_clause

    conclude = total_clause(analyze(question, ["松江区"]), [_sentence(text)])

    class Numbered:
        def number(self, unit, district):  # type: ignore[no-untyped-def]
            return 1

    return conclude(Numbered()) if conclude else None  # type: ignore[arg-type]


def test_the_total_of_things_named_together_is_summed_from_their_own_figures() -> None:
    text = "累计完成道口查控332.74万人次，居家隔离3.30万人，集中隔离9.54万人，核酸检测110.4万人次。"
    assert _total("居家和集中隔离的加起来一共多少万人？", text) == "合计：3.3万人+9.54万人=12.84万人[1]。"
    staff = "“十三五”期间，共引进高层次人才41人，正高级卫生人才增加37人，副高级增加164人。"
    assert _total("正高级和副高级卫生人才一共增加了多少人？", staff) == "合计：37人+164人=201人[1]。"


def test_a_total_reads_quoted_things_ranges_and_one_character_things() -> None:
    talents = "加强高端人才引育,稳步推进11名“英才”(优秀学科带头人)培育工作,启动25-30名“优青”(优秀青年)培养计划。"
    assert _total("“英才”和“优青”加起来最多多少人？", talents) == "合计：11名+25-30名=36-41名[1]。"
    network = "到2025年,基本实现“10个中心、1个分中心、44个站”共55个社区卫生服务机构资源配置。"
    assert _total("中心、分中心、站一共多少个？", network) == "合计：10个+1个+44个=55个[1]。"


def test_no_total_unless_asked_and_every_named_thing_has_its_figure() -> None:
    text = "居家隔离3.30万人，集中隔离9.54万人。"
    assert _total("居家和集中隔离各有多少人？", text) is None  # not asked for a total
    assert _total("居家和方舱隔离一共多少人？", text) is None  # 方舱 has no figure
    assert _total("居家和核酸一共多少？", "居家隔离3.30万人，核酸检测110.4万人次。") is None  # two units


@pytest.mark.parametrize(
    ("question", "weighs"),
    [
        ("And how does the target compare with the city's figure?", True),
        ("长宁这项指标与市卫健委规划值相比如何？", True),
        ("长宁这项指标的市卫健委规划值是多少？", False),  # the city's value asked, not weighed
    ],
)
def test_asking_to_compare_with_the_city_weighs_the_row(question: str, weighs: bool) -> None:
    from qa.analysis import analyze
    from qa.comparison import row_comparison

    row = _row("综合医院设置中医床位占总床位比例(%)", "5", "5")
    conclude = row_comparison(analyze(question, ["长宁区", "宝山区"]), [row])
    assert (conclude is not None) is weighs


def test_a_remark_in_brackets_after_the_question_is_no_part() -> None:
    from qa.analysis import analyze
    from qa.comparison import independent_parts

    known = ["闵行区", "松江区"]
    question = "Whose response time is quicker, Minhang or Songjiang? (I realise one might be a target.)"
    assert independent_parts(analyze(question, known), known) == []
    two = "闵行的急救反应时间是多少？松江的急救半径是多少？（我在写报道。）"
    assert len(independent_parts(analyze(two, known), known)) == 2


@pytest.mark.parametrize(
    ("question", "concluded"),
    [
        ("附件里的社区卫生三年计划也是这个年份吗？", True),  # "also this year?" asks whether they agree
        ("主方案和附件说的达标年份一样吗？", True),
        ("经费标准是多少？", False),
    ],
)
def test_asking_whether_a_figure_is_also_so_elsewhere_asks_agreement(question: str, concluded: bool) -> None:
    from qa.agreement import consistency_clause
    from qa.analysis import analyze

    chosen = [
        _sentence("到2025年,区级财政对社区基本公共卫生服务经费投入标准达到120元/人年。", 0),
        _sentence("到2026年,区级财政对社区基本公共卫生服务经费投入标准达到120元/人年。", 1),
    ]
    assert (consistency_clause(analyze(question, ["长宁区"]), chosen) is not None) is concluded


def _unit(text: str, index: int) -> object:
    from kernel.types import Unit

    return Unit("plan", "sentence", index, 0, len(text), text)


def test_a_figure_sentence_is_restated_by_its_mutual_nearest_neighbour_of_the_same_kind() -> None:
    """Vectors are hand-made: the restatement must state a figure of the source's kind, be
    close enough, and have the source as its own nearest neighbour back in the source's plan."""
    import numpy as np

    from qa.comparison import aligned_counterpart

    def unit_vector(*xs: float) -> np.ndarray:
        v = np.array(xs, dtype=np.float32)
        return v / np.linalg.norm(v)

    source = _unit("推动常住居民家庭医生签约率提至46%。", 0)
    figure = parse_figures(source.text)[0]
    restated = _unit("全人群签约覆盖率分别达到48%。", 1)
    counted = _unit("培育10个优秀家庭医生工作室。", 2)  # closer, but a count, not a share
    far = _unit("社区门诊量占门诊总量的比例达40%。", 3)
    units = [restated, counted, far]
    vectors = np.stack([unit_vector(1, 0.25, 0), unit_vector(1, 0.05, 0), unit_vector(0, 1, 0)])
    src = (source, unit_vector(1, 0, 0))
    assert aligned_counterpart(figure, src, units, vectors, [source], src[1][None, :]) == restated
    # another sentence of the source's plan is nearer the restatement: not mutual, no partner
    closer = _unit("医养签约率100%。", 4)
    back_vectors = np.stack([src[1], unit_vector(1, 0.26, 0)])
    assert aligned_counterpart(figure, src, units, vectors, [source, closer], back_vectors) is None
    # nothing close enough: no partner
    assert aligned_counterpart(figure, src, [far], vectors[2:], [source], src[1][None, :]) is None


def test_of_two_equally_worded_figures_the_one_the_other_plan_restates_is_compared() -> None:
    """Both 宝山 sentences name 签约率 with a share; the one 长宁's sentence restates (its
    mutual nearest neighbour) is the same indicator, though the other covers a little more."""
    from kernel.types import Unit
    from qa.comparison import figure_pair
    from qa.evidence import Evidence

    def evidence(index: int, text: str, district: str, coverage: float) -> Evidence:
        unit = Unit(district, "sentence", index, 0, len(text), text)  # type: ignore[arg-type]
        return Evidence(unit, district, coverage, 0.9, 1.0, True, True, 0.9)

    nursing = evidence(0, "探索五床联动机制,维持医养签约率100%,提升覆盖率。", "宝山区", 0.95)
    family = evidence(1, "推动常住居民家庭医生签约率提至46%。", "宝山区", 0.90)
    changning = evidence(2, "全人群签约覆盖率达到48%。", "长宁区", 0.90)
    sides = [("宝山区", [nursing, family], [nursing, family]), ("长宁区", [changning], [changning])]
    anchors = ["签约率", "签约覆盖率"]
    assert figure_pair(sides, anchors)[0][1] is nursing  # type: ignore[index]
    paired = figure_pair(sides, anchors, partners={changning.unit: frozenset({family.unit})})
    assert paired is not None and paired[0][1] is family and paired[1][1] is changning


@pytest.mark.parametrize(
    "question",
    ["宝山和长宁，哪边想让更多居民签家庭医生？", "Which plan wants more residents to have a family doctor, Baoshan or Changning?"],
)
def test_two_plans_wording_one_indicator_differently_are_compared_on_it(policyqa, question: str) -> None:  # type: ignore[no-untyped-def]
    """长宁 states the sign-up target as "全人群…签约覆盖率…48%", without 家庭医生: its
    restatement of 宝山's "家庭医生签约率提至46%" is what is weighed, not a 20% quota for
    specialist appointments of a sentence that names 家庭医生."""
    answer = policyqa.ask(question)
    verdict = answer.answer.rsplit("。" if answer.lang == "zh" else ". ", 2)[-2:]
    assert "46%" in "".join(verdict) and "48%" in "".join(verdict), answer.answer
    quotes = " ".join(c.quote for c in answer.citations)
    assert "签约覆盖率" in quotes and "签约率提至46%" in quotes


def test_a_statement_or_request_after_a_question_is_no_part_of_its_own() -> None:
    """"…是哪六项？麻烦列一下。" asks one thing: the request must not be named open
    ("文件中未提及：麻烦列一下"); keywords after keywords are still parts."""
    from qa.analysis import analyze
    from qa.comparison import independent_parts

    known = ["闵行区", "宝山区"]
    assert independent_parts(analyze("闵行的急救平均反应时间要求是多少？麻烦给出原文数字。", known), known) == []
    assert independent_parts(analyze("宝山有几家中医馆？一家对应一个街道。", known), known) == []
    asked = independent_parts(analyze("宝山有几家社区中医馆？今年AED增配多少台？", known), known)
    assert len(asked) == 2


def test_two_districts_figures_are_summed_when_the_total_is_asked(policyqa) -> None:  # type: ignore[no-untyped-def]
    answer = policyqa.ask("闵行计划新建改建几个急救分站？松江十三五新增了几个？两区加起来一共多少个？")
    assert "5个+5个=10个" in answer.answer, answer.answer
    asked_apart = policyqa.ask("闵行计划新建改建几个急救分站？松江十三五新增了几个？")
    assert "=10个" not in asked_apart.answer  # no total unless asked


@pytest.mark.parametrize(
    ("question", "weighed"),
    [
        ("长宁千人口床位数编制床位的目标比市里规划值高多少？", "9.72张"),
        ("长宁千人口床位数开放床位目标比市规划值高多少？", "12.37张"),
        ("长宁千人口床位数开放床位、编制床位目标分别多少？编制床位目标比市规划值高多少张？", "9.72张"),
    ],
)
def test_a_row_cell_of_several_kinds_is_weighed_by_the_kind_asked(policyqa, question: str, weighed: str) -> None:  # type: ignore[no-untyped-def]
    """"12.37 (开放床位) 9.72 (编制床位)" against "7.5 (编制床位)": the kind the question weighs."""
    answer = policyqa.ask(question)
    verdict = answer.answer.rsplit("[1]。", 2)[-2]
    assert f"（{weighed}）" in verdict, answer.answer


@pytest.mark.slow
def test_a_row_labelled_with_its_kinds_weighs_the_kinds_the_question_names(policyqa) -> None:  # type: ignore[no-untyped-def]
    """"10(平) /20(急)" under "(平时/紧急状态)": 急 is 紧急状态; naming both weighs both."""
    one = policyqa.ask("长宁定点医院ICU床位比例在紧急状态下比市里的规划值高多少？")
    assert "（20）" in one.answer and "相差12" in one.answer, one.answer
    both = policyqa.ask("长宁定点医院ICU床位比例，平时和紧急状态下分别比市里的规划值高多少？")
    assert "平时：" in both.answer and "相差9" in both.answer, both.answer
    assert "紧急状态：" in both.answer and "相差12" in both.answer, both.answer
