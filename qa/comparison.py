"""Questions that compare, and questions that ask several separate things.

A comparison is computed, not just cited: the figure each district's evidence gives for
the topic is parsed (``qa.figures``) and the verdict stated with both figures and both
citations ("宝山区（30%）高于长宁区（20%）[1][2]"), or, when the figures are not of the same
kind, said to be not comparable. A multi-part question is cut into parts that can each be
answered (or not) on their own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

import numpy as np

from ingest.regions import regions_named
from kernel.types import Unit
from qa.analysis import QuestionAnalysis, analyze, district_english, is_question, question_parts, refers_back
from qa.compose import CitationList, indicator_cell
from qa.evidence import Evidence, stated_text
from qa.figures import (
    Figure,
    comparable,
    declared_unit,
    difference_text,
    figure_clause,
    figure_near,
    parse_figures,
    verdict_text,
)
from qa.terms import Term, sub_pieces

Conclusion = Callable[[CitationList], str]


def figure_anchors(terms: Sequence[Term], weights: Mapping[str, float], heads: bool = True) -> list[str]:
    """The forms of the question's most specific terms, and their heads, most specific first."""
    ranked = sorted((t for t in terms if t.hard), key=lambda t: -weights.get(t.text, 0.0))
    return [
        f for t in ranked[:3] for f in (*t.forms(), *(v.form for v in t.variants), *(_head(t.text) if heads else ()))
    ]


def _head(word: str) -> tuple[str, ...]:
    """The head of a compound (服务半径 → 半径): another plan may say 急救半径."""
    pieces = [p for p in sub_pieces(word) if word.endswith(p)]
    return (pieces[-1],) if pieces else ()


def _declared_unit(figure: Figure, evidence: Evidence) -> Figure:
    """A bare figure in a table row takes the unit its row label declares ("居民健康素养水平(%)")."""
    if figure.unit or evidence.unit.kind != "table_row":
        return figure
    unit = declared_unit(indicator_cell(evidence.unit) or "")
    return replace(figure, unit=unit) if unit else figure


Side = tuple[str, Evidence, Figure]

_POOL = 8  # how deep into a district's ranked evidence a figure is looked for
_KEEP_BONUS = 0.05  # the evidence selection already chose wins a tie


def _in_clause(text: str, figure: Figure, anchors: Sequence[str]) -> bool:
    """Whether the figure's own clause names the topic: "签约覆盖率…达到48%", not "开设签约居民
    转诊绿色通道,号源…预留20%", whose 20% belongs to another clause's topic."""
    clause = figure_clause(text, figure)
    return any(a in clause for a in anchors)


Option = tuple[float, bool, Side]  # (merit, whether the figure's clause names the topic, side)
Partners = Mapping[Unit, frozenset[Unit]]


def figure_options(
    district: str,
    chosen: Sequence[Evidence],
    ranked: Sequence[Evidence],
    anchors: Sequence[str],
    extra: Sequence[Evidence] = (),
    partners: Partners | None = None,
) -> list[Option]:
    """A district's candidate figures for a comparison: from the evidence selection chose
    and the best ranked (not far below the best coverage), and from ``extra`` counterparts
    whose figure's clause names the topic or that restate a figure of the other side
    (``partners``)."""
    pool = list(dict.fromkeys([*chosen, *ranked[:_POOL]]))
    top = max((e.coverage for e in pool), default=0.0)
    found = []
    for e in [*pool, *(e for e in extra if e not in pool)]:
        if e in pool and e.coverage < 0.5 * top:
            continue
        text = stated_text(e.unit)
        figure = figure_near(text, anchors)
        if figure is None:
            continue
        local = _in_clause(text, figure, anchors)
        if e not in pool and not local and e.unit not in (partners or {}):
            continue
        merit = e.coverage + (_KEEP_BONUS if e in chosen else 0.0)
        found.append((merit, local, (district, e, _declared_unit(figure, e))))
    return found


