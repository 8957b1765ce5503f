"""Gather candidate evidence (sentences and table rows) and score how well each answers.

Retrieval finds passages; the answer cites sentences. Candidates come from two places:
sentences and table rows retrieved directly, and the sentences inside the best chunks.
Each candidate is scored by coverage of the question's key terms (the main signal),
dense similarity to the question, its retrieval rank, and matching years and figures.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ingest.tables import INDEX_LABELS
from kernel.types import Document, ScoredChunk, Unit
from qa.analysis import QuestionAnalysis
from qa.figures import parse_figures, states_unit
from qa.periods import PERIODS, periods_agree, periods_asked, section_period, title_for, years_present
from qa.terms import Term, coverage

_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_AFTER_CELL = re.compile(r"[ \t]*\|\s*")


def stated_text(unit: Unit) -> str:
    """What a unit states: a table row without its 序号 cell ("15 |" numbers the row; it is
    no figure, and must not match the 15 of "15分钟" in a question)."""
    index = next((c for c in unit.cells if c.label in INDEX_LABELS and c.start == unit.start), None)
    if index is None:
        return unit.text
    rest = index.end - unit.start
    return unit.text[_AFTER_CELL.match(unit.text, rest).end() :]


@dataclass(frozen=True)
class Evidence:
    unit: Unit
    district: str | None
    coverage: float  # weighted share of key terms in the unit (with its headings)
    dense: float  # cosine similarity to the question
    retrieval: float  # best fused retrieval score that brought it in, normalised to [0, 1]
    years_ok: bool  # every year the question names appears with the unit
    has_number: bool  # states a figure, and the question asks for one
    score: float
    title: str = ""  # the document's title: its years count for the evidence (宝山2025年…计划)


class SentenceLookup:
    """Sentences and table rows of each document, by position, to open up a chunk."""

    def __init__(self, documents: Mapping[str, Document]) -> None:
        self._units: dict[str, list[Unit]] = {}
        self._starts: dict[str, list[int]] = {}
        for doc_id, doc in documents.items():
            units = sorted((*doc.sentences, *doc.table_rows), key=lambda u: (u.start, u.end))
            self._units[doc_id] = units
            self._starts[doc_id] = [u.start for u in units]

    def containing(self, phrase: str) -> list[Unit]:
        """Every sentence and row that contains ``phrase`` as written: a term the asker quotes
        is looked for exactly, wherever retrieval ranked its sentences."""
        return [u for units in self._units.values() for u in units if phrase in u.text]

    def inside(self, chunk: Unit) -> list[Unit]:
        """Sentences and rows that lie within ``chunk`` (or overlap it, for rows)."""
        units = self._units.get(chunk.doc_id, [])
        starts = self._starts.get(chunk.doc_id, [])
        i = max(bisect.bisect_right(starts, chunk.start) - 1, 0)
        found = []
        while i < len(units) and units[i].start < chunk.end:
            if units[i].end > chunk.start:
                found.append(units[i])
            i += 1
        return found


def unit_context(unit: Unit) -> str:
    """Text that stands with a unit when judging it: its headings (or column labels)."""
    heading = " ".join(unit.section)
    return f"{unit.context} {heading}" if unit.context else heading


# A figure may be written in Chinese numerals ("每年至少专题研究一次", "十家社区卫生服务中心").
_CN_NUMERAL = re.compile(r"[一二两三四五六七八九十百千万]")


@lru_cache(maxsize=65536)
def states_figure(text: str) -> bool:
    """Whether ``text`` states a figure. Candidates are the plans' own sentences and rows,
    met again by question after question: parsing each once per process, not once per
    question, took evidence scoring from 19 to 11 ms a question (100 questions, load 4-5)."""
    return bool(_NUMBER.search(text) or _CN_NUMERAL.search(text)) and bool(parse_figures(text))


@lru_cache(maxsize=65536)
def states_figure_in(text: str, unit: str, row: bool) -> bool:
    """Whether ``text`` states a figure that can be in ``unit`` (``qa.figures.states_unit``);
    a figure with no unit of its own only in a table row, whose label declares it."""
    figures = [f for f in parse_figures(text) if row or f.unit] if states_figure(text) else []
    return bool(figures) and states_unit(figures, unit)


def collect_candidates(hits: Iterable[ScoredChunk], lookup: SentenceLookup) -> dict[Unit, float]:
    """Every sentence/row a hit brings in, with the best retrieval score that brought it."""
    found: dict[Unit, float] = {}
    for hit in hits:
        units = [hit.unit] if hit.unit.kind in ("sentence", "table_row") else lookup.inside(hit.unit)
        for unit in units:
            if len(unit.text) < 4:
                continue
            found[unit] = max(found.get(unit, 0.0), hit.score)
    return found


def score_candidates(
    candidates: Mapping[Unit, float],
    analysis: QuestionAnalysis,
    terms: Sequence[Term],
    weights: Mapping[str, float],
    query_vector: np.ndarray,
    unit_vectors: np.ndarray,
    documents: Mapping[str, Document],
) -> list[Evidence]:
    """Score every candidate; best first."""
    units = list(candidates)
    if not units:
        return []
    top = max(candidates.values()) or 1.0
    dense = unit_vectors @ query_vector if len(unit_vectors) else np.zeros(len(units))
    asks_figure = analysis.asks_quantity or analysis.asks_table or analysis.is_comparison
    asks_period = bool(periods_asked(analysis.question))
    # A sentence that many regions' plans repeat word for word (a template's) is read once.
    covered: dict[str, float] = {}

    def cover(text: str) -> float:
        if text not in covered:
            covered[text] = coverage(terms, weights, text)
        return covered[text]

    scored = []
    for unit, retrieval, sim in zip(units, candidates.values(), dense, strict=True):
        doc = documents[unit.doc_id]
        stated = stated_text(unit)
        with_context = f"{stated} {unit_context(unit)} {title_for(stated, doc.title)}"
        cov = max(cover(stated), 0.85 * cover(with_context))
        # a sentence naming no period is about the one its section opens with (发展基础: “十三五”期间…);
        # looked up only when the question asks a period, as periods_agree needs it then only
        dated = stated
        if asks_period and not any(p in stated for p in PERIODS):
            dated = f"{stated} {section_period(doc.text, unit.section, unit.start)}"
        years_ok = years_present(analysis.years, with_context) and periods_agree(analysis.question, dated)
        # A figure the question asks for (years and ordinals are not figures).
        has_number = asks_figure and (
            states_figure_in(stated, analysis.asked_unit, unit.kind == "table_row") if analysis.asked_unit else states_figure(stated)
        )
        score = 0.55 * cov + 0.35 * float(sim) + 0.10 * (retrieval / top)
        if has_number:
            score += 0.05
        if not years_ok:
            score -= 0.15
        for number in analysis.numbers:
            if number in stated:
                score += 0.05
        if analysis.asks_entity and any(m.group(0) not in analysis.question for m in _ORG.finditer(unit.text)):
            score += 0.05
        scored.append(
            Evidence(unit, doc.district, cov, float(sim), retrieval / top, years_ok, has_number, score, doc.title)
        )
    scored.sort(key=lambda e: -e.score)
    return scored


_ORG = re.compile(r"[\u4e00-\u9fff]{2,14}?(?:医院|卫生服务中心|医学中心|中心|学院|大学)")
_ORG_END = re.compile(r"医院|卫生服务中心|医学中心|中心(?!医院)|学院(?!附属)|大学(?!附属)")


# Words that end a name when reading back from its suffix: prepositions, conjunctions,
# adverbs, particles, pronouns ("强化|以|天山中医医院", "由|程家桥社区卫生服务中心").
_NAME_STOP = re.compile(r"^(?:p|c|d|u\w*|r\w*|m|q|x|w)$")


def _names_before(text: str, end: int, attested: Callable[[str], bool] | None) -> list[str]:
    """The organisation name ending at ``end``: whole words read back from the suffix while
    they can belong to a name (a verb only inside a name the plans use more than once:
    中西医|结合|医院); then, when that is not a name the plans use more than once, its
    longest ending that is ("指导区中西医结合医院" → 区中西医结合医院: jieba tags 指导 a noun
    here). Both are returned, the longer first: a name used once (程家桥社区卫生服务中心)
    is still the name."""
    import jieba.posseg  # only multi-part questions need tags: not imported on every ask (0.3 s)

    head = text[max(0, end - 16) : end]
    head = head[max((m.end() for m in _NOT_CJK.finditer(head)), default=0) :]
    tagged = [(p.word, p.flag) for p in jieba.posseg.cut(head)]
    name = ""
    for i in range(len(tagged) - 1, -1, -1):
        word, tag = tagged[i]
        longer = word + name
        if _NAME_STOP.match(tag) and name:
            break
        if tag.startswith("v") and tag != "vn" and name:
            before = tagged[i - 1] if i > 0 else None
            if not (before and before[1][0] in "nj" and attested is not None and attested(before[0] + longer)):
                break
        name = longer
    names = [name]
    if attested is not None and not attested(name):
        starts = [sum(len(w) for w, _ in tagged[:k]) for k in range(len(tagged))]
        offset = len(head) - len(name)
        shorter = next((name[s - offset :] for s in starts if s > offset and attested(name[s - offset :])), None)
        if shorter:
            names.append(shorter)
    return names


_NOT_CJK = re.compile(r"[^\u4e00-\u9fff]+")


def bridge_entities(
    chosen: Sequence[Evidence], question: str, attested: Callable[[str], bool] | None = None, limit: int = 4
) -> list[str]:
    """Organisations the evidence names: what "这家医院" or "它" refers to when a question asks
    a second thing about it ("…强化以天山中医医院为中心…" -> "天山中医医院"). Names the
    question does not mention come first: those are what the first part asked for; of
    those, first the ones of the kind it asked for ("哪家社区中心" -> …社区卫生服务中心)."""
    new: list[str] = []
    known: list[str] = []
    for e in chosen:
        text = e.unit.text
        for m in _ORG_END.finditer(text):
            for name in _names_before(text, m.end(), attested):
                if len(name) <= len(m.group()):
                    continue
                bucket = known if name in question else new
                if name not in bucket:
                    bucket.append(name)
    asked = _asked_kind(question)
    new.sort(key=lambda name: -sum(ch in name for ch in asked))
    return [*new, *known][:limit]


# Bodies a plan assigns work to besides institutions: a group, a committee, an alliance.
_BODY_END = re.compile(rf"{_ORG_END.pattern}|小组|委员会|联合体|医联体|集团|联盟|工作室|实验室")


def organisations_named(text: str, attested: Callable[[str], bool] | None = None, bodies: bool = False) -> list[str]:
    """The organisations a text names by their own name (中西医结合医院, 同仁医院), not by
    their kind alone (医院); with ``bodies``, also groups and alliances (医改领导小组)."""
    names: list[str] = []
    for m in (_BODY_END if bodies else _ORG_END).finditer(text):
        for name in _names_before(text, m.end(), attested):
            if len(name) > len(m.group()) and name not in names:
                names.append(name)
    return names


_KIND_WORDS = re.compile(r"(?:社区卫生服务中心|卫生服务中心|社区|中医医院|医院|医学中心|中心|学院|大学)$")


def bridge_key(name: str) -> str:
    """The part of an organisation's name that tells it apart, for finding it named another
    way ("程家桥社区卫生服务中心" is also "程家桥市级高质量社区卫生服务中心"): the name
    without the words saying what kind of organisation it is; the whole name when that
    leaves fewer than two characters."""
    key = name
    while (m := _KIND_WORDS.search(key)) and m.start() > 0:
        key = key[: m.start()]
    return key if len(key) >= 2 else name


_WHICH = re.compile(r"(?:哪家|哪个|哪所|哪一家|哪些)([\u4e00-\u9fff]{1,8}?)(?:[为是在来做负牵，,？?]|$)")


def _asked_kind(question: str) -> str:
    """The kind of organisation a question asks for ("牵头的是哪家社区中心" -> 社区中心)."""
    m = _WHICH.search(question)
    return m.group(1) if m else ""
