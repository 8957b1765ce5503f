"""CONTRACT.md's comparison rules and district naming."""

from __future__ import annotations

import pytest

from eval.normalize import districts_named, names_district, normalize, overlaps


def test_normalize_rules():
    assert normalize("ＡＢＣ　１２％") == "abc12%"  # NFKC full-width -> ASCII, ideographic space removed
    assert normalize("“宝山方案”") == '"宝山方案"'  # curly -> straight quotes
    assert normalize("it’s ‘x’") == "it's'x'"
    assert normalize(" a\tb\nC ") == "abc"
    assert normalize("，") == ","  # full-width comma and ASCII comma compare equal
    assert normalize(None) == ""  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["静安区", "在静安", "Jing'an", "Jing’an", "JINGAN", "jing an", "Jing-an"])
def test_jingan_is_named(text):
    assert names_district(text, "静安区")
    assert names_district(text, "静安")
    assert names_district(text, "Jing'an")


def test_other_districts_are_not_jingan():
    assert not names_district("闵行区和宝山区", "静安区")
    assert not names_district("", "静安区")


def test_districts_named_in_gazetteer_order():
    """Judged among the districts of the item's cities: Shanghai's, for a Shanghai item."""
    assert districts_named("Minhang 与 宝山、jingan", ["宝山区"]) == ["宝山区", "闵行区", "静安区"]
    assert districts_named("Minhang 与 宝山、jingan") == []  # no item districts: no city to judge in
    assert districts_named("没有区名", ["宝山区"]) == []
    assert districts_named("西湖与武侯", ["西湖区"]) == ["西湖区"]


def test_overlap_either_way():
    assert overlaps("到2025年完成达标中医馆10个", "完成达标中医馆10个")
    assert overlaps("中医馆10个", "到2025年完成达标中医馆１０个,完成")
    assert not overlaps("中医馆", "中医阁")
    assert not overlaps("", "中医馆")
