"""Question analysis: what a question asks, about which districts, years and figures.

Pure functions over the question text (plus the list of districts the index covers), so
every decision the answerer takes from them is unit-testable and the same for every
question of a kind — nothing here knows any particular benchmark question.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Literal

from ingest.regions import (
    Scope,
    distinct_districts,
    district_mentions,
    place_mentions,
    regions_named,
    scope_of,
)
from ingest.regions import (
    district_english as district_english,  # re-exported: answers name districts in English
)
from qa.figures import asked_unit
from qa.terms import without_dialled, without_purpose

Language = Literal["zh", "en", "other"]
QuestionKind = Literal["across", "comparison", "quantity", "table", "fact"]

# "这几年" / "那几家" / "好几个" point at or estimate a number, and "哪几个专科" asks which
# ones: none of them asks for a number.
_NOT_COUNTING = re.compile(r"[这那好哪]几(?:个|家|年|天|项|名|所|次|种|类|位)?")
_ACROSS_ZH = re.compile(
    r"(?:哪些区|哪几个区|哪个区|哪些地区|哪几个地区|各区|几个区|有哪些区|哪些行政区|哪家区|(?:其他|其它|其余|别的)(?:几个)?区)(?!域)|区有哪些"
    # "五床联动 提到的区": a search box asking which districts mention it
    r"|(?:提到|提及|涉及|谈到|写到|说到)(?:了|过)?的(?:区|地区)(?!域)"
    # "请列出…部署…建设的区，并说明…", "眼病防治所 建设 区": the districts that do it
    r"|的(?:区|地区)(?=[，,。？?；;\s]|$|有哪|都有|是哪)|(?:^|\s)(?:区|各区)\s*$"
    # "这五个区的文件里，哪几个提到…": the districts named first, "which" after
    r"|(?:[两二三四五六七八九十\d]+个|各个|所有|全部)区(?!域)[^？?。]{0,30}?哪(?:几|些|个|家)"
)  # not 几个区域性…; "还有别的区也提…吗" asks which others do
_ACROSS_EN = re.compile(
    r"\b(which|what)\s+(districts?|areas?)\b|\ball (the )?districts\b|\bacross districts\b|\beach district\b|"
    r"\bwhich (of )?(the |these |those )?(?:[\w-]+ ){0,3}(plans|districts|documents)\b|\bother districts\b|\bany districts?\b"
    r"|\bany other districts?\b|\bevery district\b|\blist (?:all |every |each )?(?:the )?districts\b",
    re.I,
)
_COMPARE_ZH = re.compile(r"比较|对比|比一比|相比|有何不同|有什么不同|有何区别|有什么区别|区别|差异|分别|异同|哪个更|谁更|两区|两个区")
_COMPARE_EN = re.compile(r"\b(compare|comparison|versus|vs\.?|differ|difference|both|respectively)\b", re.I)
_QUANTITY_ZH = re.compile(r"目标|数字|多少|几个|几家|几项|几名|几台|几所|几张|几岁|几分钟|几年|(?<!哪)几[天次种类位人批周月]|几小时|多长|多[大高远宽广重]|比例|占比|百分之|率(?:目标|要|是|达到)?|数(?:目标|要|是)?[？?。！!\s]*$")
_QUANTITY_EN = re.compile(r"\bhow (many|much|long|often)\b|\bwhat (share|percentage|proportion|rate|number)\b|\b(rate|ratio|target|number of|per 1,?000)\b", re.I)
# Asking for several things of one kind, each to be named: "两家医院分别搬到哪里",
# "要建的几个中心都有哪些", "which hospitals… respectively" (``asks_several``).
_SEVERAL = re.compile(
    r"分别|各(?:自|是|在|要|有)|两(?:家|个|所)|几(?:家|个|种|所|项)|哪几|哪些(?!区)|都有(?:哪|什么)"
    r"|\b(?:respectively|each|both|which ones|two)\b",
    re.I,
)
# Asking whether a plan speaks of something at all, and asking for a figure in so many words.
_MENTIONS = re.compile(r"提到|提及|涉及|说到|谈到|写到|写了|有提|提了|\b(?:mention\w*|refer\w*|talk\w* about)\b", re.I)
_FIGURE_ASKED = re.compile(r"多少|几|数字|数值|目标值|规划值|百分之|\b(?:how (?:many|much)|what (?:share|percentage|figure|number|target)|figures?|numbers?)\b", re.I)
_TABLE_ZH = re.compile(r"千人口|万人口|指标|目标值|规划值|占比|每千|每万|比例")
_TABLE_EN = re.compile(r"\b(indicator|per 1,?000|per thousand|per 10,?000|planning value|CMI)\b", re.I)

# Asks an amount of money: only a sum in 元 answers it (the plans seldom state one).
_MONEY_ZH = re.compile(r"多少钱|花多少|多少(?:万|亿)?元|几(?:万|亿)元|多少块|费(?:是|为|大概|大约|一共|要)?多少|投(?:入|资)?多少|多少(?:经费|资金|预算|投资|费用)|(?:经费|资金|预算|投资|费用|补助|补贴|拨款)(?:是|有|为|大概|大约|一共|总共|共)?多少|总投资|预算"
    # a search box names the sum it wants ("育儿补贴 每月 金额", "迁建项目 投资额")
    r"|金额|投资额|资金额|(?:补贴|补助|经费)标准")
# "哪一年能开门" / "by when": only a time (a year, a date, a plan period) answers it
_TIME_ZH = re.compile(
    r"哪一?年|什么时候|何时|哪个时间|几月|几时|啥时候|哪一?天|几号|日期|年份"
    r"|(?:印发|发布|出台|开工|竣工|建成|完成|启用|开业)(?:的)?时间"
)
# "百分之多少" / "what percentage": a share, which "应签尽签" or a count does not state
_SHARE_ZH = re.compile(r"百分之多少|百分之几|百分比|(?:占比|比例|比重)(?:是|为|达到|要达到|定为)?多少")
_SHARE_EN = re.compile(r"\bwhat (?:percentage|share|proportion|per ?cent)\b|\bhow many per ?cent\b|\bper ?cent(?:age)?\b", re.I)
_TIME_EN = re.compile(r"\bwhen\b|\b(?:what|which) year\b|\bby what date\b", re.I)
# ("budgeted beds", 编制床位: a participle before a noun counts the noun, not money)
_MONEY_EN = re.compile(
    r"\b(?:budget|budgets|budgeting|budgeted(?!\s+(?!(?:for|at|on|to|in|of|by|under|over|with|about)\b)[a-z])"
    r"|cost|costs|invest\w*|funding|spend\w*|money|price|fee|fees)\b|\bhow much\b.*\b(?:yuan|rmb)\b",
    re.I,
)
# A rate on a population basis ("每3万人口救护车配置数", "每一千个人几张病床", "per 10,000
# residents"): only a figure on some population basis answers it (``qa.judge``).
# The Chinese basis is the one evidence states it in too ("每万常住人口", "千人口执业医师数").
POPULATION_BASIS = re.compile(
    r"每\s*(?:[\d.]+|[一二两三四五六七八九十])?\s*(?:千|万)\s*(?:名|个)?(?:常住|户籍)?(?:人口|人|居民)"
    r"|(?<![\u4e00-\u9fff\d])(?:千|万)(?:常住|户籍)?人口"
)
RATE_BASIS = re.compile(
    POPULATION_BASIS.pattern
    + r"|\bper\s+(?:[\d,]+|(?:one\s+|a\s+|ten\s+)?thousand)\s+(?:people|residents|population|inhabitants|persons)\b",
    re.I,
)
_ENTITY = re.compile(r"哪家|哪几家|哪所|哪个医院|哪些医院|哪个中心|\bwhich (hospital|centre|center|institution)s?\b", re.I)
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?%?|\d+(?:\.\d+)?%?")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")
_OTHER_SCRIPT = re.compile(
    r"[\u3040-\u30ff\uac00-\ud7af\u0400-\u04ff\u0600-\u06ff\u0590-\u05ff\u0e00-\u0e7f\u0900-\u097f]"
)


@dataclass(frozen=True)
class QuestionAnalysis:
    """Everything the retrieval plan and the composer need to know about a question."""

    question: str
    lang: Language
    kind: QuestionKind
    districts: tuple[str, ...]  # corpus districts the question names, full Chinese names
    outside_places: tuple[str, ...]  # places it names that the corpus does not cover
    years: tuple[int, ...]
    numbers: tuple[str, ...]
    asks_quantity: bool
    asks_table: bool
    asks_entity: bool = False  # "哪家医院" / "which hospital": the answer names an organisation
    asks_money: bool = False  # "多少钱" / "what budget": only a sum of money answers it
    asks_time: bool = False  # "哪一年" / "when": only a time answers it
    asks_share: bool = False  # "百分之多少" / "what percentage": only a share answers it
    asks_rate: bool = False  # "每3万人口…多少": only a figure on a population basis answers it
    asked_unit: str = ""  # "多少张病床" → "张": only a figure in that unit answers it (``qa.figures.asked_unit``)
    asks_achieved: bool = False  # "现在实际…多少": only a value reached answers it, not a target
    places: Scope | None = None  # the corpus's scope it was analysed against (its district names)

    @property
    def is_across(self) -> bool:
        return self.kind == "across"

    @property
    def is_comparison(self) -> bool:
        return self.kind == "comparison"


# Spans of time English says in words, in the minutes the plans write (15分钟圈, 30分钟)
_SPOKEN_MINUTES = (
    (re.compile(r"\b(?:a\s+)?quarter(?:[\s-]+of\s+an)?[\s-]+hours?\b", re.I), "15 minutes"),
    (re.compile(r"\bhalf(?:[\s-]+an)?[\s-]+hours?\b", re.I), "30 minutes"),
)


def normalize_question(question: str) -> str:
    """NFKC (full-width digits and letters to ASCII), collapsed whitespace, and spans of time
    said in words in minutes ("a quarter-hour" -> "15 minutes")."""
    text = unicodedata.normalize("NFKC", question)
    for pattern, minutes in _SPOKEN_MINUTES:
        text = pattern.sub(minutes, text)
    return re.sub(r"\s+", " ", text).strip()


def detect_language(text: str) -> Language:
    """zh when the question is mostly Chinese, en when mostly Latin letters, else other.

    Kana, Hangul, Cyrillic and other scripts mark a third language even when a district
    name in Chinese characters appears inside it.
    """
    cjk = len(_CJK.findall(text))
    latin = len(_LATIN.findall(text))
    other = len(_OTHER_SCRIPT.findall(text))
    if other > max(2, cjk // 4):
        return "other"
    if cjk == 0 and latin == 0:
        return "other"
    # English questions often quote a Chinese term; words, not characters, decide.
    latin_words = len(re.findall(r"[A-Za-z]{2,}", text))
    return "en" if latin_words >= 3 and latin_words * 2 >= cjk else ("zh" if cjk else "en")


_PLACE_SUFFIX = "省市区县州盟旗国"


def place_spans(text: str, known: Sequence[str]) -> list[tuple[int, int, str]]:
    """Provinces, cities and places abroad named in ``text`` (``ingest.regions.place_mentions``)
    where a Chinese name is a word, not characters inside other words (加纳 in 增加纳入, 海地 in
    沿海地区): jieba, with the corpus's place words, cuts it whole, or a region suffix follows."""
    spans = place_mentions(text, known)
    if not any(not surface.isascii() for _, _, surface in spans):
        return spans
    from index.tokenize import get_tokenizer

    bounds = {i for _, s, e in get_tokenizer(scope_of(known).words).tokenize(text) for i in (s, e)}
    return [
        (s, e, surface) for s, e, surface in spans
        if surface.isascii() or (s in bounds and (e in bounds or text[e : e + 1] in _PLACE_SUFFIX))
    ]


