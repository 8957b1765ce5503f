"""The one tokeniser BM25 uses, for passages and for questions alike.

jieba's search mode emits both a long word and its parts (社区卫生服务中心 -> 社区, 卫生, 服务,
中心, 服务中心, ...), so a question that says 社区卫生中心 still meets the passage. Numbers are
kept whole ("2025", "12.37", "46%") because numeric questions hinge on them, and jieba would
otherwise split decimals. Function and question words are dropped (``stopwords.txt``).

jieba builds its dictionary lazily and that is not thread-safe, so the tokenizer is created
once under a lock. It is a private ``jieba.Tokenizer`` instance, so the words we add (the
district names of the national gazetteer, from ``ingest.regions``) never change jieba for
anyone else.
"""

from __future__ import annotations

import logging
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
TOKENIZER_VERSION = "jieba-search-v3"  # v3: district names of the national gazetteer

_lock = threading.Lock()
_tokenizer: Any = None


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """The packaged stopword list (lower-case)."""
    text = resources.files("index").joinpath("stopwords.txt").read_text(encoding="utf-8")
    words = (line.split("#", 1)[0].strip().lower() for line in text.splitlines())
    return frozenset(w for w in words if w)


def _extra_words() -> list[str]:
    """Words jieba should never split: district names, from the gazetteer (``ingest.regions``).

    Deliberately no hand-written domain vocabulary: a list typed in by someone who has read
    the dev questions ends up keyed to them. Search mode already emits the parts of long
    words, and the query goes through the same tokenizer, so rare domain terms still meet.
    """
    from ingest.regions import region_words

    return sorted(region_words())


def get_tokenizer() -> Any:
    """The shared, fully initialised jieba tokenizer (created once, thread-safely)."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                tok = jieba.Tokenizer()
                tok.initialize()
                for word in _extra_words():
                    tok.add_word(word)
                _tokenizer = tok
    return _tokenizer


def _normalise(text: str) -> str:
    # NFKC folds full-width digits, letters and ％ to ASCII so "４６％" == "46%".
    return unicodedata.normalize("NFKC", text).lower()


def tokenize(text: str) -> list[str]:
    """BM25 tokens of ``text``: jieba search-mode words and whole numbers, no stopwords."""
    tok = get_tokenizer()
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


def tokenize_many(texts: list[str]) -> list[list[str]]:
    return [tokenize(t) for t in texts]


def is_number(token: str) -> bool:
    return bool(_NUMBER_FULL.match(token))
