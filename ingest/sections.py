"""The section tree, from the numbering styles of Chinese official documents.

Plans number their headings 附件N > 第X章 > 第X节 > 一、 > （一） > 1. / 1、 > （1） > ①, the
order GB/T 9704 prescribes. The same markers also open body paragraphs ("1.强化…。…"), so a
numbered line is a heading only when it is short and is not a run of sentences; a numbered
line with no body under it (an item in a list of titles) is body text of its parent.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ingest.spans import Span, in_regions, line_spans, trim
from kernel.types import Section

_CN = "一二三四五六七八九十百零〇两"
_DIGITS = "0-9０-９"

# (rank, pattern); a lower rank is a higher level. Markdown headings sit above everything.
HEADING_STYLES: tuple[tuple[int, re.Pattern[str]], ...] = (
    (0, re.compile(rf"^附件\s*[{_DIGITS}{_CN}]*$")),
    (1, re.compile(rf"^第[{_DIGITS}{_CN}]+[章编篇]")),
    (2, re.compile(rf"^第[{_DIGITS}{_CN}]+节")),
    (3, re.compile(rf"^[{_CN}]+、")),
    (4, re.compile(rf"^[（(]\s*[{_CN}]+\s*[）)]")),
    (5, re.compile(rf"^[{_DIGITS}]+\s*(?:、|[.．](?![{_DIGITS}]))")),
    (6, re.compile(rf"^[（(]\s*[{_DIGITS}]+\s*[）)]")),
    (7, re.compile(r"^[①-⑳]")),
)
_MARKDOWN = re.compile(r"^(#{1,6})\s+\S")
MAX_HEADING_CHARS = 60
# Markdown marks its headings explicitly, so they may run longer; but every unit below a
# heading carries it in its section path, so a pasted "# <whole document>" line is body text.
MAX_MARKDOWN_HEADING_CHARS = 200
_SENTENCE_END = re.compile(r"[。！？；!?;]")


@dataclass(frozen=True)
class HeadingLine:
    """A line that opens a section: its trimmed span and its rank (lower = higher level)."""

    start: int
    end: int
    rank: int


def heading_rank(line: str) -> int | None:
    """The rank of a heading line, or None for body text (including numbered body paragraphs)."""
    md = _MARKDOWN.match(line)
    if md:
        return len(md.group(1)) - 10 if len(line) <= MAX_MARKDOWN_HEADING_CHARS else None
    if len(line) > MAX_HEADING_CHARS or not line:
        return None
    for rank, pattern in HEADING_STYLES:
        m = pattern.match(line)
        if not m:
            continue
        rest = line[m.end() :]
        if rank > 2 and not rest.strip():
            return None  # a bare marker such as "1." is not a heading
        if rank >= 5 and rest.rstrip().endswith(("。", "；", ";")):
            return None  # "1.强化…。" is a list item written as a sentence
        inner = _SENTENCE_END.search(rest.rstrip("。；;"))
        return None if inner else rank
    return None


def find_headings(text: str, skip: Sequence[Span] = ()) -> list[HeadingLine]:
    """Heading lines outside ``skip`` (table regions), without title-list items that have no body."""
    starts = [s for s, _ in skip]
    lines: list[tuple[int, int, int | None]] = []
    for ls, le in line_spans(text):
        s, e = trim(text, ls, le)
        if s == e or in_regions(skip, starts, s):
            if s != e:
                lines.append((s, e, None))
            continue
        lines.append((s, e, heading_rank(text[s:e])))
    kept: list[HeadingLine] = []
    for i, (s, e, rank) in enumerate(lines):
        if rank is None:
            continue
        following = lines[i + 1][2] if i + 1 < len(lines) else None
        has_body = i + 1 < len(lines) and (following is None or following > rank)
        if has_body or rank <= 0:
            kept.append(HeadingLine(s, e, rank))
    return kept


def build_sections(doc_id: str, text: str, skip: Sequence[Span] = ()) -> tuple[Section, ...]:
    """Nested sections: each runs from its heading to the next heading of the same or higher level."""
    headings = find_headings(text, skip)
    open_stack: list[tuple[int, HeadingLine]] = []  # (section index, heading)
    bounds: list[list[int]] = []  # [start, end] per section, end filled when it closes
    meta: list[tuple[str, int, tuple[str, ...], int | None]] = []
    for h in headings:
        while open_stack and open_stack[-1][1].rank >= h.rank:
            idx, _ = open_stack.pop()
            bounds[idx][1] = h.start
        parent = open_stack[-1][0] if open_stack else None
        heading = text[h.start : h.end]
        path = (meta[parent][2] if parent is not None else ()) + (heading,)
        meta.append((heading, len(path), path, parent))
        bounds.append([h.start, len(text)])
        open_stack.append((len(meta) - 1, h))
    sections: list[Section] = []
    for i, ((heading, level, path, parent), (start, end)) in enumerate(zip(meta, bounds, strict=True)):
        _, end = trim(text, start, end)
        sections.append(Section(doc_id, i, heading, level, path, start, end, parent))
    return tuple(sections)


class SectionLocator:
    """Innermost section at an offset, in O(log n): sections nest, so walk up from the last opened."""

    def __init__(self, sections: Sequence[Section]) -> None:
        self._sections = sections
        self._starts = [s.start for s in sections]

    def index_at(self, offset: int) -> int | None:
        from bisect import bisect_right

        i: int | None = bisect_right(self._starts, offset) - 1
        while i is not None and i >= 0:
            section = self._sections[i]
            if offset < section.end:
                return i
            i = section.parent
        return None

    def path_at(self, offset: int) -> tuple[str, ...]:
        i = self.index_at(offset)
        return self._sections[i].path if i is not None else ()