def figure_pair(
    sides: Sequence[tuple[str, Sequence[Evidence], Sequence[Evidence]]],
    anchors: Sequence[str],
    counterparts: Mapping[str, Sequence[Evidence]] | None = None,
    partners: Partners | None = None,
) -> tuple[Side, Side] | None:
    """The two figures a comparison compares: one per district, of the same kind when the
    districts' evidence allows it.

    Each side is (district, the evidence selection chose, the district's ranked evidence).
    The most complete evidence of a district may talk about the topic without its figure
    (长宁's 签约服务 sentence, not its "签约覆盖率…48%" one), so the pair is chosen jointly:
    comparable figures first, then figures that name the topic, then the evidence that
    covers the question best, where two sentences that restate each other (``partners``: of
    宝山's 医养签约率 and 家庭医生签约率, the one 长宁's 签约覆盖率 sentence is worded like)
    count a little more. ``counterparts`` are a district's sentences stating a figure of the other side's kind (``states_counterpart``,
    ``aligned_counterpart``). ``partners`` maps a counterpart worded like one of the other
    side's figure sentences to those sentences (the same indicator in the other plan's
    words): paired with one of them, it names the topic as that sentence does.
    """
    partners = partners or {}
    options = [
        figure_options(district, chosen, ranked, anchors, (counterparts or {}).get(district, ()), partners)
        for district, chosen, ranked in sides[:2]
    ]
    if len(options) < 2 or not all(options):
        return None

    def names_topic(side: Option, other: Option) -> bool:
        # in its own clause, or restating the other side's figure sentence, which does
        return side[1] or (other[1] and other[2][1].unit in partners.get(side[2][1].unit, ()))

    def restate(x: Option, y: Option) -> bool:  # the same indicator in the two plans' words
        return x[2][1].unit in partners.get(y[2][1].unit, ()) or y[2][1].unit in partners.get(x[2][1].unit, ())

    (_, _, a), (_, _, b) = max(
        ((x, y) for x in options[0] for y in options[1]),
        key=lambda p: (
            comparable(p[0][2][2], p[1][2][2]),
            names_topic(p[0], p[1]) + names_topic(p[1], p[0]),
            p[0][0] + p[1][0] + (RESTATED_BONUS if restate(p[0], p[1]) else 0.0),
            p[0][2][1].score + p[1][2][1].score,
        ),
    )
    return a, b


RESTATED_BONUS = 0.1  # of a pair's coverage: a tenth of the question's words, not a veto over them
ALIGNED_FLOOR = 0.92  # e5 cosine: two plans' sentences on one indicator (0.94), not two topics (<= 0.93)
ALIGNED_SOURCES = 3  # how many of a side's figures that name the topic look for their restatement


def aligned_counterpart(
    figure: Figure,
    source: tuple[Unit, np.ndarray],
    units: Sequence[Unit],
    vectors: np.ndarray,
    source_units: Sequence[Unit],
    source_vectors: np.ndarray,
) -> Unit | None:
    """The restatement of a figure sentence (``source``) in the other plan: of ``units``
    stating a figure of its kind, the one most like it, if close enough to be the same
    indicator and if, back in the source's plan (``source_units``), the source is the one
    most like it (mutual nearest neighbours: a long list sentence is close to many). 长宁
    words 宝山's "家庭医生签约率提至46%" as "全人群、重点人群签约覆盖率分别达到48%", naming
    none of the question's words (签家庭医生…签上)."""
    best = _nearest(figure, source[1], units, vectors)
    if best is None:
        return None
    back = _nearest(figure, vectors[best], source_units, source_vectors)
    return units[best] if back is not None and source_units[back] == source[0] else None


def _nearest(figure: Figure, vector: np.ndarray, units: Sequence[Unit], vectors: np.ndarray) -> int | None:
    """The position of the unit most like ``vector`` (at least ``ALIGNED_FLOOR``) that states
    a figure of its kind, most similar first (only those close enough are parsed)."""
    sims = vectors @ vector
    for i in np.argsort(-sims):
        if sims[i] < ALIGNED_FLOOR:
            return None
        if any(comparable(f, figure) for f in parse_figures(stated_text(units[i]))):
            return int(i)
    return None


