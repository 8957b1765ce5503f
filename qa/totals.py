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


def _coordinated(question: str) -> list[str]:
    """The words a question joins with 和/与/、 ("居家和集中" -> 居家, 集中), in order."""
    words = [w for w in cut(question) if w.strip()]
    found: list[str] = []
    for i, w in enumerate(words[1:-1], start=1):
        if w in _AND:
            for side in (words[i - 1], words[i + 1]):
                if len(side) >= 2 and re.fullmatch(r"[\u4e00-\u9fff]+", side) and side not in found:
                    found.append(side)
    return found


def total_clause(analysis: QuestionAnalysis, chosen: Sequence[Evidence]) -> Conclusion | None:
    """The sum of the figures a sentence gives for the things the question names together,
    when it asks their total ("居家和集中的加起来一共多少万": 3.3万人+9.54万人=12.84万人): each
    figure's own words (back to the last mark) name one of them, all in one unit. Chinese
    questions only; None when fewer than two are found."""
    if analysis.lang != "zh" or not _ASKS_TOTAL.search(analysis.question):
        return None
    items = _coordinated(analysis.question)
    if len(items) < 2:
        return None
    for e in chosen:
        text = stated_text(e.unit)
        named: list[tuple[Figure, str]] = []
        for f in parse_figures(text):
            lead = figure_lead(text, f)
            word = next((w for w in items if w in lead and all(w != u for _, u in named)), None)
            if word and f.high is None and f.bound == "=":
                named.append((f, word))
        if len(named) == len(items) and len({f.unit for f, _ in named}) == 1:
            figures = [f for f, _ in named]
            total = replace(figures[0], value=sum(f.value for f in figures))

            def conclude(cites: CitationList, e: Evidence = e, figures: list[Figure] = figures, total: Figure = total) -> str:
                return f"合计：{'+'.join(f.text() for f in figures)}={total.text()}[{cites.number(e.unit, e.district)}]。"

            return conclude
    return None
