"""Families of near-copies: plans that are one template filed under many regions' names.

A real library holds many plans written from one template (a city's guidance rewritten by
each district with its own name and figures). Word statistics taken over such a library
count the template's words once per copy: a word one plan uses once looks common, an IDF
looks like the template's, and a pool of candidates fills with the same sentence from other
regions. Near-duplicate documents are therefore grouped into families, and statistics that
should describe the language of the plans count each family once.

Two units are copies when their *skeletons* are equal: the text with digits masked and the
document's own region names (宝山区 / 宝山 / 上海市 / 上海) masked, so "推动宝山常住居民签约率提至46%"
and "推动东城常住居民签约率提至39%" are one sentence of one template. A document joins the
family of an earlier document (index order) when at least ``threshold`` of the smaller one's
skeletons are shared; otherwise it starts a family of its own and is that family's
representative. Plans that are different plans (the five Shanghai plans share some
boilerplate, far below the threshold) stay in families of one, so nothing changes for them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from index.store import INDEXED_KINDS, units_of
from kernel.types import Document, Unit

STAT_KINDS: tuple[str, ...] = ("sentence", "table_row")
DEFAULT_THRESHOLD = 0.5
_DIGITS = re.compile(r"\d+(?:\.\d+)?")
_SUFFIX = re.compile(r"(?:特别行政区|维吾尔自治区|壮族自治区|回族自治区|自治区|自治州|自治县|新区|省|市|区|县|盟|旗)$")
T = TypeVar("T")


def region_names(doc: Document) -> tuple[str, ...]:
    """The names a document uses for its own region, longest first: 上海市, 宝山区, 上海, 宝山."""
    from ingest.regions import regions_named

    names: set[str] = set()
    for full in (doc.district, doc.city, doc.province):
        if not full:
            continue
        # the gazetteer's short name (浦东 of 浦东新区) and the name without its suffix (大同 of
        # 大庆市大同区, whose gazetteer alias is the full name: 大同 is also a city)
        names.update({full, _SUFFIX.sub("", full), *(r.short for r in regions_named(full) if r.name == full and r.short)})
        if doc.district == full:  # its city as the gazetteer has it (a synthetic plan may not say)
            for r in regions_named(full):
                if r.name == full and r.level == "district":
                    for parent in (r.city, r.province):
                        if parent:
                            names.add(parent)
                            names.update(x.short for x in regions_named(parent) if x.name == parent and x.short)
    return tuple(sorted((n for n in names if len(n) >= 2), key=len, reverse=True))


class _Masker:
    """Skeletons of one document's units: digits and the document's region names masked."""

    def __init__(self, doc: Document) -> None:
        names = region_names(doc)
        self._places = re.compile("|".join(map(re.escape, names))) if names else None

    def __call__(self, text: str) -> str:
        if self._places is not None:
            text = self._places.sub("@", text)
        return _DIGITS.sub("#", text)


def skeleton(doc: Document, text: str) -> str:
    """``text`` of ``doc`` with digits and the document's own region names masked."""
    return _Masker(doc)(text)


@dataclass(frozen=True)
class Families:
    """Which documents are near-copies of which, and which of their units repeat the family's
    representative (the family's first document in index order)."""

    family_of: Mapping[str, str]  # doc_id -> its family's representative doc_id
    # (doc_id, kind) of a non-representative member -> for each of its units of that kind, the
    # index of the representative's unit it copies (same skeleton), or -1 for a unit of its own
    copy_of: Mapping[tuple[str, str], np.ndarray]

    @property
    def representatives(self) -> list[str]:
        return list(dict.fromkeys(self.family_of.values()))

    @property
    def has_copies(self) -> bool:
        return any(d != rep for d, rep in self.family_of.items())

    def distinct_units(self, documents: Iterable[Document], kinds: Sequence[str] = STAT_KINDS) -> list[Unit]:
        """Every unit of ``kinds`` (per document, kind by kind, in order) that is not a copy of
        its family representative's unit: the texts a near-copy repeats are counted once."""
        out: list[Unit] = []
        for doc in documents:
            for kind in kinds:
                units = units_of(doc, kind)
                copies = self.copy_of.get((doc.doc_id, kind))
                out.extend(units if copies is None else (u for u, c in zip(units, copies, strict=True) if c < 0))
        return out

    def groups(self, documents: Sequence[Document], kind: str) -> np.ndarray:
        """A group number for each unit of ``kind`` (rows in index order): a unit and its copies
        in the family's other members share one, every other unit has its own. A statistic
        that counts groups instead of rows counts each near-copied unit once."""
        start: dict[str, int] = {}
        at = 0
        for doc in documents:
            start[doc.doc_id] = at
            at += len(units_of(doc, kind))
        out = np.arange(at, dtype=np.int64)
        for doc in documents:
            copies = self.copy_of.get((doc.doc_id, kind))
            if copies is None:
                continue
            first = start[self.family_of[doc.doc_id]]
            rows = slice(start[doc.doc_id], start[doc.doc_id] + len(copies))
            out[rows] = np.where(copies >= 0, first + copies, out[rows])
        return out

    def once(self, items: Sequence[T], unit: Callable[[T], Unit]) -> Sequence[T]:
        """``items`` without later near-copies: an item whose unit is in the copy group of an
        earlier item's unit from another document is dropped (``copy_group``).

        Lazy: a caller that looks at the first few (the judge's margin over the top of the
        pool) pays for those, not for the thousands of candidates of a question across 100
        regions. Without copies in the index, ``items`` itself."""
        if not self.has_copies or isinstance(items, _Once):
            return items
        return _Once(self, items, unit)

    def copy_group(self, u: Unit) -> tuple[str, str, int]:
        """The unit and its near-copies' common key: (representative, kind, its unit index);
        a unit of a member's own has its own key. Unit indexes are positions (``ingest``)."""
        copies = self.copy_of.get((u.doc_id, u.kind))
        if copies is not None and 0 <= u.index < len(copies) and copies[u.index] >= 0:
            return (self.family_of[u.doc_id], u.kind, int(copies[u.index]))
        return (u.doc_id, u.kind, u.index)


