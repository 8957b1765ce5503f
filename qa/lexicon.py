"""The plans' own words for what a question says: attestation, variants and pinyin names.

Built from the corpus an index holds, so it follows whatever documents are loaded. A
question word counts for evidence that uses another form of it, with less credit the
further the form is from the word:

- a Cilin synonym the plans use (大夫 -> 医生), ``SYNONYM_CREDIT``;
- a corpus form that spells the word out with a few more characters (签约率 -> 签约覆盖率),
  ``SPELLED_OUT_CREDIT``;
- a Cilin category-mate the plans use (宝宝 -> 婴儿), ``RELATED_CREDIT``, only when neither the
  word nor a synonym occurs in the plans.

English questions name places in pinyin (Gucun, Qibao): ``pinyin_forms`` finds the Chinese
words of the corpus that are pronounced that way.
"""

from __future__ import annotations

import bisect
import re
import threading
from array import array
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from qa import thesaurus

SYNONYM_CREDIT = 0.8
SPELLED_OUT_CREDIT = 0.85
RELATED_CREDIT = 0.6
GLOSSED_CREDIT = 0.7  # the same thing by its English sense: closer than a related word
INSIDE_ONE_WORD_MAX = 20  # uses of a word beyond which it is the plans' own, whatever surrounds it


def _glossed(word: str) -> list[str]:
    """The glossary's Chinese for the English senses CC-CEDICT gives a Chinese word."""
    from qa.bilingual import american, english_senses
    from qa.terms import glossary_matches

    return [form for sense in english_senses(word) for chinese, _ in glossary_matches(american(sense)) for form in chinese]
_CJK = re.compile(r"^[\u4e00-\u9fff]+$")
ABBREVIATION_GAP = 3  # 疾[病预防]控: characters left out between an abbreviation's two


def _begins_words(text: str, positions: Sequence[int]) -> bool:
    """Whether each position begins a word of ``text`` as jieba cuts it: an abbreviation takes
    the first character of each word (公共卫生 -> 公卫), not one inside a word (家中医 holds
    中医, so it spells out no 家医)."""
    from index.tokenize import any_tokenizer

    starts, at = set(), 0
    for word in any_tokenizer().lcut(text):
        starts.add(at)
        at += len(word)
    return all(p in starts for p in positions)


def everyday_word(word: str) -> bool:
    """Whether general Chinese uses the word often (jieba's dictionary frequency >= 100)."""
    from index.tokenize import any_tokenizer

    return (any_tokenizer().FREQ.get(word) or 0) >= 100


@dataclass(frozen=True)
class Variant:
    """Another form of a question word, and how much finding it counts."""

    form: str
    credit: float


