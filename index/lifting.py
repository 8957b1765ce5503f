"""Lift sentence and table-row hits to the chunks that contain them. Pure functions.

A chunk is ranked by the best rank of any of its sentences, so a chunk whose one decisive
sentence matches a question sharply is not lost among chunks that match it vaguely as a
whole.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from kernel.types import Unit


def lift_map(sources: Sequence[Unit], chunks: Sequence[Unit]) -> tuple[tuple[int, ...], ...]:
    """For each source unit, the chunk rows holding at least half of it (else the best overlap)."""
    by_doc: dict[str, list[int]] = {}
    for row, c in enumerate(chunks):
        by_doc.setdefault(c.doc_id, []).append(row)
    arrays = {
        doc: (
            np.asarray(rows),
            np.asarray([chunks[r].start for r in rows]),
            np.asarray([chunks[r].end for r in rows]),
        )
        for doc, rows in by_doc.items()
    }
    out: list[tuple[int, ...]] = []
    for s in sources:
        if s.doc_id not in arrays:
            out.append(())
            continue
        rows, starts, ends = arrays[s.doc_id]
        overlap = np.minimum(ends, s.end) - np.maximum(starts, s.start)
        need = max(1, (s.end - s.start + 1) // 2)
        hits = rows[overlap >= need]
        if not len(hits) and overlap.max() > 0:
            hits = rows[[int(np.argmax(overlap))]]
        out.append(tuple(int(h) for h in hits))
    return tuple(out)


def lift_ranking(ranked: Sequence[tuple[int, float]]) -> list[tuple[int, float]]:
    """Drop repeats from a best-first list of (chunk row, score): each chunk keeps its best place."""
    seen: set[int] = set()
    out: list[tuple[int, float]] = []
    for chunk, score in ranked:
        if chunk not in seen:
            seen.add(chunk)
            out.append((chunk, score))
    return out