class _Once(Sequence[T]):
    """The items ``Families.once`` keeps, found as far as they are asked for."""

    def __init__(self, families: Families, items: Sequence[T], unit: Callable[[T], Unit]) -> None:
        self._families = families
        self._items = items
        self._unit = unit
        self._next = 0  # the next item of ``items`` to look at
        self._first: dict[tuple[str, str, int], str] = {}
        self._kept: list[T] = []

    def _fill(self, upto: int | None) -> None:
        while self._next < len(self._items) and (upto is None or len(self._kept) < upto):
            item = self._items[self._next]
            self._next += 1
            u = self._unit(item)
            if self._first.setdefault(self._families.copy_group(u), u.doc_id) == u.doc_id:
                self._kept.append(item)

    def __getitem__(self, i):  # type: ignore[no-untyped-def]
        if isinstance(i, slice):
            if i.stop is None or i.stop < 0 or (i.start or 0) < 0:
                self._fill(None)
            else:
                self._fill(i.stop)
            return self._kept[i]
        self._fill(None if i < 0 else i + 1)
        return self._kept[i]

    def __len__(self) -> int:
        self._fill(None)
        return len(self._kept)

    def __bool__(self) -> bool:
        self._fill(1)
        return bool(self._kept)


def find_families(documents: Sequence[Document], threshold: float = DEFAULT_THRESHOLD) -> Families:
    """Group ``documents`` (in index order) into families of near-copies: membership is decided
    on sentences and table rows; then every indexed kind's units are matched to the
    representative's by skeleton."""
    if not 0 < threshold <= 1:
        raise ValueError(f"threshold must be in (0, 1], got {threshold!r}")
    family_of: dict[str, str] = {}
    copy_of: dict[tuple[str, str], np.ndarray] = {}
    rep_index: dict[str, dict[str, dict[str, int]]] = {}  # rep -> kind -> skeleton -> first unit index
    holders: dict[str, list[str]] = {}  # sentence/row skeleton -> representatives holding it
    order = {d.doc_id: i for i, d in enumerate(documents)}
    for doc in documents:
        masker = _Masker(doc)
        skels = {kind: [masker(u.text) for u in units_of(doc, kind)] for kind in INDEXED_KINDS}
        distinct = {s for kind in STAT_KINDS for s in skels[kind]}
        shared: dict[str, int] = {}
        for s in distinct:
            for rep in holders.get(s, ()):
                shared[rep] = shared.get(rep, 0) + 1
        # the share of the smaller document's skeletons the two have in common
        share = {
            rep: n / max(min(len(distinct), sum(len(rep_index[rep][k]) for k in STAT_KINDS)), 1)
            for rep, n in shared.items()
        }
        # the most similar representative; among equals the earliest (index order, not set order)
        best = max(sorted(share, key=order.__getitem__), key=share.__getitem__, default=None)
        if best is not None and share[best] >= threshold:
            family_of[doc.doc_id] = best
            for kind in INDEXED_KINDS:
                theirs = rep_index[best][kind]
                copy_of[(doc.doc_id, kind)] = np.asarray([theirs.get(s, -1) for s in skels[kind]], dtype=np.int64)
            continue
        family_of[doc.doc_id] = doc.doc_id
        rep_index[doc.doc_id] = {kind: {} for kind in INDEXED_KINDS}
        for kind in INDEXED_KINDS:
            for i, s in enumerate(skels[kind]):
                rep_index[doc.doc_id][kind].setdefault(s, i)
        for s in distinct:
            holders.setdefault(s, []).append(doc.doc_id)
    return Families(family_of, copy_of)
