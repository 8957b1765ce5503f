"""Key terms of a question, and how well a passage covers them.

Coverage of the question's key terms by the best evidence is the main signal both for
choosing sentences and for deciding to refuse: if no passage contains what the question is
about, the documents do not say it. English questions are mapped to the Chinese terms the
plans use through a small bilingual glossary (query translation), since the corpus is Chinese.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources

from ingest.regions import Scope, region_spellings, region_words, regions_named
from qa.bilingual import all_translations, american, phrase_translations, translations
from qa.lexicon import Lexicon, TextSet, Variant, everyday_word
from qa.periods import PERIODS, spanned
from qa.thesaurus import says_a_predicate

# Words that say what kind of question it is, not what it is about.
QUESTION_WORDS: frozenset[str] = frozenset(
    """哪些 哪个 哪几个 哪几 哪家 哪所 哪里 哪儿 哪 哪年 几个 几家 几项 几名 几台 几所 几张 几 什么 多少 是否 是不是
    怎么 怎样 如何 为何 为什么 谁 吗 呢 吧 呀 啊 么 的 了 着 过 是 有 在 和 与 及 以及 或 对 对于 将 把 被 会 能 可 可以
    要 想 给 让 由 从 向 到 于 其 该 这 那 这个 那个 这家 那家 之 也 还 都 就 又 并 而 等 个 项 家 区 地区 各区 各
    请问 请 一下 什么时候 哪一年 哪年 多少岁 多少项 多少台 多少个 多少名 几岁 年前 这项 这家 那家 该 分别 具体 相关 有关 方面 情况 内容 提出 提到 提 提了 有提到 打算 准备 计划 要求 规定 说 讲 谈
    里 中 上 下 内 前 后 同时 以后 今后 目前 现在 一比 比一比 比较 对比 不同 有何 区别 差异 文件 规划 方案
    更高 更低 更多 更少 更快 更慢 更大 更小 更长 更短 更好 高 低 多 少 快 慢 大 小 一样 一样吗 相同 不一样 相比 相较
    差 差多少 相差 是否 有没有 超过 超出 低于 高于 多于 少于 谁定 谁家 哪边 还是 呢 吗 """.split()
)
# Generic words that count, but for less than the words that name the topic.
SOFT_WORDS: frozenset[str] = frozenset(
    """目标 目标值 建设 达到 实现 推进 推动 完成 开展 加强 提升 工作 服务 数字 水平 任务 主要 设 设置 建成 今年 年
    定位 级别 意思 安排 作用 职责 时间 时候 地方 地点 位置 名称 措施 举措 办法 方式 做法 标准 进展 规模 数量 单位
    成为 什么样 一片 哪一片 期间 以来 末 这项 这家 该项 数值 数目 百分比 具体数值 具体数字""".split()
)
ENGLISH_STOPWORDS: frozenset[str] = frozenset(
    """a an the of for in on at to by and or what which who whom whose how when where why is are was were be been
    do does did will would shall should can could may might must has have had it its this that these those there
    their they them its set sets setting talk talks about mention mentions mentioned district districts document
    documents plan plans say says said any all each both compare comparison versus vs between with from as than
    supposed aiming aim level much many number numbers figure figures value amount
    higher lower more less fewer bigger smaller larger greater faster slower better worse earlier later longer shorter
    highest lowest most least biggest smallest largest fastest slowest best worst earliest latest""".split()
)

def _jieba(places: Scope | None = None):  # type: ignore[no-untyped-def]
    """The tokenizer BM25 uses for a corpus covering ``places`` (its place words kept whole;
    the plain one without a corpus), thread-safely initialised."""
    from index.tokenize import get_tokenizer

    return get_tokenizer(places.words if places is not None else ())


def _general_jieba():  # type: ignore[no-untyped-def]
    """A tokenizer for general-word lookups (``index.tokenize.any_tokenizer``)."""
    from index.tokenize import any_tokenizer

    return any_tokenizer()


def _place_words(places: Scope | None) -> frozenset[str]:
    """Chinese words that name a district: the corpus's cities' districts, or without a
    corpus, any district of the country whose short name is no everyday word."""
    return frozenset(places.words) if places is not None else region_words()


def _place_spellings(places: Scope | None) -> frozenset[str]:
    """English words of those districts' names."""
    return places.spellings if places is not None else region_spellings()


