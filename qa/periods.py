"""China's five-year plans and the years they span, so that a question naming years
("2016-2020", "2020年") meets a plan that names the period (“十三五”期间, “十三五”末)."""

from __future__ import annotations

import re
from collections.abc import Collection

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
