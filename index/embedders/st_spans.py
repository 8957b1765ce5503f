"""Late chunking on a sentence-transformers model: passage and span vectors from one pass.

Only a model whose sentence vector is the plain mean of its token embeddings (modules
``Transformer``, ``Pooling`` in mode ``mean`` with the prompt included, then at most
``Normalize``) gives span vectors that live in the same space as its sentence vectors; a
CLS-pooled model (BAAI/bge-m3), a Dense layer after pooling, or a fast tokenizer missing
(no character offsets) cannot, and ``mean_pooled`` says so: the index then embeds every
unit on its own, as before. The pooling functions are ``index.embedders.late_pooling``'s.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from index.embedders.base import SpanVectors
from index.embedders.late_pooling import check_spans, pool_spans, span_tokens, unpooled
from index.models.e5_embedder import length_batches

TOKEN_BUDGET = 4096  # padded tokens per forward pass, as the torch e5 engine batches


def mean_pooled(model: Any) -> bool:
    """Whether ``model`` (a ``SentenceTransformer``) mean-pools every token, prompt included,
    with nothing after the pooling but normalisation, and has a fast tokenizer."""
    modules = list(model)
    names = [type(m).__name__ for m in modules]
    if len(modules) < 2 or names[:2] != ["Transformer", "Pooling"] or any(n != "Normalize" for n in names[2:]):
        return False
    mode = getattr(modules[1], "pooling_mode", None)
    modes = (mode,) if isinstance(mode, str) else tuple(mode or ())
    tokenizer = getattr(model, "tokenizer", None)
    return modes == ("mean",) and bool(getattr(modules[1], "include_prompt", False)) and bool(
        getattr(tokenizer, "is_fast", False)
    )


def embed_spans(
    model: Any,
    texts: Sequence[str],
    spans: Sequence[Sequence[tuple[int, int]]],
    prompt: str,
    embed_alone: Callable[[list[str]], np.ndarray],
    max_tokens: int | None = None,
    token_budget: int = TOKEN_BUDGET,
) -> SpanVectors:
    """Passage vectors of ``texts`` (``prompt`` prepended) and of each span, one pass per text.

    A text longer than ``max_tokens`` (default: the model's ``max_seq_length``) goes to
    ``embed_alone`` (the embedder's own passage path: e5 windows it, others truncate), and so
    do its spans, as texts of their own. The caller checks ``mean_pooled(model)`` first."""
    import torch

    items = [str(t) for t in texts]
    check_spans(items, spans)
    limit = max_tokens or int(model.max_seq_length)
    dim = int((getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension)())
    out = np.empty((len(items), dim), dtype=np.float32)
    span_out = [np.full((len(s), dim), np.nan, dtype=np.float32) for s in spans]
    if not items:
        return SpanVectors(out, span_out)
    full = [prompt + t for t in items]
    encoded = model.tokenizer(full, add_special_tokens=True, truncation=False, return_offsets_mapping=True,
                              verbose=False)
    ids, offsets = encoded["input_ids"], encoded["offset_mapping"]
    lengths = [len(x) for x in ids]
    short = [i for i, n in enumerate(lengths) if n <= limit]
    long = [i for i, n in enumerate(lengths) if n > limit]
    preprocess = getattr(model, "preprocess", None) or model.tokenize
    for batch in length_batches([lengths[i] for i in short], token_budget):
        rows = [short[j] for j in batch]
        features = preprocess([full[i] for i in rows])
        if features["attention_mask"].sum(1).tolist() != [lengths[i] for i in rows]:
            raise RuntimeError("the model's tokenizer cut the texts differently from its offset mapping")
        with torch.inference_mode():
            result = model(features)
        vecs = result["sentence_embedding"].float().numpy()
        out[rows] = vecs / np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12)
        tokens = result["token_embeddings"].float().numpy()
        for r, i in enumerate(rows):
            if spans[i]:
                span_out[i][:] = pool_spans(tokens[r], [span_tokens(offsets[i], sp, len(prompt)) for sp in spans[i]])
    alone = unpooled(span_out, long)
    if long or alone:
        fresh = embed_alone([items[i] for i in long] + [items[i][slice(*spans[i][j])] for i, j in alone])
        out[long] = fresh[: len(long)]
        for (i, j), vec in zip(alone, fresh[len(long) :], strict=True):
            span_out[i][j] = vec
    return SpanVectors(np.ascontiguousarray(out), span_out, len(alone))
