"""Text comparison exactly as CONTRACT.md "How answers are judged" defines it.

Every judged comparison (key facts, evidence quotes, citations, district names) goes through
``normalize`` so that full-width/half-width punctuation, curly quotes, spacing and case never
decide whether an answer is right.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from ingest.regions import Region, district_by_name, scope_of

# Curly and other typographic quotes -> straight quotes (NFKC leaves most of these alone).
_QUOTES = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    }
)
_WHITESPACE = re.compile(r"\s+")


def normalize(text: str) -> str:
    """NFKC, curly -> straight quotes, all whitespace removed, lower-cased."""
    text = unicodedata.normalize("NFKC", text or "").translate(_QUOTES)
    return _WHITESPACE.sub("", text).lower()


def _forms(d: Region) -> tuple[str, ...]:
    """A district's names as they look after ``normalize``: the Chinese name without 区 and each
    English spelling with its spaces removed (so "Jing an" and "jingan" both count)."""
    return tuple(dict.fromkeys([normalize(d.short), normalize(d.english), *(normalize(s) for s in d.spellings)]))


def district_forms(name: str) -> tuple[str, ...]:
    """The normalised forms that count as naming district ``name`` (e.g. 静安区 or 静安)."""
    d = district_by_name(name)
    return _forms(d) if d is not None else (normalize(name.removesuffix("区")),)


def names_district(answer: str, name: str) -> bool:
    """True when ``answer`` names the district: Chinese name without 区 or an English spelling."""
    text = normalize(answer)
    return any(form and form in text for form in district_forms(name))


def districts_named(answer: str, among: Sequence[str] = ()) -> list[str]:
    """Full Chinese names of every district the answer names, of the cities the districts
    ``among`` are in (the item's districts: a Shanghai question is judged against Shanghai's
    districts), in gazetteer order."""
    text = normalize(answer)
    named = (d.name for d in scope_of(among).districts if any(f in text for f in _forms(d)))
    return list(dict.fromkeys(named))  # 宝山区 alone may be Shanghai's or Shuangyashan's


def overlaps(a: str, b: str) -> bool:
    """Either normalised text contains the other (CONTRACT's citation overlap); empty never overlaps."""
    na, nb = normalize(a), normalize(b)
    return bool(na and nb) and (na in nb or nb in na)
