"""One way to write an answer and its citations as text, for every surface that shows text:
the command line, OpenAI chat replies and MCP tool results. (The UI renders the same parts as
HTML in ``surfaces.ui.render``.)"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from kernel.types import Answer

RELATED_SHOWN = 3
SNIPPET_CHARS = 120


def place(item: Mapping[str, Any]) -> list[str]:
    """Where a citation or passage is: district, doc_id, section path (the parts it has)."""
    parts = [item.get("district") or "", item.get("doc_id", ""), " › ".join(item.get("section") or [])]
    return [p for p in parts if p]


def source_line(n: int, item: Mapping[str, Any], *, offsets: bool = False) -> str:
    """``[n] 长宁区 · doc_id · 三、… › (二)…: “quote”`` (with ``[start:end]`` after the doc_id)."""
    parts = place(item)
    if offsets and item.get("doc_id") in parts:
        i = parts.index(item["doc_id"])
        parts[i] = f"{item['doc_id']} [{item['start']}:{item['end']}]"
    quote = item.get("quote", item.get("text", "")).strip()
    return f"[{n}] {' · '.join(parts)}: “{quote}”"


def answer_text(answer: Answer | Mapping[str, Any], *, offsets: bool = False) -> str:
    """The answer with its [n] markers, then one line per source; for a refusal, the related
    passages it found instead."""
    row = answer.to_dict() if isinstance(answer, Answer) else answer
    en = row.get("lang") == "en"
    lines = [row["answer"]]
    citations: Sequence[Mapping[str, Any]] = row.get("citations") or []
    if citations:
        lines += ["", "Sources:" if en else "来源："]
        lines += [source_line(n, c, offsets=offsets) for n, c in enumerate(citations, start=1)]
    elif row.get("refused") and row.get("passages"):
        lines += ["", "Related passages:" if en else "相关段落："]
        for p in list(row["passages"])[:RELATED_SHOWN]:
            snippet = p["text"].replace("\n", " ").strip()
            short = {**p, "text": snippet[:SNIPPET_CHARS] + ("…" if len(snippet) > SNIPPET_CHARS else "")}
            lines.append("- " + source_line(0, short, offsets=offsets)[len("[0] "):])
    return "\n".join(lines)
