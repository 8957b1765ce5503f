"""Write the short answer from chosen evidence: clauses that each end in their [n].

The answer text is extractive: every clause is a verbatim span of the sentence it cites
(or, for a table row, its cells with their column labels), so it is grounded by
construction, and the verifier checks it again before the answer leaves.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from kernel.types import Citation, Document, Unit
from qa.analysis import district_english
from qa.figures import declared_unit
from qa.figures_en import english_figures
from qa.terms import Term, term_match

_TRIM_OVER = 120  # sentences longer than this are cut down to the clauses that matter


@dataclass(frozen=True)
class Claim:
    """One piece of evidence to state, under the district (or fact) it belongs to."""

    unit: Unit
    district: str | None


class CitationList:
    """Citations numbered in order of first use; the same unit is cited once."""

    def __init__(self, documents: Mapping[str, Document]) -> None:
        self._documents = documents
        self.citations: list[Citation] = []
        self._numbers: dict[tuple[str, int, int], int] = {}

    def number(self, unit: Unit, district: str | None) -> int:
        key = (unit.doc_id, unit.start, unit.end)
        within = next((n for (d, s, e), n in self._numbers.items() if d == unit.doc_id and s <= unit.start and unit.end <= e), None)
        if key not in self._numbers and within is not None:
            return within  # a sentence inside a passage already cited (merged neighbours) cites it
        if key not in self._numbers:
            text = self._documents[unit.doc_id].text
            self.citations.append(
                Citation(unit.doc_id, unit.start, unit.end, text[unit.start : unit.end], district, unit.section)
            )
            self._numbers[key] = len(self.citations)
        return self._numbers[key]


_OPEN = "（(【[《“‘"
_CLOSE = "）)】]》”’"
_SENTENCE_END = "。！？；!?;"


def _pieces(text: str, breaks: str) -> list[tuple[int, int]]:
    """Spans of ``text`` cut after each break character that is not inside brackets/quotes."""
    spans, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(depth - 1, 0)
        elif ch in breaks and depth == 0:
            spans.append((start, i + 1))
            start = i + 1
    if start < len(text):
        spans.append((start, len(text)))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def _relevance(piece: str, terms: Sequence[Term], numbers: Sequence[str], want_number: bool) -> float:
    score = sum(term_match(t, piece) * (0.3 if t.soft else 1.0) for t in terms)
    score += sum(1.0 for n in numbers if n in piece)
    if want_number and re.search(r"\d", piece):
        score += 0.5
    return score


# A clause spelling out what the one before it names ("…工程，即建设…、孵化…").
_NAMELY = re.compile(r"即(?![使便])|也就是|包括|包含|分别(?:是|为)|具体(?:是|为|包括)")


def focus_text(unit_text: str, terms: Sequence[Term], numbers: Sequence[str], want_number: bool) -> str:
    """The part of a sentence that answers: its best sentence piece, cut down to the run of
    clauses holding the key terms. Always a verbatim substring of ``unit_text`` and never
    containing a sentence end, so each answer clause carries exactly its own [n]."""
    text = unit_text.strip()
    sentences = _pieces(text, _SENTENCE_END)
    if len(sentences) > 1:
        best = max(sentences, key=lambda se: _relevance(text[se[0] : se[1]], terms, numbers, want_number))
        text = text[best[0] : best[1]].strip()
    text = text.rstrip(_SENTENCE_END + " ")
    if len(text) <= _TRIM_OVER:
        return text
    clauses = _pieces(text, "，,：:")
    hits = [i for i, (s, e) in enumerate(clauses) if _relevance(text[s:e], terms, numbers, want_number) >= 0.5]
    if not hits:
        return text
    start, end = clauses[hits[0]][0], clauses[hits[-1]][1]
    after = clauses[hits[-1] + 1] if hits[-1] + 1 < len(clauses) else None
    if after is not None and _NAMELY.match(text[after[0] : after[1]].lstrip()):
        # "推进“六个一”工程，即建设一幢…、孵化一批…": what the term is, spelled out, is said with it
        return text[start : after[1]].strip().rstrip("，,：:")
    piece = text[start:end].strip().rstrip("，,：:")
    if len(piece) > _TRIM_OVER and "、" in piece:
        # a long list of targets: keep the items that hold the key terms
        return focus_list(piece, terms, numbers, want_number)
    return piece if len(piece) >= 6 else text


def focus_list(text: str, terms: Sequence[Term], numbers: Sequence[str], want_number: bool) -> str:
    items = _pieces(text, "、")
    hits = [i for i, (s, e) in enumerate(items) if _relevance(text[s:e], terms, numbers, False) >= 0.5]
    if not hits:
        return text
    piece = text[items[hits[0]][0] : items[hits[-1]][1]].strip().rstrip("、")
    return piece if len(piece) >= 6 else text


def unit_focus(unit: Unit, terms: Sequence[Term], numbers: Sequence[str], want_number: bool) -> str:
    """What an answer says for a unit: a focused sentence, or a table row with its labels."""
    if unit.kind == "table_row":
        return render_row(unit, terms, numbers, want_number)
    return focus_text(unit.text, terms, numbers, want_number)


def indicator_cell(unit: Unit) -> str | None:
    """The cell of a table row that names what the row measures (its 主要指标 / 工作内容)."""
    cells = (c.text.strip().rstrip(" |").strip() for c in unit.cells if "指标" in c.label or "工作内容" in c.label)
    return next((v for v in cells if v), None)


def render_row(unit: Unit, terms: Sequence[Term] = (), numbers: Sequence[str] = (), want_number: bool = True) -> str:
    """A table row as "indicator：label value，label value" from its labelled cells."""
    cells = [(c.label, c.text.strip().rstrip(" |").strip()) for c in unit.cells]
    cells = [(label, value) for label, value in cells if value and value != "/"]
    if not cells:
        return focus_text(unit.text.replace(" |", ""), terms, numbers, want_number)
    indicator = indicator_cell(unit)
    rest = [
        f"{label} {focus_text(value, terms, numbers, want_number)}"
        for label, value in cells
        if value != indicator and label not in ("序号", "领域", "分类")
    ]
    head = focus_text(indicator or cells[0][1], terms, numbers, want_number)
    if indicator is not None:
        rest = [with_declared_unit(value, indicator) for value in rest]
    return f"{head}：{'，'.join(rest)}" if rest else head


_BARE_FIGURE = re.compile(r"(?<=\s)[≥≤<>＞＜]?[0-9]+(?:\.[0-9]+)?(?:[-~][0-9]+(?:\.[0-9]+)?)?$")


def with_declared_unit(cell: str, indicator: str) -> str:
    """A bare figure in a labelled cell ("2025年目标值 5") with the unit its indicator
    declares ("综合医院设置中医床位占总床位比例(%)"): "5%" is what the row says, "5" is not."""
    unit = declared_unit(indicator)
    return cell + unit if unit and _BARE_FIGURE.search(cell) else cell


Groups = Sequence[tuple[str | None, Sequence[Claim]]]


def merge_adjacent(
    groups: Groups, texts: Mapping[Unit, str], documents: Mapping[str, Document]
) -> tuple[list[tuple[str | None, list[Claim]]], dict[Unit, str]]:
    """Claims whose sentences follow each other in a document become one claim citing the
    whole passage: one [n] for one continuous source, as a reader would quote it."""
    merged_groups: list[tuple[str | None, list[Claim]]] = []
    merged_texts = dict(texts)
    for district, claims in groups:
        out: list[Claim] = []
        for claim in sorted(claims, key=lambda c: (c.unit.doc_id, c.unit.start)):
            prev = out[-1] if out else None
            doc = documents[claim.unit.doc_id]
            if (
                prev is not None
                and prev.unit.doc_id == claim.unit.doc_id
                and prev.unit.kind == claim.unit.kind == "sentence"
                and prev.unit.end <= claim.unit.start
                and not doc.text[prev.unit.end : claim.unit.start].strip()
            ):
                unit = Unit(
                    doc.doc_id, "sentence", prev.unit.index, prev.unit.start, claim.unit.end,
                    doc.text[prev.unit.start : claim.unit.end], prev.unit.section,
                )
                merged_texts[unit] = f"{merged_texts[prev.unit]}，{merged_texts[claim.unit]}"
                out[-1] = Claim(unit, prev.district)
            else:
                out.append(claim)
        merged_groups.append((district, out))
    return merged_groups, merged_texts


# "[99]" inside a document's sentence would read as a citation marker in the answer.
_MARKER_LIKE = re.compile(r"\[(\d+)\]")


def _cited(  # type: ignore[no-untyped-def]
    groups: Groups, texts: Mapping[Unit, str], cites: CitationList, pattern: str, sep: str, gloss: bool = False
):
    """(district, its claims written with ``pattern`` and joined by ``sep``) per group; a
    bracketed number the sentence itself holds is written in full-width brackets (［99］),
    so that only the answer's own markers read as markers. ``gloss``: each sentence's
    figures in English after its marker (a table row's cells carry their units in the row's
    labels: its figures are not glossed)."""
    for district, claims in groups:
        yield district, sep.join(
            pattern.format(text=_MARKER_LIKE.sub(r"［\1］", texts[c.unit]), n=cites.number(c.unit, c.district))
            + (_gloss(texts[c.unit]) if gloss and c.unit.kind != "table_row" else "")
            for c in claims
        )


def _gloss(text: str) -> str:
    """The quoted clause's figures in English, in brackets after its marker ("" if none)."""
    figures = english_figures(text)
    return f" ({'; '.join(figures)})" if figures else ""


def compose_zh(groups: Groups, texts: Mapping[Unit, str], cites: CitationList, lead: str = "", tail: str = "") -> str:
    """Chinese: ``lead`` then one part per district, clauses each ending in [n]."""
    parts = [
        f"{district}：{clauses}" if district else clauses
        for district, clauses in _cited(groups, texts, cites, "{text}[{n}]", "；")
    ]
    return f"{lead}{'；'.join(parts)}。{tail}".strip()


def compose_en(groups: Groups, texts: Mapping[Unit, str], cites: CitationList, lead: str = "", tail: str = "") -> str:
    """English: one English lead per district or fact, with the Chinese source phrase and [n]."""
    parts = [
        f"{district_english(district)} ({district}) — the plan states: {phrases}."
        if district
        else f"The plan states: {phrases}."
        for district, phrases in _cited(groups, texts, cites, "“{text}” [{n}]", "; ", gloss=True)
    ]
    return " ".join(p for p in (lead, " ".join(parts), tail) if p).strip()
