"""Rebuild tables that were flattened to one cell per line ending in " |".

The plans' tables (and .docx tables, which decode.py flattens the same way) arrive as a
title, the header cells, then for each row its 序号 and the remaining cells; a group label
(领域/分类) appears once before the first row of its group and belongs to every row after
it. Rows get labelled cells with their own offsets, so a cited value keeps its column
name and its row even though the header is far away in the text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ingest.spans import Span, line_spans, trim
from kernel.types import Cell, Unit

_NUMBER = re.compile(r"^\d{1,3}$")
INDEX_LABELS = frozenset({"序号", "编号", "No.", "No"})  # the column that numbers the rows
_ATTACHMENT = re.compile(r"^附件\s*[0-9一二三四五六七八九十]*$")
_CLOSING_PIPE = re.compile(r"[ \t]*\|")
_CJK = r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]"
MAX_HEADER_CELLS = 12
# A "cell" longer than any sentence is pasted text that happens to end in "|", not a cell
# (the longest cell in the bundled plans has 222 characters); and a separator-free run of more
# cells than a header may have is not a row. Both keep rows, and their chunks, bounded.
MAX_CELL_CHARS = 400
MAX_ROW_CELLS = 2 * MAX_HEADER_CELLS
MAX_LABEL_CHARS = 8
MAX_TITLE_CHARS = 80


@dataclass(frozen=True)
class Table:
    """A rebuilt table: ``[start, end)`` covers its flattened lines from the first cell line."""

    title: str
    title_span: Span | None  # the title's own span when it lies inside the region (ends in " |")
    start: int
    end: int
    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


@dataclass(frozen=True)
class _Line:
    start: int  # trimmed line
    end: int
    cell: Span  # the line without its pipes and surrounding space
    piped: bool  # ends in "|"

    @property
    def separator(self) -> bool:
        return self.cell[0] == self.cell[1]


def squash(text: str) -> str:
    """Readable cell text: one space between words, none between two CJK characters."""
    text = re.sub(r"\s+", " ", text).strip()
    return re.sub(rf"(?<={_CJK}) (?={_CJK})", "", text)


def find_tables(text: str) -> list[Table]:
    """Every flattened table in ``text``, in order, regions disjoint."""
    lines = _lines(text)
    tables: list[Table] = []
    i = 0
    while i < len(lines):
        if lines[i].piped:
            parsed = _parse(text, lines, i)
            if parsed is not None:
                table, next_i = parsed
                tables.append(table)
                i = next_i
                continue
            if _parse_runs(text, lines, i) is None and _run_too_long(lines, i):
                # A block of cell lines too long to be rows: no table starts inside it either.
                while i < len(lines) and lines[i].piped:
                    i += 1
                continue
        i += 1
    return tables


def _lines(text: str) -> list[_Line]:
    out: list[_Line] = []
    for ls, le in line_spans(text):
        s, e = trim(text, ls, le)
        if s == e:
            continue
        piped = text[e - 1] == "|" and e - s <= MAX_CELL_CHARS
        cs, ce = s, e
        while ce > cs and (text[ce - 1] == "|" or text[ce - 1].isspace()):
            ce -= 1
        while cs < ce and (text[cs] == "|" or text[cs].isspace()):
            cs += 1
        out.append(_Line(s, e, (cs, ce), piped))
    return out


def _is_number(text: str, line: _Line) -> bool:
    return bool(_NUMBER.match(text[line.cell[0] : line.cell[1]]))


def _parse(text: str, lines: list[_Line], first: int) -> tuple[Table, int] | None:
    """Parse the table whose first cell line is ``lines[first]``; None if it is not one."""
    cells: list[_Line] = []
    j = first
    while j < len(lines) and len(cells) <= MAX_HEADER_CELLS:
        line = lines[j]
        if not line.piped or (cells and _is_number(text, line)):
            break
        if not line.separator:
            cells.append(line)
        j += 1
    labels = [squash(text[c.cell[0] : c.cell[1]]) for c in cells]
    if any(label in INDEX_LABELS for label in labels) and j < len(lines) and _is_number(text, lines[j]):
        return _parse_numbered(text, lines, first, cells, labels, j)
    return _parse_runs(text, lines, first)


def _parse_numbered(
    text: str, lines: list[_Line], first: int, cells: list[_Line], labels: list[str], j: int
) -> tuple[Table, int] | None:
    s = next(k for k, label in enumerate(labels) if label in INDEX_LABELS)
    g = 0
    while s - g - 1 >= 0 and len(labels[s - g - 1]) <= MAX_LABEL_CHARS and len(cells) - g - 1 > s:
        g += 1
    head_start, head_end = s - g, len(cells) - g
    header = tuple(labels[head_start:head_end])
    if head_end - s - 1 < 1:  # no cells after 序号
        return None
    s = g  # from here on, the 序号 column's index in ``header``
    groups = [_cell(text, c, header[k]) for k, c in enumerate(cells[head_end:])]
    title, title_span = _title(text, lines, first, cells[:head_start])
    rows: list[tuple[Cell, ...]] = []
    last = j - 1
    while j < len(lines):
        while j < len(lines) and lines[j].separator:
            j += 1
        if j >= len(lines):
            break
        line = lines[j]
        if _is_number(text, line):
            row = [*groups, _cell(text, line, header[s])]
            j, last = j + 1, j
            for col in header[s + 1 :]:
                while j < len(lines) and lines[j].separator:
                    j += 1
                if (
                    j >= len(lines)
                    or _ATTACHMENT.match(text[lines[j].start : lines[j].end])
                    or lines[j].end - lines[j].start > MAX_CELL_CHARS
                ):
                    break
                row.append(_cell(text, lines[j], col))
                j, last = j + 1, j
            rows.append(tuple(row))
        elif g and line.piped and _next_is_number(text, lines, j + 1):
            groups = [*groups[:-1], _cell(text, line, header[s - 1])]
            j, last = j + 1, j
        else:
            break
    if not rows:
        return None
    while last + 1 < len(lines) and lines[last + 1].separator:
        last += 1  # trailing "|" lines belong to the table, not to the text after it
    return Table(title, title_span, lines[first].start, lines[last].end, header, tuple(rows)), last + 1


def _next_is_number(text: str, lines: list[_Line], j: int) -> bool:
    while j < len(lines) and lines[j].separator:
        j += 1
    return j < len(lines) and _is_number(text, lines[j])


def _run_too_long(lines: list[_Line], first: int) -> bool:
    n = 0
    for line in lines[first:]:
        if not line.piped or line.separator:
            break
        n += 1
    return n > MAX_ROW_CELLS


def _parse_runs(text: str, lines: list[_Line], first: int) -> tuple[Table, int] | None:
    """Tables without a 序号 column: rows are runs of cell lines separated by "|" lines."""
    runs: list[list[_Line]] = [[]]
    j = first
    while j < len(lines) and lines[j].piped:
        if lines[j].separator:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append(lines[j])
        j += 1
    runs = [r for r in runs if r]
    if not runs or any(len(r) > MAX_ROW_CELLS for r in runs):
        return None
    title, title_span = _title(text, lines, first, [])
    if len(runs) == 1:
        header: tuple[str, ...] = ()
        body = runs
    else:
        header = tuple(squash(text[c.cell[0] : c.cell[1]]) for c in runs[0])
        body = runs[1:]
    rows = tuple(
        tuple(_cell(text, c, header[k] if k < len(header) else "") for k, c in enumerate(run)) for run in body
    )
    return Table(title, title_span, lines[first].start, lines[j - 1].end, header, rows), j


def _cell(text: str, line: _Line, label: str) -> Cell:
    s, e = line.cell
    return Cell(label, text[s:e], s, e)


def _title(text: str, lines: list[_Line], first: int, title_cells: list[_Line]) -> tuple[str, Span | None]:
    """The table's title: cells before the header, else the line just above the table."""
    if title_cells:
        c = title_cells[0]
        return squash(text[c.cell[0] : c.cell[1]]), c.cell
    if first > 0:
        prev = lines[first - 1]
        candidate = text[prev.start : prev.end]
        if len(candidate) <= MAX_TITLE_CHARS and not prev.piped:
            return squash(candidate), None
    return "", None


