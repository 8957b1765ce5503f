"""Totals a question asks of things it names together, summed from the figures the plans give
each ("正高级和副高级卫生人才加起来一共增加了多少人" -> 合计：37人+164人=201人)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from qa.analysis import QuestionAnalysis
from qa.comparison import Conclusion
from qa.compose import CitationList
from qa.evidence import Evidence, stated_text
from qa.figures import Figure, figure_lead, parse_figures
from qa.terms import cut

# Asks the total of things named together ("正高级和副高级加起来一共增加了多少人").
_ASKS_TOTAL = re.compile(r"(?:加起来|加在一起|一共|总共|合计|共计|总计)[^，,。？?]{0,8}?(?:多少|几)")
_AND = frozenset({"和", "与", "及", "、", "跟", "同", "以及"})
_PARTICLES = frozenset("的了是在有要各也都还又")


_QUOTE_MARKS = frozenset("“”‘’\"'《》「」")


def _coordinated(question: str) -> list[str]:
    """The words a question joins with 和/与/、 ("居家和集中" -> 居家, 集中; “英才”和“优青”
    -> 英才, 优青), in order."""
    words = [w for w in cut(question) if w.strip() and w not in _QUOTE_MARKS]
    found: list[str] = []
    for i, w in enumerate(words[1:-1], start=1):
        if w in _AND:
            for side in (words[i - 1], words[i + 1]):
                # a one-character thing counts too ("中心、分中心、站"): left out, the sum
                # would miss it
                if re.fullmatch(r"[\u4e00-\u9fff]+", side) and side not in _PARTICLES and side not in found:
                    found.append(side)
    return found


def total_clause(analysis: QuestionAnalysis, chosen: Sequence[Evidence], whole: str = "") -> Conclusion | None:
    """The sum of the figures a sentence gives for the things the question names together,
    when it asks their total ("居家和集中的加起来一共多少万": 3.3万人+9.54万人=12.84万人): each
    figure's own words (back to the last mark, or just after it) name one of them, all in one
    unit; ranges sum to a range. Chinese questions only; None when fewer than two are found."""
    if analysis.lang != "zh" or not _ASKS_TOTAL.search(analysis.question):
        return None
    # a part asking the total of what an earlier part named ("…各培养几个？两项加起来多少人"):
    # the things named are the whole question's
    items = _coordinated(analysis.question)
    if len(items) < 2 and whole:
        items = _coordinated(whole)
    if len(items) < 2:
        return None
    for e in chosen:
        text = stated_text(e.unit)
        named: list[tuple[Figure, str]] = []
        for f in parse_figures(text):
            # what a figure counts is named before it ("正高级卫生人才增加37人") or right
            # after its measure word ("启动25-30名“优青”培养计划")
            near = figure_lead(text, f) + " " + re.split(r"[，,；;。、：:]", text[f.end : f.end + 6])[0]
            word = next((w for w in items if w in near and all(w != u for _, u in named)), None)
            if word and f.bound == "=":
                named.append((f, word))
        if len(named) == len(items) and len({f.unit for f, _ in named}) == 1:
            figures = [f for f, _ in named]
            total = _sum(figures)

            def conclude(cites: CitationList, e: Evidence = e, figures: list[Figure] = figures, total: Figure = total) -> str:
                return f"合计：{'+'.join(f.text() for f in figures)}={total.text()}[{cites.number(e.unit, e.district)}]。"

            return conclude
    return None


def _sum(figures: Sequence[Figure]) -> Figure:
    """The total of figures of one unit; ranges sum to a range (11名+25-30名=36-41名)."""
    ranged = any(f.high is not None for f in figures)
    return replace(
        figures[0],
        value=sum(f.value for f in figures),
        high=sum(f.value if f.high is None else f.high for f in figures) if ranged else None,
    )


_ASKS_TOTAL_EN = re.compile(r"\b(?:in total|altogether|combined|put together|added together|add up|all told|between them)\b", re.I)


def pair_total_clause(analysis: QuestionAnalysis, pair: Sequence[tuple[str, Evidence, Figure]]) -> Conclusion | None:
    """The sum of two districts' figures of one unit, when the question asks it ("闵行要新建
    几个急救分站？松江新增了几个？两区加起来一共多少？": 5个+5个=10个)."""
    asks = _ASKS_TOTAL.search(analysis.question) if analysis.lang == "zh" else _ASKS_TOTAL_EN.search(analysis.question)
    figures = [f for _, _, f in pair]
    if not asks or len(figures) != 2 or len({f.unit for f in figures}) != 1 or any(f.bound != "=" for f in figures):
        return None
    total = _sum(figures)
    lang = "en" if analysis.lang == "en" else "zh"

    def conclude(cites: CitationList) -> str:
        marks = "".join(f"[{cites.number(e.unit, e.district)}]" for _, e, _ in pair)
        sum_text = "+".join(f.text(lang) for f in figures) + f"={total.text(lang)}"
        return f"合计：{sum_text}{marks}。" if lang == "zh" else f" Together: {sum_text}{marks}."

    return conclude