class Lexicon:
    """Word statistics and variants over one corpus; thread-safe, caches per word."""

    def __init__(self, texts: Sequence[str], min_count: int = 2) -> None:
        self._text = "\n".join(texts)
        self._min_count = min_count
        self._lock = threading.Lock()
        self._pinyin_index: dict[str, array[int]] | None = None
        self.count = lru_cache(maxsize=65536)(self._text.count)
        self.variants = lru_cache(maxsize=16384)(self._variants)
        self.pinyin_forms = lru_cache(maxsize=4096)(self._pinyin_forms)

    def __call__(self, word: str) -> bool:
        """Whether the plans use ``word`` (at least twice: once may be an accident)."""
        return self.count(word) >= self._min_count

    def attested(self, word: str) -> bool:
        return self(word)

    def known(self, word: str) -> bool:
        """Whether the plans use the word (even once) or any variant of it."""
        return self.count(word) >= 1 or bool(self.variants(word))

    def _variants(self, word: str) -> tuple[Variant, ...]:
        if len(word) < 2 or not _CJK.match(word):
            return ()
        found: dict[str, float] = {}
        for form in thesaurus.synonyms(word):
            if len(form) >= 2 and form not in word and self(form):
                found.setdefault(form, SYNONYM_CREDIT)
        if self.count(word) < 5:  # a word the plans use often is their own word already
            for form in self._spelled_out(word):
                found.setdefault(form, SPELLED_OUT_CREDIT)
        elif len(word) == 2 and not everyday_word(word):
            # an abbreviation the plans also spell out (疾控: 疾病预防控制, 公卫: 公共卫生),
            # which general Chinese seldom uses (中医, 医保 it does: 中医 is no 中心医院)
            for form in self._spelled_out(word, gap=ABBREVIATION_GAP):
                if _begins_words(form, (0, len(form) - 1)):
                    found.setdefault(form, SPELLED_OUT_CREDIT)
        if not self(word):
            if not found and not self.count(word):
                # a word the plans never use, put into English and back through the health
                # glossary (救护车 -> ambulance -> 急救, 临终关怀 -> hospice care -> 安宁疗护)
                for form in _glossed(word):
                    if len(form) >= 2 and form not in word and self(form):
                        found.setdefault(form, GLOSSED_CREDIT)
            if not found:
                for form in thesaurus.related(word):
                    if len(form) >= 2 and form not in word and self(form):
                        found.setdefault(form, RELATED_CREDIT)
        elif not found and self._inside_one_word(word):
            # the plans write it only inside one longer word (病床 only in 家庭病床): that is
            # not their word for what the question means (hospital bed -> 床位)
            for form in _glossed(word):
                if len(form) >= 2 and form not in word and self(form):
                    found.setdefault(form, GLOSSED_CREDIT)
        ranked = sorted(found.items(), key=lambda kv: (-kv[1], -self.count(kv[0])))
        return tuple(Variant(form, credit) for form, credit in ranked[:8])

    def _inside_one_word(self, word: str) -> bool:
        """Whether every use of ``word`` in the plans has the same two characters before it,
        or after it: it only occurs inside that one longer word."""
        if self.count(word) > INSIDE_ONE_WORD_MAX:
            return False  # a word the plans use this often is theirs, in some compound or other
        at = [m.start() for m in re.finditer(f"(?={re.escape(word)})", self._text)]  # overlapping too
        before = {self._text[max(i - 2, 0) : i] for i in at}
        after = {self._text[i + len(word) : i + len(word) + 2] for i in at}
        return bool(at) and any(len(side) == 1 and all(_cjk(c) for c in next(iter(side))) for side in (before, after))

    def _spelled_out(self, word: str, gap: int = 2, limit: int = 3) -> list[str]:
        """Corpus words holding ``word``'s characters in order, a few characters apart."""
        if not 2 <= len(word) <= 5:
            return []
        forms = Counter(m for m in gapped_matches(self._text, word, gap) if m != word)
        return [f for f, n in forms.most_common() if n >= self._min_count and len(f) <= len(word) + 3][:limit]

    # -- pinyin ------------------------------------------------------------------------
    def _index(self) -> dict[str, array[int]]:
        """Toneless pinyin of every Chinese character position in the corpus."""
        with self._lock:
            if self._pinyin_index is None:
                sound = _sounds("".join(sorted({c for c in self._text if "\u4e00" <= c <= "\u9fff"})))
                index: dict[str, list[int]] = {}
                for i, ch in enumerate(self._text):
                    if ch in sound:
                        index.setdefault(sound[ch], []).append(i)
                # machine integers, not Python ints: 5 MB instead of 40 for the five plans
                self._pinyin_index = {k: array("q", v) for k, v in index.items()}
                self._sound = sound
            return self._pinyin_index

    def warm_up(self) -> None:
        self._index()
        thesaurus.synonyms("大夫")
        thesaurus.related("大夫")
        thesaurus.says_a_predicate("挂帅")  # Cilin's classes, read for words no plan uses
        _glossed("救护车")

    def _pinyin_forms(self, word: str) -> tuple[str, ...]:
        """Corpus words of two to four characters pronounced ``word`` (gucun -> 顾村)."""
        word = re.sub(r"[^a-z]", "", word.lower())
        if len(word) < 4:
            return ()
        index = self._index()
        found: Counter[str] = Counter()

        def extend(pos: int, rest: str, length: int) -> None:
            if not rest:
                if length >= 2:
                    found[self._text[pos - length : pos]] += 1
                return
            if length >= 4 or pos >= len(self._text):
                return
            syllable = self._sound.get(self._text[pos])
            if syllable and rest.startswith(syllable):
                extend(pos + 1, rest[len(syllable) :], length + 1)

        for cut in range(1, min(len(word), 6) + 1):
            for pos in index.get(word[:cut], ()):
                extend(pos + 1, word[cut:], 1)
        return tuple(form for form, _ in found.most_common(3))  # names: once is enough