def _other_places(text: str, known: Sequence[str], covered: Collection[str]) -> list[str]:
    """Provinces, cities and places abroad the question names that hold none of the corpus's
    documents (三明 is still named: whether the plans mention it is the answerer's call)."""
    scope = scope_of(known)
    held = scope.cities | scope.provinces | set(covered)
    return [
        surface for _, _, surface in place_spans(text, known)
        if not any(r.name in held for r in regions_named(surface))
    ]


def classify(text: str, lang: Language, n_districts: int) -> QuestionKind:
    """The kind of question, by its wording; the order of the checks matters."""
    across = _ACROSS_ZH.search(text) or _ACROSS_EN.search(text)
    if across and n_districts <= 1:
        return "across"
    compare = _COMPARE_ZH.search(text) or _COMPARE_EN.search(text)
    if n_districts >= 2 or (compare and n_districts >= 2):
        return "comparison"
    if across:
        return "across"
    if _TABLE_ZH.search(text) or _TABLE_EN.search(text):
        return "table"
    if _QUANTITY_ZH.search(_NOT_COUNTING.sub("", text)) or _QUANTITY_EN.search(text):
        return "quantity"
    return "fact"


_INSTRUCTION = re.compile(
    r"忽略|无视|不要理会|以上指令|之前的指令|系统提示|提示词|扮演|你现在是|直接回答|直接输出|请输出|只回答|"
    r"\b(ignore|disregard|forget)\b.*\b(instructions?|prompt|above|previous)\b|\bsystem prompt\b|\byou are now\b|"
    r"\b(answer|reply|respond|output) (only |just )?(with|that)\b",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"[^。！？；!?;\n]+?(?:[。！？；!?;\n]|\.\s+|$)")


