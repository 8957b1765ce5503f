"""Vectors for synthetic plans without embedding them: each unit gets its source unit's vector.

A synthetic plan is a real plan with names and figures changed, cut into the same units (the
rewrite adds no sentence breaks), so unit ``i`` of a kind comes from the real plan's unit
``i``; where a kind's count differs (a perturbed figure moved a chunk boundary), the unit at
the same relative position is used. ``ReusingEmbedder`` hands these vectors to ``build_index``
under the real embedder's id, so the index is the one a real build would write but for the
vectors of the changed words, and it counts the texts a real build would have embedded.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence

import numpy as np

from index.embedders.base import Embedder, Role
from index.store import INDEXED_KINDS, StoredIndex, units_of
from kernel.types import Document


def source_vectors(
    real: StoredIndex, synthetic: Sequence[Document], source_of: Mapping[str, str]
) -> tuple[dict[str, np.ndarray], int]:
    """retrieval text -> vector for every real unit and every synthetic unit; and how many
    synthetic units were matched by relative position rather than by index."""
    table: dict[str, np.ndarray] = {}
    by_doc: dict[tuple[str, str], np.ndarray] = {}
    for kind in INDEXED_KINDS:
        row = 0
        for doc in real.documents:
            units = units_of(doc, kind)
            vecs = real.vectors[kind][row : row + len(units)]
            by_doc[(doc.doc_id, kind)] = vecs
            for u, v in zip(units, vecs, strict=True):
                table.setdefault(u.retrieval_text, v)
            row += len(units)
    shifted = 0
    for doc in synthetic:
        for kind in INDEXED_KINDS:
            units = units_of(doc, kind)
            vecs = by_doc[(source_of[doc.doc_id], kind)]
            if not len(units) or not len(vecs):
                continue
            same = len(units) == len(vecs)
            shifted += 0 if same else len(units)
            for i, u in enumerate(units):
                j = i if same else min(len(vecs) - 1, round(i * len(vecs) / len(units)))
                table.setdefault(u.retrieval_text, vecs[j])
    return table, shifted


class ReusingEmbedder:
    """The real embedder's id and dim, with passage vectors looked up in ``table``.

    Texts not in the table (none, in the benchmark) go to the real embedder. ``asked``
    counts the texts a build asked for: what a real build would embed.
    """

    def __init__(self, real: Embedder, table: Mapping[str, np.ndarray]) -> None:
        self._real = real
        self._table = table
        self.asked = 0
        self.embedded = 0
        self.seconds = 0.0  # time spent inside embed (lookups, and any real embedding)

    @property
    def id(self) -> str:
        return self._real.id

    @property
    def dim(self) -> int:
        return self._real.dim

    def embed(self, texts: Sequence[str], role: Role = "passage", progress: bool = False) -> np.ndarray:
        started = time.perf_counter()
        if role != "passage":
            out = self._real.embed(texts, role=role)
        else:
            self.asked += len(texts)
            missing = [t for t in texts if t not in self._table]
            fresh = dict(zip(missing, self._real.embed(missing, role="passage"), strict=True)) if missing else {}
            self.embedded += len(missing)
            out = np.stack([self._table[t] if t in self._table else fresh[t] for t in texts]).astype(np.float32)
        self.seconds += time.perf_counter() - started
        return out
