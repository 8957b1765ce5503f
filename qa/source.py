"""Where a statement comes from: the follow-up "这个出自哪份文件？第几条？落款是哪天？".

Staff check a statement by its source: the document's title, who signed it and when, and
where in the document it stands (the part's heading and the numbered item). A follow-up
asking that points at what the chat was about; the answer names the document of the
statement the earlier answer cited, each fact citing the document's own line (its title
line, its signature, its heading), then the statement itself. Nothing is looked up outside
the document: a fact it does not carry (a plan without a signature date) is not stated.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from kernel.types import Document, Unit
from qa.figures import chinese_number

# What asks for the source, not for what the source says: "出自哪份文件", "是哪个文件里写的",
# "文件落款是哪天", "第几条", "which document is that from", "when was it issued". Verbs
# such as 落实/依据 ("它说要落实哪个文件") ask for a document the plan names: not a source ask.
_DOC_ZH = r"(?:文件|规划|方案|计划|文本|通知|政策)"
_DOCUMENT_ZH = re.compile(
    rf"出自|出处|来源于?|(?:是|在)哪(?:一)?[份个篇]{_DOC_ZH}|哪(?:一)?[份个篇]{_DOC_ZH}(?:里|中|上)|"
    rf"(?:哪|什么)(?:一)?[份个篇]?{_DOC_ZH}(?:里|中|上)?(?:写|提|说|讲|定|规定)的|哪个区的{_DOC_ZH}|文件名|叫什么{_DOC_ZH}"
)
_DATE_ZH = re.compile(r"落款(?:日期|时间)?|发文(?:日期|时间)|印发(?:日期|时间)|什么时候(?:发|印发|出台|发布|定)的|哪(?:一)?天(?:发|印发|出台|发布|签)|日期")
_ISSUER_ZH = re.compile(r"落款|发文(?:单位|机关)|哪个(?:部门|单位|机关)(?:发|印发|出|制定)的|谁(?:发|印发|制定)的")
_PLACE_ZH = re.compile(r"第几(?:条|项|部分|点|章|节|段)|哪(?:一)?(?:部分|章|节|条|项)(?:里|中|下)?")
_DOCUMENT_EN = re.compile(
    r"\bwhich (?:document|plan|file|paper|policy|text)\b|\bwhat (?:document|plan|file)\b|\bsource\b|"
    r"\bwhere (?:is|was|does|did) (?:this|that|it|they)\b[^?]*\b(?:from|come from|say|said|written|stated)\b|\btitle of\b|"
    r"\b(?:issued|signed|published)\b",
    re.IGNORECASE,
)
_DATE_EN = re.compile(
    r"\b(?:when (?:was|were) (?:it|that|this|the)(?: \w+)? (?:issued|signed|published|dated|released)|what date|dated)\b",
    re.IGNORECASE,
)
_ISSUER_EN = re.compile(r"\b(?:who (?:issued|signed|published)|issued by|signed by|by whom)\b", re.IGNORECASE)
_PLACE_EN = re.compile(r"\b(?:which|what) (?:section|part|item|chapter|point)\b", re.IGNORECASE)

# A line that is only a date ("2025年3月3日"), and the signing body before it.
_DATE_LINE = re.compile(r"^\s*(?:19|20)\d{2}年\d{1,2}月\d{1,2}日\s*$")
_ISSUER_LINE = re.compile(r"(?:委员会|人民政府|办公室|局|委|政府|中心)\s*$")
_ITEM = re.compile(r"^\s*(?:(\d{1,2})[、.．]|[（(](\d{1,2})[）)]|([一二三四五六七八九十]{1,3})[、.．])")


@dataclass(frozen=True)
class SourceAsk:
    """What a question asks about a statement's source besides its document."""

    date: bool = False
    issuer: bool = False
    place: bool = False


