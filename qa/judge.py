"""Whether the evidence found states what the question asks: the one place that decides.

Every answer passes through ``Judge``. First the vetoes, where exactness is the point: a
language PolicyQA does not read, a place no indexed document covers, an English topic the
glossary cannot put into Chinese, no evidence at all. Then one calibrated decision: a
logistic model over a few features of the chosen evidence (coverage of the question's
words, counting the plans' synonyms and counting words the plans never use as missing, by
all the evidence and by the one passage that covers most; coverage of its most specific
words; the most specific word left out; whether a question asking a figure got one, in the
unit asked; the margin of its dense similarity over the other candidates).
The coefficients are fitted on the tune half of the blind question rounds by
``eval/calibrate_judge.py`` and committed beside it in ``qa/judge_model.json``; nothing is
keyed to a question.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from importlib import resources
from typing import Literal

from ingest.regions import names_a_district
from qa.analysis import POPULATION_BASIS, QuestionAnalysis, is_question, normalize_question, question_parts
from qa.evidence import Evidence, stated_text, states_figure_in
from qa.figures import parse_figures, states_target
from qa.selection import evidence_text
from qa.terms import (
    UNSEEN_WEIGHT,
    Term,
    coverage,
    named_match,
    names_a_topic,
    term_match,
    unmapped_english_words,
)

Reason = Literal["answered", "language", "outside_place", "unknown_topic", "no_evidence", "not_stated"]
REASONS: tuple[Reason, ...] = ("answered", "language", "outside_place", "unknown_topic", "no_evidence", "not_stated")
FEATURES: tuple[str, ...] = (
    "sentence_coverage", "anchor_coverage", "worst_missing", "dense_margin", "number_missing", "english", "per_district",
    "paired_figure", "plan_anchor_coverage", "unit_coverage",
)
MODEL_FILE = "judge_model.json"
# Features that refuse on their own, before the model: what is asked is missing exactly
EXACT_VETOES: tuple[str, ...] = ("money_missing", "basis_missing", "achieved_missing")


@dataclass(frozen=True)
class Verdict:
    """The decision on one question (or one district of it), with its score and reason."""

    answerable: bool
    score: float
    reason: Reason
    features: Mapping[str, float] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class JudgeModel:
    """A logistic model: P(answerable) = sigmoid(intercept + sum(weight * feature))."""

    intercept: float
    weights: Mapping[str, float]
    threshold: float = 0.5

    def probability(self, features: Mapping[str, float]) -> float:
        z = self.intercept + sum(w * features.get(name, 0.0) for name, w in self.weights.items())
        return 1.0 / (1.0 + math.exp(-max(min(z, 40.0), -40.0)))

    @classmethod
    def load(cls) -> JudgeModel:
        data = json.loads(resources.files("qa").joinpath(MODEL_FILE).read_text(encoding="utf-8"))
        return cls(float(data["intercept"]), {k: float(v) for k, v in data["weights"].items()}, float(data["threshold"]))


def anchor_terms(terms: Sequence[Term], weights: Mapping[str, float], ratio: float = 0.75) -> list[Term]:
    """The question's most specific terms (IDF near the highest): the topic the evidence
    must name. Segmentation artefacts are never anchors (see ``qa.terms.idf_weights``)."""
    hard = [t for t in terms if t.hard and weights.get(t.text, 0.0) > UNSEEN_WEIGHT]
    if not hard:
        return []
    top = max(weights[t.text] for t in hard)
    return [t for t in hard if weights[t.text] >= ratio * top]


def evidence_features(
    terms: Sequence[Term],
    weights: Mapping[str, float],
    chosen: Sequence[Evidence],
    *,
    english: bool,
    per_district: bool,
    asks_number: bool = False,
    pool: Sequence[Evidence] = (),
    paired: bool = False,
    asks_money: bool = False,
    plans_text: str = "",
    asks_time: bool = False,
    asks_share: bool = False,
    asked_unit: str = "",
    asks_rate: bool = False,
    asks_achieved: bool = False,
) -> dict[str, float]:
    """What the judge looks at, for one set of chosen evidence: coverage with headings and
    title (``coverage``) and of the sentences alone (``sentence_coverage``), whether a
    question asking a figure got evidence without any (``number_missing``), and whether,
    in a comparison, this side's figure is comparable with the other side's (``paired``):
    two plans word one topic differently (服务半径 / 急救半径), and a figure of the same
    kind on both sides is evidence they speak of the same thing."""
    text = evidence_text(chosen)
    sentences = " ".join(stated_text(e.unit) for e in chosen)
    figures = parse_figures(sentences) if asks_number else []
    # in the unit asked (``qa.evidence.states_figure_in``: in prose, "5大主线" states no ‰)
    in_unit = not asked_unit or any(states_figure_in(stated_text(e.unit), asked_unit, e.unit.kind == "table_row") for e in chosen)
    hard = [t for t in terms if t.hard]
    anchors = anchor_terms(terms, weights)
    top = max((weights.get(t.text, 0.0) for t in hard), default=0.0)
    # The most specific word the evidence leaves out: one missing key word (心理健康 in
    # 心理健康素养, 火星 in 火星基地) can make evidence about a neighbouring topic look complete.
    worst = max((weights.get(t.text, 0.0) / top * (1.0 - term_match(t, text)) for t in hard if top > 0), default=0.0)
    return {
        # Words the plans never use, in any form, count as missing: weighted by IDF and by
        # how topical they are in general Chinese (``qa.terms.topicality``).
        "coverage": coverage(terms, weights, text, lenient=True) if terms else 0.0,
        "sentence_coverage": coverage(terms, weights, sentences, lenient=True) if terms else 0.0,
        "anchor_coverage": coverage(anchors, weights, text) if anchors else 0.0,
        # How much of the question one passage covers: words met in scattered sentences
        # (千人口 in a blood-donation target, 执业 in another) do not state one indicator;
        # a task and the line naming who leads it are one passage.
        "unit_coverage": max((coverage(terms, weights, evidence_text(g), lenient=True) for g in _passages(chosen)), default=0.0)
        if terms
        else 0.0,
        # Whether the plans in scope name the topic anywhere: a plan that never says 中医馆
        # sets no 中医馆 target, whatever sentence retrieval brought back.
        # (no credit for a part of a compound here: a plan saying 中医 names no 中医馆)
        "plan_anchor_coverage": coverage(anchors, weights, plans_text, named_match) if anchors and plans_text else 1.0,
        "worst_missing": worst,
        "dense_margin": max((e.dense for e in chosen), default=0.0) - _mean_dense(pool[:20]),
        "number_missing": 1.0
        if (asks_number and not (figures or _WHOLE.search(sentences) or _SPAN.search(sentences)))
        or (asks_number and not in_unit)
        or (asks_time and not _TIME.search(sentences))
        or (asks_share and not _SHARE.search(sentences))
        else 0.0,
        "english": 1.0 if english else 0.0,
        "per_district": 1.0 if per_district else 0.0,
        "paired_figure": 1.0 if paired else 0.0,
        # not a model feature: a veto (``Judge.judge``)
        "money_missing": 1.0 if asks_money and not _MONEY.search(sentences) else 0.0,
        # not a model feature either: a rate per so many people asked, and no population basis
        # in the evidence ("每3万人口救护车配置数" against "新建、改建急救分站5个")
        "basis_missing": 1.0 if asks_rate and not _population_basis(sentences) else 0.0,
        # nor this: the value reached asked ("现在实际…是多少"), and the evidence gives only
        # targets for it
        "achieved_missing": 1.0 if asks_achieved and _targets_only(chosen) else 0.0,
    }


def _targets_only(chosen: Sequence[Evidence]) -> bool:
    """Whether the evidence gives figures, all of them targets (``qa.figures.states_target``)."""
    stated = [(text, f) for text in (stated_text(e.unit) for e in chosen) for f in parse_figures(text)]
    return bool(stated) and all(states_target(text, f) for text, f in stated)


# A time, for a question asking when: a year, a month, a plan period or its end.
_TIME = re.compile(r"(?:19|20)\d{2}|[一二三四五六七八九十\d]+月|十[一二三四五六]五|年底|年内|年前|期间|届时")
# A share, for a question asking what percentage: a per cent or per mille figure, a row or
# clause naming a share (比例: the ICU row states "10(平) /20(急)"), or all.
_SHARE = re.compile(r"\d\s*[%‰％]|[(（]\s*[%‰％]\s*[)）]|百分之|比例|占比|比重|全覆盖|全部|所有")
def _population_basis(text: str) -> bool:
    """Whether evidence states a figure per so many people ("每万常住人口", "千人口执业医师数"):
    the question's pattern, also where a name runs on into the basis (长宁千人口…)."""
    return bool(POPULATION_BASIS.search(text) or re.search(r"(?:千|万)(?:名|个)?(?:常住|户籍)?(?:人口|居民)", text))