@lru_cache(maxsize=1)
def glossary() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(english phrase, chinese terms) pairs, longest phrase first; phrases in American
    spelling, as questions are read (``qa.bilingual.american``)."""
    text = resources.files("qa").joinpath("glossary_en_zh.tsv").read_text(encoding="utf-8")
    pairs = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        english, chinese = line.split("\t")
        pairs.append((american(english.strip().lower()), tuple(t for t in chinese.split("|") if t)))
    return tuple(sorted(pairs, key=lambda p: -len(p[0])))


UNSEEN_WEIGHT = 0.5
_PUNCTUATION = " ,.;:!?\"'“”‘’「」『』《》（）()【】[]、，。；：！？…—-·"
# Characters that glue onto content words in jieba's output ("要建", "内要") without meaning.
_GLUE = "要会将把被的了是在内中上里等"
# Measure words: after 多少 / 几 the first one belongs to the question ("多少|个名中医" is
# 多少个 | 名中医, though jieba's dictionary has the word 个名).
_CLASSIFIERS = "个家名所项台张次位条处座间支套辆例"
_QUANTITY_ASKS = frozenset({"多少", "几"})

_CJK_RUN = re.compile(r"[\u4e00-\u9fff]")
_YEAR_TERM = re.compile(r"(?:19|20)\d{2}")
# A number dialled is a phone number, not a figure or a topic word: "打120叫救护车", "拨打12345"
_DIALLED = re.compile(r"(?:打了?|拨打|拨|\b(?:call|dial|ring)(?:ing|ed|s)?\s+)(\d{3,5})(?![\d.%])", re.I)


def without_dialled(text: str) -> str:
    """``text`` with the numbers it says to dial blanked (same length)."""
    return _DIALLED.sub(lambda m: m.group()[: m.start(1) - m.start()] + " " * len(m.group(1)), text)
_ASCII_TERM = re.compile(r"[A-Za-z]{2,}|\d+(?:\.\d+)?%?")
# (digits first only in capitals: 5G, not 10km or 3rd)
_CODE = re.compile(r"(?<![\w.])(?:[A-Za-z]+\d+[A-Za-z\d]*|\d+[A-Z]+[A-Z\d]*)\+?(?![\w])")


@dataclass(frozen=True)
class Term:
    """A key term: its surface form, alternatives that also count, and a weight."""

    text: str
    alternatives: tuple[str, ...] = ()
    soft: bool = False
    variants: tuple[Variant, ...] = ()  # the plans' other words for it, with partial credit
    framing: bool = False  # said only in a clause about the asker ("我家老人身体不好，…")
    phrasing: bool = False  # how the asker says it, not a topic: an action word the plans never use (放到, 能带)
    translated: bool = False  # an English word put into Chinese by the general dictionary, not the glossary

    def forms(self) -> tuple[str, ...]:
        return (self.text, *self.alternatives)

    @property
    def hard(self) -> bool:
        """A term the evidence must name: neither a soft word, the asker's phrasing nor a
        dictionary translation (which may miss the sense meant)."""
        return not self.soft and not self.phrasing and not self.translated


_ACROSS_PHRASE = re.compile(r"(哪些|哪几个|哪个|几个|各|有哪些)(区|地区)(?!域)(有|的|要|都)?")


def merge_attested(tokens: Sequence[str], attested: Callable[[str], bool] | None, max_len: int = 4) -> list[str]:
    """Join neighbouring tokens into the compounds the documents actually use.

    jieba's general dictionary cuts domain words apart (中医馆 -> 中医 + 馆, 千人口 -> 千 + 人口);
    when the joined form occurs in the corpus, the question means the compound. Corpus-driven,
    so no hand-written vocabulary is needed. Of all ways to join, the one with the longest
    words wins, but a character left alone costs: 达标|中医馆 beats 达标中医|馆, whose 馆
    would be dropped as a one-character word.
    """
    if attested is None:
        return list(tokens)
    n = len(tokens)
    best: list[tuple[float, int]] = [(0.0, 0)] * (n + 1)  # best[i]: (score of tokens[i:], end of first word)
    for i in range(n - 1, -1, -1):
        options = [(_alone(tokens[i]) + best[i + 1][0], i + 1)]
        # 多少|个: the classifier belongs to the question word and joins nothing after it
        counted = i > 0 and tokens[i - 1] in _QUANTITY_ASKS and len(tokens[i]) == 1
        for j in range(i + 2, i + 2 if counted else min(n, i + 3) + 1):
            joined = "".join(tokens[i:j])
            if _CJK_RUN.search(joined) and (
                (len(joined) <= max_len and attested(joined)) or _names_once(tokens[i:j], joined, attested)
            ):
                # (never across punctuation: the plans' "2025年,社区" is no word; nor with a
                # lone modal: 人|能 in "签约的人能覆盖多少" is no 人能, which the plans hold only
                # inside 个人能力)
                if not any(t in QUESTION_WORDS or _MARK.search(t) or (len(t) == 1 and t in _MODALS) for t in tokens[i:j]):
                    options.append((len(joined) ** 2 + best[j][0], j))
        # of equal ways, not a verb joined to the noun after it: 建成|社区医院, not 建成社区|医院
        best[i] = max(options, key=lambda o: (o[0], not _verb_object(tokens[i : o[1]]), o[1]))
    merged, i = [], 0
    while i < n:
        j = best[i][1]
        merged.append("".join(tokens[i:j]))
        i = j
    return merged


_MARK = re.compile(r"[^\w\s]")  # punctuation: a token holding any is no part of a word


def _verb_object(pieces: Sequence[str]) -> bool:
    """Two words, a verb and the noun after it (建成 + 社区): a phrase, not a compound."""
    return (
        len(pieces) == 2 and all(len(p) >= 2 for p in pieces)
        and part_of_speech(pieces[0]) in _VERB_TAGS and names_a_thing(pieces[1])
    )


def _names_once(pieces: Sequence[str], joined: str, attested: Callable[[str], bool]) -> bool:
    """A lone character jieba cut off a word the plans use (亚 | 定点医院 for 亚定点医院): the
    plans' longer word, even used once, is what the question names; left apart, the
    character is dropped and the question asks about the plain 定点医院."""
    count = getattr(attested, "count", None)
    lone = [p for p in pieces if len(p) == 1 and _CJK_RUN.fullmatch(p)]
    return (
        len(pieces) == 2 and len(lone) == 1 and max(len(p) for p in pieces) >= 3 and len(joined) <= 6
        and callable(count) and count(joined) >= 1
    )


def _alone(token: str) -> float:
    """What a token left as it is scores: its length squared, but a lone Chinese character,
    which no term keeps, costs."""
    return -4.0 if len(token) == 1 and _CJK_RUN.match(token) else float(len(token) ** 2)


def _split_classifiers(tokens: list[str]) -> list[str]:
    out: list[str] = []
    for token in tokens:
        if out and out[-1] in _QUANTITY_ASKS and len(token) > 1 and token[0] in _CLASSIFIERS:
            out.extend((token[0], token[1:]))
        elif out and _YEAR_NUMBER.fullmatch(out[-1]) and _glued_to_year(token):
            # jieba glues the 年 of "2025年" to the word after it ("2025|年全|人群",
            # "2025|年家医"): the year's 年, then the rest cut again
            out.append("年")
            out.extend(t for t in _general_jieba().lcut(token[1:]) if t.strip())
        elif _guessed_with_modal(token):
            # jieba's guess for words not in its dictionary glues a character to the modal
            # after it ("的人能覆盖" -> 人能): two words, the second a modal
            out.extend((token[0], token[1]))
        else:
            out.append(token)
    return out


_YEAR_NUMBER = re.compile(r"(?:19|20)[0-9]{2}")


def _glued_to_year(token: str) -> bool:
    """A token after a year's number that starts with 年 and is no word (年全, 年定; 年底 is one)."""
    return len(token) >= 2 and token[0] == "年" and not _general_jieba().FREQ.get(token)


def _guessed_with_modal(token: str) -> bool:
    """A two-character token jieba's dictionary lacks whose second character is a modal."""
    return len(token) == 2 and token[1] in _MODALS and re.fullmatch(r"[\u4e00-\u9fff]{2}", token) is not None and not (
        _general_jieba().FREQ.get(token) or 0
    )


@lru_cache(maxsize=1)
def question_register() -> frozenset[str]:
    """Words people ask with that no plan uses ("一共", "到底", "听说"), learnt from the tune
    halves of the blind rounds by ``eval/learn_question_register.py``: not key terms."""
    text = resources.files("qa").joinpath("question_register.tsv").read_text(encoding="utf-8")
    return frozenset(line.split("\t")[0] for line in text.splitlines() if line.strip() and not line.startswith("#"))


# "每一千个人", "每1000名居民", "每万人": the plans' per-capita indicators say 千人口 / 万人口.
_PER_CAPITA = re.compile(
    r"(?:每|平均每)\s*(?P<n>一?千|1,?000|一?万|10,?000)\s*(?:个|名|位)?\s*(?:常住)?(?:人口|居民|市民|老百姓|人)"
)


