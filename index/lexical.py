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
        self._data: np.ndarray | None = None  # the weights, when IDF is counted by groups

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

    def _postings(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """bm25s's eager score matrix, token by token: (weights, rows, token start offsets);
        rows are ascending within a token. Built here (a bm25s model) or read back from its
        files (``_SavedScores``), the same arrays."""
        if isinstance(self._model, _SavedScores):
            m = self._model
            return (m.data if self._data is None else self._data), m.indices, m.indptr
        s = self._model.scores
        return (s["data"] if self._data is None else self._data), s["indices"], s["indptr"]

    def _token_ids(self, query_tokens: Sequence[str]) -> list[int]:
        if isinstance(self._model, _SavedScores):
            return [self._model.vocab[t] for t in query_tokens if t in self._model.vocab]
        return list(self._model.get_tokens_ids(list(query_tokens)))

    def _nonoccurrence(self) -> np.ndarray | None:
        if isinstance(self._model, _SavedScores):
            return self._model.nonoccurrence
        return getattr(self._model, "nonoccurrence_array", None)

    def scores(self, query_tokens: Sequence[str]) -> np.ndarray:
        """BM25 score of every row for the given query tokens (zeros when none is known)."""
        return self.scores_within(query_tokens, ((0, self.size),))

    def scores_within(self, query_tokens: Sequence[str], spans: Sequence[tuple[int, int]]) -> np.ndarray:
        """BM25 scores of the rows in ``spans`` (``[start, end)`` row ranges), concatenated in
        that order: a search within some documents reads only their rows' postings.

        Each row's score adds the query tokens' weights in query order, in float32, exactly as
        bm25s's ``get_scores_from_ids`` does, so both give the same bits."""
        starts = np.asarray([a for a, _ in spans], dtype=np.int64)
        ends = np.asarray([b for _, b in spans], dtype=np.int64)
        offsets = np.concatenate(([0], np.cumsum(ends - starts)))
        out = np.zeros(int(offsets[-1]), dtype=np.float32)
        ids = self._token_ids(query_tokens)
        if not ids or self.size == 0 or not len(out):
            return out
        data, indices, indptr = self._postings()
        for token in ids:
            lo, hi = int(indptr[token]), int(indptr[token + 1])
            rows = indices[lo:hi]
            firsts = np.searchsorted(rows, starts, side="left") + lo
            lasts = np.searchsorted(rows, ends, side="left") + lo
            for span, (a, b) in enumerate(zip(firsts.tolist(), lasts.tolist(), strict=True)):
                if a < b:  # one token weighs a row once: a plain add, as np.add.at would do
                    out[indices[a:b] - starts[span] + offsets[span]] += data[a:b]
        extra = self._nonoccurrence()
        if extra is not None:  # bm25l / bm25+: what a row gets for the tokens it lacks
            out += extra[np.asarray(ids)].sum()
        return out

    def counting_groups_once(self, groups: np.ndarray) -> LexicalIndex:
        """This index with each token's IDF taken over groups of rows instead of rows: a unit and
        its near-copies (``index.families``) are one group, so a template's words are as
        frequent as in one plan, not as in a hundred. Term frequencies and lengths stay each
        row's own. With every row its own group, the same index."""
        groups = np.asarray(groups, dtype=np.int64)
        if len(groups) != self.size:
            raise ValueError(f"groups has {len(groups)} entries, the index has {self.size} rows")
        n_groups = len(np.unique(groups))
        if n_groups == self.size:
            return self
        from bm25s.scoring import _select_idf_scorer

        data, indices, indptr = self._postings()
        df_rows = np.diff(indptr)
        token_of = np.repeat(np.arange(len(df_rows), dtype=np.int64), df_rows)
        pairs = np.unique(token_of * (int(groups.max()) + 1) + groups[indices])
        df_groups = np.bincount(pairs // (int(groups.max()) + 1), minlength=len(df_rows))
        idf = np.vectorize(_select_idf_scorer(self.config.method), otypes=[np.float64])
        seen = df_rows > 0
        factor = np.ones(len(df_rows), dtype=np.float64)
        factor[seen] = idf(df_groups[seen], n_groups) / idf(df_rows[seen], max(self.size, 1))
        counted = LexicalIndex(self._model, self.size, self.config)
        counted._data = (data * factor[token_of]).astype(np.float32)
        return counted

    def config_dict(self) -> dict[str, Any]:
        return asdict(self.config)
