"""Text comparison exactly as CONTRACT.md "How answers are judged" defines it.

Every judged comparison (key facts, evidence quotes, citations, district names) goes through
``normalize`` so that full-width/half-width punctuation, curly quotes, spacing and case never
decide whether an answer is right.
"""

from __future__ import annotations

import re
import unicodedata

from ingest.districts import SHANGHAI_DISTRICTS

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


# District name forms as they look after ``normalize``: the Chinese name without 区 and each
# English spelling with its spaces removed (so "Jing an" and "jingan" both count).
_DISTRICT_FORMS: dict[str, tuple[str, ...]] = {
    d.name: tuple(
        dict.fromkeys([normalize(d.short), normalize(d.english), *(normalize(s) for s in d.spellings)])
    )
    for d in SHANGHAI_DISTRICTS
}


def district_forms(name: str) -> tuple[str, ...]:
    """The normalised forms that count as naming district ``name`` (e.g. 静安区 or 静安)."""
    for full, forms in _DISTRICT_FORMS.items():
        if name in (full, full.removesuffix("区")) or normalize(name) in forms:
            return forms
    return (normalize(name.removesuffix("区")),)


def names_district(answer: str, name: str) -> bool:
    """True when ``answer`` names the district: Chinese name without 区 or an English spelling."""
    text = normalize(answer)
    return any(form and form in text for form in district_forms(name))


def districts_named(answer: str) -> list[str]:
    """Full Chinese names of every Shanghai district the answer names, in table order."""
    text = normalize(answer)
    return [full for full, forms in _DISTRICT_FORMS.items() if any(f in text for f in forms)]


def overlaps(a: str, b: str) -> bool:
    """Either normalised text contains the other (CONTRACT's citation overlap); empty never overlaps."""
    na, nb = normalize(a), normalize(b)
    return bool(na and nb) and (na in nb or nb in na)