def _per_capita(text: str) -> str:
    """A per-capita phrase the way the plans write it (每一千个人 -> 千人口)."""

    def plans_word(m: re.Match[str]) -> str:
        if m.group() in ("每千人口", "每万人口"):
            return m.group()  # the plans' own words
        n = m.group("n").replace(",", "")
        return "万人口" if "万" in n or n == "10000" else "千人口"

    return _PER_CAPITA.sub(plans_word, text)


def _chinese_terms(
    text: str, attested: Callable[[str], bool] | None = None, places: Scope | None = None, register: bool = True
) -> list[Term]:
    jieba = _jieba(places)
    place_words = _place_words(places)
    text = _per_capita(_ACROSS_PHRASE.sub(" ", _EXCLUDED.sub(" ", text)))
    terms: list[Term] = []
    count = getattr(attested, "count", None)
    for m in QUOTED_CODE.finditer(text):
        # a code the plans write (“1+1+10”, “2+7+N”) is one term, not the numbers in it
        if callable(count) and count(m.group(1)) >= 1:
            terms.append(Term(m.group(1)))
            text = text.replace(m.group(), " ")
    tokens = _disjunctions(
        _split_classifiers([t.strip() for t in jieba.lcut(text) if t.strip()]), attested, place_words
    )
    for token in merge_attested(tokens, attested):
        if _OR in token:
            # "学习或推广", "迁建、迁址或异地新建": either word states it
            words = [w for w in token.split(_OR) if w]
            terms.append(Term(words[0], tuple(words[1:]), variants=_variants_of(words[0], attested)))
            continue
        token = token.strip().strip(_PUNCTUATION)
        if len(token) == 2 and _CJK_RUN.match(token) and (token[0] in _GLUE or token[1] in _GLUE):
            token = token.strip(_GLUE)
        if not token or token in QUESTION_WORDS or token in place_words:
            continue
        if not (_CJK_RUN.search(token) or _ASCII_TERM.fullmatch(token)):
            continue
        if token.lower() in ENGLISH_STOPWORDS:
            continue  # "目标值 vs 规划值": an English function word, not a topic
        if _ENGLISH_IN_CHINESE.fullmatch(token):
            # "Baoshan针对开药取药要建什么platform": a district in pinyin is the district; a
            # word the glossary knows is its Chinese; any other English word, as in an
            # English question, cannot be looked for in Chinese plans.
            if token.lower() not in _place_spellings(places):
                terms.extend(Term(c[0], c[1:], soft=all(w in SOFT_WORDS for w in c)) for c, _ in glossary_matches(token.lower()))
            continue
        variants = attested.variants(token) if isinstance(attested, Lexicon) else ()
        if len(token) == 1 and _CJK_RUN.match(token) and not variants:
            continue
        if token.endswith("区") and token[:-1] in place_words:
            continue
        phrasing = isinstance(attested, Lexicon) and not attested.known(token) and says_an_action(token)
        asker = register and token in question_register()  # the asker's word: counts little, names no topic
        terms.append(Term(token, soft=token in SOFT_WORDS or asker, variants=variants, phrasing=phrasing))
    return terms


# An English word inside a Chinese question: letters, at least one lower-case (CMI, HPV stay names)
_ENGLISH_IN_CHINESE = re.compile(r"[A-Za-z]*[a-z][A-Za-z]*")
# a quoted code holds a digit ('2+7+N', “1+1+10”, “887365”); a quote opens after a space or
# a mark, not inside a word (Jing'an's)
QUOTED_CODE = re.compile(r"(?<![A-Za-z])[“\"「‘']((?=[^”\"」’']*\d)[0-9A-Za-z][0-9A-Za-z+＋·-]{1,14})[”\"」’'](?![A-Za-z])")
_QUOTED_TERM = re.compile(r"[“\"「‘]([\u4e00-\u9fff]{3,12})[”\"」’]")


def quoted_terms(question: str, attested: Callable[[str], bool]) -> list[str]:
    """Terms the question quotes as the plans write them (“一区一品牌”, “五床联动”)."""
    return [m.group(1) for m in _QUOTED_TERM.finditer(question) if attested(m.group(1))]


_OR = "\x1f"  # joins the words of one disjunction in the token stream (no text has it)
_OR_WORDS = frozenset({"或", "或者", "或是"})


def _disjunctions(
    tokens: list[str], attested: Callable[[str], bool] | None, places: frozenset[str] | set[str]
) -> list[str]:
    """Words joined by 或 ("学习或推广", "迁建、迁址或异地新建") as one token of alternatives,
    so that neither is required and neither is glued to the next word ("推广|福建"). The
    word after 或 is the longest the plans use (异地|新建 → 异地新建); places are no topic."""

    def word(t: str) -> bool:
        return bool(_WORD.fullmatch(t)) and t not in places

    out: list[str] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok in _OR_WORDS and out and i + 1 < len(tokens) and word(out[-1]) and word(tokens[i + 1]):
            group = [out.pop()]
            while len(out) >= 2 and out[-1] == "、" and word(out[-2]):
                out.pop()
                group.insert(0, out.pop())
            j = i + 2
            right = tokens[i + 1]
            count = getattr(attested, "count", None)
            while j < len(tokens) and attested is not None and len(right + tokens[j]) <= 4 and (
                attested(right + tokens[j])
                # the last alternative, closing the clause, as the plans write it even once
                # ("迁址、迁建或者异地新建？"): left apart, 新建 became a word every answer must state
                or (callable(count) and _closes_clause(tokens, j + 1) and count(right + tokens[j]) >= 1)
            ):
                right, j = right + tokens[j], j + 1
            out.append(_OR.join([*group, right]))
            i = j
            continue
        out.append(tok)
        i += 1
    return out


_WORD = re.compile(r"[\u4e00-\u9fff]{2,}")


def _closes_clause(tokens: Sequence[str], at: int) -> bool:
    return at >= len(tokens) or bool(_MARK.fullmatch(tokens[at]))


def _variants_of(word: str, attested: Callable[[str], bool] | None) -> tuple[Variant, ...]:
    return attested.variants(word) if isinstance(attested, Lexicon) else ()


# What the question says it does not ask about: "（而非泛泛的“互联网+医疗”服务）".
_EXCLUDED = re.compile(r"[（(]?(?:而非|并非|而不是|不包括|不含)[^，,。；;？?！!）)]*[）)]?")


def glossary_matches(lowered: str) -> list[tuple[tuple[str, ...], tuple[int, int]]]:
    """Glossary phrases found in ``lowered``, leftmost-longest and without overlaps: in
    "13th five-year plan" the phrase "13th five-year" (十三五) wins over "five-year plan".
    Every occurrence is returned (the caller blanks each; a second "TCM" left in the text
    was read as an acronym no plan uses)."""
    found = [(m.start(), m.end(), chinese) for pattern, chinese in _glossary_patterns() for m in pattern.finditer(lowered)]
    spans: list[tuple[int, int]] = []
    taken: list[tuple[tuple[str, ...], tuple[int, int]]] = []
    for start, end, chinese in sorted(found, key=lambda f: (f[0], f[0] - f[1])):
        if all(end <= s or start >= e for s, e in spans):
            spans.append((start, end))
            taken.append((chinese, (start, end)))
    return taken


