"""Pure pieces of the UI and API: escaping, citation buttons, spans, file-name sanitising."""

from __future__ import annotations

import re

import pytest

from kernel.errors import BadRangeError
from kernel.types import Document, Section
from surfaces.http.uploads import sanitize_filename
from surfaces.spans import check_range, context_bounds, span_with_context
from surfaces.ui import render

TEXT = "一、总体目标\n到2027年建成驿站18个。<script>alert(1)</script>驿站提供血压测量。\n二、保障\n经费由区财政保障。"
DOC = Document(
    doc_id="demo-plan", title="演示方案 <b>", district="长宁区", text=TEXT, sha256="x",
    sections=(Section("demo-plan", 0, "一、总体目标", 1, ("一、总体目标",), 0, 47),
              Section("demo-plan", 1, "二、保障", 1, ("二、保障",), 47, len(TEXT))),
)
START = TEXT.index("<script>")
END = TEXT.index("驿站提供")


def citation(start: int, end: int) -> dict:
    return {"doc_id": "demo-plan", "start": start, "end": end, "quote": TEXT[start:end],
            "district": "长宁区", "section": ["一、总体目标"]}


def test_escape_neutralises_html_and_template_syntax() -> None:
    out = render.esc('<script>alert("x")</script> ${1+1} {{value}} `t`')
    assert "<" not in out and ">" not in out and '"' not in out
    assert "${" not in out and "{{" not in out and "`" not in out


def test_answer_markers_become_buttons_with_the_span() -> None:
    answer = {"answer": "建成驿站18个[1]，提供血压测量[2]。[3]", "citations": [citation(7, 20), citation(START, END)]}
    out = render.answer_text_html(answer)
    buttons = re.findall(r'<button[^>]*class="cite"[^>]*>\[(\d)\]</button>', out)
    assert buttons == ["1", "2"]
    assert 'data-start="7" data-end="20"' in out
    assert "[3]" in out  # a marker without a citation stays text
    assert "<script>" not in out and "&lt;script&gt;" in out  # the quote attribute is escaped


def test_refusal_has_its_own_state_with_related_passages() -> None:
    answer = {"answer": "文件中未提及火星基地。", "refused": True, "citations": [], "lang": "zh",
              "passages": [{"doc_id": "demo-plan", "start": 7, "end": 20, "text": TEXT[7:20], "score": 0.1}]}
    out = render.turn_html(0, "火星基地？", answer)
    assert 'class="turn refused"' in out and render.REFUSAL_LABEL in out
    assert 'class="cite passage"' in out and 'data-start="7"' in out


def test_source_panel_marks_exactly_the_cited_text_and_escapes_it() -> None:
    span = span_with_context(DOC, START, END, 300)
    out = render.source_html(span)
    marked = re.search(r'<mark class="cited"[^>]*>(.*?)</mark>', out).group(1)
    assert marked == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert "<script>" not in out and "<b>" not in out
    assert "一、总体目标" in out  # the section path


def test_context_snaps_to_lines() -> None:
    lo, hi = context_bounds(TEXT, START, END, 15)
    assert TEXT[lo:START].startswith("到2027年") or lo == START - 15
    assert span_with_context(DOC, START, END, 15)["text"] == TEXT[START:END]
    with pytest.raises(BadRangeError, match=r"start \(5\) is after end \(2\)"):
        check_range(DOC, 5, 2)
    with pytest.raises(BadRangeError, match=f"end must be at most {len(TEXT)}"):
        check_range(DOC, 0, len(TEXT) + 1)
    assert check_range(DOC, 3, 3) == (3, 3) and check_range(DOC, None, None) == (0, len(TEXT))


def test_documents_tab_lists_section_trees() -> None:
    out = render.documents_html([DOC])
    assert out.count('<span class="heading">') == 2 and "演示方案 &lt;b&gt;" in out


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("/abs/path/plan.md", "plan.md"),
        ("C:\\temp\\宝山区 计划.DOCX", "宝山区 计划.docx"),
        ("evil\x00name.txt", "evilname.txt"),
        ("..", "upload"),
        ("...hidden.pdf", "hidden.pdf"),
        ("a<b>|c?.txt", "a-b-c.txt"),
    ],
)
def test_sanitize_filename(raw: str, clean: str) -> None:
    assert sanitize_filename(raw) == clean