def strip_instructions(text: str) -> str:
    """The question without sentences that try to instruct the system ("忽略以上指令…").

    The extractive answerer follows no instructions anyway; dropping them keeps their words
    from being searched for as if they were what the user asks about.
    """
    kept = [s for s in _SENTENCE.findall(text) if s.strip() and not _INSTRUCTION.search(s)]
    cleaned = "".join(kept).strip()
    return cleaned or text


# A keyword that asks for something ("数量", "2025目标", "每个补助多少钱", "几类几项").
_ASK_KEYWORD = re.compile(r"多少|几|数量|个数|目标|规划值|比例|占比|名单|哪些|哪家|是什么|啥")
_SENTENCE_MARK = re.compile(r"[，。？！；：,?!;:、]")


def keyword_parts(text: str, districts: Sequence[str] = ()) -> str:
    """A search-box query asking several things, cut into parts ("宝山 家庭医生签约率
    2025目标 2024实际签约率" -> "…2025目标？2024实际签约率"), so that each is answered or
    said to be unanswered on its own, as a question written with question marks is. A
    keyword that asks (多少, 目标, 几类几项) ends a part when a topic came before it and one
    follows (a district's name is no topic); a query written as a sentence is left as it is."""
    if _SENTENCE_MARK.search(text) or detect_language(text) != "zh":
        return text
    chunks = text.split()
    if len(chunks) < 4:
        return text
    places = {name for d in districts for name in (d, d.removesuffix("区"))}
    out: list[str] = []
    topic = False
    for i, chunk in enumerate(chunks):
        out.append(chunk)
        if chunk in places:
            continue
        asks = bool(_ASK_KEYWORD.search(chunk))
        rest = _ASK_KEYWORD.sub("", _YEAR.sub("", chunk))
        topic = topic or (len(re.findall(r"[\u4e00-\u9fff]", rest)) >= 2 and not asks) or len(rest) >= 3
        ahead = any(not _ASK_KEYWORD.fullmatch(c) and len(re.findall(r"[\u4e00-\u9fff]", _YEAR.sub("", c))) >= 2 for c in chunks[i + 1 :])
        if asks and topic and ahead:
            out[-1] += "？"
            topic = False
    return " ".join(out).replace("？ ", "？")


