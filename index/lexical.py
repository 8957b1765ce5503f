"""BM25 over jieba tokens (bm25s), one model per unit kind.

bm25s keeps its scores as a sparse matrix, so scoring every unit for a query is a few
sparse row sums, microseconds at this corpus size. We always ask for the full score vector
rather than bm25s's top-k: filters and fusion need the scores of arbitrary subsets, and
the number of units is small. Units that share no token with the query score exactly 0
and are left out of rankings, so an English question does not get an arbitrary BM25 order.

bm25s builds and writes the models. A saved model is read back without bm25s: its files are
plain numpy arrays and JSON (``_SavedScores``), scored by bm25s's own query arithmetic
(``get_scores_from_ids``), because ``import bm25s`` imports scipy.sparse, a third of a
second of a new ``policyqa ask`` for a few array additions.
``tests/index/test_index_lexical.py`` checks the scores equal bm25s's.
"""

from __future__ import annotations

import json
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


# bm25s's file names (``BM25.save``): the score matrix as CSC arrays, the vocabulary, the
# parameters, and for BM25L/BM25+ the scores of absent tokens.
_DATA, _INDICES, _INDPTR = "data.csc.index.npy", "indices.csc.index.npy", "indptr.csc.index.npy"
_VOCAB, _PARAMS, _NONOCCURRENCE = "vocab.index.json", "params.index.json", "nonoccurrence_array.index.npy"


@dataclass(frozen=True)
class _SavedScores:
    """A saved bm25s model's query-time part: vocabulary and precomputed score matrix."""

    params: dict[str, Any]
    vocab: dict[str, int]
    data: np.ndarray
    indices: np.ndarray
    indptr: np.ndarray
    num_docs: int
    dtype: np.dtype
    int_dtype: np.dtype
    nonoccurrence: np.ndarray | None

    @classmethod
    def read(cls, folder: Path) -> _SavedScores:
        params = json.loads((folder / _PARAMS).read_text(encoding="utf-8"))
        vocab = json.loads((folder / _VOCAB).read_text(encoding="utf-8"))
        if not isinstance(vocab, dict):
            raise ValueError(f"{folder / _VOCAB} is not a token -> id mapping")
        arrays = [np.load(folder / name, allow_pickle=False) for name in (_DATA, _INDICES, _INDPTR)]
        data, indices, indptr = arrays
        # bm25s's vocabulary also holds "" with the one id past the matrix (never a query token here)
        if not len(data) == len(indices) == int(indptr[-1]) or max(vocab.values(), default=0) >= len(indptr):
            raise ValueError(f"the BM25 arrays in {folder} do not fit together or with the vocabulary")
        nonoccurrence = None
        if params.get("method") in ("bm25l", "bm25+"):  # bm25s's methods_requiring_nonoccurrence
            nonoccurrence = np.load(folder / _NONOCCURRENCE, allow_pickle=False)
        return cls(params, vocab, *arrays, int(params["num_docs"]), np.dtype(params.get("dtype", "float32")),
                   np.dtype(params.get("int_dtype", "int32")), nonoccurrence)

    def write(self, folder: Path) -> None:
        """The same files again, as bm25s wrote them."""
        folder.mkdir(parents=True, exist_ok=True)
        for name, array in ((_DATA, self.data), (_INDICES, self.indices), (_INDPTR, self.indptr),
                            (_NONOCCURRENCE, self.nonoccurrence)):
            if array is not None:
                np.save(folder / name, array, allow_pickle=False)
        (folder / _VOCAB).write_text(json.dumps(self.vocab, ensure_ascii=False), encoding="utf-8")
        (folder / _PARAMS).write_text(json.dumps(self.params, indent=4), encoding="utf-8")

    def scores(self, tokens: Sequence[str]) -> np.ndarray | None:
        """bm25s's ``get_scores_from_ids(get_tokens_ids(tokens))``, step for step; None when
        no token is known."""
        ids = [self.vocab[t] for t in tokens if t in self.vocab]
        if not ids:
            return None
        query = np.asarray(ids, dtype=self.int_dtype)
        if int(query.max()) >= len(self.indptr) - 1:  # as bm25s: only "" can be
            raise ValueError(f"query token ids {ids} reach past the BM25 matrix ({len(self.indptr) - 1} tokens)")
        starts, ends = self.indptr[query], self.indptr[query + 1]
        scores = np.zeros(self.num_docs, dtype=self.dtype)
        for start, end in zip(starts, ends, strict=True):
            np.add.at(scores, self.indices[start:end], self.data[start:end])
        if self.nonoccurrence is not None:
            scores += self.nonoccurrence[query].sum()
        return scores


class LexicalIndex:
    """A BM25 model over a fixed list of texts, addressed by row number: a bm25s model when
    built here, its saved files when loaded."""

    def __init__(self, model: Any, size: int, config: BM25Config) -> None:
        self._model = model  # bm25s.BM25 (built here) or _SavedScores (loaded)
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
        if isinstance(self._model, _SavedScores):
            self._model.write(folder)
        else:
            self._model.save(str(folder), show_progress=False)

    @classmethod
    def load(cls, folder: Path, size: int, config: BM25Config) -> LexicalIndex:
        """A saved model, read without importing bm25s."""
        saved = _SavedScores.read(folder)
        if saved.num_docs != max(size, 1):
            raise ValueError(f"BM25 index in {folder.name} has {saved.num_docs} rows, the manifest says {size}")
        return cls(saved, size, config)

    def scores(self, query_tokens: Sequence[str]) -> np.ndarray:
        """BM25 score of every row for the given query tokens (zeros when none is known)."""
        if self.size == 0:
            return np.zeros(0, dtype=np.float32)
        if isinstance(self._model, _SavedScores):
            found = self._model.scores(query_tokens)
        else:
            ids = self._model.get_tokens_ids(list(query_tokens))
            found = self._model.get_scores_from_ids(ids) if ids else None
        if found is None:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(found, dtype=np.float32)[: self.size]

    def config_dict(self) -> dict[str, Any]:
        return asdict(self.config)