def _cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def gapped_matches(text: str, word: str, gap: int) -> list[str]:
    """What ``re.finditer`` of ``word``'s characters joined by ``[\u4e00-\u9fff]{0,gap}``
    finds in ``text``, match for match.

    Compiling that pattern costs 2.5-4 ms (``re`` builds a 65,536-entry table for the CJK
    range at each gap), paid for every new rare word of every question. Here a pattern with
    ``.`` in the gaps, cheap to compile, finds the places a match may start (it allows more
    than the CJK class, never less), and each is checked the way the regex engine would:
    the longest gap first, then shorter ones (backtracking), so the span is the same."""
    if not word:
        raise ValueError("word must not be empty")
    rest = "".join(f".{{0,{gap}}}{re.escape(c)}" for c in word[1:])
    relaxed = re.compile(f"{re.escape(word[0])}(?={rest})")
    n, last = len(text), len(word)

    def end_of(p: int, k: int) -> int | None:
        if k == last:
            return p
        run = 0
        while run < gap and p + run < n and _cjk(text[p + run]):
            run += 1
        for g in range(run, -1, -1):
            q = p + g
            if q < n and text[q] == word[k]:
                end = end_of(q + 1, k + 1)
                if end is not None:
                    return end
        return None

    found: list[str] = []
    pos = 0
    while (m := relaxed.search(text, pos)) is not None:
        start = m.start()
        end = end_of(start + 1, 1)
        if end is None:
            pos = start + 1
        else:
            found.append(text[start:end])
            pos = end
    return found


def _sounds(chars: str) -> dict[str, str]:
    """Toneless pinyin of each character (pypinyin's reading), cached under the home: importing
    pypinyin costs half a second and 45 MB that a server otherwise keeps for nothing."""
    from importlib import metadata

    from index.cache_files import cache_dir, cache_key, cached_marshal

    def read() -> dict[str, str]:
        from pypinyin import Style, lazy_pinyin

        return dict(zip(chars, lazy_pinyin(list(chars), style=Style.NORMAL), strict=True))

    try:
        version = metadata.version("pypinyin")
        path = cache_dir() / f"pinyin-{cache_key(version, chars)}.marshal"
    except (metadata.PackageNotFoundError, OSError):
        return read()
    return cached_marshal(path, read, lambda found: isinstance(found, dict) and len(found) == len(chars))


class TextSet:
    """Which of many short texts hold a word, answered from one joined string: a scan per
    word, not a loop over every text (the IDF of each question word, on every question)."""

    def __init__(self, texts: Sequence[str]) -> None:
        self._joined = "\x00".join(texts)
        self._starts: list[int] = []
        at = 0
        for text in texts:
            self._starts.append(at)
            at += len(text) + 1
        self.size = len(texts)
        self.containing = lru_cache(maxsize=65536)(self._containing)

    def _containing(self, word: str) -> frozenset[int]:
        found: set[int] = set()
        at = self._joined.find(word)
        while at != -1:
            found.add(bisect.bisect_right(self._starts, at) - 1)
            at = self._joined.find(word, at + 1)
        return frozenset(found)