def analyze(
    question: str,
    known_districts: Sequence[str],
    covered: Collection[str] = (),
    uses: Callable[[str], bool] | None = None,
) -> QuestionAnalysis:
    """Analyse ``question`` against the districts an index covers (full Chinese names) and
    the other regions its documents belong to (``covered``: provinces and cities, e.g. of
    city-level plans). ``uses``: whether the plans use a string (``qa.lexicon.Lexicon``), so
    that a district's short name inside the plans' word (安宁 in 安宁疗护) is neither a
    district nor a place outside the corpus (``ingest.regions.inside_corpus_word``)."""
    text = keyword_parts(strip_instructions(normalize_question(question)), known_districts)
    lang = detect_language(text)
    mentions = district_mentions(text, known_districts, uses)
    named = distinct_districts(mentions)
    known = set(known_districts)
    districts = tuple(d.name for d in named if d.name in known)
    outside = [d.name for d in named if d.name not in known]
    outside += _other_places(text, known_districts, covered)
    # what the question asks, not why ("在比较各区资源配置目标时，静安的…是多少")
    first_district_at = mentions[0].start if mentions else -1
    kind = classify(without_purpose(text, first_district_at) if lang == "zh" else text, lang, len(districts))
    years = tuple(sorted({int(y) for y in _YEAR.findall(text)}))
    numbers = tuple(n for n in _NUMBER.findall(without_dialled(text)) if not (len(n) == 4 and n.isdigit() and int(n) in years))
    # "哪些区提到了婴儿死亡率": which plans speak of it, not what figure they give, unless a
    # figure is asked for in so many words (多少, 数字, 目标值)
    mentions_only = kind == "across" and bool(_MENTIONS.search(text)) and not _FIGURE_ASKED.search(text)
    # "哪些区要建儿童早期发展基地？有没有说建几家？": whether a plan gives a figure is asked,
    # so a plan without one still counts; the figure is not what picks the districts
    counted = " ".join(p for p in sub_questions(text) if not _WHETHER_SAYS.search(p)) if kind == "across" else text
    return QuestionAnalysis(
        question=text,
        lang=lang,
        kind=kind,
        districts=districts,
        outside_places=tuple(dict.fromkeys(outside)),
        years=years,
        numbers=numbers,
        # "哪几个区" asks which districts, not how many of something.
        asks_quantity=not mentions_only
        and bool(_QUANTITY_ZH.search(_NOT_COUNTING.sub("", _ACROSS_ZH.sub("", counted))) or _QUANTITY_EN.search(counted)),
        asks_table=not mentions_only and bool(_TABLE_ZH.search(text) or _TABLE_EN.search(text)),
        asks_entity=bool(_ENTITY.search(text)),
        asks_money=bool(_MONEY_ZH.search(text) or _MONEY_EN.search(text)),
        asks_time=bool(_TIME_ZH.search(text) or _TIME_EN.search(text)),
        asks_share=bool(_SHARE_ZH.search(text) or _SHARE_EN.search(text)),
        asks_rate=bool(RATE_BASIS.search(text)),
        asked_unit=asked_unit(text),
        asks_achieved=kind != "comparison" and _asks_achieved(text),
        places=scope_of(known_districts),
    )


