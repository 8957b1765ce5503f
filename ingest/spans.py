"""Offset arithmetic shared by every splitter: line spans and whitespace trimming.

Units never edit the text; they move their ``[start, end)`` offsets instead, so that
``text[start:end] == unit.text`` holds by construction.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence

Span = tuple[int, int]

# str.isspace() covers ASCII, ideographic (U+3000) and no-break spaces alike.


_LINE_END = re.compile(r"\n|\r(?!\n)")


def line_spans(text: str) -> Iterator[Span]:
    """Every line as ``(start, end)``. A line ends at ``\n`` (a ``\r`` before it stays in the
    line, trimmed later like any whitespace) or at a lone ``\r``, the old Mac line end."""
    start = 0
    for match in _LINE_END.finditer(text):
        yield start, match.start()
        start = match.end()
    if start < len(text):
        yield start, len(text)


def trim(text: str, start: int, end: int) -> Span:
    """Shrink ``[start, end)`` past surrounding whitespace; empty spans come back with start == end."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def in_regions(regions: Sequence[Span], starts: Sequence[int], offset: int) -> bool:
    """Whether ``offset`` lies in one of the sorted, disjoint ``regions`` (``starts`` = their starts)."""
    i = bisect_right(starts, offset) - 1
    return i >= 0 and regions[i][0] <= offset < regions[i][1]


def overlaps(a: Span, b: Span) -> bool:
    return a[0] < b[1] and b[0] < a[1]