# It points at what the chat was about ("这个", "it"); a document the plan acts on ("依据哪些
# 文件", "落实哪个文件") is asked about, not the source.
_POINTER = re.compile(r"[这那它该此其]|\b(?:this|that|it|its|these|those|they)\b", re.IGNORECASE)
_ACTS_ON = re.compile(r"依据|根据|按照|参照|落实|贯彻|执行|\b(?:implement|based on|according to)\b", re.IGNORECASE)


def source_ask(question: str) -> SourceAsk | None:
    """What a follow-up asks of the source of the statement it points at, or None when it
    asks no source (or points at nothing)."""
    if not _POINTER.search(question) or _ACTS_ON.search(question):
        return None
    date = bool(_DATE_ZH.search(question) or _DATE_EN.search(question))
    issuer = bool(_ISSUER_ZH.search(question) or _ISSUER_EN.search(question))
    place = bool(_PLACE_ZH.search(question) or _PLACE_EN.search(question))
    document = bool(_DOCUMENT_ZH.search(question) or _DOCUMENT_EN.search(question))
    if not (document or date or issuer):
        return None  # "第几条" alone may ask about the plan's own list, not a source
    return SourceAsk(date=date, issuer=issuer, place=place)


@dataclass(frozen=True)
class SourceFact:
    """One line of the document that says where a statement comes from."""

    role: str  # "title", "issuer", "date", "heading", "item" or "statement"
    unit: Unit
    number: int | None = None  # an item's number ("6、" → 6)


def _title_units(doc: Document) -> list[Unit]:
    """The lines before the first heading that make up the title (or hold it in 《》)."""
    first = min((s.start for s in doc.sections), default=len(doc.text))
    title = doc.title.replace(" ", "")
    lines = [u for u in doc.sentences if u.end <= first][:4]
    holding = [u for u in lines if title and title in u.text.replace(" ", "")]
    if holding:
        return holding[:1]
    joined, out = "", []
    for u in lines:
        joined += u.text.replace(" ", "")
        out.append(u)
        if title and joined == title:
            return out
    return []


def _signature(doc: Document) -> tuple[Unit | None, Unit | None]:
    """The signing body and the date closing the document, when it has them."""
    tail = list(doc.sentences[-3:])
    date = next((u for u in reversed(tail) if _DATE_LINE.match(u.text)), None)
    if date is None:
        return None, None
    before = [u for u in tail if u.end <= date.start]
    issuer = before[-1] if before and _ISSUER_LINE.search(before[-1].text) and len(before[-1].text) <= 40 else None
    return issuer, date


def _item(doc: Document, unit: Unit) -> tuple[Unit | None, int | None]:
    """The numbered item the statement belongs to: the nearest line before it in the same
    section that opens with a number ("6、着力改善群众就医体验。")."""
    for u in reversed([s for s in doc.sentences if s.start <= unit.start and s.section == unit.section]):
        m = _ITEM.match(u.text)
        if m and len(u.text) <= 60:
            digits = m.group(1) or m.group(2)
            return u, int(digits) if digits else int(chinese_number(m.group(3)) or 0) or None
    return None, None


def _line(doc: Document, text: str, before: int) -> Unit | None:
    """The last line before ``before`` reading exactly ``text`` (a heading's own line)."""
    return next((u for u in reversed(doc.sentences) if u.start <= before and u.text.strip() == text), None)


_ANNEX = re.compile(r"^附件\s*\d*$")


def _annex(doc: Document, unit: Unit) -> list[SourceFact]:
    """An annex the statement stands in ("附件2"), and the annex's own title on the next line:
    a plan's annexes are plans of their own."""
    if not unit.section or not _ANNEX.match(unit.section[0]):
        return []
    line = _line(doc, unit.section[0], unit.start)
    if line is None:
        return []
    facts = [SourceFact("annex", line)]
    after = next((u for u in doc.sentences if u.start >= line.end), None)
    if after is not None and after != unit and len(after.text) <= 60 and not re.search(r"[。；;，,]", after.text):
        facts.append(SourceFact("annex_title", after))
    return facts


