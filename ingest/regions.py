"""Regions: names <-> regions, finding region mentions in text, and a document's region.

Every region is a row of the national gazetteer (``ingest.gazetteer``): a province, a
prefecture-level city, or a district/county/county-level city, with its Chinese full and short
names and English spellings (pinyin by ``pypinyin``, ``Jing'an`` style, plus the customary
spellings where pinyin is not what English writes: Shaanxi, Inner Mongolia, Hong Kong, ...).

What the corpus holds is not known here: callers pass the district names an index covers
(``known``). A district's short name ("宝山", "Baoshan") is recognised only for the districts
of the cities the corpus covers, because short names of the country's 2,800 counties include
everyday words; full names ("西湖区") are recognised everywhere.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import re
import tempfile
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ingest.gazetteer import Level, china_divisions, world_places_en, world_places_zh
from ingest.region_names import (
    NAMING_VERSION,
    english_name,
    english_spellings,
    is_everyday_word,
    pinyin_syllables,
)
from ingest.settings import home_dir


@dataclass(frozen=True)
class Region:
    """One administrative division (or, with no level data, a place named in a question)."""

    name: str  # full Chinese name, e.g. 静安区
    short: str  # without its suffix, e.g. 静安
    english: str  # e.g. Jing'an
    spellings: tuple[str, ...]  # lower-case English spellings accepted in questions
    level: Level = "district"
    code: str = ""
    province: str | None = None
    city: str | None = None

    @property
    def parent(self) -> str | None:
        """The city a district belongs to, or its province when it has no city."""
        return self.city or self.province if self.level == "district" else self.province


District = Region  # a district-level Region: the name callers used before regions were data


@dataclass(frozen=True)
class DocumentRegion:
    """Where a document belongs: any part may be None (a city-level plan has no district,
    a national one no province)."""

    province: str | None = None
    city: str | None = None
    district: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        return {"province": self.province, "city": self.city, "district": self.district}

    @classmethod
    def from_dict(cls, row: Mapping[str, Any]) -> DocumentRegion:
        bad = sorted(set(row) - {"province", "city", "district"})
        if bad:
            raise ValueError(f"unknown region field {bad[0]!r}; expected province, city, district")
        values = {k: row.get(k) or None for k in ("province", "city", "district")}
        for k, v in values.items():
            if v is not None and not isinstance(v, str):
                raise ValueError(f"region {k} must be a string or null, got {type(v).__name__}")
        return cls(**values)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(n for n in (self.province, self.city, self.district) if n)


# ---------------------------------------------------------------- the gazetteer as regions


def _build_regions() -> tuple[Region, ...]:
    out = []
    for d in china_divisions():
        english = english_name(d.name, d.alias, d.level)
        out.append(Region(d.name, d.alias, english, english_spellings(english, d.alias), d.level, d.code,
                          d.province, d.city if d.level != "province" else None))
    return tuple(sorted(out, key=lambda r: ("province", "city", "district").index(r.level)))


def _cache_path() -> Path:
    """Keyed by the versions that decide the table, so an upgrade rebuilds it."""
    key = hashlib.sha256(
        "|".join((_version("jionlp"), _version("pypinyin"), NAMING_VERSION)).encode()
    ).hexdigest()[:16]
    return home_dir() / "regions" / f"regions-{key}.json"


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "none"


def all_regions() -> tuple[Region, ...]:
    """Every region of the gazetteer, provinces first, in gazetteer order."""
    return _table()[0]


@lru_cache(maxsize=1)
def _table() -> tuple[tuple[Region, ...], frozenset[str]]:
    """The regions and which of their short names are everyday words.

    Building the table (gazetteer parse plus pinyin for 3,000 names) takes about a second, so
    it is kept as JSON under ``$POLICYQA_HOME/regions`` and read back in milliseconds; the
    file is only a cache (written atomically, rebuilt when missing or unreadable).
    """
    path = _cache_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        rows = tuple(Region(r[0], r[1], r[2], tuple(r[3]), r[4], r[5], r[6], r[7]) for r in data["regions"])
        return rows, frozenset(data["everyday"])
    except (OSError, ValueError, TypeError, IndexError, KeyError):
        pass
    regions = _build_regions()
    everyday = frozenset(r.short for r in regions if is_everyday_word(r.short))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, delete=False, suffix=".tmp") as f:
            rows_json = [[r.name, r.short, r.english, list(r.spellings), r.level, r.code, r.province, r.city] for r in regions]
            json.dump({"regions": rows_json, "everyday": sorted(everyday)}, f, ensure_ascii=False)
        os.chmod(f.name, 0o644)
        os.replace(f.name, path)
    except OSError:
        pass  # a read-only home: the table is simply rebuilt next time
    return regions, everyday


@lru_cache(maxsize=1)
def _by_name() -> dict[str, tuple[Region, ...]]:
    """Full names, short names and English spellings -> the regions they name."""
    index: dict[str, list[Region]] = {}
    for r in all_regions():
        for key in {r.name, r.short, *r.spellings}:
            index.setdefault(key, []).append(r)
    return {k: tuple(v) for k, v in index.items()}


def regions_named(name: str) -> tuple[Region, ...]:
    """Every region ``name`` can mean (Chinese full or short name, or English spelling)."""
    key = name.strip()
    found = _by_name().get(key) or _by_name().get(re.sub(r"\s+", " ", key.lower()))
    if not found and re.search(r"(?i)\s+(?:new\s+)?(?:district|area|county|city|province)$", key):
        found = _by_name().get(re.sub(r"(?i)\s+(?:new\s+)?(?:district|area|county|city|province)$", "", key).lower())
    return found or ()


def names_a_district(name: str) -> bool:
    """Whether ``name`` can mean a district or county (not only a province or city)."""
    return any(r.level == "district" for r in regions_named(name))


def district_by_name(name: str, prefer: Collection[str] = ()) -> Region | None:
    """The district ``name`` names (with or without 区, or in English); among same-named
    districts, one whose full name is in ``prefer`` (the corpus's districts) wins."""
    found = [r for r in regions_named(name) if r.level == "district"]
    return next((r for r in found if r.name in prefer), found[0] if found else None)


def district_english(name: str) -> str:
    """The English name of a district (its Chinese name when the gazetteer does not know it)."""
    d = district_by_name(name)
    return d.english if d else name


# ---------------------------------------------------------------- the corpus's scope


def _resolve_known(known: frozenset[str]) -> tuple[Region, ...]:
    """The corpus's districts as regions; a name two cities share (宝山区) is taken to be the
    one whose city holds most of the other known districts."""
    candidates = {n: [r for r in regions_named(n) if r.level == "district"] for n in known}
    parents = Counter(r.parent for rs in candidates.values() for r in rs)
    out = []
    for rs in candidates.values():
        if rs:
            best = max(parents[r.parent] for r in rs)
            out.extend(r for r in rs if parents[r.parent] == best)
    return tuple(out)


@dataclass(frozen=True)
class Scope:
    """What a corpus's district names imply: the regions, the cities and provinces they
    cover, and the sibling districts whose short names are recognised."""

    known: tuple[Region, ...]
    cities: frozenset[str]
    provinces: frozenset[str]
    districts: tuple[Region, ...]  # the known districts' cities' districts
    # The Chinese names of those districts (full, and short unless an everyday word), in
    # administrative-code order: the words the tokenizer keeps whole and key terms skip.
    words: tuple[str, ...] = ()
    # Lower-case English words of their spellings (jing'an -> jing, an, jingan).
    spellings: frozenset[str] = frozenset()


@lru_cache(maxsize=64)
def _scope(known: frozenset[str]) -> Scope:
    regions = _resolve_known(known)
    parents = {r.parent for r in regions}
    siblings = tuple(r for r in all_regions() if r.level == "district" and r.parent in parents)
    words: list[str] = []
    for r in sorted(siblings, key=lambda r: r.code):
        words.append(r.name)
        if len(r.short) >= 2 and r.short not in _table()[1]:
            words.append(r.short)
    spellings = frozenset(
        part for r in siblings for s in (*r.spellings, r.english.lower()) for part in re.findall(r"[a-z]+", s)
    )
    return Scope(
        regions, frozenset(r.city for r in regions if r.city), frozenset(r.province for r in regions if r.province),
        siblings, tuple(dict.fromkeys(words)), spellings,
    )


def scope_of(known: Iterable[str]) -> Scope:
    return _scope(frozenset(k for k in known if isinstance(k, str)))


# ---------------------------------------------------------------- finding mentions


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    text: str
    regions: tuple[Region, ...]  # what it may mean, best first


@lru_cache(maxsize=1)
def _zh_names() -> tuple[dict[str, tuple[Region, ...]], tuple[int, ...]]:
    """Chinese names recognised anywhere: full names of every region, short names of
    provinces and cities (北京, 杭州)."""
    names: dict[str, list[Region]] = {}
    for r in all_regions():
        names.setdefault(r.name, []).append(r)
        if r.level != "district" and len(r.short) >= 2:
            names.setdefault(r.short, []).append(r)
    return {k: tuple(v) for k, v in names.items()}, tuple(sorted({len(k) for k in names}, reverse=True))


_HAN_RUN = re.compile(r"[\u3400-\u9fff]+")


def _scan(text: str, names: Mapping[str, tuple[Region, ...]], lengths: tuple[int, ...]) -> list[Mention]:
    """Longest match first, left to right, no overlaps; only inside runs of Chinese
    characters, which is all a Chinese place name is made of (a 5 MB line of ASCII is
    skipped at regex speed instead of being looked up at every position)."""
    out: list[Mention] = []
    for run in _HAN_RUN.finditer(text):
        i, n = run.start(), run.end()
        while i < n:
            for length in lengths:
                if i + length > n:
                    continue
                key = text[i : i + length]
                if key in names:
                    out.append(Mention(i, i + length, key, names[key]))
                    i += length
                    break
            else:
                i += 1
    return out


def _plausible(mentions: list[Mention], text: str, names: Mapping[str, tuple[Region, ...]]) -> list[Mention]:
    """Drop matches that are words, not names: 区域 ("新建区域"), 市场, and a district whose
    short name is an everyday word (新建区 in "新建区眼病防治所" is "build the district's ...")
    unless its city or province is named right before it (南昌市新建区, 天津和平区)."""
    out: list[Mention] = []
    for m in mentions:
        after = text[m.end : m.end + 1]
        if (m.text.endswith("区") and after == "域") or (m.text.endswith("市") and after == "场"):
            short = m.text[:-1]  # 长宁区域 is 长宁 + 区域
            if short in names:
                out.append(Mention(m.start, m.end - 1, short, names[short]))
            continue
        districts = [r for r in m.regions if r.level == "district"]
        if districts and len(districts) == len(m.regions) and all(r.short in _table()[1] for r in districts):
            prev = out[-1] if out and out[-1].end == m.start else None
            parents = {p for r in districts for p in (r.city, r.province) if p}
            if prev is None or not {r.name for r in prev.regions} & parents:
                continue
        out.append(m)
    return out


def _en_pattern(spellings: Iterable[str]) -> re.Pattern[str] | None:
    alts = sorted({s for s in spellings if s}, key=len, reverse=True)
    if not alts:
        return None
    body = "|".join(re.escape(s).replace(r"\ ", r"\s*") for s in alts)
    return re.compile(rf"(?<![A-Za-z])(?:{body})(?![A-Za-z])", re.IGNORECASE)


@lru_cache(maxsize=64)
def _scope_names(known: frozenset[str]) -> tuple[dict[str, tuple[Region, ...]], tuple[int, ...]]:
    base, _ = _zh_names()
    names = dict(base)
    scope = _scope(known)
    for r in scope.districts:
        if r.short not in base and len(r.short) >= 2 and r.short not in _table()[1]:
            names[r.short] = names.get(r.short, ()) + (r,)
    return names, tuple(sorted({len(k) for k in names}, reverse=True))


@lru_cache(maxsize=64)
def _scope_english(known: frozenset[str]) -> re.Pattern[str] | None:
    """The English spellings' pattern, compiled only once a text with Latin letters needs it."""
    scope = _scope(known)
    en = {s: r for r in (*scope.districts, *(r for r in all_regions() if r.level != "district")) for s in r.spellings}
    return _en_pattern(en)


@lru_cache(maxsize=64)
def _scope_syllables(known: frozenset[str]) -> tuple[re.Pattern[str] | None, dict[str, Region]]:
    """The corpus's districts with their pinyin syllables written apart ("Min Hang",
    "Song-jiang"), as people new to pinyin write them; only the districts the corpus holds,
    where a two-word match cannot be an English phrase's accident."""
    forms: dict[str, Region] = {}
    for r in _scope(known).districts:
        syllables = pinyin_syllables(r.short)
        if len(syllables) >= 2 and r.english.lower().replace("'", "") == "".join(syllables):
            for sep in (" ", "-"):
                forms[sep.join(syllables)] = r
    if not forms:
        return None, {}
    body = "|".join(re.escape(f).replace(r"\ ", r"\s+").replace(r"\-", "-") for f in sorted(forms, key=len, reverse=True))
    return re.compile(rf"(?<![A-Za-z])(?:{body})(?![A-Za-z])", re.IGNORECASE), forms


def find_mentions(text: str, known: Iterable[str] = (), uses: Callable[[str], bool] | None = None) -> list[Mention]:
    """Every region named in ``text``, in order: full names of any region, short names of
    provinces, cities and the corpus's cities' districts, and their English spellings.

    ``uses`` (whether the corpus's plans use a string, e.g. ``qa.lexicon.Lexicon``): a
    district's short name inside a longer word the plans use is not a mention
    (``inside_corpus_word``)."""
    key = frozenset(k for k in known if isinstance(k, str))
    names, lengths = _scope_names(key)
    found = _plausible(_scan(text, names, lengths), text, names)
    if uses is not None:
        found = [m for m in found if not inside_corpus_word(m, text, key, uses)]
    en = _scope_english(key) if re.search(r"[A-Za-z]", text) else None
    if en is not None:
        taken = [(m.start, m.end) for m in found]
        for m in en.finditer(text):
            if not any(s < m.end() and m.start() < e for s, e in taken):
                found.append(Mention(m.start(), m.end(), m.group(), regions_named(m.group())))
                taken.append((m.start(), m.end()))
        spaced, forms = _scope_syllables(key)
        for m in spaced.finditer(text) if spaced is not None else ():
            if not any(s < m.end() and m.start() < e for s, e in taken):
                region = forms[re.sub(r"\s+", " ", m.group().lower())]
                found.append(Mention(m.start(), m.end(), m.group(), (region,)))
    found.sort(key=lambda m: m.start)
    return [_ranked(m, found, key) for m in found]


# How far a word may run on after a short name: 安宁 + 疗护 (the plans' 安宁疗护) needs two.
CONTINUATION_CHARS = (2, 3, 4)


def inside_corpus_word(m: Mention, text: str, known: Collection[str], uses: Callable[[str], bool]) -> bool:
    """Whether ``m`` is a district's short name that ``text`` continues into a longer word the
    plans use, for a district no plan belongs to: 安宁 in 安宁疗护 is the plans' word for hospice
    care, not 昆明市安宁市.

    The plans are the dictionary here: no general one lists 安宁疗护 (jieba cuts 安宁 | 疗护, and
    so it does 嘉定 | 今年), while a district whose plan is not in the corpus is not written
    by its bare short name inside the plans' own words. Two Han characters at least must
    follow (浦东的 stays 浦东); a full name (安宁市), a district the corpus holds (its plans
    write 长宁区域, 松江分院 about it) and provinces and cities are never dropped (whether
    their names are the plans' words is the answerer's call).
    """
    if not m.regions or any(r.level != "district" or r.name in known or m.text == r.name for r in m.regions):
        return False
    for k in CONTINUATION_CHARS:
        tail = text[m.end : m.end + k]
        if len(tail) < k or not _HAN_RUN.fullmatch(tail):
            return False
        if uses(text[m.start : m.end + k]):
            return True
    return False


def _ranked(m: Mention, all_mentions: list[Mention], known: frozenset[str]) -> Mention:
    """Same-named regions, best first: one the corpus holds, then one whose city or
    province the text also names, then gazetteer order."""
    if len(m.regions) < 2:
        return m
    named = {r.name for other in all_mentions if other is not m for r in other.regions}
    scope = _scope(known)

    def rank(r: Region) -> tuple[int, int]:
        return (0 if r.name in known and r in scope.known else 1, 0 if {r.city, r.province} & named else 1)

    return Mention(m.start, m.end, m.text, tuple(sorted(m.regions, key=rank)))


@dataclass(frozen=True)
class DistrictMention:
    """Where ``text`` names a district, and which district it means."""

    start: int
    end: int
    text: str
    district: Region


def district_mentions(
    text: str, known: Iterable[str] = (), uses: Callable[[str], bool] | None = None
) -> list[DistrictMention]:
    """Every mention of a district in ``text``, in order, with the district it means (a
    name several regions share: the one the corpus holds, then one whose city the text
    names; a name meaning a city first, 保山 / Baoshan with no 宝山区 plan, is a place, not a
    district). The one way a question's districts are found: the analysis, the follow-up
    resolver's substitutions and the citation check all read them here (``uses``: as
    ``find_mentions``)."""
    return [
        DistrictMention(m.start, m.end, m.text, m.regions[0])
        for m in find_mentions(text, known, uses)
        if m.regions and m.regions[0].level == "district"
    ]


def find_districts(text: str, known: Iterable[str] = (), uses: Callable[[str], bool] | None = None) -> list[Region]:
    """Every district named in ``text``, in order of first mention, without repeats
    (``uses``: as ``find_mentions``)."""
    return distinct_districts(district_mentions(text, known, uses))


def distinct_districts(mentions: Iterable[DistrictMention]) -> list[Region]:
    """The districts of ``mentions``, in order of first mention, without repeats."""
    out: dict[str, Region] = {}
    for m in mentions:
        out.setdefault(m.district.name, m.district)
    return list(out.values())


def place_mentions(text: str, known: Iterable[str] = ()) -> list[tuple[int, int, str]]:
    """Provinces, cities and places abroad named in ``text`` as ``(start, end, surface)``."""
    spans = [(m.start, m.end, m.text) for m in find_mentions(text, known) if m.regions and m.regions[0].level != "district"]
    taken = [(s, e) for s, e, _ in spans]
    for s, e, surface in _world_spans(text):
        if not any(a < e and s < b for a, b in taken):
            spans.append((s, e, surface))
    return sorted(spans)


@lru_cache(maxsize=1)
def _world_names() -> tuple[dict[str, tuple[Region, ...]], tuple[int, ...]]:
    china = {r.name for r in all_regions()} | {r.short for r in all_regions()}
    zh = {n: () for n in world_places_zh() if n not in china}
    return zh, tuple(sorted({len(k) for k in zh}, reverse=True))


@lru_cache(maxsize=1)
def _world_english() -> re.Pattern[str] | None:
    """Compiled only once a text with capitals needs it (a tenth of a second)."""
    body = "|".join(re.escape(n) for n in sorted(world_places_en(), key=len, reverse=True))
    return re.compile(rf"(?<![A-Za-z])(?:{body})(?![A-Za-z])") if body else None


def _world_spans(text: str) -> list[tuple[int, int, str]]:
    spans = []
    if re.search(r"[\u4e00-\u9fff]", text):
        zh, lengths = _world_names()
        spans = [(m.start, m.end, m.text) for m in _scan(text, zh, lengths)]
    en = _world_english() if re.search(r"[A-Z]", text) else None
    if en is not None:
        spans += [(m.start(), m.end(), m.group()) for m in en.finditer(text)]
    return spans


def region_words() -> frozenset[str]:
    """Words that name a district anywhere: full names, and short names that are not
    everyday words (和平, 合作 name districts too); for key-term and tokenizer use."""
    return _region_words()


@lru_cache(maxsize=1)
def _region_words() -> frozenset[str]:
    words = set()
    for r in all_regions():
        if r.level == "district" and r.short not in _table()[1]:
            words.add(r.name)
            if len(r.short) >= 2:
                words.add(r.short)
    return frozenset(words)


@lru_cache(maxsize=1)
def region_spellings() -> frozenset[str]:
    """Lower-case English words of district spellings (``jing'an`` -> jing, an)."""
    return frozenset(
        part for r in all_regions() if r.level == "district" and r.short in _region_words()
        for s in (*r.spellings, r.english.lower()) for part in re.findall(r"[a-z]+", s)
    )


# ---------------------------------------------------------------- a document's region


@lru_cache(maxsize=1)
def _municipalities() -> frozenset[str]:
    """Province-level cities (北京市, 上海市, ...): their districts' city is themselves."""
    return frozenset(r.city for r in all_regions() if r.level == "district" and r.city == r.province)


def _region_of(r: Region) -> DocumentRegion:
    if r.level == "province":
        return DocumentRegion(r.name, r.name if r.name in _municipalities() else None, None)
    if r.level == "city":
        return DocumentRegion(r.province, r.name, None)
    return DocumentRegion(r.province, r.city, r.name)


def detect_region(text: str, head_chars: int = 300) -> DocumentRegion:
    """The region a document is about: the one its title or opening names, else the
    district it names most.

    Government plans name their own district in the title line; other districts appear
    only in passing, so the opening decides when it names exactly one district. An opening
    that names a city or province and no district is a city-level or provincial plan. A
    short name counts in the body only once its full name has appeared there.
    """
    head = [m for m in find_mentions(text[:head_chars]) if m.regions]
    districts = {m.regions[0].name: m for m in head if m.regions[0].level == "district"}
    if len(districts) == 1:
        return _region_of(_pick(next(iter(districts.values())).regions, text))
    if not districts:
        cities = [m.regions[0] for m in head if m.regions[0].level == "city"]
        provinces = [m.regions[0] for m in head if m.regions[0].level == "province"]
        if cities or provinces:
            return _region_of((cities or provinces)[0])
    full = {m.regions[0].name for m in find_mentions(text) if m.regions and m.regions[0].level == "district"}
    if not full:
        return DocumentRegion()
    shorts = {n: regions_named(n)[0].short for n in full}
    counts = Counter({n: text.count(shorts[n] if len(shorts[n]) >= 2 else n) for n in full})
    best = counts.most_common(1)[0][0]
    return _region_of(_pick(regions_named(best), text))


def _pick(candidates: tuple[Region, ...], text: str) -> Region:
    """Among same-named districts, the one whose city, province and sibling districts the
    text names most."""
    districts = [r for r in candidates if r.level == "district"] or list(candidates)
    if len(districts) == 1:
        return districts[0]

    def score(r: Region) -> int:
        parents = [n for n in (r.city, r.province) if n]
        siblings = [s.name for s in all_regions() if s.level == "district" and s.parent == r.parent and s != r]
        return sum(text.count(p) + text.count(p.rstrip("市省")) for p in parents) + sum(text.count(s) for s in siblings)

    return max(districts, key=score)


# ---------------------------------------------------------------- a region as a person names it

NATIONAL = frozenset({"national", "全国", "国家", "中国", "china"})
_HOW_TO_NAME = "name it like 杭州市西湖区, 浙江省杭州市, Xihu District, Hangzhou, or national"


def _inside(r: Region, outer: Region) -> bool:
    return r == outer or outer.name in (r.city, r.province)


def parse_region(text: str) -> DocumentRegion:
    """The region an uploader names: "杭州市西湖区", "浙江省杭州市", "Xihu District, Hangzhou",
    or "national" / "全国" for a national document.

    Raises ``ValueError`` naming the problem: nothing recognised, parts that do not nest
    (西湖区 is not in 成都市), or a district several cities have (朝阳区: 北京市 or 长春市).
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"region is empty; {_HOW_TO_NAME}")
    t = re.sub(r"\s+", " ", text.strip())
    if t.lower() in NATIONAL:
        return DocumentRegion()
    if re.search(r"[\u4e00-\u9fff]", t):
        names, lengths = _all_names()
        mentions = _scan(re.sub(r"[\s,，、/]+", "", t), names, lengths)
        rest = re.sub(r"[\s,，、/]+", "", t)
        for m in mentions:
            rest = rest.replace(m.text, "", 1)
        if rest:
            raise ValueError(f"region {text!r}: {rest!r} is not a province, city or district of the gazetteer; {_HOW_TO_NAME}")
        parts = [m.regions for m in mentions]
    else:
        pieces = [p for p in re.split(r"\s*,\s*", t) if p]
        parts = [regions_named(p) for p in pieces]
        unknown = [p for p, found in zip(pieces, parts, strict=True) if not found]
        if unknown:
            raise ValueError(f"region {text!r}: {unknown[0]!r} is not a province, city or district of the gazetteer; {_HOW_TO_NAME}")
    if not parts:
        raise ValueError(f"region {text!r} names no province, city or district")
    levels = ("district", "city", "province")
    finest = min(parts, key=lambda rs: min(levels.index(r.level) for r in rs))
    others = [rs for rs in parts if rs is not finest]
    fits = [r for r in finest if all(any(_inside(r, o) for o in rs) for rs in others)]
    if not fits:
        raise ValueError(f"region {text!r}: {finest[0].name} is not in {others[0][0].name}")
    fits = [r for r in fits if levels.index(r.level) == min(levels.index(f.level) for f in fits)]
    if len({(r.province, r.city, r.name) for r in fits}) > 1:
        where = " or ".join(sorted({r.parent or "" for r in fits}))
        raise ValueError(f"region {text!r} is ambiguous: {fits[0].name} of {where}; name its city too, e.g. {fits[0].parent}{fits[0].name}")
    return _region_of(fits[0])


@lru_cache(maxsize=1)
def _all_names() -> tuple[dict[str, tuple[Region, ...]], tuple[int, ...]]:
    """Every full and short name (an uploader naming a region means it as a region)."""
    names: dict[str, list[Region]] = {}
    for r in all_regions():
        for key in {r.name, r.short}:
            if len(key) >= 2:
                names.setdefault(key, []).append(r)
    return {k: tuple(v) for k, v in names.items()}, tuple(sorted({len(k) for k in names}, reverse=True))
