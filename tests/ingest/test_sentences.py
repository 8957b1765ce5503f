"""Sentence spans on hand-written lines (exact), and properties on random text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.chunks import pack
from ingest.pipeline import parse_text
from ingest.sentences import split_sentences
from ingest.tables import find_tables


def _texts(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


def test_splits_on_chinese_terminators() -> None:
    assert _texts("建设中心。提升能力！是否达标？加强领导；完善机制") == [
        "建设中心。",
        "提升能力！",
        "是否达标？",
        "加强领导；",
        "完善机制",
    ]


def test_never_inside_brackets_or_quotes() -> None:
    text = "（责任单位：区卫健委；配合单位：区财政局）\n落实“签约一人。履约一人。”要求。贯彻《条例（2023年）。》精神。"
    assert _texts(text) == [
        "（责任单位：区卫健委；配合单位：区财政局）",
        "落实“签约一人。履约一人。”要求。",
        "贯彻《条例（2023年）。》精神。",
    ]


def test_unbalanced_bracket_is_reset_at_line_end() -> None:
    text = "开头（未闭合。仍在括号里。\n下一行。再一句。"
    assert _texts(text) == ["开头（未闭合。仍在括号里。", "下一行。", "再一句。"]


def test_stray_closer_is_ignored() -> None:
    assert _texts("多余）的括号。下一句。") == ["多余）的括号。", "下一句。"]


def test_line_ends_split_and_whitespace_is_trimmed_by_offsets() -> None:
    text = "  第一行\r\n\u3000第二行。 第三句\n\n"
    spans = split_sentences(text)
    assert spans == [(2, 5), (8, 12), (13, 16)]
    assert [text[s:e] for s, e in spans] == ["第一行", "第二行。", "第三句"]


def test_repeated_terminators_stay_with_their_sentence() -> None:
    assert _texts("真的吗？！是的。。好") == ["真的吗？！", "是的。。", "好"]


def test_ascii_terminators_only_before_space_or_cjk() -> None:
    assert _texts("见 http://a.cn/x?id=1;v=2 说明; 然后!结束") == [
        "见 http://a.cn/x?id=1;v=2 说明;",
        "然后!",
        "结束",
    ]


def test_skip_regions_leave_lines_out() -> None:
    text = "前文。\n表格 |\n1 |\n后文。"
    start = text.index("表格")
    end = text.index("后文") - 1
    assert [text[s:e] for s, e in split_sentences(text, [(start, end)])] == ["前文。", "后文。"]


def test_pack_prefers_paragraph_ends_and_respects_limits() -> None:
    para = "甲" * 149 + "。"
    text = f"{para}{para}\n{para}{para}{para}\n{'乙' * 30}。"
    spans = split_sentences(text)
    groups = pack(text, spans)
    sizes = [g[-1][1] - g[0][0] for g in groups]
    # 300 chars closes at the paragraph end; then 450 would pass 400, so 300 + 150; the 31-char tail merges.
    assert [len(g) for g in groups] == [2, 2, 2]
    assert sizes == [300, 300, 150 + 1 + 31]


TOKENS = st.sampled_from(
    [
        "健康",
        "卫生",
        "服务",
        "。",
        "！",
        "？",
        "；",
        "，",
        "（",
        "）",
        "(",
        ")",
        "“",
        "”",
        "‘",
        "’",
        "《",
        "》",
        "【",
        "】",
        '"',
        "\n",
        "\r\n",
        " ",
        "\u3000",
        "\t",
        "|",
        " |\n",
        "1 |\n",
        "序号 |\n",
        "名称 |\n",
        "一、",
        "（一）",
        "1.",
        "附件2\n",
        "!",
        "?",
        ";",
        "a",
        "7",
        "2025年",
    ]
)
RANDOM_TEXT = st.lists(TOKENS, max_size=80).map("".join)


@settings(max_examples=150, deadline=None)
@given(RANDOM_TEXT)
def test_sentence_spans_slice_back_and_cover_all_non_space(text: str) -> None:
    spans = split_sentences(text)
    covered = [False] * len(text)
    last_end = 0
    for s, e in spans:
        piece = text[s:e]
        assert piece and not piece[0].isspace() and not piece[-1].isspace()
        assert "\n" not in piece
        assert s >= last_end
        last_end = e
        covered[s:e] = [True] * (e - s)
    assert all(covered[i] or ch.isspace() for i, ch in enumerate(text))


@settings(max_examples=120, deadline=None)
@given(RANDOM_TEXT)
def test_parsed_units_slice_back_never_overlap_and_cover_text_outside_tables(text: str) -> None:
    doc = parse_text("random", text)
    for unit in doc.units():
        assert text[unit.start : unit.end] == unit.text
        for cell in unit.cells:
            assert text[cell.start : cell.end] == cell.text
    leaves = sorted(list(doc.sentences) + list(doc.table_rows), key=lambda u: u.start)
    assert all(a.end <= b.start for a, b in zip(leaves, leaves[1:], strict=False))
    chunks = sorted(doc.chunks, key=lambda u: u.start)
    assert all(a.end <= b.start for a, b in zip(chunks, chunks[1:], strict=False))
    regions = [(t.start, t.end) for t in find_tables(text)]
    covered = [False] * len(text)
    for u in doc.sentences:
        covered[u.start : u.end] = [True] * (u.end - u.start)
    for i, ch in enumerate(text):
        if not ch.isspace() and not any(s <= i < e for s, e in regions):
            assert covered[i], (i, ch)
    for s in doc.sections:
        assert 0 <= s.start < s.end <= len(text)
