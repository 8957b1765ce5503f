"""Synthetic corpora for the scale benchmark: the five real plans rewritten under other regions.

An ``N×`` corpus holds the five real plans plus ``N - 1`` synthetic regions, each with all five
plans rewritten under its name: the plan's own district (full name 宝山区, short name 宝山,
and so the title line) becomes the region's county-level name, 上海(市) becomes the region's
city, and the figures are perturbed (×0.75–1.25, never unchanged), so every synthetic plan is
a plausible distractor: the same topics, the same wording, other numbers, another place.

The regions are real county-level names from the national gazetteer shipped in the ``jionlp``
wheel (its ``china_location.txt``), chosen deterministically: unique names only, none whose
short name is a Shanghai district's or occurs in the real plans or the dev questions (so a
real question can never name a synthetic region by accident), spread over the country by
administrative code. Years, dates, ordinals and list numbers are kept (a plan for 2025 stays
one). Everything is a pure function of the real texts and the gazetteer: two runs write the
same bytes. The files go under ``$POLICYQA_HOME/bench-scale`` and are never committed.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from ingest import regions as gazetteer_regions
from ingest.gazetteer import china_location_text
from kernel.types import Document

# 2: no region whose city's other districts a real text names; 3: only districts ingest's gazetteer knows
GENERATOR_VERSION = 3
CITY_NAME = ("上海市", "上海")  # the real plans' city, full and short


@dataclass(frozen=True)
class Region:
    """A real county-level region: 江苏省 / 苏州市 (苏州) / 吴中区 (吴中), code 320506."""

    province: str
    city: str
    city_short: str
    name: str
    short: str
    code: str


@dataclass(frozen=True)
class SyntheticDoc:
    """One rewritten plan: where it came from and which region it now belongs to."""

    doc_id: str
    source_doc: str
    district: str
    city: str
    province: str
    code: str


def _short(name: str) -> str:
    return re.sub(r"(自治县|区|县)$", "", name)


def read_gazetteer(path: Path | None = None) -> list[Region]:
    """Every county-level 区 or 县 in the gazetteer, with its province and city (in file order)."""
    regions: list[Region] = []
    province = city = city_short = ""
    text = path.read_text(encoding="utf-8") if path is not None else china_location_text()
    for line in text.splitlines():
        depth = len(line) - len(line.lstrip("\t"))
        if depth > 2:
            continue
        fields = line.strip().split("\t")
        if depth == 0:
            province = fields[0]
        elif depth == 1:
            city = fields[0]
            city_short = fields[2] if len(fields) > 2 else re.sub(r"市$", "", city)
        elif len(fields) >= 2 and re.search(r"(区|县)$", fields[0]) and city.endswith("市"):
            regions.append(Region(province, city, city_short, fields[0], _short(fields[0]), fields[1]))
    return regions


def _shanghai_districts() -> list[gazetteer_regions.Region]:
    return [r for r in gazetteer_regions.all_regions() if r.level == "district" and r.province == "上海市"]


def choose_regions(n: int, avoid_texts: Sequence[str], gazetteer: Sequence[Region] | None = None) -> list[Region]:
    """``n`` regions spread over the country by code, none that a real text could name."""
    every = list(gazetteer if gazetteer is not None else read_gazetteer())
    counts: dict[str, int] = {}
    for r in every:
        counts[r.name] = counts.get(r.name, 0) + 1
    shanghai = {n for d in _shanghai_districts() for n in (d.short, d.name)}
    joined = "\n".join(avoid_texts)
    named_in_city: dict[str, bool] = {}  # city -> whether a real text names one of its districts

    def city_named(r: Region) -> bool:
        # A corpus holding a region recognises its city's other districts by short name too
        # (``ingest.regions.Scope``): 安宁 (昆明市安宁市) in "安宁疗护" would then read as a
        # place with no plan, and the question would be refused for a reason the benchmark
        # is not about (reported in README "Scale"), so such cities are not chosen.
        if r.city not in named_in_city:
            words = gazetteer_regions.scope_of([r.name]).words
            named_in_city[r.city] = any(len(w) >= 2 and w in joined for w in words)
        return named_in_city[r.city]

    usable = sorted(
        (
            r
            for r in every
            if counts[r.name] == 1
            # a district ingest's gazetteer knows: it drops economic-development zones and the
            # like (吉林经济开发区), which no plan's region can then name (the engine's follow-up
            # resolver refused such an index's district list: its warm-up failed at 100×)
            and gazetteer_regions.names_a_district(r.name)
            and len(r.short) >= 2
            and r.province != "上海市"
            and r.short not in shanghai
            and r.short not in joined
            and r.city_short not in CITY_NAME
            and not city_named(r)
        ),
        key=lambda r: r.code,
    )
    if n > len(usable):
        raise ValueError(f"asked for {n} regions, the gazetteer has {len(usable)} usable ones")
    chosen: list[Region] = []
    step = len(usable) / max(n, 1)
    i = 0.0
    taken: set[str] = set()
    while len(chosen) < n:  # every step-th, skipping a short name inside another's (吴中 / 中)
        for r in usable[int(i) :] + usable[: int(i)]:
            if r.code not in taken and not any(r.short in s or s in r.short for s in (c.short for c in chosen)):
                chosen.append(r)
                taken.add(r.code)
                break
        i += step
    return chosen


# A number, with what decides whether it is a figure: 第12 and 12月 / 12日 / 12号 are
# ordinals and dates, 2025 a year, "3、" a list number; those are kept.
_NUMBER = re.compile(r"(?<![\d.])(第)?(\d+(?:\.\d+)?)(?![\d.])(%|％|月|日|号|、)?")


def _factor(seed: str, number: str) -> float:
    digest = hashlib.sha256(f"{seed}|{number}".encode()).digest()
    u = int.from_bytes(digest[:8], "big") / 2**64  # uniform in [0, 1)
    return 0.75 + 0.2 * u if u < 0.5 else 1.05 + 0.2 * u  # 0.75-0.85 or 1.15-1.25: never near 1


def perturb_number(seed: str, number: str, percent: bool) -> str:
    """``number`` scaled by a factor that depends only on (seed, number): one plan's 80% is
    always the same other figure, wherever it appears; a percentage stays at most 100."""
    value = float(number)
    new = value * _factor(seed, number)
    if percent and value <= 100:
        new = min(new, 100.0 if value < 100 else 99.0)
    if "." in number:
        places = len(number.split(".")[1])
        out = f"{new:.{places}f}"
        return out if out != number else f"{value + 10**-places:.{places}f}"
    out = str(max(1, round(new)))
    return out if out != number else str(int(value) + 1)


def _keep(ordinal: str | None, number: str, after: str | None) -> bool:
    if ordinal or after in ("月", "日", "号", "、"):
        return True
    if "." not in number and len(number) == 4 and 1949 <= int(number) <= 2060:
        return True  # a year
    return "." not in number and int(number) < 10 and after not in ("%", "％")  # small counts, list items


def rewrite(text: str, source: str, region: Region, seed: str) -> str:
    """``text`` of a plan of Shanghai's ``source`` district as the same plan of ``region``."""
    home = next((d for d in _shanghai_districts() if source in (d.name, d.short)), None)
    if home is None:
        raise ValueError(f"{source!r} is not a Shanghai district: only the real plans are rewritten")
    names = {home.name: region.name, home.short: region.short, CITY_NAME[0]: region.city, CITY_NAME[1]: region.city_short}
    places = re.compile("|".join(re.escape(k) for k in sorted(names, key=len, reverse=True)))

    def number(m: re.Match[str]) -> str:
        ordinal, value, after = m.group(1), m.group(2), m.group(3)
        if _keep(ordinal, value, after):
            return m.group(0)
        return f"{ordinal or ''}{perturb_number(seed, value, after in ('%', '％'))}{after or ''}"

    return _NUMBER.sub(number, places.sub(lambda m: names[m.group(0)], text))