def states_counterpart(unit: Unit, figure: Figure, anchors: Sequence[str]) -> bool:
    """Whether ``unit`` states a figure of the same kind as ``figure`` in a clause naming one
    of ``anchors``: the other side's figure, however its plan words the indicator around it
    (宝山 "家庭医生签约率提至46%", 长宁 "全人群、重点人群签约覆盖率分别达到48%以上")."""
    text = stated_text(unit)
    if not any(a in text for a in anchors):
        return False
    found = figure_near(text, anchors)
    return found is not None and comparable(found, figure) and _in_clause(text, found, anchors)


def names_anchor(pair: tuple[Side, Side], anchors: Sequence[str]) -> bool:
    """Whether each side's figure sentence names one of the question's words (or a head):
    a figure taken from a sentence naming none of them (``figure_near``'s last resort) says
    nothing about the topic."""
    return all(any(a in stated_text(e.unit) for a in anchors) for _, e, _ in pair)


_ASKS_SPEED = re.compile(r"快|慢|迅速|\b(?:fast|faster|fastest|quick|quicker|quickest|slow|slower|slowest|sooner|speed)\b", re.I)


def asks_speed(question: str) -> bool:
    """Whether the question asks which is faster ("哪边来得快", "which is quicker")."""
    return bool(_ASKS_SPEED.search(question))


def comparison_clause(analysis: QuestionAnalysis, pair: tuple[Side, Side]) -> Conclusion:
    """The verdict of two districts' figures, to be written once citations are numbered."""
    (a_name, a_ev, a_fig), (b_name, b_ev, b_fig) = pair
    lang = "en" if analysis.lang == "en" else "zh"
    label = (lambda d: district_english(d)) if lang == "en" else (lambda d: d)

    # The gap is stated whenever the two figures are of one unit: "which is higher" is
    # usually followed by "by how much", and a reader weighing two targets wants both.
    gap = difference_text(a_fig, b_fig, lang)

    def conclude(cites: CitationList) -> str:
        na = cites.number(a_ev.unit, a_ev.district)
        nb = cites.number(b_ev.unit, b_ev.district)
        text = verdict_text(label(a_name), a_fig, label(b_name), b_fig, lang, asks_speed(analysis.question)).rstrip("。.")
        if gap:
            text += f"，{gap}" if lang == "zh" else f", {gap}"
        end = "。" if lang == "zh" else "."
        return f"{text}[{na}][{nb}]{end}"

    return conclude


# A question weighing a district's figure against the city's planned value ("比市里的规划值
# 高吗", "is that above what the city set?"): both sides are cells of one indicator-table row.
_ASKS_VERDICT = re.compile(
    r"比.{0,12}?(?:高|低|多|少|大|小|快|慢)|高出|低于|高于|超过|超出|达到.{0,6}吗|谁高|哪个高|\bvs\b"
    r"|相比|对比|比较|\b(?:higher|lower|above|below|exceed\w*|more than|less than|beat\w*|compar\w*|against)\b",
    re.I,
)
_CITY_SIDE = re.compile(r"规划值|市里|市级|全市|市卫健委|本市|\b(?:city|municipal)\b", re.I)


def _names_the_city(analysis: QuestionAnalysis) -> bool:
    """Whether the question names the city side: in words (市里, the city) or by the name of
    a city the corpus's districts belong to (上海, Shanghai), from the gazetteer."""
    if _CITY_SIDE.search(analysis.question):
        return True
    lowered = analysis.question.lower()
    for city in analysis.places.cities if analysis.places else ():
        for r in regions_named(city):
            if r.name == city and (
                city in analysis.question or (len(r.short) >= 2 and r.short in analysis.question)
                or any(re.search(rf"\b{re.escape(s)}\b", lowered) for s in (r.english.lower(), *r.spellings) if s)
            ):
                return True
    return False
_VALUE_LABEL = re.compile(r"目标值|规划值")