def table_row_units(
    doc_id: str,
    text: str,
    tables: Sequence[Table],
    path_at: Callable[[int], tuple[str, ...]],
    first_index: int = 0,
) -> list[Unit]:
    """One ``table_row`` unit per row: span from its first own cell to the pipe closing its last,
    so the quote is the row's lines as they stand in the plan; labels as context."""
    units: list[Unit] = []
    for table in tables:
        for cells in table.rows:
            own = [c for c in cells if c.start >= _row_start(cells)]
            start, end = own[0].start, _closing_pipe(text, own[-1].end)
            path = path_at(start)
            units.append(
                Unit(
                    doc_id=doc_id,
                    kind="table_row",
                    index=first_index + len(units),
                    start=start,
                    end=end,
                    text=text[start:end],
                    section=path,
                    context=row_context(table, cells, path),
                    cells=cells,
                )
            )
    return units


def _closing_pipe(text: str, end: int) -> int:
    """Just past the " |" that closes the cell ending at ``end`` (``end`` itself if there is none)."""
    match = _CLOSING_PIPE.match(text, end)
    return match.end() if match else end


def _row_start(cells: tuple[Cell, ...]) -> int:
    """Where a row's own cells begin: at its 序号 (group cells may sit far above), else its first cell."""
    for c in cells:
        if c.label in INDEX_LABELS:
            return c.start
    return cells[0].start


def table_title(table: Table, path: tuple[str, ...]) -> str:
    """The title used in retrieval context, prefixed by its 附件 heading when it has one."""
    prefix = path[0] if path and _ATTACHMENT.match(path[0]) else ""
    return " ".join(p for p in (prefix, table.title) if p)


def row_context(table: Table, cells: tuple[Cell, ...], path: tuple[str, ...]) -> str:
    """A labelled rendering of one row, e.g. "附件6 … | 领域: 城区健康水平 | 序号: 7 | …"."""
    parts = [table_title(table, path)] if table_title(table, path) else []
    for c in cells:
        value = squash(c.text)
        parts.append(f"{c.label}: {value}" if c.label else value)
    return " | ".join(parts)
