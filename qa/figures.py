"""Figures stated in plan sentences, and verdicts comparing two of them.

A comparison question ("谁更高", "哪个更快", "一样吗", "which is higher") deserves an answer
that says which figure is higher, not just two quoted sentences. This module reads the figures
a sentence states — value or range, normalised unit, and the bound its wording puts on it
(以上 → ">=") — and compares two of them. Pure functions; spans index the caller's text.

Conventions (chosen here, relied on by callers):
- Years are never figures: a 19xx/20xx number followed by 年, part of a range of two such
  numbers, or standing bare ("健康中国2030"). Dates (6月26日), document numbers (〔2024〕9号),
  ordinals (第一, 第十四个), section markers ("1." or "4、" at a sentence start, "(1)"),
  slogans ("5+4", "3-2-1", “887365”, “两个允许”) and identifiers (5G, G60, P2+) are skipped.
- A compound duration is stored in the smallest unit written: 10分45秒 → 645 "秒",
  1小时30分钟 → 90 "分钟"; ``comparable`` converts between 秒, 分钟, 小时, 天 and 周.
- 以上/以下/以内 include the figure (">=", "<="), as in Chinese legal usage; 超过/高于 are
  strict (">"). A bound word after the figure wins over one before it (达到…以上 → ">=").
- A count in a clause about a population ("每万人口…人员数达1.75名") gets the per-population
  unit ("名/万人口"), like one written whole ("4.5名每万常住人口").
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Bound = Literal["=", ">=", "<=", ">", "<"]
Relation = Literal["higher", "lower", "equal", "overlap", "incomparable"]
Lang = Literal["zh", "en"]

# One character in, one character out, so spans in the folded text are spans in the caller's.
_FOLD = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_FOLD |= {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}

# normalised unit → (unit it converts to, factor, wording kind). comparable() compares the
# first element, so 个/家/所 are one count and 秒/分钟/小时 one duration.
_BASES: dict[str, tuple[str, float, str]] = {u: (u, 1.0, "count") for u in "项次台辆类种支套篇例份间座处户条"}
_BASES |= {u: (u, 1.0, "rate") for u in ("%", "‰", "百分点", "岁", "倍", "公斤")}
_BASES |= {
    "个": ("个", 1, "count"), "家": ("个", 1, "count"), "所": ("个", 1, "count"), "名": ("人", 1, "count"),
    "人": ("人", 1, "count"), "万人": ("人", 1e4, "count"), "人次": ("人次", 1, "count"),
    "万人次": ("人次", 1e4, "count"), "张": ("张", 1, "count"), "床": ("张", 1, "count"),
    "元": ("元", 1, "rate"), "千元": ("元", 1e3, "rate"), "万元": ("元", 1e4, "rate"), "亿元": ("元", 1e8, "rate"),
    "万": ("", 1e4, "rate"), "亿": ("", 1e8, "rate"), "秒": ("秒", 1, "time"), "分钟": ("秒", 60, "time"),
    "小时": ("秒", 3600, "time"), "天": ("秒", 86400, "time"), "周": ("秒", 604800, "time"),
    "个月": ("个月", 1, "time"), "年": ("个月", 12, "time"), "米": ("米", 1, "size"),
    "公里": ("米", 1000, "size"), "平方米": ("平方米", 1, "size"), "平方公里": ("平方米", 1e6, "size"),
}
_UNITS = {u: u for u in _BASES} | {"个百分点": "百分点", "周岁": "岁", "千米": "公里", "千克": "公斤"}
# longest first so 个月 wins over 个; 人 is not the start of 人口
_UNIT = "|".join(re.escape(u) + ("(?!口)" if u.endswith("人") else "") for u in sorted(_UNITS, key=len, reverse=True))
_SCALES = {"十万": "十万", "10万": "十万", "万": "万", "千": "千", "1000": "千", "百": "百"}
_PER = (
    r"(?:/|每)(?P<pop>(?:十万|10万|万|千|1000|百)(?:常住|户籍)?人口?|(?:常住|户籍)?人口)"
    r"|/(?P<den>人·?年|人|年|日|天|月|床|户)"
)
_NUM = r"[0-9]{1,3}(?:,[0-9]{3})+(?![0-9])(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?"
_SEP = r"[-~〜—–]{1,2}|至|到"
_SINGLE = re.compile(
    rf"(?P<lo>{_NUM})(?:[ \t]*(?P<approx>[余多])(?={_UNIT}))?(?:[ \t]*(?P<u>{_UNIT}))?(?:{_PER})?"
)
_RANGE = re.compile(
    rf"(?P<lo>{_NUM})[ \t]*(?P<u1>{_UNIT})?[ \t]*(?P<sep>{_SEP})[ \t]*(?P<hi>{_NUM})"
    rf"(?:[ \t]*(?P<u>{_UNIT}))?(?:{_PER})?"
)
_YEAR = re.compile(r"(?:19|20)[0-9]{2}(?![0-9]|[.,][0-9])(?:[ \t]*(?:[-~〜—–]{1,2}|至|到)[ \t]*(?:19|20)[0-9]{2}(?![0-9]))?")
_COMPOUND = re.compile(
    r"(?:(?P<h>[0-9]+)[ \t]*小时)?(?:(?P<m>[0-9]+)[ \t]*分钟?)?(?:(?P<s>[0-9]+(?:\.[0-9]+)?)[ \t]*秒)?"
)
_CN_DIGITS = dict(zip("零〇一二两三四五六七八九", (0, 0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9), strict=True))
_CN = re.compile(r"(?P<cn>[一二两三四五六七八九十][零〇一二两三四五六七八九十百千万]*)(?P<u>个月|个|家|所|名|项|台|辆|天|岁|次(?!性))")
_CN_PCT = re.compile(r"(?P<kind>百分之|千分之)(?P<n>[0-9]+(?:\.[0-9]+)?|[零〇一二两三四五六七八九十百点]+)")

_PREFIX_BOUNDS: dict[str, Bound] = {
    "不低于": ">=", "不少于": ">=", "不小于": ">=", "至少": ">=", "最少": ">=", "最低": ">=",
    "大于等于": ">=", "≥": ">=", "≧": ">=", "⩾": ">=", ">=": ">=",
    "不超过": "<=", "不高于": "<=", "不多于": "<=", "不大于": "<=", "最多": "<=", "至多": "<=", "最高": "<=",
    "小于等于": "<=", "≤": "<=", "≦": "<=", "⩽": "<=", "<=": "<=",
    "超过": ">", "高于": ">", "大于": ">", "多于": ">", ">": ">",
    "低于": "<", "少于": "<", "小于": "<", "不到": "<", "不足": "<", "<": "<",
}
_SUFFIX_BOUND = re.compile(r"[ \t]*(?P<w>及以上|以上|及以下|以下|以内)")
_CLAUSE_BREAK = re.compile(r"[，,。；;：:！!？?\n|]")
_POPULATION = re.compile(r"(?P<scale>十万|10万|万|千|1000|百)(?:常住|户籍)?人口")
_DIGIT = re.compile(r"[0-9]")
_OPENERS = ("(", "（", "[", "【", "〔", "“", '"', "「")
_CLOSERS = (")", "）", "]", "】", "〕", "”", '"', "」")
_UNIT_AFTER = re.compile(rf"[ \t]*(?:{_UNIT})")
_DENOMINATOR = re.compile(r"[ \t]*(?:万|千)?(?:常住|户籍)?人口")
_COUNTED = re.compile(r"[\u4e00-\u9fff]{0,10}")  # 3家 + 社区标准化 + 口腔诊室
_FROM_TO = re.compile(r"[ \t]*(?:降低|下降|降|提高|提升|增长|增加|上升|缩短|减少|减|增|提|升)?(?:至|到)[ \t]*")


@dataclass(frozen=True)
class Figure:
    """A figure as a sentence states it; ``value`` is the low end of a range."""

    value: float
    high: float | None
    unit: str
    bound: Bound
    start: int
    end: int
    raw: str

    def text(self, lang: Lang = "zh") -> str:
        """How an answer writes the figure: bound sign, number or range, unit."""
        _check_lang(lang)
        sign = {"=": "", ">=": "≥", "<=": "≤", ">": ">", "<": "<"}[self.bound]
        if self.unit == "秒" and self.high is None and self.value >= 60:
            minutes, seconds = divmod(self.value, 60)
            body = f"{_num(minutes)}分{_num(seconds)}秒" if lang == "zh" else f"{_num(minutes)} min {_num(seconds)} s"
            return sign + body
        number = _num(self.value) if self.high is None else f"{_num(self.value)}-{_num(self.high)}"
        return sign + number + (self.unit if lang == "zh" else _english_unit(self.unit))


# %, a word unit (岁, 张, 人) or a rate per population (1/10万, 人/10万人口), in closing brackets
# (a scope note may follow the unit: "医疗机构设置中医科室比例(%)(除精神专科医院)")
_DECLARED_UNIT = re.compile(
    r"[（(]\s*(%|‰|‱|[\u4e00-\u9fff]{1,3}|[\u4e00-\u9fff1]{0,2}/[0-9]+[万千][\u4e00-\u9fff]{0,2})\s*[)）][\s*]*"
    r"(?:[（(][^()（）]{4,}[)）][\s*]*)?$"
)


def declared_unit(label: str) -> str:
    """The unit an indicator declares in its closing brackets ("居民健康素养水平(%)*" → "%",
    "精神科执业(助理)医师数 (人/10万人口)" → "人/10万人口"), or "" when it declares none."""
    m = _DECLARED_UNIT.search(label.rstrip(" |"))
    return m.group(1) if m else ""


def parse_figures(text: str) -> list[Figure]:
    """Every figure ``text`` states, in order; years, dates, ordinals and labels excluded."""
    t = text.translate(_FOLD)
    found = _cn_percents(text, t)
    taken = [(f.start, f.end) for f in found]
    found += [f for f in _cn_counts(text, t) if not _overlaps(f, taken)]
    pos = 0
    while (m := _DIGIT.search(t, pos)) is not None:
        figure, pos = _read_number(text, t, m.start())
        if figure is not None and not _overlaps(figure, taken):
            found.append(figure)
    return sorted(found, key=lambda f: f.start)


# The measure word a question asks its figure in ("多少张病床", "几岁", "how many beds"). A
# generic 个 ("多少个") asks no particular unit. Longest first: 平方米 before 米, 人次 before 人.
_ASKED_ZH = re.compile(r"(?:多少|几)(个月|平方公里|平方米|公里|分钟|小时|人次|张|家|所|名|人|项|岁|秒|天|床|篇|台|辆|例|元|万元|亿元)")
_ASKED_EN = {
    "beds": "张", "papers": "篇", "articles": "篇", "minutes": "分钟", "hours": "小时", "days": "天",
    "kilometres": "公里", "kilometers": "公里", "km": "公里", "square metres": "平方米", "square meters": "平方米",
}
_ASKED_EN_RE = re.compile(r"\bhow many (" + "|".join(sorted(_ASKED_EN, key=len, reverse=True)) + r")\b", re.I)


# A measure asked by name, whose figure comes in its units ("用房面积标准是多少", "服务半径多大").
_DIMENSION_UNIT = {"面积": "平方米", "半径": "米", "距离": "米"}
# ("面积要求是什么", or typed as keywords "业务用房 面积标准": a standard for a dimension is a
# figure in its unit)
_ASKED_DIMENSION = re.compile(
    r"(面积|半径|距离)[^，,。？?；;]{0,6}?(?:是|有|要|为|达到)?(?:多少|多大|多远|几)(?![个家所名项张台辆种类座间次])"
    r"|(面积|半径|距离)(?:要求|标准)(?:[^，,。？?；;]{0,4}?(?:是什么|是多少|多少|怎么定|如何)|(?=\s|$))"
)
# A unit symbol in brackets, as a table heading writes it ("具体目标数值（‰）是多少").
_ASKED_SYMBOL = re.compile(r"[（(]\s*(‰|%|％)\s*[)）]")


def asked_unit(question: str) -> str:
    """The unit a question asks its figure in, normalised ("多少张病床" → "张", "几家" → "个"),
    or "" when it names none or asks several figures: the evidence must state a figure in that unit, not any figure
    ("十家社区卫生服务中心" does not say how many beds)."""
    if len(re.findall(r"多少|几|\bhow many\b", question, re.I)) > 1:
        return ""  # several figures asked ("几个…多少辆"): each part is judged on its own
    m = _ASKED_ZH.search(question) or _ASKED_SYMBOL.search(question)
    word = m.group(1) if m else ""
    if not word and (d := _ASKED_DIMENSION.search(question)):
        word = _DIMENSION_UNIT[d.group(1) or d.group(2)]  # "用房面积要多大": an area, in 平方米 or 平方公里
    if not word and (e := _ASKED_EN_RE.search(question)):
        word = _ASKED_EN[e.group(1).lower()]
    return _scale(_UNITS.get(word, word))[0] if word else ""


def states_unit(figures: Sequence[Figure], unit: str) -> bool:
    """Whether one of ``figures`` (a text's, ``parse_figures``) can be in ``unit`` (a
    normalised unit, as ``asked_unit`` gives): same unit, any duration for a duration, or a
    figure whose unit the sentence leaves to a label (a table row's bare "≥6.2" under "(人)")."""
    if not unit:
        return True
    kind = _scale(unit)[2]
    for f in figures:
        base, _, stated_kind = _scale(f.unit)
        if not f.unit or "/" in f.unit or base == unit or (kind == "time" and stated_kind == "time"):
            return True
    return False


def figure_near(text: str, anchors: Sequence[str]) -> Figure | None:
    """The figure a sentence gives for a topic named by ``anchors``.

    ``anchors`` come most specific first; the first one the text names decides: the first
    figure after its last occurrence that a figure follows; if no figure follows any
    anchor, the figure nearest an anchor; with no anchor in the text, the first figure. Two
    readings of Chinese word order refine this: a count just before the anchor counts it
    ("新增5个急救分站" → 5个), and a change "从X降低至Y" answers with Y, the value now.
    """
    figures = parse_figures(text)
    if not figures:
        return None
    t = text.translate(_FOLD)
    all_hits: list[tuple[int, int]] = []
    for anchor in dict.fromkeys(a for a in anchors if a):
        hits = [(m.start(), m.end()) for m in re.finditer(re.escape(anchor.translate(_FOLD)), t)]
        all_hits += hits
        # the most specific anchor the sentence names decides ("服务半径" before "平均")
        figure = _after_anchor(t, figures, hits)
        if figure is not None:
            return _best_named(text, figures, anchors, figure)
    if not all_hits:
        return figures[0]
    return min(figures, key=lambda f: min(max(s - f.end, f.start - e, 0) for s, e in all_hits))


def _best_named(text: str, figures: Sequence[Figure], anchors: Sequence[str], figure: Figure) -> Figure:
    """Of a sentence's figures, the one whose own words (``figure_lead`` and on to the next
    mark: "新增5个急救分站") name more of the topic than those of ``figure``: "平均急救半径缩短至3.7公里，平均急救反应时间缩短至10分45秒" asked about the
    平均急救半径 gives 3.7公里, though "平均急救" occurs last before the time."""

    folded = [a.translate(_FOLD) for a in dict.fromkeys(anchors) if a]
    named = {}
    for f in figures:  # its words: back to the last mark and on to the next
        own = (figure_lead(text, f) + _WORDS_MARK.split(text[f.start :], maxsplit=1)[0]).translate(_FOLD)
        named[f] = sum(1 for a in folded if a in own)
    best = max(figures, key=named.__getitem__)
    return best if named[best] > named[figure] else figure


def _after_anchor(t: str, figures: Sequence[Figure], hits: Sequence[tuple[int, int]]) -> Figure | None:
    for anchor_start, anchor_end in sorted(hits, reverse=True):
        counted = [f for f in figures if f.end <= anchor_start and _COUNTED.fullmatch(t, f.end, anchor_start)]
        if counted and _scale(counted[-1].unit)[2] == "count":
            return counted[-1]
        after = [i for i, f in enumerate(figures) if f.start >= anchor_end]
        if after:
            i = after[0]
            nxt = figures[i + 1] if i + 1 < len(figures) else None
            if nxt and _FROM_TO.fullmatch(t, figures[i].end, nxt.start) and comparable(figures[i], nxt):
                return nxt
            return figures[i]
    return None


_CLAUSE_END = re.compile(r"[，,；;。：:]")


def figure_clause(text: str, figure: Figure) -> str:
    """The clause of ``text`` that states ``figure`` (between the punctuation around it)."""
    starts = [m.end() for m in _CLAUSE_END.finditer(text, 0, figure.start)]
    end = _CLAUSE_END.search(text, figure.end)
    return text[(starts[-1] if starts else 0) : (end.start() if end else len(text))]


def figure_lead(text: str, figure: Figure) -> str:
    """The words just before a figure, back to the last mark (、 included): what it counts
    ("从事公共卫生人员数达9名" in "…人员数达1.75名、从事公共卫生人员数达9名")."""
    return _WORDS_MARK.split(text[: figure.start])[-1]


_WORDS_MARK = re.compile(r"[，,；;。、：:]")  # what ends the words that go with a figure


# a clause setting a figure to reach: "2025年目标值", "力争…", "到2025年…", "市卫健委规划值"
_AIMED_CLAUSE = re.compile(r"目标|力争|规划值|计划|预计|[到至]\s*20[0-9]{2}\s*年|20[0-9]{2}\s*年(?:前|底前|内)")


def states_target(text: str, figure: Figure) -> bool:
    """Whether ``text`` gives ``figure`` as a target, not as a value reached: a bound
    ("≤12分钟", "≥6.2人") or a clause that aims ("力争…超过17.5‰", "2025年目标值 100%");
    "平均急救反应时间缩短至10分45秒" is reached."""
    return figure.bound in (">=", "<=") or bool(_AIMED_CLAUSE.search(figure_clause(text, figure)))


def comparable(a: Figure, b: Figure) -> bool:
    """Same unit after normalisation: 个/家/所 are all counts, 秒/分钟/小时 all durations."""
    return _scale(a.unit)[0] == _scale(b.unit)[0]


@dataclass(frozen=True)
class Verdict:
    """How figure ``a`` stands against figure ``b``, and how an answer says it."""

    relation: Relation
    a: Figure
    b: Figure

    def text(self, a_label: str, b_label: str, lang: Lang = "zh", speed: bool = False) -> str:
        """One clause for the answer, e.g. "宝山区（30%）高于长宁区（20%）"; labels kept as given.
        ``speed``: the question asks which is faster, and two durations are how long something
        takes: the longer is the slower ("闵行区（≤12分钟）慢于松江区（10分45秒）")."""
        _check_lang(lang)
        a, b = self.a.text(lang), self.b.text(lang)
        zh = lang == "zh"
        if self.relation == "incomparable":
            if zh:
                return f"两者指标单位不同，无法直接比较：{a_label}为{a}，{b_label}为{b}"
            return f"The two are not directly comparable (different units): {a_label} is {a}, {b_label} is {b}"
        if self.relation == "equal" and a == b:
            return f"两者相同（均为{a}）" if zh else f"The two are the same ({a} each)"
        if self.relation == "equal":
            return f"两者相同（{a_label}为{a}，{b_label}为{b}）" if zh else f"The two are the same ({a_label} {a}, {b_label} {b})"
        if self.relation == "overlap":
            if zh:
                return f"{a_label}为{a}，{b_label}为{b}，范围有重叠"
            return f"{a_label} is {a} and {b_label} is {b}, so the ranges overlap"
        kind = _scale(self.a.unit)[2]
        words = _WORDS["speed" if speed and kind == "time" else kind]
        word = words[(0 if self.relation == "higher" else 1) + (0 if zh else 2)]
        return f"{a_label}（{a}）{word}{b_label}（{b}）" if zh else f"{a_label} ({a}) {word} {b_label} ({b})"


def compare(a: Figure, b: Figure) -> Verdict:
    """``a`` against ``b`` by value in a common unit. Bounds are shown, not reasoned about:
    a "≥90%" target is compared as 90%."""
    if not comparable(a, b):
        return Verdict("incomparable", a, b)
    (alo, ahi), (blo, bhi) = _interval(a), _interval(b)
    if _same(alo, blo) and _same(ahi, bhi):
        return Verdict("equal", a, b)
    if ahi < blo and not _same(ahi, blo):
        return Verdict("lower", a, b)
    if alo > bhi and not _same(alo, bhi):
        return Verdict("higher", a, b)
    return Verdict("overlap", a, b)


def verdict_text(a_label: str, a: Figure, b_label: str, b: Figure, lang: Lang = "zh", speed: bool = False) -> str:
    """``compare(a, b)`` written for an answer in ``lang`` (``speed``: see ``Verdict.text``)."""
    return compare(a, b).text(a_label, b_label, lang, speed)


def difference_text(a: Figure, b: Figure, lang: Lang = "zh") -> str:
    """How far apart two figures of one unit are ("相差2.71个千分点", "a difference of 2.6"); a
    figure against a range it lies outside is a range apart (0.9 against 0.87-0.88: 相差
    0.02-0.03); two durations in different units are a duration apart (10分45秒 against
    12分钟: 相差1分15秒); "" for two ranges, overlapping figures or figures of different units,
    whose difference is not one number or span, and for equal figures (the verdict says so)."""
    _check_lang(lang)
    if a.unit != b.unit and comparable(a, b) and _scale(a.unit)[2] == "time" and a.high is None and b.high is None:
        # two durations in different units (10分45秒 against 12分钟): apart by a duration
        seconds = abs(a.value * _scale(a.unit)[1] - b.value * _scale(b.unit)[1])
        return _duration_gap(seconds, lang) if seconds and _scale(a.unit)[0] == "秒" else ""
    if (a.high is not None and b.high is not None) or a.unit != b.unit or a.value == b.value:
        return ""
    if a.high is not None or b.high is not None:
        (lo, hi), point = (a.value, a.high), b.value
        if b.high is not None:
            (lo, hi), point = (b.value, b.high), a.value
        if lo <= point <= hi:
            return ""
        near, far = sorted((abs(point - lo), abs(point - hi)))
        gap = f"{_num(near)}-{_num(far)}"
    else:
        gap = _num(abs(a.value - b.value))
    if lang == "zh":
        unit = {"%": "个百分点", "‰": "个千分点"}.get(a.unit, a.unit)
        return f"相差{gap}{unit}"
    unit = {"%": " percentage points", "‰": " per-mille points"}.get(a.unit, _english_unit(a.unit))
    return f"a difference of {gap}{unit}"


def _duration_gap(seconds: float, lang: Lang) -> str:
    """A gap of ``seconds`` as the plans write durations: 1分15秒, 2分钟, 45秒 (1 min 15 s)."""
    minutes, rest = divmod(round(seconds), 60)
    if lang == "zh":
        said = f"{minutes}分{rest}秒" if minutes and rest else f"{minutes}分钟" if minutes else f"{rest}秒"
        return f"相差{said}"
    said = f"{minutes} min {rest} s" if minutes and rest else f"{minutes} minutes" if minutes else f"{rest} seconds"
    return f"a difference of {said}"


# -- reading numbers ---------------------------------------------------------------------

def _read_number(text: str, t: str, i: int) -> tuple[Figure | None, int]:
    """The figure starting at digit ``i`` (None when it is a year or a label), and where to go on."""
    year = _YEAR.match(t, i)
    if year:
        unit_after = _UNIT_AFTER.match(t, year.end())
        if unit_after is None or unit_after.group().strip() == "年":
            return None, (unit_after.end() if unit_after else year.end())
    comp = _COMPOUND.match(t, i)
    if comp and sum(g is not None for g in comp.group("h", "m", "s")) >= 2:
        h, m, s = (float(g or 0) for g in comp.group("h", "m", "s"))
        value, unit = (h * 3600 + m * 60 + s, "秒") if comp.group("s") else (h * 60 + m, "分钟")
        return _make(text, t, i, comp.end(), comp.end(), value, None, unit), comp.end()
    rng = _RANGE.match(t, i)
    if rng and _valid_range(rng, t):
        unit = _unit(rng, t)
        hi = _float(rng.group("hi"))
        return _make(text, t, i, rng.end("hi"), rng.end(), _float(rng.group("lo")), hi, unit), rng.end()
    one = _SINGLE.match(t, i)
    assert one is not None  # t[i] is a digit
    unit = _unit(one, t)
    figure = _make(text, t, i, one.end("lo"), one.end(), _float(one.group("lo")), None, unit)
    if figure is not None and one.group("approx") and figure.bound == "=":
        figure = Figure(figure.value, None, figure.unit, ">", figure.start, figure.end, figure.raw)
    return figure, one.end()


def _valid_range(m: re.Match[str], t: str) -> bool:
    if _float(m.group("hi")) <= _float(m.group("lo")):
        return False
    if m.group("u1") and _UNITS[m.group("u1")] != _UNITS.get(m.group("u") or "", ""):
        return False
    return not (m.group("sep") in ("至", "到") and t[max(m.start() - 1, 0) : m.start()] == "从")


def _unit(m: re.Match[str], t: str) -> str:
    unit = _UNITS.get(m.group("u") or "", "")
    if m.group("pop"):
        pop = re.sub(r"常住|户籍", "", m.group("pop")).rstrip("口")
        return f"{unit}/{_SCALES.get(pop[:-1], '')}人口"
    if m.group("den"):
        return f"{unit}/{m.group('den').replace('·', '')}"
    if unit in ("名", "人", "张", "床", "个", "家", "所", "人次"):
        clause = t[max(m.start() - 40, 0) : m.start()]
        clause = clause[max((b.end() for b in _CLAUSE_BREAK.finditer(clause)), default=0) :]
        pop_in_clause = _POPULATION.search(clause)
        if pop_in_clause:
            return f"{unit}/{_SCALES[pop_in_clause.group('scale')]}人口"
    return unit


def _make(text: str, t: str, s: int, num_end: int, e: int, value: float, high: float | None, unit: str) -> Figure | None:
    """A figure over ``text[s:e]``, or None when the number is a label rather than a figure."""
    before, after, next_char = t[max(s - 3, 0) : s], t[num_end : num_end + 2], t[e : e + 1]
    if re.search(r"[a-z+]$", before) or re.match(r"[a-z+]", after):
        return None  # 5G, G60, P2+, "5+4"
    if re.search(r"[0-9][-~—–/]$", before) or re.match(r"[-—–/][0-9]", t[e : e + 2]):
        return None  # 3-2-1, 1/10万
    if _DENOMINATOR.match(t, num_end) or re.search(r"第[ \t]*$", before):
        return None  # the 10 of 每10万人口; ordinals 第46次
    if not unit and (
        re.match(r"[ \t]*[月日号版]", after)  # dates, document numbers, versions
        or before.endswith("附件")
        or (before[-1:] in _OPENERS and next_char in _CLOSERS)  # (1), “887365”
        or (re.match(r"[.、](?![0-9])", after) and _opens_sentence(t, s))  # "1." / "4、"
    ):
        return None
    return Figure(value, high, unit, _bound(t, s, e), s, e, text[s:e])


def _opens_sentence(t: str, s: int) -> bool:
    i = s
    while i > 0 and t[i - 1] in " \t":
        i -= 1
    return i == 0 or t[i - 1] in "。；;！!？?\n|"


def _bound(t: str, s: int, e: int) -> Bound:
    suffix = _SUFFIX_BOUND.match(t, e)
    if suffix:
        return ">=" if "上" in suffix.group("w") else "<="
    window = t[max(s - 12, 0) : s]
    cut = max((m.end() for m in re.finditer(r"[0-9，,。；;：:、\n|]", window)), default=0)
    window = window[cut:]
    best: tuple[int, int, Bound] | None = None
    for word, bound in _PREFIX_BOUNDS.items():
        at = window.rfind(word)
        if at >= 0 and (best is None or (at + len(word), len(word)) > best[:2]):
            best = (at + len(word), len(word), bound)
    return best[2] if best else "="


def _cn_counts(text: str, t: str) -> list[Figure]:
    out: list[Figure] = []
    for m in _CN.finditer(t):
        value = chinese_number(m.group("cn"))
        before = t[max(m.start() - 1, 0) : m.start()]
        if value is None or before in ("第", "“", "\"", "「") or re.match(r"[零〇一二两三四五六七八九十百千]", before):
            continue
        unit = _UNITS[m.group("u")]
        out.append(Figure(value, None, unit, _bound(t, m.start(), m.end()), m.start(), m.end(), text[m.start() : m.end()]))
    return out


def _cn_percents(text: str, t: str) -> list[Figure]:
    out: list[Figure] = []
    for m in _CN_PCT.finditer(t):
        n = m.group("n")
        value = _float(n) if n[0].isdigit() else chinese_number(n)
        if value is not None:
            unit = "%" if m.group("kind") == "百分之" else "‰"
            out.append(Figure(value, None, unit, _bound(t, m.start(), m.end()), m.start(), m.end(), text[m.start() : m.end()]))
    return out


def chinese_number(s: str) -> float | None:
    """A number in Chinese numerals: 三十 → 30, 一百零五 → 105, 三十五点五 → 35.5; None for positional forms like 二〇二五."""
    whole, _, frac = s.partition("点")
    total = section = 0
    digit: int | None = None
    prev_digit = False
    for ch in whole:
        if ch in _CN_DIGITS:
            if prev_digit and digit != 0:
                return None
            digit, prev_digit = _CN_DIGITS[ch], True
            continue
        prev_digit = False
        if ch == "万":
            total, section, digit = (total + section + (digit or 0)) * 10000, 0, None
        elif ch in "十百千":
            section += (1 if digit is None else digit) * {"十": 10, "百": 100, "千": 1000}[ch]
            digit = None
        else:
            return None
    value = float(total + section + (digit or 0))
    if frac:
        if any(ch not in _CN_DIGITS for ch in frac):
            return None
        value += float("0." + "".join(str(_CN_DIGITS[ch]) for ch in frac))
    return value


def _float(s: str) -> float:
    return float(s.replace(",", ""))


def _overlaps(f: Figure, spans: Sequence[tuple[int, int]]) -> bool:
    return any(f.start < e and s < f.end for s, e in spans)


# -- comparing ---------------------------------------------------------------------------

# kind → (zh higher, zh lower, en higher, en lower)
_WORDS = {
    "rate": ("高于", "低于", "is higher than", "is lower than"),
    "count": ("多于", "少于", "has more than", "has fewer than"),
    "time": ("长于", "短于", "is longer than", "is shorter than"),
    "speed": ("慢于", "快于", "is slower than", "is faster than"),  # durations, asked which is faster
    "size": ("大于", "小于", "is larger than", "is smaller than"),
}
_ENGLISH = {
    "": "", "%": "%", "‰": "‰", "百分点": " percentage points", "岁": " years", "年": " years",
    "个月": " months", "天": " days", "周": " weeks", "小时": " h", "分钟": " min", "秒": " s",
    "元": " yuan", "千元": " thousand yuan", "万元": " × 10,000 yuan", "亿元": " × 100 million yuan",
    "公里": " km", "米": " m", "平方米": " m²", "平方公里": " km²", "公斤": " kg", "张": " beds",
    "床": " beds", "人次": " visits", "万人次": " × 10,000 visits", "万人": " × 10,000 people", "倍": " times",
    "万": " × 10,000", "亿": " × 100 million",
}
_ENGLISH_PER = {
    "千人口": "per 1,000 population", "万人口": "per 10,000 population", "十万人口": "per 100,000 population",
    "百人口": "per 100 population", "人口": "per capita", "人年": "per person per year", "人": "per person",
    "年": "per year", "日": "per day", "天": "per day", "月": "per month", "床": "per bed", "户": "per household",
}


def _scale(unit: str) -> tuple[str, float, str]:
    return _BASES.get(unit, (unit, 1.0, "rate"))


def _interval(f: Figure) -> tuple[float, float]:
    factor = _scale(f.unit)[1]
    return f.value * factor, (f.value if f.high is None else f.high) * factor


def _same(x: float, y: float) -> bool:
    return math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9)


def number_text(value: float) -> str:
    """A number as the answers write it: no trailing zeros (0.45, 4.5, 12)."""
    return _num(value)


def _num(v: float) -> str:
    if _same(v, round(v)):
        return str(int(round(v)))
    return f"{v:.6f}".rstrip("0").rstrip(".")


def _english_unit(unit: str) -> str:
    base, _, per = unit.partition("/")
    word = "" if _scale(base)[2] == "count" and base not in _ENGLISH else _ENGLISH.get(base, base)
    return f"{word} {_ENGLISH_PER.get(per, 'per ' + per)}" if per else word


def _check_lang(lang: str) -> None:
    if lang not in ("zh", "en"):
        raise ValueError(f"lang must be 'zh' or 'en', got {lang!r}")
