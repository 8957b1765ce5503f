"""Choose the smallest set of evidence that answers best. Selection only selects: whether
that evidence states what was asked is decided by ``qa.judge``."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

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
        gains = [(coverage(terms, weights, evidence_text([*chosen, e])) - covered, e) for e in options]
        gain, pick = max(gains, key=lambda g: (g[0], g[1].score))
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


def _masked(text: str) -> str:
    return re.sub(r"\d+(?:\.\d+)?", "#", text)


def disagreeing(chosen: Sequence[Evidence], pool: Sequence[Evidence], min_overlap: float = 0.8) -> list[Evidence]:
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
            a, b = _masked(e.unit.text), _masked(other.unit.text)
            shorter = min(len(a), len(b)) or 1
            matched = sum(block.size for block in SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks())
            if matched / shorter >= min_overlap:
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
