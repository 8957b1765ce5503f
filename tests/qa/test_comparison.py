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
