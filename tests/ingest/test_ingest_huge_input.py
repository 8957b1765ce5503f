"""Ingest on huge single lines and odd shapes: bounded time, exact offsets, bounded units.

Uploads are not always tidy plans. A PDF text layer or a paste can be megabytes on one line
with no 。 at all, a file can be one character repeated, a run of 500,000 。, nothing but
heading markers, or lines ended by CR as often as by LF. Whatever arrives, ingest must finish
in time roughly linear in the size, every unit must still slice back to its text, and no
sentence or chunk may grow with the input: a sentence is quoted whole as a citation and a
chunk is embedded whole, so one unit of two megabytes would reach every answer and the
embedding model. Sizes here are chosen to keep the whole file to a few seconds on two shared
cores while staying far beyond anything a bounded-size or quadratic bug could survive.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest import load_document
from ingest.chunks import MERGE_LIMIT
from ingest.pipeline import parse_text
from ingest.sections import MAX_HEADING_CHARS, MAX_MARKDOWN_HEADING_CHARS
from ingest.sentences import MAX_SENTENCE_CHARS, bounded, split_sentences
from ingest.tables import find_tables
from kernel.types import Document

MAX_CHUNK_CHARS = max(MERGE_LIMIT, MAX_SENTENCE_CHARS)
# Generous for two busy cores (the largest case takes about 3 s alone); a quadratic step on
# megabytes of text would take hours, so this only has to be finite.
SECONDS_PER_FILE = 20.0
MB = 1024 * 1024


def _cjk(n: int, seed: int) -> str:
    rng = random.Random(seed)
    common = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]
    return "".join(rng.choices(common, k=n))


def han_line() -> str:
    """About 2 MB of UTF-8: 700,000 CJK characters, no punctuation, no line end."""
    return _cjk(700_000, seed=1)


def one_character() -> str:
    return "卫" * 700_000  # 2.1 MB of UTF-8


def full_stops() -> str:
    return "。" * 500_000


def ascii_line() -> str:
    """5 MB of ASCII words and spaces on one line, with no sentence end anywhere."""
    rng = random.Random(2)
    words = ["health", "plan", "2025", "clinic", "x" * 40, "district", "target"]
    out: list[str] = []
    size = 0
    while size < 5 * MB:
        word = rng.choice(words)
        out.append(word)
        size += len(word) + 1
    return " ".join(out)


def heading_shapes() -> str:
    """Every heading style nested to the bottom, over and over, then headings with no end."""
    ladder = [
        "附件1",
        "第一章 总则",
        "第一节 目标",
        "一、主要目标",
        "（一）基层",
        "1.社区",
        "（1）中医",
        "①中医馆",
        *("#" * k + " 标题" for k in range(1, 7)),
    ]
    block = "\n".join(f"{h}\n到2025年建成社区中医馆12个。" for h in ladder)
    return "\n".join(
        [
            "\n".join([block] * 500),
            "# " + _cjk(300_000, seed=3),  # a "markdown heading" as long as a book
            "一、" * 100_000,  # heading markers with no end
            "（一）" + "（" * 50_000 + "正文。" + "）" * 50_000,  # brackets nested past any depth
            "正文。",
        ]
    )


def mixed_line_ends() -> str:
    """CRLF, lone CR and LF interleaved (a lone CR is an old-Mac line end)."""
    parts = []
    for i in range(40_000):
        end = ("\r\n", "\r", "\n", "\r\r\n")[i % 4]
        line = ("二、保障措施", "到2025年建成社区中医馆12个。", "提升服务能力", "")[i % 4]
        parts.append(line + end)
    return "".join(parts) + _cjk(50_000, seed=4) + "\r" * 10_000 + "完。"


SHAPES: dict[str, Callable[[], str]] = {
    "cjk-2mb-one-line": han_line,
    "one-character-2mb": one_character,
    "500k-full-stops": full_stops,
    "ascii-5mb-one-line": ascii_line,
    "heading-shapes": heading_shapes,
    "mixed-crlf-cr-lf": mixed_line_ends,
}


def check_document(doc: Document) -> None:
    """Exact offsets, bounded sentences and chunks, and no text lost by the cutting."""
    text = doc.text
    for unit in doc.units():
        assert text[unit.start : unit.end] == unit.text, unit.unit_id
        for cell in unit.cells:
            assert text[cell.start : cell.end] == cell.text
    tables = [(t.start, t.end) for t in find_tables(text)]
    longest = max((len(u.text) for u in doc.sentences), default=0)
    assert longest <= MAX_SENTENCE_CHARS, f"a sentence of {longest} characters"
    # Table rows are whole rows, not cut; every other chunk is bounded.
    body_chunks = [c for c in doc.chunks if not any(s <= c.start < e for s, e in tables)]
    longest = max((len(u.text) for u in body_chunks), default=0)
    assert longest <= MAX_CHUNK_CHARS, f"a chunk of {longest} characters"
    for s in doc.sections:
        assert len(s.heading) <= max(MAX_HEADING_CHARS, MAX_MARKDOWN_HEADING_CHARS)
        assert len(s.path) <= 16
    # Sentences are ordered and disjoint, and outside them and the tables lies only whitespace.
    assert all(a.end <= b.start for a, b in zip(doc.sentences, doc.sentences[1:], strict=False))
    covered = sorted([(u.start, u.end) for u in doc.sentences] + tables)
    reached = 0
    for start, end in covered:
        assert not text[reached:start].strip(), (reached, text[reached:start][:40])
        reached = max(reached, end)
    assert not text[reached:].strip()


@pytest.mark.parametrize("shape", list(SHAPES))
def test_huge_file_ingests_in_bounded_time_with_bounded_units(
    shape: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POLICYQA_MAX_DOCUMENT_CHARS", str(10**8))  # the parser is under test, not the limit
    text = SHAPES[shape]()
    path = tmp_path / f"{shape}.txt"
    path.write_bytes(text.encode("utf-8"))
    started = time.perf_counter()
    doc = load_document(path)
    elapsed = time.perf_counter() - started
    assert elapsed < SECONDS_PER_FILE, f"{shape}: {path.stat().st_size / MB:.1f} MB took {elapsed:.1f} s"
    assert doc.text == text  # nothing normalised away: offsets point into the file's own text
    assert doc.sentences and doc.chunks
    check_document(doc)


def test_a_long_markdown_heading_is_body_text_not_every_units_section_path() -> None:
    long_line = "# " + _cjk(20_000, seed=3)
    text = f"# 总则\n到2025年建成社区中医馆12个。\n{long_line}\n到2025年建成社区中医馆12个。\n"
    doc = parse_text("long-heading", text)
    assert [s.heading for s in doc.sections] == ["# 总则"]
    assert {u.section for u in doc.sentences} == {("# 总则",)}
    # The long line still reaches the index, as bounded sentences that cover all of it.
    start = text.index(long_line)
    pieces = [u for u in doc.sentences if start <= u.start < start + len(long_line)]
    assert sum(len(u.text) for u in pieces) == len(long_line)
    assert all(len(u.text) <= MAX_SENTENCE_CHARS for u in pieces)


def test_a_huge_table_cell_does_not_make_a_huge_row() -> None:
    text = "主要指标表\n序号 |\n指标 |\n目标值 |\n1 |\n" + _cjk(5_000, seed=5) + " |\n≥3.5 |\n"
    doc = parse_text("huge-cell", text)
    assert all(text[u.start : u.end] == u.text for u in doc.units())
    assert max(len(u.text) for u in (*doc.table_rows, *doc.chunks)) <= MAX_CHUNK_CHARS


def test_a_separator_free_run_of_cells_is_not_one_row() -> None:
    text = "指标表\n" + "".join(f"{_cjk(60, seed=i)} |\n" for i in range(200)) + "|\n"
    doc = parse_text("long-run", text)
    assert all(text[u.start : u.end] == u.text for u in doc.units())
    assert max(len(u.text) for u in (*doc.table_rows, *doc.chunks)) <= MAX_CHUNK_CHARS


# --- the cutting rule, on small exact cases --------------------------------------------------


def test_short_run_is_one_trimmed_span() -> None:
    text = "  短句。 "
    assert bounded(text, 0, len(text)) == [(2, 5)]
    assert bounded("   ", 0, 3) == []


def test_long_run_is_cut_after_a_comma_in_the_second_half() -> None:
    text = "卫" * 300 + "，" + "生" * 300
    assert bounded(text, 0, len(text)) == [(0, 301), (301, 601)]


def test_comma_in_the_first_half_is_not_used_and_the_cut_is_hard() -> None:
    text = "卫" * 100 + "，" + "生" * 700
    assert bounded(text, 0, len(text)) == [(0, 400), (400, 800), (800, 801)]


def test_cut_at_a_space_drops_the_space_from_both_pieces() -> None:
    text = "a" * 350 + "   " + "b" * 350
    assert bounded(text, 0, len(text)) == [(0, 350), (353, 703)]


def test_a_run_of_full_stops_is_cut_like_any_other_run() -> None:
    text = "到2025年建成。" + "。" * 1_000
    spans = split_sentences(text)
    assert [e - s for s, e in spans] == [400, 400, len(text) - 800]
    assert "".join(text[s:e] for s, e in spans) == text


@pytest.mark.parametrize("gap", [" " * 1_000, "\n" * 1_000, "\r\n" * 500])
def test_two_short_sentences_far_apart_are_two_chunks(gap: str) -> None:
    """A chunk's text runs from its first sentence to its last; a gap must not be packed into it."""
    text = "短句。" + gap + "另一句。"
    doc = parse_text("far-apart", text)
    assert [c.text for c in doc.chunks] == ["短句。", "另一句。"]


