"""The figures of a Chinese sentence in English, for English answers.

An English answer quotes the plans in Chinese (the quote is what a reader checks); its
figures are put in English beside it, so that "早8点到晚8点,每周7天,全年365天" reads as
"8 a.m. to 8 p.m., 7 days a week, 365 days a year" and "建成3套P2+实验室" as "3 sets". Only
what the sentence writes as a figure with a measure word, a time of day, a frequency, a
span per period or a half ("一半以上": "over half") is rendered; bare numbers, years,
percentages (the same in both languages) and labels are left to the quote. Pure functions over the grammar of Chinese quantities.
"""

from __future__ import annotations

import re
import unicodedata

from qa.figures import Figure, chinese_number, number_text, parse_figures

# Measure words as English nouns ("3套" → "3 sets"); a measure word English has no noun for
# (个, 家, 所) says only "how many", and the quote says of what.
_NOUNS = {
    "套": "sets", "项": "items", "种": "kinds", "类": "categories", "台": "units", "名": "people", "人": "people",
    "批": "batches", "支": "teams", "间": "rooms", "辆": "vehicles", "篇": "papers", "例": "cases", "次": "times",
    "张": "beds", "床": "beds", "岁": "years", "年": "years", "个月": "months", "天": "days", "周": "weeks",
    "小时": "hours", "分钟": "minutes", "秒": "seconds", "公里": "km", "米": "m", "平方米": "m²", "元": "yuan",
    "万元": "× 10,000 yuan", "亿元": "× 100 million yuan", "人次": "person-times", "万人次": "× 10,000 person-times",
}
_BOUNDS = {"=": "", ">=": "at least ", "<=": "at most ", ">": "over ", "<": "under "}
_TIMES = {1: "once", 2: "twice"}

# Expressions read as a whole before single figures (each with the English it becomes).
_HOUR = r"(\d{1,2})(?:[:：](\d{2}))?(?:点|时)(?:(\d{1,2})分)?"
_CLOCK = re.compile(rf"(早上?|上午|早晨|中午|下午|晚上?|夜间?|凌晨)?{_HOUR}")
_PER_PERIOD = re.compile(r"(每周|每星期|每天|每日|每月|全年|每年|全天)(\d+(?:\.\d+)?)(天|小时|次|日)")
_FREQUENCY = re.compile(r"每(年|季度|月|周|半年)(至少|不少于)?[^，,。；;、]{0,12}?([一两二三四五六七八九十]|\d+)次")
_PERIOD_EN = {
    "每周": "a week", "每星期": "a week", "每天": "a day", "每日": "a day", "每月": "a month", "全年": "a year",
    "每年": "a year", "全天": "a day", "年": "a year", "季度": "a quarter", "月": "a month", "周": "a week",
    "半年": "every six months",
}
_UNIT_EN = {"天": "days", "日": "days", "小时": "hours", "次": "times"}
# A share said in words ("占总募集量的一半以上", "超过一半数量站"): half, and how it is bounded.
_HALF = re.compile(r"(超过|多于|不少于|至少)?(?:一半|半数)(以上)?")


def _clock(m: re.Match[str]) -> str | None:
    part, hour, minute = m.group(1), int(m.group(2)), m.group(3) or m.group(4)
    if part is None:
        return None  # "8点" alone may be a count of points (8点建议); only a time of day is read
    minutes = f":{int(minute):02d}" if minute else ""
    if part in ("下午", "晚", "晚上", "夜", "夜间") and hour < 12 or part == "中午" and hour == 12:
        return f"{hour}{minutes} p.m."
    return f"{hour}{minutes} a.m."


def _per_period(m: re.Match[str]) -> str:
    period, number, unit = m.group(1), m.group(2), m.group(3)
    if unit == "次":
        n = float(number)
        count = _TIMES.get(int(n), f"{number} times") if n.is_integer() else f"{number} times"
        return f"{count} {_PERIOD_EN[period]}"
    return f"{number} {_UNIT_EN[unit]} {_PERIOD_EN[period]}"


def _frequency(m: re.Match[str]) -> str:
    period, floor, count = m.group(1), m.group(2), m.group(3)
    n = int(count) if count.isdigit() else int(chinese_number(count) or 0)
    said = _TIMES.get(n, f"{n} times")
    every = _PERIOD_EN[period]
    return f"{'at least ' if floor else ''}{said} {every}".strip()


def _half(m: re.Match[str]) -> str:
    bound, above = m.group(1), m.group(2)
    if bound in ("不少于", "至少"):
        return "at least half"
    return "over half" if bound or above else "half"


def _figure(f: Figure) -> str | None:
    if "/" in f.unit:  # a rate: "120元/人年" → "120 yuan per person per year"
        return f.text("en").replace("≥", "at least ").replace("≤", "at most ")
    noun = _NOUNS.get(f.unit)
    if noun is None:
        return None
    if f.unit == "秒" and f.high is None and f.value >= 60:
        minutes, seconds = divmod(int(f.value), 60)
        return f"{_BOUNDS[f.bound]}{minutes} min {seconds} s"
    number = number_text(f.value) if f.high is None else f"{number_text(f.value)}-{number_text(f.high)}"
    if f.unit in ("个月", "天", "周", "年", "小时", "分钟", "秒") and f.high is None and f.value == 1:
        noun = noun.rstrip("s")
    return f"{_BOUNDS[f.bound]}{number} {noun}"


def english_figures(text: str) -> list[str]:
    """The figures ``text`` states, in English, in order, without repeats."""
    text = unicodedata.normalize("NFKC", text)
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    for pattern, render in ((_FREQUENCY, _frequency), (_PER_PERIOD, _per_period), (_CLOCK, _clock), (_HALF, _half)):
        for m in pattern.finditer(text):
            said = render(m)
            if said and free(m.start(), m.end()):
                found.append((m.start(), said))
                taken.append((m.start(), m.end()))
    # a span of the day ("早8点到晚8点"): one phrase
    clocks = sorted((m for m in _CLOCK.finditer(text) if _clock(m)), key=lambda m: m.start())
    for a, b in zip(clocks, clocks[1:], strict=False):
        if text[a.end() : b.start()] in ("到", "至", "-", "~", "—", "－"):
            found[:] = [(at, said) for at, said in found if at not in (a.start(), b.start())]
            found.append((a.start(), f"{_clock(a)} to {_clock(b)}"))
    for f in parse_figures(text):
        said = _figure(f)
        if said and free(f.start, f.end):
            found.append((f.start, said))
    return list(dict.fromkeys(said for _, said in sorted(found)))