def row_comparison(analysis: QuestionAnalysis, chosen: Sequence[Evidence], whole: str = "") -> Conclusion | None:
    """The verdict of the two value cells of an indicator-table row (the district's target
    against the city's planned value), when the question weighs one against the other; of
    every row the question (``whole``, when ``analysis`` is one of its parts) names."""
    weighs = _ASKS_VERDICT.search(analysis.question) or asks_amount(analysis.question)  # "how far apart are they?"
    city = _names_the_city(analysis) or bool(whole and _CITY_SIDE.search(whole))  # the part may leave it to the whole
    if len(analysis.districts) > 1 or not (weighs and city):
        return None
    question = whole or analysis.question
    rows = [(e, v) for e in chosen if e.unit.kind == "table_row" and len(v := _row_values(e, question)) == 2]
    if not rows:
        return None
    # Several rows the question names ("千人口执业医师数、千人口注册护士数…分别比规划值高出多少")
    # are weighed each; otherwise the first row, the one that answers best.
    named = [r for r in rows if _names_indicator(question, r[0])]  # whole: of a part
    rows = named if len(named) > 1 else rows[:1]
    # a row whose cells hold one figure per kind the question names ("平时和紧急状态…"): each kind
    weighed = [(e, kind, v) for e, values in rows for kind, v in _values_by_kind(e, question) or [("", values)]]
    lang = "en" if analysis.lang == "en" else "zh"

    def sentence(cites: CitationList, e: Evidence, kind: str, values: list[tuple[str, Figure]]) -> str:
        (a_label, a_fig), (b_label, b_fig) = values
        if lang == "en":
            a_label = f"{district_english(e.district)}'s target" if e.district else "The target"
            b_label = "the city health commission's planned value"
        text = verdict_text(a_label, a_fig, b_label, b_fig, lang).rstrip("。.")
        about = " ".join(x for x in (indicator_name(e) if len(rows) > 1 else "", kind) if x)
        if about:  # which row (and kind) each verdict is about
            text = f"{about}：{text}" if lang == "zh" else f"{about}: {text}"
        if gap := difference_text(a_fig, b_fig, lang):  # as in ``comparison_clause``
            text += f"，{gap}" if lang == "zh" else f", {gap}"
        return f"{text}[{cites.number(e.unit, e.district)}]{'。' if lang == 'zh' else '.'}"

    def conclude(cites: CitationList) -> str:
        return ("" if lang == "zh" else " ").join(sentence(cites, e, kind, v) for e, kind, v in weighed)

    return conclude


def _values_by_kind(e: Evidence, question: str) -> list[tuple[str, list[tuple[str, Figure]]]]:
    """A row's target and planned values kind by kind, when its cells hold one figure per kind
    ("10(平) /20(急)" under "(平时/紧急状态)") and the question names two or more of the kinds
    before it weighs them; [] otherwise (``_row_values`` then weighs the kind named last)."""
    before = _before_weighing(question)
    cells = [(cell.label, dict(_cell_kinds(cell.text, e.unit.text))) for cell in e.unit.cells if _VALUE_LABEL.search(cell.label)]
    if len(cells) != 2:
        return []
    named = [k for k in cells[0][1] if k in cells[1][1] and k in before]
    if len(named) < 2:
        return []
    return [(k, [(label, _declared_unit(kinds[k], e)) for label, kinds in cells]) for k in named]


def indicator_name(e: Evidence) -> str:
    """The indicator without its unit and footnote mark (千人口执业医师数(人)* -> 千人口执业医师数)."""
    return re.sub(r"[(（][^)）]*[)）]|\*", "", indicator_cell(e.unit) or "").strip()


def _names_indicator(question: str, e: Evidence) -> bool:
    """Whether the question names the row's indicator: four characters of it in a row
    (千人口执业医师数, not only 千人口)."""
    name = indicator_name(e)
    return any(name[i : i + 4] in question for i in range(len(name) - 3))


def _row_values(e: Evidence, question: str = "") -> list[tuple[str, Figure]]:
    """(label, figure) of a table row's target and planned-value cells that state a figure;
    of a cell stating several, each with its kind in brackets ("12.37 (开放床位) 9.72 (编制床位)"),
    the one of the kind the question names."""
    values = []
    for cell in e.unit.cells:
        figures = parse_figures(cell.text) if _VALUE_LABEL.search(cell.label) else []
        if figures:
            values.append((cell.label, _declared_unit(_of_kind_asked(cell.text, figures, question, e.unit.text), e)))
    return values