@lru_cache(maxsize=1)
def _glossary_patterns() -> tuple[tuple[re.Pattern[str], tuple[str, ...]], ...]:
    return tuple((re.compile(_phrase_pattern(phrase)), chinese) for phrase, chinese in glossary())


# The noun of an institution after an English name ("Tongren Hospital"): the name is the
# institution's, whatever place shares it.
_INSTITUTION_NOUN = r"(?:'s)?\s+(?:hospital|clinic|centre|center|university|college|institute|school|lab|laboratory)s?\b"


def names_an_institution(name: str, text: str) -> bool:
    """Whether ``name`` is followed by an institution's noun in ``text`` (Tongren Hospital)."""
    return bool(re.search(rf"\b{re.escape(name)}{_INSTITUTION_NOUN}", text, re.I))


def _english_terms(
    text: str, attested: Callable[[str], bool] | None = None, places: Scope | None = None, register: bool = True
) -> list[Term]:
    lowered = american(text.lower())
    spellings = _place_spellings(places)
    terms: list[Term] = []
    glossed = glossary_matches(lowered)
    # phrases the dictionary translates whole (public health -> 公共卫生) win over the
    # glossary's single words inside them ("health"), not over its phrases
    phrases = [
        (forms, (start, end))
        for forms, (start, end) in (_phrase_terms(lowered, attested) if isinstance(attested, Lexicon) else [])
        # a capitalised run is a name ("Shanghai University of TCM" is no 上海大学)
        if not re.search(r"(?<!^)(?<![.?!]\s)\b(?:" + "|".join(w.capitalize() for w in lowered[start:end].split()) + r")\b", text)
        and not any(" " in lowered[s:e].strip() or "-" in lowered[s:e] for _, (s, e) in glossed if s < end and start < e)
    ]
    for chinese, (start, end) in glossed:
        if any(s < end and start < e for _, (s, e) in phrases):
            continue
        if all(t.forms() != chinese for t in terms):
            terms.append(Term(chinese[0], chinese[1:], soft=all(c in SOFT_WORDS for c in chinese)))
        lowered = lowered[:start] + " " * (end - start) + lowered[end:]
    for forms, (start, end) in phrases:
        terms.append(Term(forms[0], forms[1:], translated=True))
        lowered = lowered[:start] + " " * (end - start) + lowered[end:]
    if isinstance(attested, Lexicon):  # place names in pinyin (Gucun -> 顾村)
        for word in re.findall(r"\b[A-Z][a-z]{3,}\b", text):
            low = word.lower()
            if low in ENGLISH_STOPWORDS or low in spellings or not re.search(rf"(?<![a-z]){low}(?![a-z])", lowered):
                continue
            # A province or city in pinyin is its Chinese name (Fujian is 福建, not 附件,
            # which sounds the same); other words, villages and towns, by their sound, and so
            # an institution's name (Tongren Hospital is 同仁医院, not one in 铜仁).
            institution = names_an_institution(word, text) and attested.pinyin_forms(low)
            regions = [] if institution else [r for r in regions_named(word) if r.level in ("province", "city")]
            forms = tuple(dict.fromkeys(f for r in regions for f in (r.short, r.name))) or attested.pinyin_forms(low)
            if forms:
                terms.append(Term(forms[0], forms[1:]))
                lowered = re.sub(rf"(?<![a-z]){low}(?![a-z])", " ", lowered)
    # A quoted code the plans write ('2+7+N', “1+1+10”) is one term, not the numbers in it.
    count = getattr(attested, "count", None)
    for m in QUOTED_CODE.finditer(text):
        if callable(count) and count(m.group(1)) >= 1:
            terms.append(Term(m.group(1)))
            lowered = lowered.replace(m.group(1).lower(), " ")
    # A code of letters and digits (P2+, H7N9, 5G) is a name, written in capitals as the plans do.
    for code in dict.fromkeys(m.group() for m in _CODE.finditer(text)):
        terms.append(Term(code.upper()))
        lowered = lowered.replace(code.lower(), " ")
    acronyms = {w.lower() for w in re.findall(r"\b[A-Z][A-Z0-9]{2,}\b", text)}  # HPV: a name, as written (two letters, US, UK, are too often places)
    for token in _ASCII_TERM.findall(lowered):
        if token in ENGLISH_STOPWORDS or len(token) < 2:
            continue
        if token.isdigit() and isinstance(attested, Lexicon) and attested.count(f"“{token}”"):
            # a number the plans quote as a name (“887365” for 8 am to 8 pm, 7 days, 365 days)
            # is the topic, not a figure
            terms.append(Term(f"“{token}”"))
        elif token in acronyms or token.isdigit() or any(ch.isdigit() for ch in token):
            terms.append(Term(token.upper() if token.isalpha() else token))
    if isinstance(attested, Lexicon):
        terms.extend(_dictionary_terms(lowered, attested, spellings))
    # Chinese words quoted inside an English question count as Chinese terms.
    for run in re.findall(r"[\u4e00-\u9fff]+", text):
        terms.extend(_chinese_terms(run, attested, places, register))
    return terms


MAX_DICTIONARY_FORMS = 4  # of a word's translations the plans use, how many count


def _phrase_terms(lowered: str, lexicon: Lexicon) -> list[tuple[tuple[str, ...], tuple[int, int]]]:
    """Runs of two or three words the glossary does not know that CC-CEDICT translates
    whole ("public health" -> 公共卫生, "general practitioner" -> 全科医生, "life expectancy"
    -> 寿命), in the nouns the plans use; longest first, without overlaps, and no run holding
    a function word ("at least", "each other" say how, not what)."""
    words = [(m.group(), m.start(), m.end()) for m in _ENGLISH_WORD.finditer(lowered)]
    found: list[tuple[tuple[str, ...], tuple[int, int]]] = []
    taken: set[int] = set()
    for size in (3, 2):
        for i in range(len(words) - size + 1):
            run = words[i : i + size]
            if taken & set(range(i, i + size)) or any(w in ENGLISH_STOPWORDS for w, _, _ in run):
                continue
            if any(lowered[a_end:b_start].strip() for (_, _, a_end), (_, b_start, _) in zip(run, run[1:], strict=False)):
                continue  # words apart (a comma between) are no phrase
            phrase = " ".join(w for w, _, _ in run)
            chinese = phrase_translations(phrase) or (phrase_translations(phrase[:-1]) if phrase.endswith("s") else ())
            forms = tuple(c for c in chinese if lexicon.count(c) >= 1 and not _predicate(c))[:MAX_DICTIONARY_FORMS]
            if forms:
                found.append((forms, (run[0][1], run[-1][2])))
                taken |= set(range(i, i + size))
    return found


