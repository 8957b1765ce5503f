"""HTML for the UI, as pure functions of plain dicts. Every piece of document or answer text
goes through ``esc``, so a document containing ``<script>`` shows it as text."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import Any

from kernel.types import Document
from surfaces.citations import place

REFUSAL_LABEL = "文件中未提及"
REFUSAL_LABEL_EN = "Not stated in the documents"
_MARKER = re.compile(r"\[(\d+)\]")
# gr.HTML fills a JS/handlebars template with the value: keep template syntax inert as well.
_TEMPLATE_CHARS = str.maketrans({"{": "&#123;", "}": "&#125;", "$": "&#36;", "`": "&#96;"})


def esc(text: object) -> str:
    """HTML-escape text for element content and quoted attribute values."""
    return html.escape(str(text), quote=True).translate(_TEMPLATE_CHARS)


def _span_attrs(doc_id: str, start: int, end: int, quote: str) -> str:
    return (
        f'data-doc="{esc(doc_id)}" data-start="{int(start)}" data-end="{int(end)}" '
        f'data-quote="{esc(quote)}"'
    )


def cite_button(n: int, citation: dict[str, Any]) -> str:
    attrs = _span_attrs(citation["doc_id"], citation["start"], citation["end"], citation["quote"])
    return f'<button type="button" class="cite" data-n="{n}" {attrs} title="{esc(citation["quote"])}">[{n}]</button>'


def answer_text_html(answer: dict[str, Any]) -> str:
    """The answer text with each valid [n] marker turned into a citation button."""
    citations = answer.get("citations") or []
    out: list[str] = []
    pos = 0
    text = answer.get("answer", "")
    for m in _MARKER.finditer(text):
        n = int(m.group(1))
        if 1 <= n <= len(citations):
            out.append(esc(text[pos : m.start()]))
            out.append(cite_button(n, citations[n - 1]))
            pos = m.end()
    out.append(esc(text[pos:]))
    return "".join(out)


def _where(item: dict[str, Any]) -> str:
    return " · ".join(esc(p) for p in place(item))


def citation_list_html(citations: Sequence[dict[str, Any]]) -> str:
    if not citations:
        return ""
    rows = "".join(
        f'<li>{cite_button(n, c)} <span class="where">{_where(c)}</span>'
        f'<div class="quote">{esc(c["quote"])}</div></li>'
        for n, c in enumerate(citations, start=1)
    )
    return f'<ol class="sources">{rows}</ol>'


def passages_html(passages: Sequence[dict[str, Any]], limit: int = 5, snippet: int = 160) -> str:
    rows = []
    for p in list(passages)[:limit]:
        text = p["text"] if len(p["text"]) <= snippet else p["text"][:snippet] + "…"
        attrs = _span_attrs(p["doc_id"], p["start"], p["end"], p["text"])
        rows.append(
            f'<li><button type="button" class="cite passage" {attrs}>查看原文</button> '
            f'<span class="where">{_where(p)}</span><div class="quote">{esc(text)}</div></li>'
        )
    return f'<ul class="related">{"".join(rows)}</ul>' if rows else ""


def turn_html(index: int, question: str, answer: dict[str, Any]) -> str:
    user = f'<div class="msg user"><div class="bubble">{esc(question)}</div></div>'
    if answer.get("standalone_question"):  # a follow-up: show how it was understood
        user += f'<div class="understood">理解为 · Understood as: {esc(answer["standalone_question"])}</div>'
    if answer.get("refused"):
        label = REFUSAL_LABEL_EN if answer.get("lang") == "en" else REFUSAL_LABEL
        related = passages_html(answer.get("passages") or [])
        heading = '<div class="related-title">相关段落 · Related passages</div>' if related else ""
        body = (
            f'<div class="refusal-badge">{esc(label)}</div>'
            f'<div class="answer-text">{answer_text_html(answer)}</div>{heading}{related}'
        )
        return f'<div class="turn refused" data-turn="{index}">{user}<div class="msg bot">{body}</div></div>'
    body = f'<div class="answer-text">{answer_text_html(answer)}</div>{citation_list_html(answer.get("citations") or [])}'
    return f'<div class="turn answered" data-turn="{index}">{user}<div class="msg bot">{body}</div></div>'


def chat_html(turns: Sequence[dict[str, Any]]) -> str:
    if not turns:
        return (
            '<div class="chat-empty">请输入关于卫生健康规划文件的问题，答案中的 [n] 可点击查看原文。'
            "<br>Ask about the health plans; click a [n] marker to open the cited sentence.</div>"
        )
    return "".join(turn_html(i, t["question"], t["answer"]) for i, t in enumerate(turns))


def error_turn_html(question: str, message: str) -> str:
    return f'<div class="msg user"><div class="bubble">{esc(question)}</div></div><div class="error">{esc(message)}</div>'


def source_html(span: dict[str, Any]) -> str:
    """The source panel: title, section path, and the cited text highlighted in its context."""
    path = " › ".join(esc(h) for h in span.get("section") or []) or "（无章节）"
    district = f'<span class="district">{esc(span["district"])}</span>' if span.get("district") else ""
    lead = "…" if span["context_start"] > 0 else ""
    tail = "…" if span["context_end"] < span["chars"] else ""
    doc_ref = "" if span["title"] == span["doc_id"] else f"{esc(span['doc_id'])} · "
    return (
        f'<div class="source" data-doc="{esc(span["doc_id"])}">'
        f'<div class="source-title">{district}{esc(span["title"])}</div>'
        f'<div class="source-meta">{doc_ref}{span["start"]}–{span["end"]}</div>'
        f'<div class="source-path">{path}</div>'
        f'<div class="source-text">{lead}{esc(span["before"])}'
        f'<mark class="cited" data-start="{span["start"]}" data-end="{span["end"]}">{esc(span["text"])}</mark>'
        f"{esc(span['after'])}{tail}</div></div>"
    )


def source_placeholder(message: str = "点击答案中的 [n] 查看引用的原文。Click a [n] marker to see the cited sentence.") -> str:
    return f'<div class="source-empty">{esc(message)}</div>'


def _section_tree(doc: Document) -> str:
    out: list[str] = []
    depth = 0
    for s in sorted(doc.sections, key=lambda s: (s.start, s.level)):
        level = max(1, s.level)
        while depth < level:
            out.append("<ul>")
            depth += 1
        while depth > level:
            out.append("</ul>")
            depth -= 1
        out.append(f'<li><span class="heading">{esc(s.heading)}</span></li>')
    out.append("</ul>" * depth)
    return "".join(out) or '<div class="muted">（无章节）</div>'


def documents_html(docs: Sequence[Document]) -> str:
    items = []
    for d in docs:
        meta = f"{esc(d.district or '—')} · {esc(d.doc_id)} · {len(d.text):,} 字 · {len(d.sections)} 节"
        items.append(
            f'<details class="doc"><summary><span class="doc-title">{esc(d.title)}</span>'
            f'<span class="doc-meta">{meta}</span></summary><div class="tree">{_section_tree(d)}</div></details>'
        )
    return f'<div class="documents">{"".join(items)}</div>'
