"""Shanghai's districts: Chinese and English names, and finding them in text.

Used by ingest (which district a document is about) and by question analysis (which
districts a question names, and whether it names a place the corpus does not cover).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass


@dataclass(frozen=True)
class District:
    name: str  # full Chinese name, e.g. 静安区
    short: str  # without 区, e.g. 静安
    english: str  # e.g. Jing'an
    spellings: tuple[str, ...]  # lower-case English spellings accepted in questions


SHANGHAI_DISTRICTS: tuple[District, ...] = (
    District("黄浦区", "黄浦", "Huangpu", ("huangpu",)),
    District("徐汇区", "徐汇", "Xuhui", ("xuhui",)),
    District("长宁区", "长宁", "Changning", ("changning",)),
    District("静安区", "静安", "Jing'an", ("jing'an", "jingan", "jing an", "jing-an", "jing’an")),
    District("普陀区", "普陀", "Putuo", ("putuo",)),
    District("虹口区", "虹口", "Hongkou", ("hongkou",)),
    District("杨浦区", "杨浦", "Yangpu", ("yangpu",)),
    District("闵行区", "闵行", "Minhang", ("minhang",)),
    District("宝山区", "宝山", "Baoshan", ("baoshan",)),
    District("嘉定区", "嘉定", "Jiading", ("jiading",)),
    District("浦东新区", "浦东", "Pudong", ("pudong",)),
    District("金山区", "金山", "Jinshan", ("jinshan",)),
    District("松江区", "松江", "Songjiang", ("songjiang",)),
    District("青浦区", "青浦", "Qingpu", ("qingpu",)),
    District("奉贤区", "奉贤", "Fengxian", ("fengxian",)),
    District("崇明区", "崇明", "Chongming", ("chongming",)),
)

BY_NAME: dict[str, District] = {d.name: d for d in SHANGHAI_DISTRICTS}


def district_by_name(name: str) -> District | None:
    """Look a district up by its Chinese name (with or without 区) or English spelling."""
    key = name.strip()
    for d in SHANGHAI_DISTRICTS:
        if key in (d.name, d.short) or key.lower() in d.spellings or key.lower() == d.english.lower():
            return d
    return None


def _english_pattern(d: District) -> re.Pattern[str]:
    alts = "|".join(re.escape(s).replace(r"\ ", r"\s*") for s in sorted(d.spellings, key=len, reverse=True))
    return re.compile(rf"(?<![a-z])(?:{alts})(?![a-z])", re.IGNORECASE)


_EN_PATTERNS = {d.name: _english_pattern(d) for d in SHANGHAI_DISTRICTS}


def find_districts(text: str) -> list[District]:
    """Every Shanghai district named in ``text``, in order of first mention, without repeats."""
    hits: list[tuple[int, District]] = []
    for d in SHANGHAI_DISTRICTS:
        positions = [text.find(d.short)] if d.short in text else []
        m = _EN_PATTERNS[d.name].search(text)
        if m:
            positions.append(m.start())
        if positions:
            hits.append((min(positions), d))
    return [d for _, d in sorted(hits, key=lambda h: h[0])]


def detect_district(text: str) -> str | None:
    """The district a document is about: the one its title or opening names, else the most named.

    Government plans name their own district in the title line; other districts appear only
    in passing, so the first 300 characters decide when they name exactly one district.
    """
    head = find_districts(text[:300])
    if len(head) == 1:
        return head[0].name
    counts = Counter({d.name: text.count(d.short) for d in SHANGHAI_DISTRICTS})
    name, n = counts.most_common(1)[0]
    return name if n > 0 else None
