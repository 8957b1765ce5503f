"""BM25 over jieba tokens (bm25s), one model per unit kind.

bm25s keeps its scores as a sparse matrix, so scoring every unit for a query is a few
sparse row sums, microseconds at this corpus size. We always ask for the full score vector
rather than bm25s's top-k: filters and fusion need the scores of arbitrary subsets, and
the number of units is small. Units that share no token with the query score exactly 0
and are left out of rankings, so an English question does not get an arbitrary BM25 order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from index.tokenize import tokenize

BM25Method = Literal["lucene", "robertson", "atire", "bm25l", "bm25+"]
_METHODS = ("lucene", "robertson", "atire", "bm25l", "bm25+")


@dataclass(frozen=True)
class BM25Config:
    """BM25 parameters; saved in the manifest so a reload scores identically."""

    k1: float = 1.2
    b: float = 0.75
    method: BM25Method = "lucene"

    def __post_init__(self) -> None:
        if self.method not in _METHODS:
            raise ValueError(f"BM25 method must be one of {_METHODS}, got {self.method!r}")
        if self.k1 < 0 or not 0 <= self.b <= 1:
            raise ValueError(f"BM25 needs k1 >= 0 and 0 <= b <= 1, got k1={self.k1!r}, b={self.b!r}")


class LexicalIndex:
    """A BM25 model over a fixed list of texts, addressed by row number."""

    def __init__(self, model: Any, size: int, config: BM25Config) -> None:
        self._model = model
        self.size = size
        self.config = config

    @classmethod
    def build(
        cls, texts: Sequence[str], config: BM25Config | None = None, words: tuple[str, ...] = ()
    ) -> LexicalIndex:
        """``words``: the index's place words, which the tokenizer keeps whole."""
        import bm25s

        config = config or BM25Config()
        corpus_tokens = [tokenize(t, words) for t in texts]
        # bm25s refuses an empty vocabulary; a placeholder token keeps tiny or empty kinds valid.
        corpus_tokens = [toks or ["\x00"] for toks in corpus_tokens] or [["\x00"]]
        model = bm25s.BM25(k1=config.k1, b=config.b, method=config.method)
        model.index(corpus_tokens, show_progress=False)
        return cls(model, len(texts), config)

    def save(self, folder: Path) -> None:
        self._model.save(str(folder), show_progress=False)

    @classmethod
    def load(cls, folder: Path, size: int, config: BM25Config) -> LexicalIndex:
        import bm25s

        model = bm25s.BM25.load(str(folder), show_progress=False, verbosity=0)
        num_docs = int(model.scores["num_docs"])
        if num_docs != max(size, 1):
            raise ValueError(f"BM25 index in {folder.name} has {num_docs} rows, the manifest says {size}")
        return cls(model, size, config)

    def scores(self, query_tokens: Sequence[str]) -> np.ndarray:
        """BM25 score of every row for the given query tokens (zeros when none is known)."""
        ids = self._model.get_tokens_ids(list(query_tokens))
        if not ids or self.size == 0:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._model.get_scores_from_ids(ids), dtype=np.float32)[: self.size]

    def config_dict(self) -> dict[str, Any]:
        return asdict(self.config)
