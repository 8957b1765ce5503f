"""China's five-year plans and the years they span, so that a question naming years
("2016-2020", "2020年") meets a plan that names the period (“十三五”期间, “十三五”末)."""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import lru_cache

# Each five-year plan by its first year.
PERIODS: dict[str, int] = {"十一五": 2006, "十二五": 2011, "十三五": 2016, "十四五": 2021, "十五五": 2026}


def spanned(years: Collection[int]) -> list[str]:
    """The periods whose first and last years are both among ``years`` ("2016-2020": 十三五)."""
    return [p for p, first in PERIODS.items() if first in years and first + 4 in years]


def years_present(years: Collection[int], text: str) -> bool:
    """Whether the text speaks of every year asked about: written as a number, as the
    period whose span the question names, or, for a period's last year, its end (“十三五”末)."""
    periods = [(PERIODS[p], PERIODS[p] + 4) for p in spanned(years) if p in text]
    ends = {first + 4 for p, first in PERIODS.items() if re.search(f"{p}[”\"']?末", text)}
    return all(str(y) in text or y in ends or any(a <= y <= b for a, b in periods) for y in years)


def title_for(stated: str, title: str) -> str:
    """A document's title as context for one of its sentences: a sentence naming a plan
    period itself (“十三五”期间，共引进…) is about that period, not the one in the title
    (…“十四五”规划), so the title's periods do not count for it."""
    if not any(p in stated for p in PERIODS):
        return title
    for period in PERIODS:
        title = title.replace(period, " ")
    return title


# A period named as the plan's name ("松江十四五规划里…"), not as the time asked about.
_AS_PLAN_NAME = "[”\"'」]?(?:卫生健康|卫生|健康|发展)?(?:事业)?(?:发展)?规划"


@lru_cache(maxsize=1024)
def periods_asked(question: str) -> frozenset[str]:
    """The plan periods a question asks about as a time (“十四五”期间), not as a plan's name."""
    return frozenset(p for p in PERIODS if re.search(f"{p}(?!{_AS_PLAN_NAME})", question))


def periods_agree(question: str, stated: str) -> bool:
    """False when the sentence is about another period than the one asked about: "“十四五”
    期间计划再引进多少" is not answered by "“十三五”期间，共引进…41人"."""
    asked = periods_asked(question)
    named = {p for p in PERIODS if p in stated}
    return not (asked and named and not asked & named)


SECTION_OPENING = 150  # characters after a top-level heading that say what period the section reviews
_NUMBERED = re.compile(r"^[一二三四五六七八九十]+、")


def section_period(text: str, section: tuple[str, ...], start: int) -> str:
    """The plan period the numbered section holding a sentence (at ``start``) opens with
    ("一、发展基础" then "“十三五”期间，本区…"): a sentence of that section naming no period of
    its own is about it. "" when the opening names none or no heading is found."""
    heading = next((h for h in section if _NUMBERED.match(h)), "")
    at = text.rfind(heading, 0, start) if heading else -1
    return _period_opening(text, at + len(heading)) if at >= 0 else ""


@lru_cache(maxsize=1024)
def _period_opening(text: str, at: int) -> str:
    opening = text[at : at + SECTION_OPENING]
    named = [(opening.find(p), p) for p in PERIODS if p in opening]
    return min(named)[1] if named else ""