def _doc_id(region: Region, source_doc: str) -> str:
    from pypinyin import lazy_pinyin

    rest = source_doc.split("-", 1)[1] if "-" in source_doc else source_doc
    return f"{''.join(lazy_pinyin(region.short))}-{region.code}-{rest}"


def default_root() -> Path:
    from ingest import settings

    return settings.home_dir() / "bench-scale"


def generate(
    scale: int,
    real: Sequence[Document],
    root: Path | None = None,
    avoid_texts: Sequence[str] = (),
    gazetteer: Sequence[Region] | None = None,
) -> Path:
    """Write the synthetic part of an ``scale``× corpus (``scale - 1`` regions × the real plans)
    under ``root/x<scale>`` and return that folder (``corpus/*.txt`` and ``regions.json``).

    A folder already written by this generator version for the same inputs is reused.
    """
    if isinstance(scale, bool) or not isinstance(scale, int) or scale < 1:
        raise ValueError(f"scale must be a whole number >= 1, got {scale!r}")
    out = (root or default_root()) / f"x{scale}"
    sources = sorted(real, key=lambda d: d.doc_id)
    stamp = hashlib.sha256(
        json.dumps([GENERATOR_VERSION, scale, [d.sha256 for d in sources]]).encode()
    ).hexdigest()
    manifest = out / "regions.json"
    if manifest.is_file() and json.loads(manifest.read_text(encoding="utf-8")).get("stamp") == stamp:
        return out
    regions = choose_regions(scale - 1, [*(d.text for d in sources), *avoid_texts], gazetteer)
    corpus = out / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    for old in corpus.glob("*.txt"):
        old.unlink()
    written: list[SyntheticDoc] = []
    for region in regions:
        for doc in sources:
            if doc.district is None:
                raise ValueError(f"real plan {doc.doc_id} has no district to rewrite")
            doc_id = _doc_id(region, doc.doc_id)
            text = rewrite(doc.text, doc.district, region, seed=doc_id)
            (corpus / f"{doc_id}.txt").write_text(text, encoding="utf-8")
            written.append(SyntheticDoc(doc_id, doc.doc_id, region.name, region.city, region.province, region.code))
    tmp = manifest.with_suffix(".tmp")
    tmp.write_text(
        json.dumps({"stamp": stamp, "documents": [asdict(w) for w in written]}, ensure_ascii=False, indent=1),
        encoding="utf-8",
    )
    tmp.replace(manifest)
    return out


def synthetic_entries(folder: Path) -> list[SyntheticDoc]:
    data = json.loads((folder / "regions.json").read_text(encoding="utf-8"))
    return [SyntheticDoc(**row) for row in data["documents"]]


def load_synthetic(folder: Path) -> list[Document]:
    """The synthetic plans of ``folder``, parsed, each with its region as its district.

    The district is set from ``regions.json``: main's district detection knows Shanghai only.
    """
    from ingest.pipeline import parse_text

    docs = []
    for entry in synthetic_entries(folder):
        path = folder / "corpus" / f"{entry.doc_id}.txt"
        doc = parse_text(entry.doc_id, path.read_text(encoding="utf-8"), source=str(path))
        docs.append(replace(doc, district=entry.district))
    return docs
