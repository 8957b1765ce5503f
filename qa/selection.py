"""Choose the smallest set of evidence that answers best. Selection only selects: whether
that evidence states what was asked is decided by ``qa.judge``."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from ingest.sections import heading_rank
from kernel.types import Unit
from qa.evidence import Evidence, stated_text
from qa.periods import title_for
from qa.terms import Term, coverage, term_match


@dataclass(frozen=True)
class SelectionConfig:
    """How much evidence one answer (or one district of it) may cite."""

    max_claims: int = 3
    max_claims_per_district: int = 2
    follow_score_ratio: float = 0.75
    # ``completed``: once the judge says the evidence states the answer, further evidence
    # may score this much lower than the lead, and be this much less like the question (e5
    # cosine): the radius sentence after the stations, not a sentence sharing one word.
    # Chosen on the tune halves (0.6: +5 of 2,102; 0.5 and 0.4 add nothing more; without
    # the dense floor 162 answers gain a claim, many off the point; 0.015 keeps the gains
    # with 48).
    completion_score_ratio: float = 0.6
    completion_dense_drop: float = 0.015
    # a question asking for several things of one kind: evidence this complete, next to
    # the most complete, is another of them
    parallel_coverage_ratio: float = 0.9


def evidence_text(chosen: Sequence[Evidence]) -> str:
    return " ".join(
        f"{stated} {e.unit.context} {' '.join(e.unit.section)} {title_for(stated, e.title)}"
        for e in chosen
        for stated in (stated_text(e.unit),)
    )


def uncovered_terms(terms: Sequence[Term], chosen: Sequence[Evidence], enough: float = 0.8) -> list[Term]:
    """Key terms the evidence does not name, in any form the plans use."""
    text = evidence_text(chosen)
    return [t for t in terms if t.hard and term_match(t, text) < enough]


FIGURE_BONUS = 0.1


def select_claims(
    ranked: Sequence[Evidence],
    terms: Sequence[Term],
    weights: Mapping[str, float],
    max_claims: int,
    follow_ratio: float,
    min_gain: float = 0.08,
    require_years: bool = True,
    want_figure: bool = False,
    cited: frozenset[Unit] = frozenset(),
) -> list[Evidence]:
    """The smallest set of evidence that best covers the question's key terms ([] if none).

    Greedy set cover: start from the best-scored evidence, add the piece that adds most
    coverage while it adds enough. Of equally complete evidence, what another part of the
    question cites already (``cited``) comes last: that part asked something else.
    """
    pool = [e for e in ranked if e.years_ok or not require_years][:25]
    if not pool:
        return []
    # The most complete evidence leads; stating a figure the question asks for counts as much
    # as a fifth of the question's words; the score (with dense similarity) breaks ties.
    best = max(pool[:10], key=lambda e: (round(e.coverage + (FIGURE_BONUS if e.has_number else 0.0), 2), e.unit not in cited, e.score))
    chosen = [best]
    covered = coverage(terms, weights, evidence_text(chosen))
    while len(chosen) < max_claims:
        options = [e for e in pool if e not in chosen and e.score >= follow_ratio * best.score]
        if not options:
            break
        gain, pick = _best_addition(chosen, options, terms, weights, covered)
        if gain < min_gain:
            break
        chosen.append(pick)
        covered += gain
    if want_figure and not any(e.has_number for e in chosen):
        # A comparison gets the best evidence that states a figure, when the most complete
        # evidence talks about the topic without giving one: the verdict needs it.
        stating = [e for e in pool[:10] if e.has_number and e not in chosen and e.coverage >= 0.5 * best.coverage]
        if stating:
            figure = max(stating, key=lambda e: (round(e.coverage, 2), e.score))
            chosen = [figure, *chosen[: max_claims - 1]]
    chosen.extend(disagreeing(chosen, pool))
    chosen.sort(key=lambda e: (e.unit.doc_id, e.unit.start))
    return chosen


def completed(
    chosen: Sequence[Evidence],
    ranked: Sequence[Evidence],
    terms: Sequence[Term],
    weights: Mapping[str, float],
    config: SelectionConfig,
    min_gain: float = 0.08,
    several: bool = False,
) -> list[Evidence]:
    """Evidence judged to state the answer, completed: the greedy cover of ``select_claims``
    continued with a lower score floor, so a part of the question stated in a sentence that
    shares few of its words is cited too; and, for a question asking for several things
    (``several``: "两家医院分别搬到哪里"), the parallel statement as complete as the best.
    Only after the judge has spoken: more evidence must not make an unstated question look
    stated. Never a heading, nor a restatement of what is cited already."""
    if not chosen:
        return list(chosen)
    lead = max(chosen, key=lambda e: e.score)
    pool = [
        e for e in ranked[:25]
        if e.years_ok and e not in chosen
        and e.score >= config.completion_score_ratio * lead.score
        and e.dense >= lead.dense - config.completion_dense_drop
        and not _heading(e.unit)
    ]
    out = list(chosen)
    covered = coverage(terms, weights, evidence_text(out))
    top = max(e.coverage for e in out)
    while len(out) < config.max_claims and pool:
        gain, pick = _best_addition(out, pool, terms, weights, covered)
        if gain < min_gain:
            parallel = [e for e in pool if e.coverage >= config.parallel_coverage_ratio * top] if several else []
            if not parallel:
                break
            gain, pick = 0.0, max(parallel, key=lambda e: e.score)
        pool.remove(pick)
        if any(_overlap(stated_text(pick.unit), stated_text(c.unit)) >= RESTATED for c in out):
            continue  # a target restated elsewhere (an annex) adds nothing
        out.append(pick)
        covered += gain
    out.sort(key=lambda e: (e.unit.doc_id, e.unit.start))
    return out


def _heading(unit: Unit) -> bool:
    """A heading or title line read as a sentence ("18、提升紧急医学救援能力"): it names a topic
    and states nothing."""
    text = unit.text.strip()
    return unit.kind == "sentence" and (text in unit.section or heading_rank(text.rstrip("。；;")) is not None)


def _best_addition(
    chosen: Sequence[Evidence], options: Sequence[Evidence], terms: Sequence[Term], weights: Mapping[str, float], covered: float
) -> tuple[float, Evidence]:
    """Of ``options``, the one adding most coverage to ``chosen`` (then the best scored), and its gain."""
    gains = [(coverage(terms, weights, evidence_text([*chosen, e])) - covered, e) for e in options]
    return max(gains, key=lambda g: (g[0], g[1].score))


RESTATED = 0.8  # share of the shorter text two statements have in common when one restates the other


def _overlap(a: str, b: str) -> float:
    """The share of the shorter text that the longer one also has, in order."""
    shorter = min(len(a), len(b)) or 1
    return sum(block.size for block in SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks()) / shorter


def _masked(text: str) -> str:
    return re.sub(r"\d+(?:\.\d+)?", "#", text)


def disagreeing(chosen: Sequence[Evidence], pool: Sequence[Evidence], min_overlap: float = RESTATED) -> list[Evidence]:
    """Evidence that says the same thing as a chosen piece but with other figures.

    Plans restate targets in several places and sometimes disagree (到2025年… / 到2026年…
    the same 120元/人年); citing one silently would hide that, so both are cited.
    """
    extra: list[Evidence] = []
    for e in chosen:
        if not re.search(r"\d", stated_text(e.unit)):
            continue
        for other in pool[:15]:
            if other in chosen or other in extra or other.district != e.district:
                continue
            if other.coverage < e.coverage - 0.05 or not other.years_ok:
                continue
            if set(re.findall(r"\d+(?:\.\d+)?", stated_text(other.unit))) == set(re.findall(r"\d+(?:\.\d+)?", stated_text(e.unit))):
                continue
            if _overlap(_masked(e.unit.text), _masked(other.unit.text)) >= min_overlap:
                extra.append(other)
    return extra


def by_district(ranked: Sequence[Evidence], districts: Sequence[str]) -> dict[str, list[Evidence]]:
    """Ranked evidence split per district, each list still best first."""
    groups: dict[str, list[Evidence]] = {d: [] for d in districts}
    for e in ranked:
        if e.district in groups:
            groups[e.district].append(e)
    return groups


def select_per_district(
    ranked: Sequence[Evidence],
    terms: Sequence[Term],
    weights: Mapping[str, float],
    districts: Sequence[str],
    config: SelectionConfig,
    comparison: bool = False,
) -> Mapping[str, list[Evidence]]:
    """For each district, its best claims (empty when nothing of it was retrieved).

    In a ``comparison`` ("松江十三五已达到的 … 长宁2025年的目标") a year the question names may
    belong to one side only, so no district needs evidence naming it (evidence without it
    still ranks lower); and each side needs a figure to compare.
    """
    return {
        d: select_claims(
            group,
            terms,
            weights,
            config.max_claims_per_district,
            config.follow_score_ratio,
            require_years=not comparison,
            want_figure=comparison,
        )
        for d, group in by_district(ranked, districts).items()
    }