_MONEY = re.compile(r"\d[\d.,]*\s*(?:万|亿)?元")
# A span of time in Chinese numerals ("利用三年时间"), which answers "多长时间 / 多久".
_SPAN = re.compile(r"[一二两三四五六七八九十半]+(?:年|个月|周|天|小时)(?:时间|内|左右)")
# Words that state a quantity without a digit: "全覆盖设置社区中医馆" answers "how many".
_WHOLE = re.compile(r"全覆盖|全部|所有|每个|每家|每所|各个|全区|应签尽签|100%")


PASSAGE_GAP = 200  # characters between two chosen units of one plan that still read as one passage


def _passages(chosen: Sequence[Evidence]) -> list[list[Evidence]]:
    """The chosen evidence grouped into passages: units of one plan within ``PASSAGE_GAP``
    characters of each other."""
    groups: list[list[Evidence]] = []
    for e in sorted(chosen, key=lambda e: (e.unit.doc_id, e.unit.start)):
        last = groups[-1][-1].unit if groups else None
        if last is not None and last.doc_id == e.unit.doc_id and e.unit.start - last.end <= PASSAGE_GAP:
            groups[-1].append(e)
        else:
            groups.append([e])
    return groups


def _mean_dense(pool: Sequence[Evidence]) -> float:
    return sum(e.dense for e in pool) / len(pool) if pool else 0.0