def test_limit_is_validated() -> None:
    with pytest.raises(ValueError, match="limit must be >= 2"):
        bounded("abc", 0, 3, limit=1)


def test_sentences_of_the_bundled_plans_are_below_the_cut() -> None:
    """The cut only touches input no plan has: the real corpus keeps every sentence whole."""
    from ingest import load_corpus, settings

    for doc in load_corpus(settings.corpus_dir()):
        assert max(len(u.text) for u in doc.sentences) < MAX_SENTENCE_CHARS, doc.doc_id


# --- random long lines ----------------------------------------------------------------------

PIECES = st.sampled_from(
    [
        "卫",
        "生",
        "a",
        "7",
        "，",
        "、",
        "。",
        "；",
        "!",
        " ",
        "\u3000",
        "（",
        "）",
        "“",
        "”",
        "\r",
        "\r\n",
        "\n",
        "一、",
        "# ",
        "|",
        " |\n",
    ]
)
RUNS = st.lists(st.tuples(PIECES, st.integers(min_value=1, max_value=900)), min_size=1, max_size=8)
LONG_TEXT = RUNS.map(lambda runs: "".join(piece * count for piece, count in runs))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(LONG_TEXT)
def test_random_long_lines_keep_offsets_exact_and_units_bounded(text: str) -> None:
    spans = split_sentences(text)
    previous = 0
    for s, e in spans:
        piece = text[s:e]
        assert 0 < len(piece) <= MAX_SENTENCE_CHARS
        assert not piece[0].isspace() and not piece[-1].isspace() and "\n" not in piece
        assert s >= previous and not text[previous:s].strip()  # nothing but whitespace is skipped
        previous = e
    assert not text[previous:].strip()
    check_document(parse_text("random-long", text))


def test_old_mac_line_ends_still_give_headings_and_sentences() -> None:
    text = "长宁区卫生健康工作要点\r一、总体要求\r推进社区卫生服务中心建设。\r二、主要目标\r到2025年建成中医馆10个\r"
    doc = parse_text("cr-only", text)
    assert [s.heading for s in doc.sections] == ["一、总体要求", "二、主要目标"]
    by_text = {u.text: u.section for u in doc.sentences}
    assert by_text["推进社区卫生服务中心建设。"] == ("一、总体要求",)
    assert by_text["到2025年建成中医馆10个"] == ("二、主要目标",)
    assert all(text[u.start : u.end] == u.text for u in doc.units())
    assert all("\r" not in u.text for u in doc.sentences)
