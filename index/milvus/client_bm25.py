"""BM25 as sparse vectors we compute, for a Milvus server without BM25 functions.

Scores equal bm25s's ``lucene`` variant over the same tokens (``index.tokenize``): a unit's
vector holds ``tf / (tf + k1 * (1 - b + b * dl / avgdl))`` per token, a query's the token's
``idf = ln(1 + (N - df + 0.5) / (df + 0.5))``, and their inner product is the BM25 score.
Statistics are per kind, as bm25s keeps one model per kind. Tokens become dimensions by
a stable hash (crc32), so no vocabulary has to be shared.
"""

from __future__ import annotations

import math
import zlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from index.lexical import BM25Config

EMPTY_DIM = 2**32 - 2  # a unit with no token (or a payload row): a dimension no token hashes to


def token_dim(token: str) -> int:
    return zlib.crc32(token.encode("utf-8")) & 0x7FFFFFFF


def kind_stats(token_lists: Iterable[Sequence[str]]) -> dict[str, Any]:
    """``{"n", "avgdl", "df"}`` over one kind's units."""
    df: Counter[str] = Counter()
    n = total = 0
    for tokens in token_lists:
        n += 1
        total += len(tokens)
        df.update(set(tokens))
    return {"n": n, "avgdl": total / n if n else 0.0, "df": dict(df)}


def unit_vector(tokens: Sequence[str], stats: Mapping[str, Any], bm25: BM25Config) -> dict[int, float]:
    if not tokens:
        return {EMPTY_DIM: 1.0}
    dl, avgdl = len(tokens), float(stats["avgdl"]) or 1.0
    norm = bm25.k1 * (1 - bm25.b + bm25.b * dl / avgdl)
    out: dict[int, float] = {}
    for token, tf in Counter(tokens).items():
        dim = token_dim(token)
        out[dim] = out.get(dim, 0.0) + tf / (tf + norm)
    return out


def query_vector(tokens: Sequence[str], stats: Mapping[str, Any]) -> dict[int, float]:
    """idf per known query token (repeats count once, as bm25s); empty when none is known."""
    n, df = int(stats["n"]), stats["df"]
    out: dict[int, float] = {}
    for token in dict.fromkeys(tokens):
        if token in df:
            out[token_dim(token)] = math.log(1 + (n - df[token] + 0.5) / (df[token] + 0.5))
    return {d: w for d, w in out.items() if w > 0}
