"""Retrieval chunks: runs of whole sentences of about 200–400 characters.

A chunk never spans a heading, so it stays inside one section (and so one top-level
section); its heading path travels in ``context`` for retrieval while its offsets cover
body text only, so a chunk can be quoted as it stands. Table rows are grouped into chunks
of their own with the table title and column labels as context.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence

from ingest.spans import Span
from kernel.types import Unit

MIN_CHARS = 200
MAX_CHARS = 400
# A chunk closes early only once it has this much; below it, a long sentence may overflow.
SOFT_MIN_CHARS = 100
# A last piece this short joins the chunk before it if the two stay under MERGE_LIMIT.
TAIL_CHARS = 60
MERGE_LIMIT = 500
PATH_SEPARATOR = " > "


def pack(text: str, spans: Sequence[Span]) -> list[list[Span]]:
    """Group consecutive sentence spans into chunks near MIN_CHARS..MAX_CHARS.

    Prefer to close at a paragraph end once MIN_CHARS is reached; close before MAX_CHARS
    would be passed once SOFT_MIN_CHARS is reached, and before MERGE_LIMIT would be passed
    whatever the size (a short sentence, then a long run of blank lines, then another);
    a single long sentence stays whole. Sentences are at most MAX_SENTENCE_CHARS, so no
    chunk is longer than max(MERGE_LIMIT, MAX_SENTENCE_CHARS).
    """
    groups: list[list[Span]] = []
    current: list[Span] = []
    for span in spans:
        if current:
            size = current[-1][1] - current[0][0]
            grown = span[1] - current[0][0]
            new_paragraph = "\n" in text[current[-1][1] : span[0]]
            too_big = grown > MERGE_LIMIT or (grown > MAX_CHARS and size >= SOFT_MIN_CHARS)
            if (new_paragraph and size >= MIN_CHARS) or too_big:
                groups.append(current)
                current = []
        current.append(span)
    if current:
        groups.append(current)
    if len(groups) >= 2:
        tail, prev = groups[-1], groups[-2]
        if tail[-1][1] - tail[0][0] < TAIL_CHARS and tail[-1][1] - prev[0][0] <= MERGE_LIMIT:
            groups[-2:] = [prev + tail]
    return groups


def sentence_chunks(
    doc_id: str,
    text: str,
    body: Sequence[Unit],
    group_of: Callable[[int], Hashable],
    fallback_context: str = "",
) -> list[Unit]:
    """Chunks from body sentences (no headings), never across a change of ``group_of(offset)``.

    The caller's group is the section plus the count of tables before the offset, so a chunk
    neither crosses a heading nor swallows a table.
    """
    chunks: list[Unit] = []
    run: list[Unit] = []

    def flush() -> None:
        if not run:
            return
        path = run[0].section
        context = PATH_SEPARATOR.join(path) or fallback_context
        for group in pack(text, [(u.start, u.end) for u in run]):
            start, end = group[0][0], group[-1][1]
            chunks.append(Unit(doc_id, "chunk", len(chunks), start, end, text[start:end], path, context))
        run.clear()

    current: Hashable = None
    for unit in body:
        group = group_of(unit.start)
        if run and group != current:
            flush()
        current = group
        run.append(unit)
    flush()
    return chunks


def table_chunks(doc_id: str, text: str, rows: Sequence[Unit], title_of: Callable[[Unit], str]) -> list[Unit]:
    """Chunks of consecutive rows of one table; context = title, then each row's labelled rendering."""
    chunks: list[Unit] = []
    groups: list[list[Unit]] = []
    for row in rows:
        if groups:
            last = groups[-1]
            same_table = title_of(last[0]) == title_of(row) and last[0].section == row.section
            if same_table and row.end - last[0].start <= MAX_CHARS:
                last.append(row)
                continue
        groups.append([row])
    for group in groups:
        title = title_of(group[0])
        lines = [title] + [_without_title(r.context, title) for r in group]
        start, end = group[0].start, group[-1].end
        chunks.append(
            Unit(
                doc_id, "chunk", len(chunks), start, end, text[start:end], group[0].section, "\n".join(lines)
            )
        )
    return chunks


def _without_title(context: str, title: str) -> str:
    prefix = f"{title} | "
    return context[len(prefix) :] if title and context.startswith(prefix) else context
