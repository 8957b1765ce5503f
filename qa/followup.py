"""Follow-up questions in a chat, rewritten as standalone questions for the answerer.

``resolve(question, history, known_districts)`` returns the standalone question, or None
when ``question`` already stands alone (or there is nothing to resolve it against). The
*topic question* is the latest earlier user turn, itself resolved against the turns before
it, so chains work. Pure text rules, in order (no model; markers are grammar, not phrases):

1. Left alone (None): a language other than Chinese or English; a question naming its own
   districts (or asking across districts, "哪些区…") with a full topic; a message that is no
   question ("谢谢"); and any question with no follow-up marker and a topic of its own. A
   topic is what remains after removing districts, particles, pronouns and question words:
   at least 4 Chinese characters or 2 English words (numbers count; 2 / 1 when it names a
   district). Markers: a leading 那/那么, 的呢, 呢 closing a short question (≤ 15 Chinese
   characters), "what/how about", a leading "and", "too/as well/instead/the same", and
   pronouns (它/它们/其/这个/这些/这家/该/此/那里…, it/its/they/this/that/there…) that no
   earlier clause of the same question could be what they point to. "that" counts only in
   a question without a topic of its own (else it is read as a conjunction).
2. The follow-up names districts ("那宝山呢", "What about Minhang?", "Baoshan?"; "那其他区呢"
   = the indexed districts the topic did not name, "各区呢" = all; districts outside the
   corpus and places such as 北京 are substituted like any other; "那两个区" / "both" are the
   last two districts the user's turns named, compared). With a comparison word
   ("跟长宁比呢", "compared with Baoshan") the topic's districts are kept and the new added.
   - Nothing new asked (nothing but districts, years and ask words: "长宁呢？到2025年定的是多少？"):
     the topic question with its districts replaced as written (长宁 /
     长宁区 / Changning / Changning District), in the topic's language even when the
     follow-up is in another (no translation: the answer then comes in the topic's
     language). A topic naming no district gets them in front ("宝山区…", "In Minhang, …").
   - Something new asked ("那宝山的床位数呢"): rule 4 with those districts.
3. Pronouns (follow-up naming no district): one for an organisation (它, 其, 这家医院, it,
   this hospital) becomes the first organisation name (…医院/中心/站/馆/学院…, or a
   capitalised "… Hospital/Centre") in the last assistant answer that the topic question
   does not name, else any in that answer, else one in the topic question; a place pronoun
   (那里, there) that name or the topic's districts; 该区 / this district the topic's
   districts; 该规划 / this plan the topic district's plan. One for the topic itself (这个目标,
   this target), or with no name to stand for, gives the topic question followed by the
   follow-up ("…中医馆？这个目标是哪个文件定的？"): the answerer reads a later part that
   refers back as asked about what the first part finds.
4. New topic, same districts ("床位数呢？", "And the bed count?"): the follow-up without its
   markers, prefixed with the districts ("长宁区的…", "In Changning, …"). A bare noun phrase
   becomes a question: 是多少/有多少 or "what is"/"how many" when the topic or the phrase
   asks a figure, else 规划对…有什么安排 / "what does the plan say about …".
5. Anything else ("具体呢？", "Why?"): the topic question followed by the follow-up.
0. Before all: a follow-up that only names a year ("到2030年呢？", "And in 2024?") is the topic
   question with its year replaced (or the year put in front when it names none).

Limits: word order is not parsed, so a rewrite can read awkwardly; organisation names are
cut at common verbs and particles and may come out too long or too short; "similar" follow-ups ("哪些区也有类似目标？") are not recognised as such;
a bare topic without a question mark ("床位数") is not a question and is left alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from ingest.regions import District, district_by_name, district_mentions, regions_named, scope_of
from qa.analysis import (
    QUESTION_START_EN,
    QUESTION_WORD_ZH,
    analyze,
    detect_language,
    is_question,
    place_spans,
)
from qa.figures import parse_figures
from qa.terms import QUOTED_CODE, cut, names_a_thing

ROLES = ("user", "assistant", "system")


@dataclass(frozen=True)
class Turn:
    """One message of a chat."""

    role: str
    content: str

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"turn role {self.role!r} is not one of {', '.join(ROLES)}")
        if not isinstance(self.content, str):
            raise ValueError(f"turn content must be a string, got {type(self.content).__name__}")


def turns_from(history: Sequence[Mapping[str, str]]) -> list[Turn]:
    """Chat history as given by a client (``[{"role": ..., "content": ...}]``) as turns,
    without the system turns."""
    if isinstance(history, (str, bytes)) or not isinstance(history, Sequence):
        raise ValueError(f"history must be a list of role/content mappings, got {type(history).__name__}")
    turns = []
    for i, item in enumerate(history):
        if not isinstance(item, Mapping):
            raise ValueError(f"history[{i}] must be a mapping with 'role' and 'content', got {type(item).__name__}")
        missing = [key for key in ("role", "content") if key not in item]
        if missing:
            raise ValueError(f"history[{i}] has no {' or '.join(repr(k) for k in missing)}")
        try:
            turn = Turn(item["role"], item["content"])
        except ValueError as err:
            raise ValueError(f"history[{i}]: {err}") from None
        if turn.role != "system":
            turns.append(turn)
    return turns


_CJK = "\u3400-\u4dbf\u4e00-\u9fff"
# The corpus's districts for the resolve() call in progress: district mentions are the
# districts of the cities the corpus covers (ingest.regions.scope_of).
_KNOWN: ContextVar[tuple[str, ...]] = ContextVar("followup_known", default=())
# Whether the corpus's plans use a string (qa.lexicon.Lexicon), for the resolve() call in
# progress: a district's short name inside the plans' word (安宁 in 安宁疗护) is no mention.
_USES: ContextVar[Callable[[str], bool] | None] = ContextVar("followup_uses", default=None)
_ZH_FULL_AFTER_SHORT = re.compile(r"新区|区(?!域)")  # 浦东新区, 长宁区 written after the short name
_EN_DISTRICT_WORD = re.compile(r"\s+(?:New\s+)?(?:District|Area)(?![A-Za-z])", re.IGNORECASE)
_EN_DISTRICT_END = re.compile(r"(?:district|area)$", re.IGNORECASE)
# A district mention stands in for a pattern as one private-use character (_with_marks)
_MARK_BASE = 0xE000


def _district_spans(text: str) -> list[_Mention]:
    """The districts ``text`` names, as ``ingest.regions.district_mentions`` finds them (the
    analysis's own finder), each span widened to the 区 / District that follows a short name
    so that a substitution replaces it whole, and its style noted."""
    out = []
    for m in district_mentions(text, _KNOWN.get(), _USES.get()):
        d, end = m.district, m.end
        if m.text.isascii():
            after = _EN_DISTRICT_WORD.match(text, end)
            end = after.end() if after else end
            style = "en_district" if after or _EN_DISTRICT_END.search(m.text) else "en"
        elif m.text == d.short and (after := _ZH_FULL_AFTER_SHORT.match(text, end)):
            end, style = after.end(), "full"
        else:
            style = "short" if m.text == d.short and m.text != d.name else "full"
        out.append(_Mention(m.start, end, d, style))
    return out


def _without_districts(text: str, replacement: str = " ") -> str:
    """``text`` with every district it names replaced."""
    for m in reversed(_district_spans(text)):
        text = text[: m.start] + replacement + text[m.end :]
    return text


def _with_marks(text: str) -> tuple[str, str, Callable[[str], str]]:
    """``text`` with each district mention as one private-use character the text does not
    hold, for patterns around districts ("跟长宁和宝山比"), the pattern matching one mark, and
    the function that puts the mentions left back."""
    spans = _district_spans(text)
    free = (chr(c) for c in range(_MARK_BASE, 0xF900) if chr(c) not in text)
    originals: dict[str, str] = {}
    for m, mark in zip(reversed(spans), free, strict=False):
        originals[mark] = text[m.start : m.end]
        text = text[: m.start] + mark + text[m.end :]
    pattern = f"[{''.join(originals)}]" if originals else "(?!x)x"
    return text, pattern, lambda marked: re.sub(pattern, lambda x: originals[x.group()], marked) if originals else marked


def _places(text: str) -> list[tuple[int, int, str]]:
    """Provinces, cities and places abroad named in ``text`` that hold no corpus document."""
    scope = scope_of(_KNOWN.get())
    held = scope.cities | scope.provinces
    return [
        (s, e, name) for s, e, name in place_spans(text, _KNOWN.get())
        if not any(r.name in held for r in regions_named(name))
    ]


def _strip_places(text: str) -> str:
    for s, e, _ in reversed(_places(text)):
        text = text[:s] + " " + text[e:]
    return text
_JOINER = re.compile(r"\s*(?:和|与|及|、|跟|同|以及|,|，|&|and|or)\s*", re.IGNORECASE)
_OTHERS = re.compile(
    r"(?:其他|其它|其余|别的|剩下的?|另外的?)(?:几个)?区(?!域)|\b(?:the\s+)?(?:other|remaining)\s+(?:\w+\s+)?districts\b|\bthe others\b",
    re.IGNORECASE,
)
_EXCEPT = re.compile(
    r"除了?[^，,？?。]{1,12}?(?:以外|之外|外|[，,])|\b(?:besides|apart from|other than|except(?: for)?|aside from)\s+[^,?.;]{1,30}",
    re.IGNORECASE,
)
# "那两个区谁定得高？", "both districts": the last two districts the chat named.
_BOTH = re.compile(r"(?:这|那)?两个?区(?!域)|两区|两者|两边|双方|\bboth\b|\bthe two\b", re.IGNORECASE)
_ALL = re.compile(r"(?:所有|全部|各个?)的?区(?!域)|\b(?:all|each|every)\s+(?:the\s+)?(?:\w+\s+)?districts?\b", re.IGNORECASE)

_ZH_LEAD = re.compile(r"^(?:那么?)(?![里儿个些家所项座])")
_ZH_TAIL = re.compile(r"(?:的)?呢[\s？?。！!]*$")
# Words that ask about "the target" without saying which: the topic comes from the chat.
_ZH_GENERIC_ASK = re.compile(r"目标值?|指标|水平|数字|数据|情况|规划|计划|定的|[定更高低多少大小快慢长短好差早晚]")
_ZH_VERDICT = re.compile(r"谁|哪个|哪边|哪家|是否|吗|还是|有没有|超过|达到|(?<!多)[高低快慢大小长短早晚]|多(?!少)")
_EN_VERDICT = re.compile(r"\b(?:which|who|whose|already)\b|\b(?:more|less|fewer)\b|\b\w{2,}er\b", re.IGNORECASE)
# A comparison with one side only ("比市里的规划值高吗？", "跟全市比呢？", "Is that higher than…"):
# its other side is the chat's topic.
_SIDELESS = re.compile(r"^\s*(?:那|那么|这)?\s*(?:比|跟|和|与|同|较)|^\s*(?:is|was|are)\s+(?:that|this|it)\b", re.I)
# A term the user quoted; English writers also quote a Chinese term in single quotes
# ('五床联动'), which an apostrophe (Baoshan's) never starts with Chinese after it.
_QUOTED = re.compile(r"“[^”]{2,20}”|\"[^\"]{2,20}\"|'[\u4e00-\u9fff][^']{1,19}'")
_ZH_MID_TAIL = re.compile(r"(?:的)?呢[\s？?]+(?=\S)")
_EN_LEAD = re.compile(r"^(?:(?:and|but|so|ok(?:ay)?|then)[\s,]+)?(?:what|how)\s+about\b\s*|^and\b[\s,]*", re.IGNORECASE)
_EN_TAIL = re.compile(r",?\s*\b(?:as well|too|instead)\s*[?.!]*$|\bthe same\b", re.IGNORECASE)
_ZH_COMPARE = re.compile(
    r"(?:跟|和|与|同|较|比起|相较于?|对比).{0,14}?(?:相?比(?![例重率])|比较|对比|相较|区别|差别|差异|不同|一样|相同)|^比(?![例重率])"
    r"|比(?![例重率])[^，,。？?]{0,10}?(?:更|还)?(?:高|低|多|少|大|小|快|慢|长|短|好|差|强|弱|早|晚)"  # 长宁的目标比宝山高吗
    r"|(?:超过|超出|高于|低于|达没达到|有没有达到|赶上|不如)[^，,。？?]{0,8}?(?:这个|那个|这|那)"  # 有没有超过长宁这个数
)
# "哪个区定得高", "谁更快": which of the sides is ahead, a comparison naming no second side
_ZH_WHICH_AHEAD = re.compile(r"(?:谁|哪个区?|哪边|哪家|哪方)[^，,。？?]{0,6}?(?:更|还|比较|要)?(?:高|低|多(?!少)|(?<!多)少|快|慢|早|晚)(?![\u4e00-\u9fff]{0,2}[的了])")
_EN_COMPARE_PHRASE = re.compile(
    r"\bcompar(?:e|ed|es|ing|ison)\b|\bversus\b|\bvs\b|\b(?:more|less|fewer|higher|lower|larger|smaller|bigger)\s+than\b",
    re.IGNORECASE,
)
# A comparative or a verb of outdoing, the other side left to the chat ("Is Baoshan's figure
# higher?", "Has Songjiang already beaten that?", "Is that above what the city set?").
_EN_COMPARATIVE = re.compile(
    r"\b(?:higher|lower|larger|smaller|bigger|greater|faster|slower|shorter|longer|better|worse|above|below)\b"
    r"|\b(?:beat|beats|beaten|exceed(?:s|ed)?|surpass(?:es|ed)?|outperform(?:s|ed)?|ahead of|behind)\b"
    r"|\b(?:gone|went|go|goes|got|get|gets)\s+(?:past|beyond|over|above)\b"
    r"|\b(?:is|was|are|were)\s+(?:that|this|it|they)\s+(?:under|over|within)\b",  # "Is that under the city's ceiling?"
    re.IGNORECASE,
)
_EN_COMPARE = re.compile(f"{_EN_COMPARE_PHRASE.pattern}|{_EN_COMPARATIVE.pattern}", re.IGNORECASE)
_ZH_FILLER = re.compile(
    r"什么时候|为什么|怎么样|有没有|是不是|是否|多少|怎么|怎样|如何|哪些|哪个|哪家|哪里|什么|的话|请问|情况|相比|比较|对比|相较"
    r"|具体|详细|详情|进一步|另外|然后|还有|这个|这些|这家|这所|这项|这一|这座|这里|这儿|那个|那些|那家|那所|那项|那座|那里|那儿|它们|几个"
    r"|[哪几谁吗呢吧啊呀么那的了还又也再请比跟和与同是有要它该此其]"
)
_EN_FILLER = frozenset(
    "what which when where who whom whose why how many much about and but so ok okay then also the an in on for of at"
    " to by with from is are was were be been does do did will would can could should has have had it its they them"
    " their this that these those there same as well too instead compare compared comparison versus vs than more less"
    " fewer higher lower larger smaller bigger district districts area please plan plans say says"
    " only one ones just any other others else any every each list whose"
    # verbs of saying: what a plan does with a topic, not a topic ("brings it up")
    " bring brings brought up mention mentions mentioned raise raises raised talk talks cover covers covered".split()
)
_ZH_QWORD = QUESTION_WORD_ZH
_ZH_NO_DE = re.compile(r"^(?:有|是|要|将|会|能|在|对|如何|怎么|怎样|为什么|什么时候|何时|哪|多少|几|计划|打算|需要)")
_EN_QSTART = QUESTION_START_EN
_EN_LOWER_OK = re.compile(r"^(?:what|which|how|when|where|who|whom|whose|why|is|are|was|were|does|do|did|will|would|can|could|should|has|have|the|a|an)\b")

# Pronouns. Chinese determiners are classified by the noun after them.
_ZH_PRONOUN = re.compile(
    r"(?P<det>这个|这些|这家|这所|这项|这一|这座|那个|那些|那家|那所|那项|那座|(?<!应)该|此次|本次|(?<![因由为如彼从])此(?![外前后]))"
    r"|(?P<place>这里|这儿|那里|那儿)|(?P<it>它们|(?<!其)它|(?<![尤极及与])其(?![他它中余实次间]))"
    r"|(?P<aspect>这方面|这一块|这块|这一项)"  # the chat's topic: "松江在这方面定的多少？"
)
_ZH_ORG_NOUN = re.compile(r"社区卫生服务中心|卫生服务中心|医疗机构|中西医结合医院|中医医院|中医院|医院|中心|机构|单位|院|站|馆|学院|大学|集团|医联体|基地")
_OWNS_AN_ORG = re.compile(r"的[\u4e00-\u9fff]{2,10}?(?:院|中心|医疗机构)(?:[呢吗？?，,。]|$)")
_ZH_DISTRICT_NOUN = re.compile(r"(?:区|地区)(?!域)")
_ZH_PLAN_NOUN = re.compile(r"规划|计划|方案|文件|政策")
_EN_PRONOUN = re.compile(r"\b(?P<it>it|its|they|them|their)\b|\b(?P<det>this|that|these|those)\b(?:\s+(?P<next>[A-Za-z']+))?|\b(?P<place>there)\b", re.IGNORECASE)
# "they" doing what a district government does: choosing, planning, setting, building
_EN_ACTS = re.compile(
    r"\s+(?:have\s+|has\s+|will\s+|would\s+|plan\s+to\s+|want\s+to\s+)?"
    r"(?:pick|picked|chose|choose|chosen|select\w*|plan|planned|set|want|wanted|aim|aimed|intend\w*|propose\w*|build|built|name|named|designate\w*)\b",
    re.IGNORECASE,
)
_EN_DUMMY_IT = re.compile(r"\s+(?:(?:is|was|'s)\s+)?(?:true|possible|necessary|likely|the case)\b", re.IGNORECASE)
_CLAUSE_BREAK = re.compile(r"[？?，,;；。!！]|\b(?:and|while)\b", re.IGNORECASE)
_EN_ORG_NOUNS = frozenset("hospital hospitals centre center centres centers clinic clinics station stations institution institutions facility facilities one place site building".split())
_EN_NOT_DET = frozenset("the a an it they we he she its their there not year month week time".split())

# Organisation names: a run of characters ending in an organisation word, cut at particles and verbs.
_ZH_ORG = re.compile(r"社区卫生服务中心|卫生服务中心|卫生服务站|医学中心|医疗中心|中医医院|医院|分中心|中心|卫生院|护理院|中医馆|中医阁|学院|大学|研究所|研究院|集团|医联体|基地|分站|服务站")
_ZH_CUT = re.compile(
    r"的|是|在|将|把|由|与|及|等|了|以|年|即|并|建设|推进|推动|依托|成立|新建|迁建|开办|打造|建成|完成|启动|设置|加强|提升|支持"
    r"|发挥|组建|创建|成为|作为|包括|其中|以及|通过|开展|实现|落实|完善|深化|优化|鼓励|引进|扩建|改建|筹建|负责|牵头|覆盖|位于|属于"
    r"|为|拓展|做好|扩容|争创|建立|健全|培育|加快|推广|探索|构建|形成|强化|聚焦|围绕|对接|联合|带动|辐射|下沉|迁至|迁入|搬迁"
)
_ZH_COUNT = re.compile(r"^(?:[一二三四五六七八九十两几数多各每该本这那][家个所批座项名]|一批|各)+")
_ZH_GENERIC_WORDS = (
    r"社区|区域性|区域|医疗|卫生|服务|综合|专科|公立|区级|市级|国家|区属|市属|特色|高质量|达标|定点|亚定点|后备|救治|康复|诊疗"
    r"|急救|健康|护理|老年|中西医结合|中医|管理|质控|发热|智慧|基层|医学|紧密型|城市|重点|[一二三]级|新|分|{places}市"
)


@lru_cache(maxsize=32)
def _zh_generic(known: tuple[str, ...]) -> re.Pattern[str]:
    """Words that make no organisation name specific, with the names of the corpus's own
    cities and provinces (上海市, 上海: "上海市中医医院" in a chat about Shanghai's plans is
    the district's hospital, named generically), taken from the gazetteer."""
    scope = scope_of(known)
    names = {n for n in scope.cities | scope.provinces}
    names |= {r.short for n in names for r in regions_named(n) if r.name == n and len(r.short) >= 2}
    places = "".join(f"{re.escape(n)}|" for n in sorted(names, key=lambda n: (-len(n), n)))
    return re.compile(_ZH_GENERIC_WORDS.format(places=places))


_EN_ORG = re.compile(r"\b(?:[A-Z][\w'’-]*\s+)+(?:Hospital|Centre|Center|Clinic|Station|Institute|University|College|Group)\b")
_EN_GENERIC = frozenset(
    "the a an in at by and of its this that community health healthcare service services medical regional district public"
    " general traditional chinese medicine tcm national municipal primary specialist care nursing rehabilitation emergency"
    " elderly geriatric new each".split()
)


@dataclass(frozen=True)
class _Mention:
    start: int
    end: int
    district: District
    style: str  # "full" 长宁区, "short" 长宁, "en" Changning, "en_district" Changning District


def _mentions(text: str) -> list[_Mention]:
    """Every district named in ``text``, and every place outside the corpus's cities as a
    pseudo-district (no spellings) so that it is substituted like one; the answerer then says
    the corpus does not cover it."""
    out = _district_spans(text)
    taken = [(m.start, m.end) for m in out]
    for start, end, name in _places(text):
        if any(s < end and start < e for s, e in taken):
            continue
        english = name if not name.isascii() or name[0].isupper() else name.title()
        out.append(_Mention(start, end, District(name, name, english, ()), "en" if name.isascii() else "full"))
    return sorted(out, key=lambda m: m.start)


def _districts_in(text: str) -> list[District]:
    return list(dict.fromkeys(m.district for m in _mentions(text)))


def _render(d: District, style: str) -> str:
    if not d.spellings:  # a place outside Shanghai, kept as the user wrote it
        return d.english if style.startswith("en") else d.name
    return {"full": d.name, "short": d.short, "en": d.english}.get(style, f"{d.english} District")


def _join(districts: Sequence[District], style: str) -> str:
    names = [_render(d, style) for d in districts]
    if len(names) <= 1:
        return "".join(names)
    if style.startswith("en"):
        return ", ".join(names[:-1]) + " and " + names[-1]
    return "、".join(names[:-1]) + "和" + names[-1]


def _is_zh(text: str) -> bool:
    return detect_language(text) != "en"


def _content(text: str) -> tuple[str, list[str]]:
    """The words that say what is asked: Chinese characters and English words left after
    removing districts, other-district phrases, particles, pronouns and question words."""
    rest = _BOTH.sub(" ", _ALL.sub(" ", _OTHERS.sub(" ", _strip_places(_without_districts(text, " ")))))
    words = [w for w in re.findall(r"[a-z]+", rest.lower()) if len(w) >= 2 and w not in _EN_FILLER]
    return "".join(re.findall(f"[{_CJK}]+", _ZH_FILLER.sub("", rest))), words


def _has_topic(text: str, named: bool) -> bool:
    zh, words = _content(text)
    numbers = len(re.findall(r"\d+", _without_districts(text, " ")))
    return len(zh) + numbers >= (2 if named else 4) or len(words) + numbers >= (1 if named else 2)


def _names_own_topic(text: str) -> bool:
    """Whether a comparison naming its districts names what it compares: a noun of its own
    besides districts, time, ask and measure words ("松江那边现在已经能做到多快了？比闵行这个
    目标快吗？" names none: the chat's topic is compared), or an English word besides those
    and the words of outdoing ("Hasn't Songjiang already gone past that?")."""
    rest = _ZH_GENERIC_ASK.sub(" ", _ZH_TIME.sub(" ", _ZH_THERE.sub(" ", _strip_places(_without_districts(text, " ")))))
    if _is_zh(text):
        # a noun a pronoun points with ("这个机制", "这一项") or the plans themselves (文件, 指标表)
        # names nothing of its own
        rest = _ZH_POINTED.sub(" ", rest)
        words = [
            w for w in cut(rest)
            if len(re.findall(f"[{_CJK}]", w)) >= 2 and not _ZH_FILLER.fullmatch(w) and not _ZH_DOCUMENT_WORD.fullmatch(w)
        ]
        return any(names_a_thing(w) for w in words)
    words = [
        w for w in re.findall(r"[a-z]+", _EN_COMPARE.sub(" ", rest.lower()))
        if len(w) >= 2 and w not in _EN_FILLER and w not in _EN_OUTDO
    ]
    return bool(words)


def _quoted_before(answer: str, noun: str) -> str:
    """The term the last answer quotes right before ``noun`` ("“五床联动”机制" for 机制), or ""."""
    if len(noun) < 2 or not re.fullmatch(f"[{_CJK}]+", noun):
        return ""
    m = re.search(f"(“[^”]{{2,20}}”){re.escape(noun)}", answer)
    return m.group(1) if m else ""


_ZH_POINTED = re.compile(r"(?:这个|这些|这一|这项|那个|那些|该|此)[\u4e00-\u9fff]{1,2}|这方面|这一?块")
# (地方 and 部分 as in "有的地方写2025年": a place in the document, not a topic)
_ZH_DOCUMENT_WORD = re.compile(r"文件|规划|计划|方案|文本|政策|指标表|附件|正文|表里|表中|地方|部分")
# "that" after a preposition or an auxiliary ("on that row", "How does that compare") can
# only point: a conjunction or a relative "that" follows a verb or a noun.
_EN_POINTING_THAT = re.compile(
    r"\b(?:on|in|for|with|to|about|than|of|at|from|by|under|against|does|do|did|is|was|are|were|will|would|can|could|has|have)\s+$",
    re.IGNORECASE,
)
_EN_OUTDO = frozenset("already yet still now gone past beyond over reached hit met achieved got get hasn hasnt isn doesn".split())


# Time words, and the verbs that go with a target: nothing a topic is made of.
_ZH_TIME = re.compile(
    r"(?:19|20)\d{2}年?|今年|明年|去年|年底|年内|期间|现在|目前|当前|如今|实际上?|已经|达到|做到|到"
    # the unit a figure is asked in ("做到几分钟了", "多少公里"): how it is asked, not what
    r"|(?:几|多少)(?:分钟|分|秒|小时|天|公里|米|平方米|岁|年|个|家|张|人|名|项|台|所|元|万元|亿元)"
)


def _asks_nothing_new(text: str, topic: str = "") -> bool:
    """Only districts, ask words, years and generic measure words ("长宁呢？到2025年定的是多少？"),
    or, for a district "over there" (那边), words of the topic question itself ("静安那边的
    试点是哪家？" after a question on a 试点): the follow-up asks the topic question again,
    about what it names."""
    there = _ZH_THERE.search(text)  # "静安那边的…": what the chat spoke of, over there
    zh, words = _content(_ZH_TIME.sub(" ", _ZH_THERE.sub(" ", text)))
    rest = _ZH_GENERIC_ASK.sub("", zh)
    return not words and (len(rest) < 2 or (bool(there and topic) and rest in _content(topic)[0]))


# "那边 / 这里": where the district named is, nothing asked about.
_ZH_THERE = re.compile(r"[这那](?:边|里|儿)")


def _is_question(text: str) -> bool:
    """Asks something: a question mark or a question word ("谢谢", "Thanks!" do not)."""
    return is_question(text)


def _is_new_topic(text: str, topic: str) -> bool:
    """Whether the follow-up asks about something the topic question does not mention."""
    zh, words = _content(text)
    if len(zh) >= 2 and any(zh[i : i + 2] not in topic for i in range(len(zh) - 1)):
        return True
    lowered = topic.lower()
    return any(w.rstrip("s") not in lowered for w in words)


def _pronouns(q: str) -> list[tuple[int, int, str, str]]:
    """Anaphoric pronouns as (start, end, kind, text); kind: entity, place, district, plan, topic.
    A pronoun after an earlier clause with its own topic refers inside the question: skipped."""
    found: list[tuple[int, int, str, str]] = []
    for m in _ZH_PRONOUN.finditer(q):
        end, after = m.end(), q[m.end() :]
        if m.group("det") and _QUOTED.match(after):
            continue  # 这个“五床联动”: the quoted term says what is meant
        if m.group("det") and re.search(r"[”\"」’]\s*$", q[: m.start()]):
            continue  # “五床联动”这个说法: the quoted term just before it
        if m.group("det"):
            org, dist = _ZH_ORG_NOUN.match(after), _ZH_DISTRICT_NOUN.match(after)
            if org:
                kind, end = "entity", end + org.end()
            elif dist:
                kind, end = "district", end + dist.end()
            elif _ZH_PLAN_NOUN.match(after) and m.group("det") not in ("这些", "那些"):
                kind = "plan"  # 该规划 → 长宁区规划
            else:
                kind = "entity" if m.group("det")[-1] in "家所" else "topic"
        elif m.group("aspect"):
            kind = "topic"
        elif m.group("it") and m.group() != "其" and _OWNS_AN_ORG.match(after):
            # "它的中西医结合医院呢": an organisation's owner is the district, not another one
            kind = "district"
        else:
            kind = "place" if m.group("place") else "entity"
        found.append((m.start(), end, kind, m.group()))
    for m in _EN_PRONOUN.finditer(q):
        word, nxt = m.group().split()[0].lower(), (m.group("next") or "").lower()
        if m.group("it"):
            if word == "it" and _EN_DUMMY_IT.match(q, m.end()):
                continue
            found.append((m.start(), m.end(), "entity", word))
        elif m.group("place"):
            if not re.match(r"\s+(?:is|are|was|were|be|been|will|'s|'re)\b", q[m.end() :]) and not re.search(
                r"\b(?:is|are|was|were)\s+$", q[: m.start()], re.IGNORECASE
            ):
                found.append((m.start(), m.end(), "place", word))
        elif nxt in _EN_ORG_NOUNS:
            found.append((m.start(), m.end(), "entity", word))
        elif nxt in ("district", "districts", "area"):
            found.append((m.start(), m.end(), "district", word))
        elif nxt in ("plan", "document", "policy") and word in ("this", "that"):
            found.append((m.start(), m.start() + len(word), "plan", word))
        elif word == "that" and _has_topic(q, named=False) and not _EN_POINTING_THAT.search(q[: m.start()]) and nxt != "same":
            continue  # "does the plan say that …": a conjunction, not a pronoun
        elif nxt not in _EN_NOT_DET and not (m.group("next") or "a")[0].isupper():  # "… that Songjiang plans"
            found.append((m.start(), m.start() + len(word), "topic", word))
    return sorted(f for f in found if not _refers_inside(q[: f[0]]))


def _refers_inside(before: str) -> bool:
    """Whether an earlier clause of the question states a topic a pronoun can point back to."""
    breaks = list(_CLAUSE_BREAK.finditer(before))
    if not breaks:
        return False
    earlier = before[: breaks[-1].start()]
    # ("五个区的文件里，…这个机制": where to look is no topic to point back to)
    return _has_topic(earlier, named=False) and (not _is_zh(earlier) or _names_own_topic(earlier))


def _entities(text: str) -> list[str]:
    """Organisation names in ``text`` (Chinese and English), in order of appearance."""
    found: list[tuple[int, str]] = []
    for run in re.finditer(f"[{_CJK}]+", text):
        s, floor = run.group(), 0
        after_digit = run.start() > 0 and text[run.start() - 1].isdigit()  # "5家…": 家 counts
        for m in _ZH_ORG.finditer(s):
            cuts = [c.end() for c in _ZH_CUT.finditer(s, floor, m.start())]
            begin = max([floor, *cuts])
            begin += int(begin == 0 and after_digit and s[0] in "家个所批座项名")
            name = _ZH_COUNT.sub("", s[begin : m.end()])
            floor = m.end()
            stem = name[: len(name) - len(m.group())]
            if 3 <= len(name) <= 20 and _zh_generic(_KNOWN.get()).sub("", stem):
                found.append((run.start() + m.end() - len(name), name))
    for m in _EN_ORG.finditer(text):
        words = m.group().split()
        while words and words[0].lower() in ("the", "a", "an", "in", "at", "by", "and", "its", "this", "that"):
            words.pop(0)
        if any(w.lower() not in _EN_GENERIC for w in words[:-1]):
            found.append((m.end() - len(" ".join(words)), " ".join(words)))
    return [name for _, name in sorted(found)]


def _entity(answer: str, topic: str, noun: str = "") -> str | None:
    """What a pronoun points back to: an organisation the answer names (new ones first),
    of the kind the pronoun names when it names one ("这家医院" → …医院, not …中心)."""
    in_answer = _entities(answer)
    ranked = [e for e in in_answer if e not in topic] + in_answer + _entities(topic)
    if noun:
        ranked = [e for e in ranked if e.endswith(noun) or _abbreviates(noun, e)] + ranked
    return ranked[0] if ranked else None


def _abbreviates(noun: str, name: str) -> bool:
    """Whether ``noun`` is ``name``'s kind said short: its characters in order, the last one
    ending the name ("中医院" of 方塔中医医院)."""
    if not noun or not name.endswith(noun[-1]):
        return False
    rest = iter(name)
    return all(ch in rest for ch in noun)


def _prefix(text: str, districts: Sequence[District], zh: bool, de: bool) -> str:
    """``text`` with ``districts`` in front: "长宁区的…" / "长宁区…" / "In Changning, …"."""
    if not districts:
        return text
    if zh:
        return _join(districts, "full") + ("的" if de and not _ZH_NO_DE.match(text) else "") + text
    head = text.split(" ", 1)[0]
    return f"In {_join(districts, 'en')}, " + (text[0].lower() + text[1:] if _EN_LOWER_OK.match(head.lower()) else text)


def _substitute(topic: str, targets: Sequence[District]) -> str:
    """The topic question with its districts replaced, as written, by ``targets``."""
    mentions = _mentions(topic)
    if not mentions:
        return _prefix(topic, targets, _is_zh(topic), de=False)
    old = _districts_in(topic)
    pieces: list[tuple[int, int, str]] = []
    if len(old) == len(targets):
        mapping = dict(zip(old, targets, strict=True))
        pieces = [(m.start, m.end, _render(mapping[m.district], m.style)) for m in mentions]
    else:
        group = [mentions[0]]
        for m in [*mentions[1:], None]:
            if m is not None and _JOINER.fullmatch(topic[group[-1].end : m.start]):
                group.append(m)
                continue
            pieces.append((group[0].start, group[-1].end, _join(targets, group[0].style)))
            group = [m] if m is not None else []
    for start, end, text in reversed(pieces):
        topic = topic[:start] + text + topic[end:]
    return topic


def _ask(rest: str, zh: bool, quantity: bool) -> str:
    """A bare follow-up topic ("床位数", "the bed count") as a question."""
    rest = rest.strip(" ，,、的?？。.!！")
    if not rest:
        return ""
    if zh:
        if _ZH_QWORD.search(rest):
            return rest + "？"
        if quantity:
            return rest + ("是多少" if rest[-1] in "数率量比值额积标" else "有多少") + "？"
        return f"规划对{rest}有什么安排？"
    if _EN_QSTART.match(rest):
        return rest[0].upper() + rest[1:] + "?"
    if not quantity:
        return f"What does the plan say about {rest}?"
    last = rest.split()[-1].lower()
    if last.endswith("s") and not last.endswith(("ss", "us", "is")):
        return "How many " + re.sub(r"^the\s+", "", rest, flags=re.IGNORECASE) + "?"
    return f"What is {rest}?"


def _asks_verdict(q: str) -> bool:
    """Whether a comparison follow-up asks for a verdict ("谁预留得多", "比这个小还是大",
    "is Songjiang already faster?"), not merely "跟长宁比呢？" or a new topic ("床位数呢")."""
    rest = _ZH_COMPARE.sub("", _EN_COMPARE_PHRASE.sub("", _ALL.sub("", _OTHERS.sub("", _without_districts(q, "")))))
    return bool(_ZH_VERDICT.search(rest) or _EN_VERDICT.search(rest) or _EN_COMPARATIVE.search(rest))


def _new_topic(q: str, targets: Sequence[District], topic: str, compare: bool, known: Sequence[str]) -> str:
    """Rule 4: the follow-up's own topic, without its markers, about ``targets``."""
    zh = _is_zh(q)
    rest = _EN_TAIL.sub("", _ZH_TAIL.sub("", _EN_LEAD.sub("", _ZH_LEAD.sub("", q)))).strip()
    rest = _ZH_MID_TAIL.sub("，", rest)  # "中西医结合医院呢？要迁到哪里？": one question
    rest = _ALL.sub("", _OTHERS.sub("", rest))
    if compare:
        marked, district, unmark = _with_marks(rest)
        rest = unmark(re.sub(
            r"(?:跟|和|与|同|比起|相较于?|对比|\b(?:compared?\s+(?:with|to)|versus|vs\.?|than|in|for|with)\s+)?"
            rf"{district}(?:\s*(?:和|与|及|、|,|and)\s*{district})*(?:相?比(?![例重率])较?|对比|相较)?",
            "",
            marked,
            flags=re.IGNORECASE,
        ))
    quantity = analyze(topic, known, uses=_USES.get()).asks_quantity or analyze(rest, known, uses=_USES.get()).asks_quantity
    question = _ask(rest, zh, quantity)
    if not question:
        return _substitute(topic, targets)
    return question if _mentions(question) else _prefix(question, targets, zh, de=True)


def _compares(q: str) -> bool:
    """Whether a follow-up weighs one thing against another ("比长宁高吗", "哪个区定得高",
    "Is Songjiang higher?")."""
    return bool(_ZH_COMPARE.search(q) or _ZH_WHICH_AHEAD.search(q) or _EN_COMPARE.search(q))


# asking whether two statements agree ("Is that consistent with…", "跟附件里的一致吗")
_AGREES = re.compile(r"\b(?:consistent|agree|agrees|match|matches|line up|the same as)\b|一致|吻合|相符|对得上", re.IGNORECASE)


def _followed_by(topic: str, q: str) -> str:
    """Rule 5: the topic question, then the follow-up. A follow-up in the other language
    ("And how many papers did they publish?" after a Chinese question) is asked in its own
    language about the chat's districts: two languages in one question are read as neither."""
    if _is_zh(topic) != _is_zh(q) and not (_compares(q) or _AGREES.search(q)):  # a comparison needs the topic it compares
        bare = re.sub(r"^(?:and|but|so|also)\b[\s,]*", "", q, flags=re.IGNORECASE)
        return _prefix(bare[:1].upper() + bare[1:], _districts_in(topic), _is_zh(q), de=True)
    if _is_zh(topic):
        return topic.rstrip("。") + ("" if topic.endswith(("？", "?")) else "？") + q
    return topic.rstrip(".") + ("" if topic.endswith("?") else "?") + " " + q


_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
_YEAR_ONLY = re.compile(
    r"^\s*(?:那么?|还有|and|what about|how about)?\s*(?:(?:what|how much|how many)\s+(?:was|is|were|will)\s+(?:it|that|this|they)(?:\s+be)?\s+)?"
    r"(?:到|在|至|by|in|for)?\s*((?:19|20)\d{2})\s*(?:年)?\s*(?:的|呢|呐|ne)*"
    r"\s*(?:(?:是|有|为|定的是?|能到|要到|达到)?(?:多少|几|啥|什么|怎样|怎么样)(?:呢|呀|啊)?)?\s*[？?。.]*\s*$",
    re.IGNORECASE,
)


def _year_switch(q: str, topic: str) -> str | None:
    """"到2030年呢？" / "那2018年是多少？" / "And in 2024?": the topic question about another year."""
    m = _YEAR_ONLY.match(q)
    if not m:
        return None
    year = m.group(1)
    if _YEAR.search(topic):
        return _YEAR.sub(year, topic)
    return f"到{year}年，{topic}" if _is_zh(topic) else f"By {year}, {topic}"


# A follow-up opening with a bare switch ("长宁那边呢？"), then asking more of its own
_OPENING_SWITCH = re.compile(r"^([^？?。！!]{1,12}?(?:的)?呢\s*[？?])\s*(\S.*)$")


def _resolve_one(
    q: str, topic: str, answer: str, known: Sequence[District], recent: Sequence[District] = ()
) -> str | None:
    opening = _OPENING_SWITCH.match(q)
    rest = opening.group(2) if opening else ""
    if (
        opening and _districts_in(opening.group(1)) and not _asks_nothing_new(rest, topic) and not _pronouns(rest)
        and not _compares(q)
    ):
        # "长宁那边呢？是哪家？目标是评到什么等级？": the switch is the chat's topic asked of
        # the district named, and the parts after it ask more of that ("宝山呢？到2025年定的是
        # 多少？" asks the topic only, "…它的指标表里这一项呢？" points back, "…谁更高？" compares)
        first = _resolve_one(opening.group(1), topic, answer, known, recent)
        if first:
            return f"{first}{opening.group(2)}"
    switched = _year_switch(q, topic)
    if switched:
        return switched
    own, topic_districts = _districts_in(q), _districts_in(topic)
    # "除了宝山，还有哪个区也提了？", "Besides Baoshan, which others…": a district set aside
    # is not asked about; the others are
    excluded = [d for m in _EXCEPT.finditer(q) for d in _districts_in(m.group())]
    own = [d for d in own if d not in excluded]
    both = not own and len(recent) >= 2 and bool(_BOTH.search(q))
    nothing_new = _asks_nothing_new(q, topic)
    # "两个区谁更高" naming one district: the other is the one the chat was about
    pair = len(own) == 1 and bool(_BOTH.search(q)) and bool(set(topic_districts) - set(own))
    compare = _compares(q) or both or pair
    scoped = own or analyze(q, [d.name for d in known], uses=_USES.get()).is_across
    pronouns = _pronouns(q)
    # a pronoun pointing at what the chat was about ("哪几个区提了这个？"), not at the plans
    anaphora = [p for p in pronouns if p[2] in ("entity", "topic") and not _ZH_PLAN_NOUN.match(q[p[1] :])]
    if compare and not own and _SIDELESS.match(q):
        # "比市里的规划值高吗？": the side left out is what the chat was about
        return _followed_by(topic, q)
    if (
        compare and own and anaphora and topic_districts and not set(own) & set(topic_districts)
        and _is_zh(q) and _has_topic(_ZH_GENERIC_ASK.sub("", q), True) and _names_own_topic(q)
    ):
        # "松江“十三五”新增的急救分站数跟这个一样吗？": a topic of its own, compared with the
        # chat's figure ("这个") of another district: both are asked, then the comparison.
        # (English "Is that higher than Songjiang's target?" names no topic of its own, but
        # "target" is not among the Chinese generic ask words: it takes the verdict path.)
        return _followed_by(topic, q)
    if detect_language(q) == "other" or (
        scoped and not compare and _has_topic(q, named=False) and not nothing_new and not (anaphora and not own)
        and not (anaphora and not _names_own_topic(q))
    ):
        return None  # a language we cannot read, or its own districts and a full topic: standalone
    others = (
        [d for d in known if d not in topic_districts and d not in excluded] if _OTHERS.search(q) or excluded else []
    )
    named = own + others + (list(known) if _ALL.search(q) else []) + (list(recent[-2:]) if both else [])
    cjk = len(re.findall(f"[{_CJK}]", q))
    ellipsis = bool(
        _ZH_LEAD.search(q) or "的呢" in q or (_ZH_TAIL.search(q) and cjk <= 15) or _EN_LEAD.search(q) or _EN_TAIL.search(q)
        or (nothing_new and bool(named))  # "长宁呢？到2025年定的是多少？", "长宁定的目标是多少？"
    )
    # A comparison needs two sides and a topic: naming one district ("跟长宁比呢？谁预留得多？")
    # or no topic of its own ("长宁的目标比宝山高吗？"), it compares with what the chat was about.
    compares_back = compare and bool(named) and (len(named) < 2 or not _names_own_topic(q))
    if (
        not (ellipsis or pronouns or compares_back)
        and (_has_topic(q, bool(named)) or not (named or _is_question(q)))
        # a Chinese question naming nothing of its own ("有的地方写2025年、有的写2026年，到底
        # 哪年达到？") asks about the chat's topic, however many words it has
        and (named or _names_something(q))
    ):
        return None
    names = [d.name for d in known]
    if named:
        targets = list(dict.fromkeys([*topic_districts, *named] if compare else named))
        if compare and _asks_verdict(q):
            # "长宁的目标比宝山高吗？": the topic about every district compared, then the comparison.
            return _followed_by(_substitute(topic, targets), q)
        if not pronouns and _is_new_topic(q, topic) and not nothing_new:
            return _new_topic(q, targets, topic, compare, names)
        return _substitute(topic, targets)
    if pronouns:
        zh = _is_zh(q)
        text = q
        for start, end, kind, word in reversed(pronouns):
            entity = _entity(answer, topic, q[start + len(word) : end])
            if word.lower() == "they" and topic_districts and _EN_ACTS.match(q, end):
                # "the centre they picked": who picks and plans is the district, not a hospital
                sub = _join(topic_districts, "en")
            elif kind in ("entity", "place") and entity:
                possessive = word in ("其", "its", "their")
                sub = entity + ("的" if word == "其" else "'s" if possessive else "")
            elif kind in ("district", "place") and topic_districts:
                sub = _join(topic_districts, "full" if zh else "en")
            elif kind == "plan" and topic_districts:
                sub = _join(topic_districts, "full") if zh else "the " + _join(topic_districts, "en")
            elif kind in ("topic", "entity") and word.lower() in ("这个", "这", "it", "this", "that") and _QUOTED.search(topic):
                sub = _QUOTED.search(topic).group()  # "这个" → the term the topic quoted: “五床联动”
            elif kind == "topic" and zh and (named := _quoted_before(answer, q[end : end + 2])):
                sub = named  # "这个机制" → the term the answer quoted before 机制: “五床联动”
            elif kind == "entity" and topic_districts and (_QUOTED.search(q[end:]) or QUOTED_CODE.search(q)):
                # "它那个“2+7+N”模式", "the '2+7+N' model it mentions": the plan of the district
                # the chat is about, which writes the quoted term
                sub = _join(topic_districts, "full" if zh else "en") + ("'s plan" if not zh and word.lower() in ("it", "they") else "")
            else:
                return _followed_by(topic, q)
            text = text[:start] + sub + text[end:]
        if not zh:
            text = re.sub(r"^and\b[\s,]*", "", text, flags=re.IGNORECASE)  # "And the centre Jing'an picked?"
            text = text[:1].upper() + text[1:]
        return text if _mentions(text) or scoped else _prefix(text, topic_districts, zh, de=True)
    if _is_new_topic(q, topic) and _names_something(q):
        return _new_topic(q, topic_districts, topic, False, names)
    return _followed_by(topic, q)


def _names_something(q: str) -> bool:
    """Whether a follow-up names something of its own: any English one; a Chinese one a noun
    (``_names_own_topic``), a quoted term or a figure with its unit ("这120元")."""
    return (
        not _is_zh(q) or _names_own_topic(q) or bool(_QUOTED.search(q) or QUOTED_CODE.search(q))
        or any(f.unit and f.raw[:1].isdigit() for f in parse_figures(q))  # "这120元", not "六个一"
    )


def _in_scope(topic: str, scope: list[District], known: Sequence[District]) -> tuple[str, list[District]]:
    """A topic question naming no district stays about the districts the chat was last about
    ("闵行的三年行动计划…？" then "里面区中医医院打算建在哪？"); one naming some sets the scope."""
    named = _districts_in(topic)
    if named:
        return topic, named
    if scope and not analyze(topic, [d.name for d in known], uses=_USES.get()).is_across:
        return _prefix(topic, scope, _is_zh(topic), de=True), scope
    return topic, scope


def resolve(
    question: str, history: Sequence[Turn], known_districts: Sequence[str], uses: Callable[[str], bool] | None = None
) -> str | None:
    """The standalone form of ``question`` asked after ``history``, or None when it already
    stands alone (the caller then uses it unchanged). See the module docstring for the rules.

    ``uses``: whether the corpus's plans use a string (``qa.lexicon.Lexicon``); with it, a
    district's short name inside the plans' word (安宁 in 安宁疗护) names no district, as in
    the question's analysis (``ingest.regions.inside_corpus_word``)."""
    return resolve_detail(question, history, known_districts, uses)[0]


class Resolution(NamedTuple):
    """A follow-up read against the chat (``resolve_detail``)."""

    standalone: str | None  # None: the question stands alone as asked
    only_scoped: bool  # the only change was to keep the chat's district
    follow_up: str | None = None  # set when the standalone repeats the chat's topic question
    # before the follow-up ("宝山今年人才招引怎么安排？那“英才”和“优青”各培养几个？"): the
    # topic question is context, already answered; the follow-up is what is asked now
    topic: str | None = None  # the chat's topic question (the latest user turn, resolved)


def resolve_detail(
    question: str, history: Sequence[Turn], known_districts: Sequence[str], uses: Callable[[str], bool] | None = None
) -> Resolution:
    """``resolve``, and whether the only change was to keep the chat's district: a question
    with a topic of its own that names no district ("家庭医生签约率要到多少？") is read as
    about the district the chat is about, but the caller may fall back to the question as
    asked when that district's plan says nothing (it may be about an uploaded plan). When
    the standalone is the chat's topic question followed by the follow-up, ``follow_up``
    says which part is asked now."""
    if not isinstance(question, str):
        raise TypeError(f"question must be a string, got {type(question).__name__}")
    if isinstance(known_districts, str):
        raise TypeError("known_districts must be a sequence of district names, not one string")
    known = []
    for name in known_districts:
        d = district_by_name(name, known_districts) if isinstance(name, str) else None
        if d is None:
            raise ValueError(f"known_districts: {name!r} is not a district (expected e.g. 闵行区 or Minhang)")
        known.append(d)
    if uses is not None and not callable(uses):
        raise TypeError(f"uses must be a callable taking a string, got {type(uses).__name__}")
    token, uses_token = _KNOWN.set(tuple(d.name for d in known)), _USES.set(uses)
    try:
        return _resolve_turns(question, history, known)
    finally:
        _USES.reset(uses_token)
        _KNOWN.reset(token)


def _resolve_turns(question: str, history: Sequence[Turn], known: list[District]) -> Resolution:
    topic: str | None = None
    answer = ""
    scope: list[District] = []
    recent: list[District] = []  # districts the user's turns named, the latest last
    for i, turn in enumerate(history):
        if not isinstance(turn, Turn):
            raise TypeError(f"history[{i}] is a {type(turn).__name__}, not a Turn; convert with turns_from()")
        text = re.sub(r"\s+", " ", turn.content).strip()
        if turn.role == "assistant":
            answer = text
        elif turn.role == "user" and text:
            for d in _districts_in(text):
                recent = [*(r for r in recent if r != d), d]
            topic = (_resolve_one(text, topic, answer, known, recent) if topic else None) or text
            topic, scope = _in_scope(topic, scope, known)
            answer = ""
    q = re.sub(r"\s+", " ", question).strip()
    if not q or topic is None:
        return Resolution(None, False, None, topic)
    resolved = _resolve_one(q, topic, answer, known, recent)
    only_scoped = False
    if resolved is None and scope and not _districts_in(q) and _is_question(q) and detect_language(q) != "other":
        # a question of its own, naming no district, in a chat about one: about that district
        scoped, _ = _in_scope(q, scope, known)
        resolved, only_scoped = scoped, True
    if resolved is None or resolved == q:
        return Resolution(None, False, None, topic)
    context = resolved[: -len(q)] if resolved.endswith(q) else ""
    return Resolution(resolved, only_scoped, q if context.rstrip().endswith(("？", "?")) else None, topic)
