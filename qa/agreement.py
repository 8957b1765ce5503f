"""Whether a plan's statements of one figure agree, when the question asks: one target set for
two years (120元/人年 by 2025 in the main text, by 2026 in annex 4), or one rate on two
population bases (4.5 per 10,000 = 0.45 per 1,000)."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from qa.analysis import QuestionAnalysis
from qa.comparison import Conclusion, indicator_name
from qa.compose import CitationList, indicator_cell
from qa.evidence import Evidence, stated_text
from qa.figures import Figure, figure_lead, number_text, parse_figures

# Asks whether two statements agree ("主文件和附件4的说法一致吗", "do the two match").
_ASKS_CONSISTENT = re.compile(
    r"一致|一样|相同|矛盾|统一|出入|对得上|吻合|也是[^？?，,。]{0,8}吗"
    r"|\b(?:consistent|inconsistent|the same|match(?:es)?|agree\w*|differ\w*|contradict\w*|lines? up|tall(?:y|ies)|correspond\w*)\b",
    re.I,
)
_YEAR_IN = re.compile(r"(?<!\d)((?:19|20)\d{2})(?=年)")


def consistency_clause(
    analysis: QuestionAnalysis, chosen: Sequence[Evidence], pool: Sequence[Evidence] = ()
) -> Conclusion | None:
    """Where the statements of one plan disagree, when the question asks whether they agree:
    one figure set for two different years ("到2025年…达到120元/人年" / "到2026年…达到
    120元/人年"). The other statements come from the rest of the evidence (``pool``) too: a
    plan restates a target in its annexes. Agreement is never claimed (a place not found
    may say otherwise); None then."""
    if analysis.districts and len(analysis.districts) > 1 or not _ASKS_CONSISTENT.search(analysis.question):
        return None
    lang = "en" if analysis.lang == "en" else "zh"
    others = [e for e in pool[:25] if all(e.unit != c.unit for c in chosen)]
    for a in chosen:
        years_a = _YEAR_IN.findall(stated_text(a.unit))
        if len(years_a) != 1:
            continue
        same: dict[str, Evidence] = {years_a[0]: a}
        figure = None
        figures_a = parse_figures(stated_text(a.unit))
        for b in [*chosen, *others]:
            if b.unit == a.unit or b.district != a.district:
                continue
            shared = _shared_figure(figures_a, stated_text(b.unit))
            years_b = _YEAR_IN.findall(stated_text(b.unit))
            if shared is not None and len(years_b) == 1:
                figure = figure or shared
                same.setdefault(years_b[0], b)
        if figure is not None and len(same) > 1:
            return _consistency_text(list(same.items()), figure, lang)
    return None  # (agreement is not claimed: another place may say otherwise)


# The population a per-capita figure counts per, in its unit ("名/万人口") or its indicator's
# name ("千人口全科医生数"), and how a reader says it.
_PER_POPULATION = (("十万人口", 100_000), ("10万人口", 100_000), ("万人口", 10_000), ("千人口", 1_000))
_PER_EN = {100_000: "per 100,000", 10_000: "per 10,000", 1_000: "per 1,000"}


def _per_population(figure: Figure, e: Evidence) -> int | None:
    if "/" in figure.unit:
        where = figure.unit.partition("/")[2]
    elif e.unit.kind == "table_row":
        where = indicator_cell(e.unit) or ""
    else:
        return None
    return next((n for name, n in _PER_POPULATION if name in where), None)


def rate_consistency_clause(analysis: QuestionAnalysis, chosen: Sequence[Evidence]) -> Conclusion | None:
    """Whether two per-capita statements of one plan agree once put on one base, when the
    question asks (社区全科医生4.5名每万常住人口 / 千人口全科医生数≥0.45: 换算后一致). The
    first two figures of different bases in the chosen evidence, from two places of one
    district's plans; None when there are none."""
    if not _ASKS_CONSISTENT.search(analysis.question):
        return None
    lang = "en" if analysis.lang == "en" else "zh"
    rates = [(e, f, base) for e in chosen for f in parse_figures(stated_text(e.unit)) if (base := _per_population(f, e))]
    pair = next(
        ((a, b) for i, a in enumerate(rates) for b in rates[i + 1 :]
         if a[2] != b[2] and a[0].unit != b[0].unit and a[0].district == b[0].district and a[1].high is None
         and b[1].high is None and _same_indicator(a[:2], b[:2])),
        None,
    )
    if pair is None:
        return None
    (ea, fa, base_a), (eb, fb, base_b) = pair
    same = math.isclose(fa.value / base_a, fb.value / base_b, rel_tol=1e-9)
    converted = number_text(fa.value * base_b / base_a)

    def conclude(cites: CitationList) -> str:
        na, nb = cites.number(ea.unit, ea.district), cites.number(eb.unit, eb.district)
        if lang == "zh":
            a_text = f"每{_base_zh(base_a)}{number_text(fa.value)}"
            verdict = "换算后一致" if same else "换算后不一致"
            return f"{verdict}：{a_text}即每{_base_zh(base_b)}{converted}，另一处为每{_base_zh(base_b)}{number_text(fb.value)}[{na}][{nb}]。"
        verdict = "Converted to one base they agree" if same else "Converted to one base they differ"
        return (
            f"{verdict}: {number_text(fa.value)} {_PER_EN[base_a]} is {converted} {_PER_EN[base_b]}, "
            f"and the other statement gives {number_text(fb.value)} {_PER_EN[base_b]} [{na}][{nb}]."
        )

    return conclude


_PER_PREFIX = re.compile(r"^(?:每)?(?:十万|10万|万|千)人口")


def _same_indicator(a: tuple[Evidence, Figure], b: tuple[Evidence, Figure]) -> bool:
    """Whether two per-capita figures count the same thing: a table row's indicator, without
    its per-population prefix and unit (千人口全科医生数 -> 全科医生数), is named in the
    clause stating the other figure ("社区全科医生数达到4.5名每万常住人口"; not "每万人口疾病预防
    控制人员数达1.75名" for 千人口公共卫生人员数)."""
    for (row, _), (other, figure) in ((a, b), (b, a)):
        if row.unit.kind != "table_row":
            continue
        core = _PER_PREFIX.sub("", indicator_name(row))
        where = indicator_name(other) if other.unit.kind == "table_row" else figure_lead(stated_text(other.unit), figure)
        if len(core) >= 2 and core in where:
            return True
    return False


def _base_zh(base: int) -> str:
    return {100_000: "十万人口", 10_000: "万人口", 1_000: "千人口"}[base]


def _shared_figure(figures: Sequence[Figure], y: str) -> Figure | None:
    """One of ``figures`` that text ``y`` states too, the same value in the same unit (years
    are no figures)."""
    ys = parse_figures(y)
    return next((f for f in figures if any(f.unit == g.unit and f.value == g.value and f.high == g.high for g in ys)), None)


def _consistency_text(stated: list[tuple[str, Evidence]], figure: Figure, lang: str) -> Conclusion:
    """The verdict on statements of one figure, by the year each sets: [(year, evidence)]."""

    def conclude(cites: CitationList) -> str:
        value = figure.text(lang)  # type: ignore[arg-type]
        refs = [(year, cites.number(e.unit, e.district)) for year, e in stated]
        if lang == "zh":
            return "两处表述不一致：同为" + value + "，" + "，".join(f"一处为{y}年[{n}]" for y, n in refs) + "。"
        places = ", ".join(f"by {y} in {'one' if i == 0 else 'another'} [{n}]" for i, (y, n) in enumerate(refs))
        return f"The statements differ: {value} {places}."

    return conclude