def _predicate(word: str) -> bool:
    """Whether jieba tags ``word`` as a verb, adjective or adverb (a verbal noun is a noun;
    a time word, 周末, names a thing)."""
    tag = part_of_speech(word) or ""
    return tag[:1] in ("v", "a", "d") and tag not in ("vn", "an")


def _dictionary_terms(lowered: str, lexicon: Lexicon, spellings: frozenset[str]) -> list[Term]:
    """The words of an English question the glossary does not know, in the Chinese the plans
    use for them (``qa.bilingual``: diabetes -> 糖尿病, brands -> 品牌): the translations
    that are nouns (a verb says what is asked, not about what: open, treat, lead) and that
    the plans use, those whose dictionary sense is the word itself first."""
    terms: list[Term] = []
    for word in dict.fromkeys(_ENGLISH_WORD.findall(lowered)):
        if word in ENGLISH_STOPWORDS or word in spellings:
            continue
        used = [(c, rank) for c, rank in translations(word) if lexicon.count(c) >= 1]
        if not used:
            continue
        forms = [c for c, rank in used if rank == used[0][1] and not _predicate(c)][:MAX_DICTIONARY_FORMS]
        if forms:  # none: in the plans' words it is a verb or an adjective (open: 开放, 开展)
            terms.append(Term(forms[0], tuple(forms[1:]), translated=True))
    return terms


MAX_FEEDBACK_FORMS = 2


def feedback_terms(question: str, lexicon: Lexicon, places: Scope | None, texts: Sequence[str]) -> list[Term]:
    """The general words of an English question (papers, tests: too many senses to translate
    alone, ``qa.bilingual.GENERAL_WORD_USES``) in the Chinese of the passages retrieved for
    it: of the translations the plans use, the nouns the best passages hold (pseudo-relevance
    feedback, as cross-language retrieval picks a word's sense). Translated terms: they weigh
    little and never decide alone."""
    lowered = american(question.lower())
    for phrase, _ in glossary():
        lowered = re.sub(_phrase_pattern(phrase), " ", lowered)
    spellings = _place_spellings(places)
    found = "\n".join(texts)
    terms: list[Term] = []
    for word in dict.fromkeys(_ENGLISH_WORD.findall(lowered)):
        if word in ENGLISH_STOPWORDS or word in spellings or translations(word):
            continue
        forms = [
            c for c, _ in all_translations(word) if c in found and lexicon.count(c) >= 1 and not _predicate(c)
        ][:MAX_FEEDBACK_FORMS]
        if forms:
            terms.append(Term(forms[0], tuple(forms[1:]), translated=True))
    return terms


def _phrase_pattern(phrase: str) -> str:
    """A glossary phrase as a whole word or words, plural ``-s`` / ``-es`` included; a space
    and a hyphen are the same ("family-doctor sign-up" is "family doctor sign up"); a verb
    before a particle in any form ("signed up", "signing up" for "sign up")."""
    words = re.split(r"[\s-]+", phrase)
    if len(words) == 2 and words[1] in _PARTICLES and words[0].isalpha():
        head = re.escape(words[0])
        return rf"(?<![a-z]){head}(?:s|ed|ing)?[\s-]+{words[1]}(?:e?s)?(?![a-z])"
    body = re.sub(r"(?:\\ |\\-|-)+", r"[\\s-]+", re.escape(phrase))
    # two words joined by "and" are joined as often by a hyphen, slash or ampersand
    # ("Chinese and Western medicine", "Chinese-Western medicine", "Chinese/Western")
    body = body.replace(r"[\s-]+and[\s-]+", r"(?:[\s-]+and[\s-]+|\s*[-/&]\s*)")
    return rf"(?<![a-z]){body}(?:e?s)?(?![a-z])"


_PARTICLES = frozenset({"up", "out", "in", "on", "off", "over", "down"})


_ENGLISH_WORD = re.compile(r"[a-z]{3,}")
# An acronym (HPV, PET-CT parts): a name no document using it means the documents do not cover
_ACRONYM = re.compile(r"[A-Z][A-Z0-9]{2,}")


def unmapped_english_words(question: str, places: Scope | None = None) -> tuple[str, ...]:
    """Content words of an English question that the glossary cannot put into Chinese
    (district names of ``places``, the corpus's scope, are not content words).

    The corpus is Chinese, so such a word cannot be looked for; when nothing else in the
    question names a topic, the question is about something the glossary does not know.
    """
    lowered = american(question.lower())
    for phrase, _ in glossary():
        lowered = re.sub(_phrase_pattern(phrase), " ", lowered)
    spellings = _place_spellings(places)
    words = [w for w in _ENGLISH_WORD.findall(lowered) if w not in ENGLISH_STOPWORDS and w not in spellings]
    return tuple(dict.fromkeys(words))


def names_a_topic(term: Term) -> bool:
    """A term that says what the question is about: not generic, not a bare number or year,
    not a single Chinese character (率, 数) that fits any topic."""
    if term.soft or re.fullmatch(r"[\d.%]+", term.text):
        return False
    return not (len(term.text) == 1 and _CJK_RUN.match(term.text))


def key_terms(
    question: str,
    lang: str,
    attested: Callable[[str], bool] | None = None,
    places: Scope | None = None,
    register: bool = True,
) -> tuple[Term, ...]:
    """The terms that say what the question is about, without repeats.

    ``attested(word)`` says whether the corpus uses a word; with it, split compounds are
    joined back (see ``merge_attested``). Terms said only in a framing clause are marked.
    ``places`` is the corpus's scope (``QuestionAnalysis.places``): its district names are
    not terms, and the question is cut with its tokenizer. Words of the asker's register
    (``question_register``) are dropped unless ``register`` is False.
    """
    question = without_dialled(question)
    raw = (
        _english_terms(question, attested, places, register)
        if lang == "en"
        else _chinese_terms(question, attested, places, register)
    )
    seen: set[str] = set()
    unique = []
    for term in raw:
        if term.text not in seen:
            seen.add(term.text)
            unique.append(term)
    unique = _years_as_periods(question, unique)
    unique = _glossed_acronyms(question, unique)
    unique = _either(question, unique)
    unique = _grades_answer(question, unique)
    frame, focus = split_framing(question) if lang != "en" else _english_scene(question)
    if frame:
        if lang == "en":  # the terms are Chinese: which of them the asking sentences name
            named = {t.text for t in _english_terms(focus, attested, places, register)}
        asked = [t for t in unique if (t.text in named if lang == "en" else t.text in focus)]
        if any(names_a_topic(t) for t in asked):
            unique = [t if t in asked else replace(t, framing=True) for t in unique]
    return tuple(unique)


