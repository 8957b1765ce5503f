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
    ],
)
def test_asking_by_how_much_is_read_through_a_search_box_querys_spaces(question: str, asks: bool) -> None:
    from qa.comparison import asks_amount

    assert asks_amount(question) is asks