_PART_BREAK = re.compile(r"[？?；;]")
# A part asking whether the plans say something at all ("有没有说建几家", "does it give a number")
_WHETHER_SAYS = re.compile(
    r"有没有(?:说|提|写|讲|明确|给出?)|是否(?:说|提|写|明确|给出?)|有无|\b(?:do|does|did) (?:it|they|the plans?) (?:say|give|mention|put)\b",
    re.IGNORECASE,
)
_REFERS_BACK = re.compile(r"这家|这所|这个|该院|该医院|该中心|此院|它的|它|其(?![中他余次实])|这一|那家|\b(it|its|this hospital|that hospital|the same)\b", re.I)


def sub_questions(question: str) -> list[str]:
    """A question asking several things, cut at its question marks."""
    return [p.strip() for p in _PART_BREAK.split(question) if len(p.strip()) >= 4]


# "…, and how often must…": a second question joined by "and" (English only: a Chinese
# clause after a comma is mostly elliptical, "谁负责，配合单位有哪些", one question).
_NEXT_ASK_EN = re.compile(
    r",?\s+(?:and|also|plus)\s+(?=(?:how|what|when|which|who|where|whether|is|are|does|do|did|will|has|have)\b)", re.I
)


def question_parts(question: str) -> list[str]:
    """The separate questions in ``question``: cut at question marks (``sub_questions``), and
    in English where "and" joins a second question ("how many … and how many …")."""
    parts: list[str] = []
    for sentence in sub_questions(question):
        if detect_language(sentence) == "en":
            parts.extend(p.strip() for p in _NEXT_ASK_EN.split(sentence) if len(p.strip()) >= 4)
        else:
            parts.append(sentence)
    return parts


QUESTION_WORD_ZH = re.compile(r"多少|几|什么|哪|谁|吗|怎么|怎样|如何|是否|何时|为什么|多久|多大|有没有|是不是")
QUESTION_START_EN = re.compile(
    r"^(?:what|which|how|when|where|who|whom|whose|why|is|are|was|were|does|do|did|will|would|can|could|should|has|have)\b",
    re.IGNORECASE,
)


def is_question(text: str) -> bool:
    """Asks something: a question mark or a question word ("谢谢", "Thanks!" do not)."""
    return bool(re.search(r"[？?]", text) or QUESTION_WORD_ZH.search(text) or QUESTION_START_EN.match(text.strip()))


def refers_back(part: str) -> bool:
    """Whether a part of a question points back at something named before ("这家医院")."""
    return bool(_REFERS_BACK.search(part))


# the value reached, not the one aimed at: "现在实际是多少", "现状基线值", "actual rate", "baseline"
_ACHIEVED = re.compile(r"实际(?!上)|现状|基线|\bactual\b|\bbaseline\b", re.I)
_AIMED = re.compile(r"目标|规划值|标准|要求|力争|计划|\btarget|\bgoal|\baim|\bplan|\bstandard", re.I)


def _asks_achieved(question: str) -> bool:
    """Whether a question asks the figure reached so far: every part of it says so (实际,
    现状, 基线, actual, baseline) and none names a target. A plan that gives only its target
    ("2025年目标值 ≥6.2人", "急救平均反应时间≤12分钟") does not state it. (A comparison is not
    asked this way: "松江实际达到的…是否达到闵行的标准" weighs one plan's value against another's.)"""
    parts = sub_questions(question) or [question]
    return all(_ACHIEVED.search(p) and not _AIMED.search(p) for p in parts)


def asks_several(question: str) -> bool:
    """Whether a question asks for several things of one kind, each to be named: the
    answer is a set, and a second statement as complete as the first is one of its members."""
    return bool(_SEVERAL.search(question))