# "冲什么等级" / "what grade": the word names the kind of answer, and a hospital grade of
# China's national grading (三级甲等, 二级) is that answer, whether or not the sentence also
# says 等级 ("同仁医院全力争创三级甲等综合性医院").
_GRADE_WORDS = ("等级", "级别", "档次")
_GRADE_ASKED = re.compile(
    r"(?:什么|啥|哪个|哪一|哪种|哪类|几)(?:样的?)?(?:等级|级别|档次)|(?:等级|级别|档次)(?:是|为|定为)?(?:什么|啥|多少|几)"
    r"|\b(?:what|which)\s+(?:\w+\s+)?(?:grade|tier)\b",
    re.I,
)
_GRADES = ("三级甲等", "三级乙等", "二级甲等", "二级乙等", "三甲", "二甲", "三级", "二级")


def _grades_answer(question: str, terms: list[Term]) -> list[Term]:
    """A grade the question asks the value of: one term, found as any hospital grade (the
    cut may have lost the word itself: 等级 loses its 等 as glue)."""
    if not _GRADE_ASKED.search(question):
        return terms
    grade = Term(_GRADE_WORDS[0], _GRADE_WORDS[1:], variants=tuple(Variant(g, 1.0) for g in _GRADES))
    return [*(t for t in terms if t.text not in _GRADE_WORDS), grade]


_ALTERNATIVE = re.compile(r"\s*(?:\bor\b|或者|或是|或)\s*", re.I)


def _either(question: str, terms: list[Term]) -> list[Term]:
    """Two terms the question offers as alternatives ("DRG or DIP", "DRG或DIP") are one term
    with two forms: a plan naming either states what is asked. A slash is no "or" (120元/人年).
    Chinese words joined by 或 are joined before they become terms (``_disjunctions``); codes
    and English words are not."""
    out: list[Term] = []
    for term in terms:
        prev = out[-1] if out else None
        if prev is not None and not prev.soft and not term.soft:
            at = question.find(prev.text)
            after = question.find(term.text, at + len(prev.text)) if at >= 0 else -1
            if at >= 0 and after >= 0 and _ALTERNATIVE.fullmatch(question[at + len(prev.text) : after]):
                out[-1] = replace(prev, alternatives=tuple(dict.fromkeys((*prev.alternatives, term.text, *term.alternatives))))
                continue
        out.append(term)
    return out


# An acronym with its Chinese gloss in brackets, either way round: "DIP（按病种分值付费）",
# "按病种分值付费(DIP)".
_GLOSS_AFTER = re.compile(r"(?<![A-Za-z])([A-Z][A-Za-z0-9+/-]{1,11})\s*[（(]\s*([^（）()]*?[\u4e00-\u9fff][^（）()]*?)\s*[）)]")
_GLOSS_BEFORE = re.compile(r"([\u4e00-\u9fff]{2,24})\s*[（(]\s*([A-Z][A-Za-z0-9+/-]{1,11})\s*[）)]")


def _glossed_acronyms(question: str, terms: list[Term]) -> list[Term]:
    """An acronym and its gloss are one term: the gloss becomes the acronym's other form,
    and its words are not asked on their own. A plan writing only "DRGs/DIP" states DIP;
    counting 按病种, 分值, 付费 as missing made it look silent."""
    pairs = [(m.group(1), m.group(2)) for m in _GLOSS_AFTER.finditer(question)]
    pairs += [(m.group(2), _gloss_tail(m.group(1), terms)) for m in _GLOSS_BEFORE.finditer(question)]
    for acronym, gloss in pairs:
        head = next((t for t in terms if t.text.upper() == acronym.upper()), None)
        if head is None or not gloss:
            continue
        phrase = re.sub(r"\s+", "", gloss)
        rest = question.replace(gloss, " ")  # a gloss word asked elsewhere too stays a term
        gloss_words = [t for t in terms if t is not head and t.text in phrase and t.text not in rest]
        terms = [
            replace(t, alternatives=tuple(dict.fromkeys((*t.alternatives, phrase)))) if t is head else t
            for t in terms
            if not any(t is g for g in gloss_words)
        ]
    return terms


def _gloss_tail(run: str, terms: Sequence[Term]) -> str:
    """The end of a run of Chinese before a bracketed acronym that is made of the question's
    terms ("哪些区提到按病种分值付费" -> "按病种分值付费"): the gloss, without the asking words."""
    end = len(run)
    while True:
        step = max((len(t.text) for t in terms if t.text and run[:end].endswith(t.text)), default=0)
        if not step:
            return run[end:]
        end -= step


_EN_SENTENCE_END = re.compile(r"(?<=[.!:;])\s+(?=[A-Z])")


# A sentence about the asker, as the Chinese ``_ASKER``: first person, family, or "X here:".
_EN_ASKER = re.compile(
    r"\b(?:I|I'm|I've|I'd|my|me|we|we're|our|us|mum|mom|dad|mother|father|parents?|grandma|grandpa|grandmother|grandfather)\b"
    r"|^\w+(?: \w+)? (?:here|question)\s*:",
    re.I,
)
_EN_LEAD_IN = re.compile(r"^\w+(?: \w+)? (?:here|question)\s*:\s*", re.I)


def _english_scene(question: str) -> tuple[str, str]:
    """(scene, asked): the sentences about the asker an English question sets the scene with
    before it asks ("My mum is 85 and lives in Baoshan. What's…", "Journalist here: which…"),
    and the rest. A sentence about the plans ("Songjiang's plan gives a life-expectancy
    figure. Does it…") is what the question asks about, not a scene."""
    sentences = _EN_SENTENCE_END.split(question.strip())
    lead = _EN_LEAD_IN.match(sentences[0])
    if lead and lead.end() < len(sentences[0]):  # "Journalist here: in Changning each…"
        sentences[:1] = [sentences[0][: lead.end()], sentences[0][lead.end() :].strip()]
    scene = 0
    while scene < len(sentences) - 1 and "?" not in sentences[scene] and _EN_ASKER.search(sentences[scene]):
        scene += 1
    return " ".join(sentences[:scene]), " ".join(sentences[scene:])


def _years_as_periods(question: str, terms: list[Term]) -> list[Term]:
    """Years spanning a five-year plan ("2016-2020") are what a plan calls “十三五”期间: the
    period counts for them; when the question names the period itself ("“十五五”期间
    （2026—2030年）") the years only restate it and are no terms of their own."""
    spans = spanned({int(t.text) for t in terms if _YEAR_TERM.fullmatch(t.text)})
    out = []
    for term in terms:
        periods = [p for p in spans if PERIODS[p] <= int(term.text) <= PERIODS[p] + 4] if _YEAR_TERM.fullmatch(term.text) else []
        if any(p in question for p in periods):
            continue
        out.append(replace(term, alternatives=(*term.alternatives, *periods)) if periods else term)
    return out


