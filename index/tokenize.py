"""The one tokeniser BM25 uses, for passages and for questions alike.

jieba's search mode emits both a long word and its parts (社区卫生服务中心 -> 社区, 卫生, 服务,
中心, 服务中心, ...), so a question that says 社区卫生中心 still meets the passage. Numbers are
kept whole ("2025", "12.37", "46%") because numeric questions hinge on them, and jieba would
otherwise split decimals. Function and question words are dropped (``stopwords.txt``).

jieba builds its dictionary lazily and that is not thread-safe, so each tokenizer is created
once under a lock. It is a private ``jieba.Tokenizer`` instance, so the words we add never
change jieba for anyone else. The words added are an index's own: the district names of the
cities its documents belong to (``ingest.regions.Scope.words``), listed in the index manifest
so the questions are cut with the dictionary the passages were cut with. Only those, not the
country's 2,800 counties: every added word shifts jieba's word probabilities a little, and a
corpus of Shanghai plans is then cut exactly as with Shanghai's names alone.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache
from importlib import resources
from typing import Any

# A number: optional thousands separators ("1,000"), decimals and percent sign.
_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?%?|\d+(?:\.\d+)?%?"
_SPLIT = re.compile(rf"({_NUMBER})")
_KEEP = re.compile(r"[\w%]", re.UNICODE)
_NUMBER_FULL = re.compile(rf"^(?:{_NUMBER})$")

# Bump whenever tokens change: BM25 files written with another version are refused at load
# (a rebuild re-tokenises; no vectors are re-embedded).
TOKENIZER_VERSION = "jieba-search-v3"  # v3: the index's own place words, from its manifest

_lock = threading.Lock()
_tokenizers: dict[tuple[str, ...], Any] = {}


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """The packaged stopword list (lower-case)."""
    text = resources.files("index").joinpath("stopwords.txt").read_text(encoding="utf-8")
    words = (line.split("#", 1)[0].strip().lower() for line in text.splitlines())
    return frozenset(w for w in words if w)


def get_tokenizer(words: tuple[str, ...] = ()) -> Any:
    """The shared, fully initialised jieba tokenizer with ``words`` added, in that order (the
    order matters: each word's frequency is suggested against the dictionary so far).

    Deliberately no hand-written domain vocabulary: a list typed in by someone who has read
    the dev questions ends up keyed to them. Search mode already emits the parts of long
    words, and the query goes through the same tokenizer, so rare domain terms still meet.
    """
    tok = _tokenizers.get(words)
    if tok is None:
        with _lock:
            tok = _tokenizers.get(words)
            if tok is None:
                from index.jieba_cache import make_tokenizer

                # from $POLICYQA_HOME/cache when it holds this dictionary, looked up word by word
                # until enough words are needed to pay for reading all of it (``load_dictionary``)
                tok = make_tokenizer(words, lazy=True)
                _tokenizers[words] = tok
    return tok


def load_dictionary(words: tuple[str, ...] = ()) -> None:
    """Hold the whole dictionary of ``get_tokenizer(words)`` in memory from now on (a server's
    warm-up: its questions then look nothing up in the cache file)."""
    from index.jieba_cache import full_dictionary

    full_dictionary(get_tokenizer(words), words)


def any_tokenizer() -> Any:
    """A tokenizer for looking up general words (sub-words of a term, dictionary
    frequencies): one already made, since they differ only in the place words, which are
    never key terms; the plain one when none is made yet. Saves a second 70 MB dictionary."""
    tok = next(iter(_tokenizers.values()), None)
    return tok if tok is not None else get_tokenizer(())


def _normalise(text: str) -> str:
    # NFKC folds full-width digits, letters and ％ to ASCII so "４６％" == "46%".
    return unicodedata.normalize("NFKC", text).lower()


def tokenize(text: str, words: tuple[str, ...] = ()) -> list[str]:
    """BM25 tokens of ``text``: jieba search-mode words and whole numbers, no stopwords
    (``words``: the index's place words, kept whole)."""
    tok = get_tokenizer(words)
    stop = stopwords()
    out: list[str] = []
    for i, part in enumerate(_SPLIT.split(_normalise(text))):
        if not part:
            continue
        if i % 2 == 1:  # captured number; "1,000" and "1000" are the same token
            out.append(part.replace(",", ""))
            continue
        for word in tok.lcut_for_search(part):
            word = word.strip()
            if not word or not _KEEP.search(word) or word in stop:
                continue
            out.append(word)
    return out


def tokenize_many(texts: list[str], words: tuple[str, ...] = ()) -> list[list[str]]:
    return [tokenize(t, words) for t in texts]


def is_number(token: str) -> bool:
    return bool(_NUMBER_FULL.match(token))
