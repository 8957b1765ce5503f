"""Chunk vectors from the vectors of the sentences and table rows inside them. Pure functions.

A chunk is a run of whole sentences (or of table rows), and the index embeds those
sentences and rows anyway; embedding the chunk as well meant passing the same text through
the model twice. Mean pooling is a token-weighted average, so the length-weighted mean of
the members' vectors, plus the chunk's heading context weighted by its length, renormalised,
is close to the chunk's own vector (median cosine 0.97 on the bundled plans) and ranks as
well (see README, "Build"). A chunk with no member wholly inside it is embedded as before.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from kernel.types import Document, Unit

MEMBER_KINDS: tuple[str, ...] = ("sentence", "table_row")
_FIELD = {"sentence": "sentences", "table_row": "table_rows"}


def chunk_members(doc: Document) -> list[list[tuple[str, int]]]:
    """For each chunk of ``doc``: the (kind, position in the document's units of that kind) of
    every sentence and table row lying wholly inside it."""
    out: list[list[tuple[str, int]]] = []
    spans = {k: [(u.start, u.end) for u in getattr(doc, _FIELD[k])] for k in MEMBER_KINDS}
    for chunk in doc.chunks:
        out.append([
            (kind, i)
            for kind in MEMBER_KINDS
            for i, (start, end) in enumerate(spans[kind])
            if start >= chunk.start and end <= chunk.end and end > start
        ])
    return out


def context_needed(doc: Document, members: Sequence[Sequence[tuple[str, int]]]) -> list[str]:
    """Heading contexts whose vectors the chunks need: members that carry their own context
    (table rows) already bring it in."""
    needed: list[str] = []
    for chunk, mine in zip(doc.chunks, members, strict=True):
        if chunk.context and mine and not _members_have_context(doc, mine):
            needed.append(chunk.context)
    return needed


def _members_have_context(doc: Document, members: Sequence[tuple[str, int]]) -> bool:
    return any(_unit(doc, kind, i).context for kind, i in members)


def _unit(doc: Document, kind: str, i: int) -> Unit:
    return getattr(doc, _FIELD[kind])[i]  # type: ignore[no-any-return]


def derive_chunk_vectors(
    doc: Document,
    members: Sequence[Sequence[tuple[str, int]]],
    vectors: Mapping[str, np.ndarray],
    contexts: Mapping[str, np.ndarray],
) -> np.ndarray:
    """Vectors for ``doc``'s chunks; ``vectors[kind]`` holds this document's rows of that kind.

    Rows of chunks without members are NaN: the caller embeds those chunks itself.
    """
    dim = next(iter(vectors.values())).shape[1]
    out = np.full((len(doc.chunks), dim), np.nan, dtype=np.float32)
    for row, (chunk, mine) in enumerate(zip(doc.chunks, members, strict=True)):
        if not mine:
            continue
        acc = np.zeros(dim, dtype=np.float64)
        for kind, i in mine:
            acc += vectors[kind][i] * len(_unit(doc, kind, i).retrieval_text)
        if chunk.context and not _members_have_context(doc, mine):
            acc += contexts[chunk.context] * len(chunk.context)
        out[row] = acc / max(float(np.linalg.norm(acc)), 1e-12)
    return out