_KIND = re.compile(r"\s*[(（]\s*([^()（）]{1,12}?)\s*[)）]")
# a label's kinds, one character each in its cells: "(平时/紧急状态)" for "10(平) /20(急)"
_LABEL_KINDS = re.compile(r"[(（]([^()（）/]+(?:/[^()（）/]+)+)[)）]")


def _before_weighing(question: str) -> str:
    """The question up to where it weighs one figure against another: the kinds it names there."""
    verdict = _ASKS_VERDICT.search(question)
    return question[: verdict.start()] if verdict else question


def _kind_named(kind: str, row: str) -> str:
    """A cell's kind as the question would name it: a one-character kind by the label's kind
    it abbreviates (急 -> 紧急状态), or "" when the label spells none out; longer ones as they are."""
    if len(kind) > 1:
        return kind
    spelled = [k for m in _LABEL_KINDS.finditer(row) for k in m.group(1).split("/") if kind in k and len(k) > 1]
    return spelled[0] if spelled else ""


def _cell_kinds(text: str, row: str, figures: Sequence[Figure] | None = None) -> list[tuple[str, Figure]]:
    """(kind, figure) of a cell's figures that carry a kind in brackets after them."""
    found = []
    for f in parse_figures(text) if figures is None else figures:
        if (m := _KIND.match(text, f.end)) and (kind := _kind_named(m.group(1), row)):
            found.append((kind, f))
    return found


def _of_kind_asked(text: str, figures: Sequence[Figure], question: str, row: str = "") -> Figure:
    """The figure whose bracketed kind right after it the question names, else the first; of
    several named, the one named last before the question weighs ("开放床位、编制床位目标分别
    多少？编制床位目标比市规划值高多少" weighs the 编制床位 figure; "紧急状态下…差多少" the
    "20(急)" cell of a row labelled "(平时/紧急状态)")."""
    before = _before_weighing(question)
    named = [(before.rfind(k), f) for k, f in _cell_kinds(text, row, figures)]
    named = [(at, f) for at, f in named if at >= 0]
    return max(named, key=lambda n: n[0])[1] if named else figures[0]