class Judge:
    """Vetoes, then the calibrated model; every refusal carries a reason from ``REASONS``."""

    def __init__(self, model: JudgeModel | None = None) -> None:
        self.model = model or JudgeModel.load()

    @staticmethod
    def veto(analysis: QuestionAnalysis, outside_places: Sequence[str], terms: Sequence[Term]) -> Verdict | None:
        """A refusal that needs no evidence, or None."""
        if analysis.lang == "other":
            return Verdict(False, 0.0, "language")
        if outside_places and (not analysis.districts or any(names_a_district(p) for p in outside_places)):
            # A district with no plan here cannot be answered for, nor compared with one that
            # has ("嘉定的…比闵行快还是慢"): its side of the question is unknown.
            return Verdict(False, 0.0, "outside_place")
        if (
            analysis.lang == "en"
            and not any(names_a_topic(t) for t in terms)
            and bool(unmapped_english_words(analysis.question, analysis.places))
        ):
            # Nothing in it names a topic the glossary knows ("the exchange rate of the euro").
            return Verdict(False, 0.0, "unknown_topic")
        return None

    def judge(self, features: Mapping[str, float] | None) -> Verdict:
        """The calibrated decision on the features of the chosen evidence (None: none found)."""
        if features is None:
            return Verdict(False, 0.0, "no_evidence")
        if any(features.get(name) for name in EXACT_VETOES):
            # Exactness is the point: a question asking how much money is answered by a sum in
            # 元, and evidence on the same project without one does not state it; so for a
            # rate per so many people and evidence with no population basis, and for the
            # value reached so far asked of a plan that gives only its target.
            return Verdict(False, 0.0, "not_stated", dict(features))
        p = self.model.probability(features)
        answerable = p >= self.model.threshold
        return Verdict(answerable, p, "answered" if answerable else "not_stated", dict(features))


def _letters(text: str) -> str:
    return re.sub(r"[\W_]+", "", normalize_question(text)).lower()


def follow_up_left_open(follow_up: str, left_open: Sequence[str]) -> bool:
    """Whether an answer leaves every part of a follow-up open (``left_open``: the parts of
    the question it names as not stated, ``Draft.open_parts``).

    A follow-up is answered with the chat's topic question before it as context
    ("宝山今年人才招引怎么安排？那…两项加起来最多多少人"); the topic was answered in an
    earlier turn, so an answer stating only the topic again answers nothing asked now: it
    is a refusal. A part named open may have the district put before it or the scene set
    before it dropped, so a part is matched by its longest run of characters in common."""
    open_parts = [_letters(p) for p in left_open]
    text = normalize_question(follow_up)
    parts = question_parts(text)
    asked = [_letters(p) for p in parts if is_question(p) or re.search(re.escape(p) + r"\s*[？?]", text)]
    if not open_parts or not asked:
        return False

    def matched(part: str) -> bool:
        for note in open_parts:
            block = SequenceMatcher(None, part, note, autojunk=False).find_longest_match(0, len(part), 0, len(note))
            if block.size >= 0.7 * min(len(part), len(note)):
                return True
        return False

    return all(matched(p) for p in asked if p)