def source_facts(doc: Document, unit: Unit, ask: SourceAsk) -> list[SourceFact]:
    """The document's lines that answer ``ask`` for the statement ``unit``, then the statement:
    the title, the signature (when asked, or when the document has no title), the annex,
    the headings above it (all of them when the place is asked, else the innermost) and
    the numbered item it belongs to."""
    facts = [SourceFact("title", u) for u in _title_units(doc)]
    untitled = not facts  # a work plan opening straight into its text is known by its signature
    issuer, date = _signature(doc)
    if issuer is not None and (ask.issuer or ask.date or untitled):
        facts.append(SourceFact("issuer", issuer))
    if date is not None and (ask.date or ask.issuer or untitled):
        facts.append(SourceFact("date", date))
    annex = _annex(doc, unit)
    facts += annex
    item, number = _item(doc, unit)
    path = unit.section[1:] if annex else unit.section
    headings = [h for h in (_line(doc, text, unit.start) for text in (path if ask.place else path[-1:])) if h is not None]
    facts += [SourceFact("heading", h) for h in headings if h != unit and (item is None or h.start < item.start)]
    if item is not None and item != unit:
        facts.append(SourceFact("item", item, number))
    facts.append(SourceFact("statement", unit))
    seen: set[tuple[int, int]] = set()
    return [f for f in facts if (f.unit.start, f.unit.end) not in seen and not seen.add((f.unit.start, f.unit.end))]


def statement_for(candidates: Sequence[Unit], said: str) -> Unit | None:
    """Of the statements an earlier answer cited, the one the chat's last answer speaks of
    most (shared character pairs), else the first."""
    if not candidates:
        return None

    def pairs(text: str) -> set[str]:
        return {text[i : i + 2] for i in range(len(text) - 1)}

    said_pairs = pairs(said)
    return max(candidates, key=lambda u: (len(pairs(u.text) & said_pairs), -candidates.index(u)))


_LABELS_ZH = {"title": "出自", "issuer": "落款", "date": "日期", "annex": "见", "heading": "位于", "statement": "原文"}
_LABELS_EN = {
    "title": "It is from", "issuer": "signed by", "date": "dated", "annex": "in", "heading": "under", "statement": "the text",
}


def _labelled(facts: Sequence[SourceFact], labels: dict[str, str], item: str) -> list[str]:
    """Each fact's label; a fact continuing the one before (a title over two lines, the
    annex's title, a deeper heading) gets none."""
    out = []
    for i, fact in enumerate(facts):
        previous = facts[i - 1].role if i else ""
        if fact.role == "item" and fact.number:
            out.append(item.format(fact.number))
        elif fact.role == "annex_title" or (fact.role == previous and fact.role in ("title", "heading")):
            out.append("")
        else:
            out.append(labels.get(fact.role, ""))
    return out


def source_text(facts: Sequence[SourceFact], numbers: Sequence[int], lang: str, district: str | None, district_en: str) -> str:
    """The answer: each fact with its label and citation marker, in the question's language."""
    if lang == "en":
        labels = _labelled(facts, _LABELS_EN, "item {}")
        parts = [
            f"{label} “{f.unit.text.strip().rstrip('。；;.')}” [{n}]".strip()
            for f, n, label in zip(facts, numbers, labels, strict=True)
        ]
        lead = f"{district_en} ({district}) — " if district else ""
        body = "; ".join(parts)
        return f"{lead}{body[:1].upper()}{body[1:]}."
    labels = _labelled(facts, _LABELS_ZH, "第{}项")
    text = ""
    for f, n, label in zip(facts, numbers, labels, strict=True):
        clause = f"{f.unit.text.strip().rstrip('。；;')}[{n}]"
        text += ("，" if text and not label else "；" if text else "") + (f"{label}：{clause}" if label else clause)
    return f"{district}：" * bool(district) + text + "。"