# "下降了多少个千分点", "提高了多少", "比规划值高多少", "how much did it fall": the change between two figures
_ASKS_AMOUNT = re.compile(
    r"(?:高出|低出|相差|差|多出|少|降|升|增|减|涨|跌|提高|下降|降低|减少|增加|增长|上升)了?(?:多少|几)"
    # "比…多了多少", and with the verb after 多/少 ("跟2015年比多活了多久", "少花了多少")
    r"|比.{0,16}?[高低大小长短快慢多少][\u4e00-\u9fff]?了?(?:多少|几|多久|多长)"
    r"|\bhow much (?:higher|lower|more|less|bigger|smaller)\b|\bby how (?:much|many)\b|\bhow far apart\b"
    # "how many years … did they gain", "how much did it fall": the size of a change
    r"|\bhow (?:many|much)\b[^?]{0,100}?\b(?:gain|gained|rise|rose|risen|increase|increased|fall|fell|fallen|drop|dropped"
    r"|decline|declined|grow|grew|grown|improve|improved|shrink|shrank)\b"
    r"|\bwhat(?:'s| is) the (?:gap|difference)\b",
    re.I,
)
_BETWEEN_HAN = re.compile(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")


def asks_amount(question: str) -> bool:
    """Whether the question asks by how much two figures differ; a search-box query's spaces
    between Chinese words ("期望寿命 提高 多少岁") do not hide the cue."""
    return bool(_ASKS_AMOUNT.search(_BETWEEN_HAN.sub("", question)))


_CHANGE = re.compile(r"从(?P<a>[^，,；;。从]{1,24}?)(?P<verb>降低|下降|减少|降|缩短|提高|提升|增长|增加|上升|升|扩大|延长)(?:至|到|为)(?P<b>[^，,；;。]{1,16})")
_DOWN = re.compile(r"降|减|跌|缩短|\b(?:lower|less|fall|fell|drop|decreas|declin|reduc)", re.I)
_UP = re.compile(r"升|增|涨|提高|提升|扩大|延长|\b(?:higher|more|rise|rose|grow|grew|increas)", re.I)
# The unit a question asks the difference in, and the figures' unit it means.
_ASKED_UNITS = (("千分点", "‰"), ("per mille", "‰"), ("百分点", "%"), ("percentage point", "%"))


def _fits(question: str, verb: str, figure: Figure) -> int:
    """How many of the question's cues a change matches: its direction (下降了多少 against a
    降低至) and the unit asked (多少个千分点 against ‰, 多少岁 against 岁)."""
    asked_down, asked_up = bool(_DOWN.search(question)), bool(_UP.search(question))
    direction = (asked_down and not asked_up and bool(_DOWN.search(verb))) or (asked_up and not asked_down and bool(_UP.search(verb)))
    unit = figure.unit or ""
    in_unit = bool(unit) and (unit in question or any(w in question and unit == u for w, u in _ASKED_UNITS))
    return int(direction) + int(in_unit)


def change_clause(analysis: QuestionAnalysis, chosen: Sequence[Evidence], anchors: Sequence[str]) -> Conclusion | None:
    """The amount of a change a sentence states from one figure to another ("从2015年的3.54‰
    降低至0.83‰" → 相差2.71个千分点), when the question asks how much it changed; of several
    changes in the evidence, the one its clause names most of ``anchors`` (the question's
    most specific words) for, then the one whose direction and unit fit the question."""
    if not asks_amount(analysis.question):
        return None
    lang = "en" if analysis.lang == "en" else "zh"
    found: list[tuple[int, Evidence, Figure, Figure, str]] = []
    for e in chosen:
        text = stated_text(e.unit)
        for m in _CHANGE.finditer(text):
            before, after = parse_figures(m.group("a")), parse_figures(m.group("b"))
            gap = difference_text(before[-1], after[0], lang) if before and after else ""
            if gap:
                clause = re.split(r"[，,；;。]", text[: m.start()])[-1]
                fit = (sum(a in clause for a in anchors), _fits(analysis.question, m.group("verb"), after[0]))
                found.append((fit, e, before[-1], after[0], gap))
    if not found:
        return None
    _, e, a, b, gap = max(found, key=lambda f: f[0])  # the first of equals

    def conclude(cites: CitationList) -> str:
        n = cites.number(e.unit, e.district)
        if lang == "zh":
            return f"从{a.text()}到{b.text()}，{gap}[{n}]。"
        return f"From {a.text('en')} to {b.text('en')}: {gap}[{n}]."

    return conclude


_REMARK = re.compile(r"[（(][^()（）]*[)）][.。!！]?")


def independent_parts(analysis: QuestionAnalysis, index_districts: Sequence[str]) -> list[QuestionAnalysis]:
    """The parts of a question that ask separate things, each analysed on its own, with the
    districts the whole question names; [] when it asks one thing (or a later part refers
    back to the first, which the answerer follows instead)."""
    # a remark in brackets after the question ("(I realise one might be a target…)") asks nothing
    parts = [p for p in question_parts(analysis.question) if not _REMARK.fullmatch(p.strip())]
    # a statement or request after a question asks nothing of its own ("…各是哪家单位？一个对应
    # 公立医院，一个对应社区。", "…具体是哪六项？麻烦列一下。"); keywords after keywords do
    if parts and is_question(parts[0]):
        parts = parts[:1] + [p for p in parts[1:] if is_question(p) or re.search(re.escape(p) + r"\s*[？?]", analysis.question)]
    if len(parts) < 2 or any(refers_back(p) for p in parts[1:]):
        return []
    known = list(analysis.districts)
    out = []
    for part in parts:
        part_analysis = analyze(part, index_districts)
        if known and not part_analysis.districts:
            names = "、".join(known) if analysis.lang != "en" else " and ".join(district_english(d) for d in known)
            prefixed = f"{names}{part}" if analysis.lang != "en" else f"In {names}: {part}"
            part_analysis = analyze(prefixed, index_districts)
        if part_analysis.kind in ("across", "comparison"):
            return []
        out.append(part_analysis)
    return out