# How much a term said only while setting the scene counts, against one in what is asked.
FRAMING_WEIGHT = 0.3
# A dictionary translation may miss the sense meant (care -> 关怀): it counts, at this share.
TRANSLATED_WEIGHT = 0.5
# A clause about the asker, not the plans: a first-person pronoun or a polite request.
# (and the asker's family: "想给老妈挂专家号，…" sets the scene as "我…" does)
_ASKER = re.compile(r"我|咱|俺|请问|想问|问下|问一下|麻烦|听说|帮忙|帮我|[老爸]妈|老爸|爸爸|父母|爷爷|奶奶|外婆|外公|老人家|家里人?")
_ASKS = re.compile(r"[哪几谁吗呢么]|什么|多少|是否|有没有|是不是|如何|怎么|怎样|为什么|[?？]")
_NOT_ASKING = re.compile(r"想问|请问|问一?下|[这那好]几")  # ask-like words that ask nothing by themselves
_CLAUSE = re.compile(r"[^，,；;。！!？?：:]+[，,；;。！!？?：:]*")


# A clause saying why the asker asks ("为比较各区母婴健康指标，"), and an aside widening what
# counts ("（无论是现状数据还是目标要求）"): neither is what the evidence must state.
_PURPOSE = re.compile(r"^(?:为了?|为便于|以便)|^在[^，,]*时[，,]?$")  # 为比较…， / 在比较各区…时，
# A clause pointing at the documents themselves ("这几份区级卫生文件里，", "在五份规划文本中，"):
# where to look, not what to find.
_IN_DOCUMENTS = re.compile(r"(?:文件|规划|计划|方案|文本|材料)(?:里|中|内|当中)[，,：:]?$")
# A request introducing the question after a colon ("请梳理一下：", "请梳理五份文件："): what
# the asker wants done, not what the evidence must state.
_LEAD_IN = re.compile(r"^(?:请|麻烦|帮忙|帮我)[^：:]*[：:]$|^(?:梳理|整理|汇总|盘点|归纳|总结|列举|列出|对比|比较)(?:一下)?[^：:]*[：:]$")
_STATEMENT_END = re.compile(r"[。！!]$")
_COLON_END = re.compile(r"[：:]$")
_REQUEST = re.compile(r"请教|请问|想问|问一下|问问|想了解|了解一下|咨询|打听|帮我|帮忙|麻烦")
_WIDENING = re.compile(r"[（(](?:无论|不论|不管|不限于)[^）)]*[）)]")


def without_purpose(question: str, first_district_at: int = -1) -> str:
    """The question without a leading clause saying why it is asked ("为比较各区…，",
    "在比较各区资源配置目标时，"): the purpose names other districts than those asked about,
    so it must not make the question one across districts. Likewise the scene set before
    the clause naming the first district (at offset ``first_district_at``), when it asks
    nothing ("我们在比较各区医生配备水平，宝山…的目标是多少？"): which districts are asked
    about is said where one is named, not in the scene."""
    clauses = _CLAUSE.findall(question)
    if len(clauses) > 1 and _PURPOSE.match(clauses[0]) and not _ASKS.search(clauses[0]):
        return "".join(clauses[1:])
    if first_district_at < 0:
        return question
    named = next((i for i, m in enumerate(_CLAUSE.finditer(question)) if first_district_at < m.end()), 0)
    if named and not any(_ASKS.search(_NOT_ASKING.sub("", c)) for c in clauses[:named]):
        return "".join(clauses[named:])
    return question


def split_framing(question: str) -> tuple[str, str]:
    """(framing, focus): clauses that speak about the asker and ask nothing themselves
    ("我家老人身体不太好，想问下这几个区的规划里，"), that say why they ask (为比较…，), where
    to look (这几份区级卫生文件里，) or what to do (请梳理一下：), and
    asides widening what counts ("（无论是…还是…）"), versus the rest, which says what is
    asked. People set the scene before they ask; the scene is not what the evidence must state."""
    frame = _WIDENING.findall(question)
    focus = []
    clauses = _CLAUSE.findall(_WIDENING.sub("", question))
    # a request or the asker before a colon that opens the questions ("…时间表有点复杂，想请教
    # 一下：", "…越来越受关注，我想做个横向对比：") and what comes before it set the scene; a
    # topic before a colon ("居民健康素养水平：…") does not
    opening = max(
        (i for i, c in enumerate(clauses)
         if _COLON_END.search(c) and (_REQUEST.search(c) or _ASKER.search(c)) and any(_ASKS.search(d) for d in clauses[i + 1 :])),
        default=-1,
    )
    # the sentence each clause belongs to (clauses up to a full stop or question mark)
    sentence_of, current = [], 0
    for clause in clauses:
        sentence_of.append(current)
        current += bool(re.search(r"[。！!？?]$", clause))
    asking = {sentence_of[i] for i, c in enumerate(clauses) if _ASKS.search(_NOT_ASKING.sub("", c))}
    for i, clause in enumerate(clauses):
        asks = _ASKS.search(_NOT_ASKING.sub("", clause))
        lead = _PURPOSE.match(clause) or _IN_DOCUMENTS.search(clause) or _LEAD_IN.search(clause)
        purpose = i == 0 and len(clauses) > 1 and bool(lead)
        # a statement closed by a full stop before the question ("无偿献血常被当作城市文明的一个
        # 标尺。松江和长宁…哪个区定得更高？"): the journalist's lead-in, every clause of it
        # ("最近在做临终关怀方面的专题，注意到长宁提了一个…模式。想请教一下…")
        closes = next((j for j in range(i, len(clauses)) if sentence_of[j] == sentence_of[i] and _STATEMENT_END.search(clauses[j])), None)
        statement = (
            closes is not None and sentence_of[i] not in asking and any(_ASKS.search(c) for c in clauses[closes + 1 :])
        )
        (frame if (_ASKER.search(clause) or purpose or statement or i <= opening) and not asks else focus).append(clause)
    return "".join(frame), "".join(focus)


@lru_cache(maxsize=4096)
def sub_pieces(term: str) -> tuple[str, ...]:
    """Smaller words inside a compound term (jieba search mode), for partial coverage."""
    if len(term) < 3 or not _CJK_RUN.search(term):
        return ()
    jieba = _general_jieba()
    pieces = [p for p in jieba.lcut_for_search(term) if len(p) >= 2 and p != term]
    return tuple(dict.fromkeys(pieces))


def named_match(term: Term, text: str) -> float:
    """1.0 when the term (or an alternative) occurs in ``text``, else the best credit of one
    of the plans' other words for it that does; nothing for a part of a compound."""
    if any(form in text for form in term.forms()):
        return 1.0
    return max((v.credit for v in term.variants if v.form in text), default=0.0)


