"""Late chunking: vectors of spans of a text from the one forward pass that embeds the text.

A chunk's sentences were embedded a second time on their own, the same characters through
the model twice. Late chunking (Günther et al., "Late Chunking: Contextual Chunk Embeddings
Using Long-Context Embedding Models", Jina AI, 2024) runs the chunk once and mean-pools the
token embeddings (the last hidden state) over each sentence's tokens: one pass, and each
sentence vector has seen the sentences around it. Pure functions; the engines
(``index.models.e5_onnx_embedder``, ``index.embedders.st_spans``) run the model.

Tokens are mapped to characters by the fast tokenizer's offsets. A SentencePiece token may
carry the whitespace before a word (``"▁Ab"`` covers ``"\\nAb"``), so a token belongs to a
span when it overlaps the span by at least one character; special tokens (empty offsets)
and whitespace-only tokens between sentences belong to none.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

Span = tuple[int, int]


def span_tokens(offsets: Sequence[tuple[int, int]], span: Span, shift: int = 0) -> np.ndarray:
    """Positions of the tokens overlapping ``span`` (character offsets into the text without
    its prompt; ``shift`` is the prompt's length, since ``offsets`` index prompt + text)."""
    start, end = span[0] + shift, span[1] + shift
    return np.array(
        [i for i, (s, e) in enumerate(offsets) if e > s and max(s, start) < min(e, end)], dtype=np.int64
    )


def pool_spans(hidden: np.ndarray, positions: Sequence[np.ndarray]) -> np.ndarray:
    """L2-normalised mean of ``hidden`` (tokens, dim) over each list of token positions.

    A row whose list is empty (a span no token overlaps) is NaN, never a zero vector: the
    caller embeds that span on its own (``unpooled``)."""
    out = np.full((len(positions), hidden.shape[1]), np.nan, dtype=np.float32)
    for row, pos in enumerate(positions):
        if len(pos):
            vec = hidden[pos].astype(np.float64).mean(0)
            out[row] = vec / max(float(np.linalg.norm(vec)), 1e-12)
    return out


def unpooled(span_vectors: Sequence[np.ndarray], texts: Sequence[int] = ()) -> list[tuple[int, int]]:
    """(text, span) of every span still without a vector: NaN rows, and all spans of ``texts``."""
    whole = set(texts)
    return [(i, j) for i, rows in enumerate(span_vectors) for j in range(len(rows))
            if i in whole or np.isnan(rows[j, 0])]


def check_spans(texts: Sequence[str], spans: Sequence[Sequence[Span]]) -> None:
    """One span list per text, every span non-empty and inside its text: a ValueError naming the first bad one."""
    if len(spans) != len(texts):
        raise ValueError(f"got {len(spans)} span lists for {len(texts)} texts")
    for i, (text, mine) in enumerate(zip(texts, spans, strict=True)):
        for start, end in mine:
            if not 0 <= start < end <= len(text):
                raise ValueError(f"span ({start}, {end}) of text {i} is empty or outside its {len(text)} characters")
