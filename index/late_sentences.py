"""Which sentences get their vector from their chunk's forward pass (late chunking). Pure functions.

With ``sentence_vectors="late"`` the index embeds each chunk once and pools the vectors of
the sentences inside it from that pass (``index.embedders.late_pooling``), instead of
embedding each sentence a second time. Every unit kind is decided here:

- a body sentence lying wholly inside a chunk is pooled from that chunk (the last one
  starting at or before it, should chunks ever overlap); its span is where its text sits in the chunk's
  retrieval text (heading context, newline, body), so the span's characters are exactly
  the sentence's own retrieval text;
- a sentence in no chunk (a heading, a table title), one only partly inside a chunk, or
  one carrying retrieval context of its own is embedded alone, as before;
- table rows are embedded alone: a row's retrieval text (table title, its labelled cells,
  its raw text) is not one run of its table chunk's text, and most table chunks are
  longer than one 512-token pass anyway;
- chunks are embedded as before (the pass that yields their sentences).
"""

from __future__ import annotations

import os
from bisect import bisect_right
from dataclasses import dataclass
from typing import cast

from index.store import DEFAULT_SENTENCE_VECTORS, SENTENCE_VECTOR_MODES, SentenceVectors
from kernel.types import Document

ENV_VAR = "POLICYQA_SENTENCE_VECTORS"


def configured_sentence_vectors() -> SentenceVectors:
    """``$POLICYQA_SENTENCE_VECTORS`` (``embedded`` or ``late``), else the default; anything else
    is a ValueError naming the choices. Every build reads it (``policyqa index``, an upload's
    re-index in the server), so one setting keeps an index in one mode."""
    value = os.environ.get(ENV_VAR, "").strip().lower() or DEFAULT_SENTENCE_VECTORS
    if value not in SENTENCE_VECTOR_MODES:
        raise ValueError(f"{ENV_VAR}={value!r} is not a sentence-vector mode; choose one of: "
                         f"{', '.join(SENTENCE_VECTOR_MODES)}")
    return cast(SentenceVectors, value)


@dataclass(frozen=True)
class LateSpan:
    """Sentence ``sentence`` of a document is pooled from ``span`` of chunk ``chunk``'s retrieval text."""

    sentence: int
    chunk: int
    span: tuple[int, int]


def late_spans(doc: Document) -> list[LateSpan]:
    """The sentences of ``doc`` that can be pooled from a chunk, with their spans, in sentence order."""
    out: list[LateSpan] = []
    chunks = sorted(range(len(doc.chunks)), key=lambda k: (doc.chunks[k].start, doc.chunks[k].end))
    starts = [doc.chunks[k].start for k in chunks]
    for i, sentence in enumerate(doc.sentences):
        at = bisect_right(starts, sentence.start) - 1
        if sentence.context or sentence.end <= sentence.start or at < 0:
            continue
        position = chunks[at]
        owner = doc.chunks[position]
        if sentence.end > owner.end:
            continue
        base = len(owner.context) + 1 if owner.context else 0
        start = base + sentence.start - owner.start
        span = (start, start + len(sentence.text))
        if owner.retrieval_text[span[0] : span[1]] != sentence.retrieval_text:  # never, by construction
            continue
        out.append(LateSpan(i, position, span))
    return out