def term_match(term: Term, text: str) -> float:
    """``named_match``, and partial credit for compounds."""
    best = named_match(term, text)
    if best == 1.0:
        return best
    pieces = sub_pieces(term.text)
    if not pieces:
        return best
    covered = [False] * len(term.text)
    for piece in pieces:
        if piece in text:
            at = term.text.find(piece)
            covered[at : at + len(piece)] = [True] * len(piece)
    share = sum(covered) / len(term.text)
    if not covered[-1]:
        # Chinese compounds are head-final: 中医馆 is a kind of 馆. Evidence naming only the
        # modifier (中医) is about a neighbouring topic; naming the head (急救半径 for
        # 服务半径) is about the same kind of thing.
        share *= 0.5
    return max(best, 0.8 * share)


def _is_dictionary_word(word: str) -> bool:
    return not _CJK_RUN.search(word) or everyday_word(word)


# Parts of speech that carry no topic: pronouns, adverbs, conjunctions, particles,
# prepositions, locatives, numerals, measure words, modal and exclamation words.
_FUNCTION_TAGS = frozenset("r d c u p f m q y e o ad".split())


@lru_cache(maxsize=1)
def _general_idf() -> tuple[Mapping[str, float], Mapping[str, str]]:
    """jieba's general-language IDF table and part-of-speech tags (both ship with jieba),
    looked up per word from a cache file rather than parsed into memory in every process."""
    from index.jieba_cache import word_tables

    return word_tables()


def topicality(word: str) -> float:
    """How much a question word can say what the question is about, in [0.15, 1]:
    function words (我们, 已经, 另外) hardly, everyday words (情况, 身体, 水平) somewhat,
    words rare in general Chinese (安宁疗护, 反应时间) fully. General, not corpus-specific."""
    if not _CJK_RUN.search(word):
        return 1.0
    idf, tags = _general_idf()
    if tags.get(word) in _FUNCTION_TAGS:
        return 0.15
    general = idf.get(word)
    if general is None:
        return 1.0
    return min(1.0, max(0.15, (general - 3.0) / 6.0))


def idf_weights(terms: Sequence[Term], texts: Sequence[str] | TextSet) -> dict[str, float]:
    """IDF of each term over the given texts (sentences of the corpus), soft terms damped,
    scaled by how topical the word is in general Chinese (``topicality``)."""
    text_set = texts if isinstance(texts, TextSet) else TextSet(texts)
    n = max(text_set.size, 1)
    weights = {}
    for term in terms:
        forms = (*term.forms(), *(v.form for v in term.variants))
        df = len(frozenset().union(*(text_set.containing(form) for form in forms)))
        if df == 0 and term.phrasing:
            # How the asker says it (放到, 能带): no evidence can contain it, so it cannot
            # tell evidence apart, and counting it would only lower every coverage alike.
            weights[term.text] = 0.0
            continue
        if df == 0 and not _is_dictionary_word(term.text) and not _ACRONYM.fullmatch(term.text):
            # A word no document uses and no dictionary knows is a segmentation artefact
            # ("内要", "五末"): it cannot tell evidence apart, so it counts for little. A real
            # word no document uses ("火星") keeps its full weight: the documents do not cover it.
            weights[term.text] = UNSEEN_WEIGHT
            continue
        idf = math.log((n + 1) / (df + 0.5))
        weight = max(idf, 0.1) * (0.3 if term.soft else 1.0) * topicality(term.text)
        if df == 0 and (term.phrasing or not names_a_thing(term.text) or says_a_predicate(term.text)):
            # A verb or adjective the plans never use is how this asker says it (降到, 放到,
            # 弄; 挂帅, which jieba tags a noun and Cilin files under activities): it weighs
            # little. A noun they never use (火星) is a topic they do not cover.
            weight *= UNSEEN_PREDICATE_FACTOR
        elif term.variants and (term.phrasing or not names_a_thing(term.text)) and not any(
            text_set.containing(form) for form in term.forms()
        ):
            # ... however many plan words a thesaurus relates it to (来得 ~ 展示): the variants
            # give it credit where found, not the weight of a word the plans use.
            unseen = math.log((n + 1) / 0.5) * (0.3 if term.soft else 1.0) * topicality(term.text)
            weight = min(weight, unseen * UNSEEN_PREDICATE_FACTOR)
        weights[term.text] = weight
    return weights


_NOUN_TAGS = frozenset("n nr ns nt nz ng nrt nrfg vn an".split())
UNSEEN_PREDICATE_FACTOR = 0.3


_MODALS = "能会可要想该得肯敢"
_VERB_TAGS = frozenset("v vd vi vq vg".split())


def says_an_action(word: str) -> bool:
    """Whether a word says what is done rather than what it is done to: jieba tags it as a
    verb or adjective, or it is a modal before a verb that jieba's dictionary happens to list
    as a noun ("能带", energy band, in "能带出多少年轻大夫")."""
    if not names_a_thing(word):
        return True
    if len(word) >= 2 and word[0] in _MODALS:
        rest = word[1:]
        tag = part_of_speech(rest) or _single_tag(rest)
        return tag in _VERB_TAGS
    return False


def _single_tag(word: str) -> str | None:
    import jieba.posseg

    pairs = jieba.posseg.lcut(word)
    return pairs[0].flag if len(pairs) == 1 else None


def cut(text: str, places: Scope | None = None) -> list[str]:
    """``text`` cut into words as BM25 cuts it (the corpus's place names kept whole)."""
    return list(_jieba(places).lcut(text))


def part_of_speech(word: str) -> str | None:
    """jieba's part-of-speech tag of ``word`` (None when its dictionary does not list it)."""
    return _general_idf()[1].get(word)


def is_place_word(word: str, places: Scope | None = None) -> bool:
    """Whether ``word`` names a district (of the corpus's cities, or any when there is none)."""
    return word in _place_words(places)


def names_a_thing(word: str) -> bool:
    """Whether jieba's dictionary tags the word as a noun (unknown words count as nouns)."""
    if not _CJK_RUN.search(word):
        return True
    tag = part_of_speech(word)
    return tag is None or tag in _NOUN_TAGS


def coverage(
    terms: Iterable[Term],
    weights: Mapping[str, float],
    text: str,
    match: Callable[[Term, str], float] = term_match,
    lenient: bool = False,
) -> float:
    """Weighted share of the question's key terms that ``text`` contains, in [0, 1].

    ``lenient``: a dictionary translation counts only when found (missing, it may be the
    wrong sense: life -> 生命), for deciding whether evidence states the answer; ranking
    evidence counts it like any term, so the sentence that has it comes first."""
    total = 0.0
    got = 0.0
    for term in terms:
        w = weights.get(term.text, 1.0)
        if term.translated and lenient:
            found = named_match(term, text)
            total += w * found
            got += w * found
            continue
        total += w
        got += w * match(term, text)
    return got / total if total else 0.0
