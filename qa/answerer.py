"""The extractive answerer: retrieve, score sentences, select, compose, or refuse.

No language model is involved: every clause of the answer is a span of a cited sentence,
so the answer can only say what the documents say.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from index import Filters, HybridIndex
from ingest.regions import district_by_name, find_districts, names_a_district, regions_named
from kernel.types import Citation, Passage, ScoredChunk, Unit
from qa.agreement import consistency_clause, rate_consistency_clause
from qa.analysis import (
    QuestionAnalysis,
    analyze,
    asks_several,
    district_english,
    is_question,
    question_parts,
    refers_back,
    sub_questions,
)
from qa.comparison import (
    ALIGNED_SOURCES,
    Conclusion,
    Side,
    aligned_counterpart,
    change_clause,
    comparison_clause,
    figure_anchors,
    figure_options,
    figure_pair,
    independent_parts,
    names_anchor,
    row_comparison,
    states_counterpart,
)
from qa.compose import CitationList, Claim, compose_en, compose_zh, merge_adjacent, unit_focus
from qa.coordination import asks_each, coordinated_questions
from qa.evidence import (
    Evidence,
    SentenceLookup,
    bridge_entities,
    bridge_key,
    collect_candidates,
    score_candidates,
    stated_text,
    unit_context,
)
from qa.figures import comparable
from qa.judge import Judge, Verdict, evidence_features, follow_up_left_open
from qa.lexicon import Lexicon, TextSet
from qa.periods import periods_agree, years_present
from qa.plan import RetrievalPlan, plan_retrieval
from qa.referents import (
    POINTER_NOUN,
    carried_subject,
    named_in,
    names_a_body,
    referents,
    resolved,
    without_pointer,
)
from qa.refusal import refusal_text, silent_note
from qa.selection import (
    SelectionConfig,
    by_district,
    completed,
    select_claims,
    select_per_district,
    uncovered_terms,
)
from qa.source import SourceAsk, source_facts, source_text, statement_for
from qa.terms import (
    FRAMING_WEIGHT,
    TRANSLATED_WEIGHT,
    Term,
    cut,
    feedback_terms,
    idf_weights,
    is_place_word,
    key_terms,
    names_a_topic,
    names_an_institution,
    part_of_speech,
    quoted_terms,
    term_match,
    unmapped_english_words,
)
from qa.totals import pair_total_clause, total_clause
from qa.verify import single_clause


def _asked(part: str) -> str:
    """The question sentence of a part, without the scene set before it ("My mum is 85 and
    lives in Baoshan. What's …"): the answer names the part left open, and says nothing
    uncited."""
    sentences = [s for s in re.split(r"(?<=[.。!！])\s*(?=\S)", part) if s.strip()]
    return sentences[-1].strip() if sentences else part


# words that point or ask rather than name ("这些", "哪些地方", "什么时候")
_POINTING = re.compile(r"这|那|哪|什么|多少|几|怎么|如何")
def _then(first: Conclusion, second: Conclusion | None) -> Conclusion:
    """Two computed conclusions, one after the other (a comparison, then the total asked)."""
    if second is None:
        return first
    return lambda cites: first(cites) + second(cites)


def _by_district(chosen: Sequence[Evidence]) -> list[tuple[str | None, list[Claim]]]:
    """The claims under the name of the district whose plan states them, in the order first
    cited: a reader who named no district still learns whose plan says it."""
    order = list(dict.fromkeys(e.district for e in chosen))
    return [(d, [Claim(e.unit, e.district) for e in chosen if e.district == d]) for d in order]


def _is_asked(part: str, question: str) -> bool:
    """Whether a part of a question asks something: it ends in a question mark, or has a
    question word; a remark after the question does not."""
    return bool(re.search(re.escape(part) + r"\s*[？?]", question)) or is_question(part)


def _with_districts(part: str, analysis: QuestionAnalysis) -> str:
    """A part asked about the districts the whole question names."""
    if analysis.lang == "en":
        return f"In {' and '.join(district_english(d) for d in analysis.districts)}: {part}"
    return f"{'、'.join(analysis.districts)}{part}"


FEEDBACK_PASSAGES = 3  # the candidates whose words pick an English word's sense
MAX_REFERENTS = 8  # organisations a later part pointing back may mean

# The judge's decisions: (district or None for the whole question, verdict, evidence judged)
Judged = tuple[tuple[str | None, Verdict, tuple[Evidence, ...]], ...]


@dataclass(frozen=True)
class Draft:
    """What the answerer produced, before the engine wraps it into an Answer."""

    text: str
    refused: bool
    citations: tuple[Citation, ...]
    passages: tuple[Passage, ...]
    notes: tuple[str, ...] = ()
    evidence: tuple[Evidence, ...] = field(default=(), repr=False)
    verdicts: Judged = field(default=(), repr=False)
    open_parts: tuple[str, ...] = ()  # the parts of the question it says the documents leave open


class ExtractiveAnswerer:
    """Answers from one immutable index snapshot; safe to share between threads."""

    def __init__(
        self,
        index: HybridIndex,
        config: SelectionConfig | None = None,
        passages_k: int = 8,
        judge: Judge | None = None,
    ) -> None:
        self.index = index
        self.config = config or SelectionConfig()
        self.passages_k = passages_k
        self.judge = judge or Judge()
        self.lookup = SentenceLookup(index.documents)
        # Sentences and table rows, a near-copy's repeats of its family's plan counted once
        # (``index.families``): a template filed by a hundred regions is one plan's words.
        self._texts = [f"{u.text} {u.context}" for u in index.families.distinct_units(index.documents.values())]
        self.lexicon = Lexicon(self._texts)
        self._text_set = TextSet(self._texts)
        self._idf_lock = threading.Lock()
        self._idf: dict[tuple[object, ...], float] = {}
        # The whole text of each district's plans, and of all plans: what the judge asks
        # "does this plan name the topic at all" of.
        self._scope_texts = {
            (d,): "\n".join(doc.text for doc in index.documents.values() if doc.district == d) for d in index.districts
        }
        self._scope_texts[()] = "\n".join(doc.text for doc in index.documents.values())

    def _terms_to_cover(self, analysis: QuestionAnalysis) -> tuple[Term, ...]:
        """Key terms the evidence must cover. When a later part of the question refers back
        ("…？这家医院会迁到哪里"), only the first part's terms: the later part is answered
        about whatever the first part finds (see ``_follow_references``); but not in a
        comparison, whose later part names what is compared."""
        parts = sub_questions(analysis.question)
        if len(parts) >= 2 and any(refers_back(p) for p in parts[1:]) and not analysis.is_comparison:
            # (a comparison's later part names what is compared: "…？长宁定的千人口献血率比这个高吗")
            first = key_terms(parts[0], analysis.lang, self.lexicon, analysis.places)
            if first:  # "那长宁呢？它到2025年…": a first part naming only a place asks nothing itself
                return first
        return key_terms(analysis.question, analysis.lang, self.lexicon, analysis.places)

    def warm_up(self) -> None:
        """Load the thesaurus and the general-language word tables now, not on the first question."""
        self.lexicon.warm_up()
        self.answer(analyze("长宁区到2025年的家庭医生签约率目标是多少？", list(self.index.districts)))

    # -- retrieval ---------------------------------------------------------------------
    def _weights(self, terms: Sequence[Term]) -> dict[str, float]:
        # Cached by all the weight depends on: the same word can be soft, or have other forms,
        # in another question (keying by text alone made answers depend on which question
        # came first).
        def key(t: Term) -> tuple[object, ...]:
            return (t.text, t.soft, t.phrasing, t.forms(), tuple(v.form for v in t.variants))

        with self._idf_lock:
            for t in terms:
                if key(t) not in self._idf:
                    self._idf[key(t)] = idf_weights([t], self._text_set)[t.text]
            return {
                t.text: self._idf[key(t)] * (FRAMING_WEIGHT if t.framing else 1.0) * (TRANSLATED_WEIGHT if t.translated else 1.0)
                for t in terms
            }

    def _retrieve(self, plan: RetrievalPlan) -> tuple[list[ScoredChunk], list[ScoredChunk]]:
        """(sentence and row hits, chunk hits) for the plan."""
        if plan.mode == "per_district":
            sentence_hits: list[ScoredChunk] = []
            chunk_hits: list[ScoredChunk] = []
            filters = Filters(districts=frozenset(plan.districts)) if plan.districts else None
            per_s = self.index.retrieve_per_district(
                plan.query, per_district=plan.per_district_k, filters=filters, kinds=("sentence", "table_row")
            )
            per_c = self.index.retrieve_per_district(plan.query, per_district=3, filters=filters, kinds=("chunk",))
            for hits in per_s.values():
                sentence_hits.extend(hits)
            for rank in range(3):
                chunk_hits.extend(hits[rank] for hits in per_c.values() if len(hits) > rank)
            return sentence_hits, chunk_hits
        filters = Filters(districts=frozenset(plan.districts)) if plan.districts else None
        sentence_hits = self.index.retrieve(plan.query, top_k=plan.sentence_k, filters=filters, kinds=("sentence", "table_row"))
        chunk_hits = self.index.retrieve(plan.query, top_k=plan.chunk_k, filters=filters, kinds=("chunk",))
        return sentence_hits, chunk_hits

    # -- answering ---------------------------------------------------------------------
    def answer(
        self,
        analysis: QuestionAnalysis,
        user_districts: Sequence[str] | None = None,
        passages_k: int | None = None,
        cited: frozenset[Unit] = frozenset(),
    ) -> Draft:
        """``cited``: what other parts of the question cite already; of equally complete
        evidence, a part leads with what they do not."""
        k = passages_k or self.passages_k
        terms = self._terms_to_cover(analysis)
        if analysis.lang == "other":
            return self._refuse(analysis, (), k, Verdict(False, 0.0, "language"))
        weights = self._weights(terms)
        query = self._search_query(analysis, terms)
        plan = plan_retrieval(analysis, query, self.index.districts, user_districts)
        sentence_hits, chunk_hits = self._retrieve(plan)
        candidates = collect_candidates([*sentence_hits, *chunk_hits], self.lookup)
        self._add_quoted(analysis, plan, candidates)
        if analysis.lang == "en":
            terms, weights = self._with_feedback(analysis, terms, candidates)
        units = list(candidates)
        vectors = self.index.vectors_for(units)
        qvec = self.index.embed_query(query)
        ranked = score_candidates(candidates, analysis, terms, weights, qvec, vectors, self.index.documents)

        veto = self.judge.veto(analysis, self._outside(analysis), terms)
        if veto is not None:
            return self._refuse(analysis, chunk_hits, k, veto)
        separate = self._district_parts(analysis)
        if separate:
            return self._answer_parts(analysis, separate, user_districts, chunk_hits, k)
        if plan.mode == "per_district":
            return self._answer_per_district(analysis, plan, terms, ranked, chunk_hits, k, qvec)
        coordinated = self._coordinated(analysis)
        if coordinated:
            return self._answer_parts(analysis, coordinated, user_districts, chunk_hits, k)
        refers = self._refers_back(analysis)  # once: it analyses every later part
        parts = independent_parts(analysis, self.index.districts)
        if parts and not refers:
            return self._answer_parts(analysis, self._about_first_organisation(parts), user_districts, chunk_hits, k)
        claims = self._select(ranked, terms, weights, cited)
        if claims and uncovered_terms(terms, claims):
            claims = self._second_hop(analysis, plan, terms, weights, claims, candidates, qvec)
        followed = self._follow_references(analysis, plan, claims, qvec) if claims else {}
        claims = [*claims, *followed.values()]
        # a question whose later part points back: its first part is what must be stated
        # (the later parts are judged one by one below)
        first = self._part_analysis(question_parts(analysis.question)[0], analysis) if refers else analysis
        verdict = self._judge(first, terms, weights, claims, ranked, per_district=False, scope=analysis.districts)
        judged = ((None, verdict, tuple(claims)),)
        if not verdict.answerable and refers:
            # Not stated as a whole: the first part asked on its own, then each later part
            # judged on what it found (below). A part the plans leave open must not refuse
            # the stated rest; with the first part not stated, the whole is refused.
            first_draft = self.answer(first, user_districts, k)
            if not first_draft.refused:
                claims = list(first_draft.evidence)
                followed = self._follow_references(analysis, plan, claims, qvec)
                claims = [*claims, *followed.values()]
                terms, judged = self._terms_to_cover(first), first_draft.verdicts
                verdict = first_draft.verdicts[0][1] if first_draft.verdicts else verdict
        if not verdict.answerable:
            return self._refuse(analysis, chunk_hits, k, verdict, judged)
        # judged stated: now cite what else the question asks, in sentences that share few
        # of its words ("…新建几个分站…半径多少" states the radius in the next sentence)
        claims = completed(claims, ranked, terms, weights, self.config, several=asks_several(analysis.question))
        open_parts = self._open_later_parts(analysis, claims, ranked) if refers else []
        conclude = (
            row_comparison(analysis, claims)
            or total_clause(analysis, claims)
            or change_clause(analysis, claims, figure_anchors(terms, weights))
            or rate_consistency_clause(analysis, claims)
            or consistency_clause(analysis, claims, ranked)
        )
        if conclude is not None:
            # the computed verdict answers the part that asks it: the row's two values weighed
            # ("比市里的规划值高吗"), or two statements of one figure set side by side
            # ("主方案和附件里说的达标年份一样吗")
            open_parts = [
                p for p in open_parts
                if row_comparison(own := self._part_analysis(p, analysis), claims) is None
                and consistency_clause(own, claims, ranked) is None
            ]
        if open_parts:
            # a later part the evidence does not state: say so, and drop what was found for it
            claims = [e for e in claims if all(followed.get(p) is not e for p in open_parts)]
        if refers:
            # a later part with a topic of its own behind a bare "它" is asked on its own too:
            # what the first part found may share its words ("反应迅速") without stating it
            own_topic = [p for p in question_parts(analysis.question)[1:] if p in open_parts or without_pointer(p)]
            still, found = self._asked_alone(analysis, own_topic, claims, user_districts, k)
            open_parts = [p for p in open_parts if p in still]
            claims = [*claims, *found]
        groups = _by_district(claims) if not analysis.districts else [(claims[0].district, [Claim(e.unit, e.district) for e in claims])]
        return self._compose(
            analysis, terms, groups, claims, chunk_hits, k, tail=self._open_tail(analysis, open_parts),
            open_parts=open_parts, verdicts=judged, conclude=conclude,
        )

    def _about_first_organisation(self, parts: Sequence[QuestionAnalysis]) -> list[QuestionAnalysis]:
        """Later parts that name no organisation are about the one the first part names:
        "闵行那个中西医结合医院要搬去哪里？以后主要看什么病比较拿手？" asks the second of the
        hospital (``qa.referents.carried_subject``; "浦江那边要开个新医院" names none)."""
        name = carried_subject(parts[0].question, self.lexicon.attested)
        if not name:
            return list(parts)
        out = [parts[0]]
        for part in parts[1:]:
            bare = part.question
            if names_a_body(bare):
                out.append(part)
                continue
            # the district the part was given goes first, once ("闵行区" + "区中医医院…")
            district = next((d for d in part.districts if bare.startswith(d)), "")
            region = district_by_name(district) if district else None
            place = "" if region is not None and region.short in name else district
            out.append(self._part_analysis(f"{place}{name}{bare[len(district):]}", part))
        return out

    def _add_quoted(self, analysis: QuestionAnalysis, plan: RetrievalPlan, candidates: dict[Unit, float]) -> None:
        """Sentences stating a term the question quotes as the plans write it (“一区一品牌”),
        in the districts asked about, join the candidates however retrieval ranked them, when
        the question asks which districts say it: a district's one mention must not be missed."""
        if not analysis.is_across:
            return
        floor = min(candidates.values(), default=0.0)
        for phrase in quoted_terms(analysis.question, self.lexicon.attested):
            for unit in self.lookup.containing(phrase):
                district = self.index.documents[unit.doc_id].district
                if not plan.districts or district in plan.districts:
                    candidates.setdefault(unit, floor)

    def _district_parts(self, analysis: QuestionAnalysis) -> list[QuestionAnalysis]:
        """The parts of a question naming two districts that each ask their own thing of
        their own district ("闵行基层中医药特色品牌有几个？宝山社区中医馆提供几类几项中医技术？"):
        two questions, not a comparison, whose figures must not be weighed against each
        other. [] unless every part names a district and a topic, and none compares."""
        if not analysis.is_comparison:
            return []
        parts = independent_parts(analysis, self.index.districts)
        if len(parts) < 2 or any(not p.districts for p in parts):
            return []
        named = [set(p.districts) for p in parts]
        if any(a & b for i, a in enumerate(named) for b in named[i + 1 :]):
            return []  # a district asked twice: the parts are about one another
        for part in parts:
            own = key_terms(part.question, part.lang, self.lexicon, part.places)
            if not any(names_a_topic(t) for t in own):
                return []  # "宝山呢？": the topic is the other part's
        return parts

    def _coordinated(self, analysis: QuestionAnalysis) -> list[QuestionAnalysis]:
        """A Chinese question asking the same of two or more things ("中医医院和中西医结合医院
        分别搬到哪儿"), one question per thing (``qa.coordination``); [] for any other."""
        if analysis.lang != "zh" or analysis.is_across or analysis.is_comparison or not asks_each(analysis.question):
            return []  # (cutting the question again is only worth it when it asks each)
        places = analysis.places
        questions = coordinated_questions(
            analysis.question,
            cut(analysis.question, places),
            part_of_speech,
            self.lexicon.attested,
            lambda word: is_place_word(word, places),
        )
        return [self._part_analysis(q, analysis) for q in questions]

    def _refers_back(self, analysis: QuestionAnalysis) -> bool:
        """Whether a later part of the question points back at the first ("…？这家医院…"), or
        asks nothing of its own ("…？具体是哪几家？"): it asks about what the first found."""
        parts = question_parts(analysis.question)
        return (
            len(parts) >= 2
            and any(refers_back(p) or not self._asks_own(p, analysis.lang) for p in parts[1:])
            and not analysis.is_comparison
        )

    def _open_later_parts(self, analysis: QuestionAnalysis, chosen: Sequence[Evidence], pool: Sequence[Evidence]) -> list[str]:
        """The later parts of a question the evidence does not state, each judged on its own
        with what it points back at put in its place ("该院现有中医师人数" → "闵行区中医医院现有
        中医师人数"): one part the plans leave open must not refuse the answered rest, nor
        be passed over in silence."""
        parts = question_parts(analysis.question)
        bridges = bridge_entities(chosen, analysis.question, self.lexicon.attested, limit=MAX_REFERENTS)
        said = " ".join(stated_text(e.unit) for e in chosen)
        open_parts = []
        for part in parts[1:]:
            if not _is_asked(part, analysis.question):
                continue  # a remark after the question ("我们写材料的时候想把这个口径解释清楚。")
            if not self._asks_own(part, analysis.lang):
                continue  # elliptical ("具体是哪几家？"): it asks the first part's topic, answered
            own = self._part_analysis(resolved(part, bridges, said), analysis)
            if own.years and not any(years_present(own.years, f"{stated_text(e.unit)} {unit_context(e.unit)} {e.title}") for e in chosen):
                # a year asked of ("2024年实际是多少") that no evidence speaks of: exactness is the point
                open_parts.append(part)
            elif self._clearly_not_stated(own, chosen, pool, points_back=refers_back(part)):
                open_parts.append(part)
        return open_parts

    def _asked_alone(
        self,
        analysis: QuestionAnalysis,
        open_parts: Sequence[str],
        claims: Sequence[Evidence],
        user_districts: Sequence[str] | None,
        k: int,
    ) -> tuple[list[str], list[Evidence]]:
        """Later parts left open by what the first part found, each asked again as a question
        of its own about the whole's districts: "…新建几个分站？那它对急救站点覆盖半径…有啥
        硬指标？" points back at the plan, not at the 分站 sentence, and the plan states it
        elsewhere. (The parts still open, the evidence the others found.)"""
        still, found = [], []
        taken = {e.unit for e in claims}
        for part in open_parts:
            alone = without_pointer(part)
            own = self._part_analysis(alone, analysis) if alone and analysis.districts else None
            if own is not None:
                terms = self._terms_to_cover(own)
                weights = self._weights(terms)
                # a topic of its own (two words that tell evidence apart), not "它建成后叫什么"
                # whose topic is the thing pointed at
                if sum(1 for t in terms if t.hard and weights[t.text] >= 1.0) < 2:
                    own = None
            draft = self.answer(own, user_districts, k) if own and own.kind not in ("across", "comparison") else None
            new = [e for e in (draft.evidence if draft and not draft.refused and not draft.open_parts else ()) if e.unit not in taken]
            if not new:
                still.append(part)
                continue
            found.extend(new[:1])
            taken.add(new[0].unit)
        return still, found

    def _clearly_not_stated(
        self, part: QuestionAnalysis, chosen: Sequence[Evidence], pool: Sequence[Evidence], points_back: bool = False
    ) -> bool:
        """A later part is named as not stated when what it asks for is missing (a figure, a
        time, a sum of money) or the judge is confident, not merely unsure: its topic is the
        first part's, found already, and its own few words weigh less than a question's.
        A part pointing back that asks when ("这个标准具体哪一年到位？") asks the time of what
        was found: a time the evidence states answers it, whatever verb it is asked with."""
        terms = self._terms_to_cover(part)
        verdict = self._judge(part, terms, self._weights(terms), chosen, pool, per_district=False, scope=part.districts)
        missing = verdict.features.get("number_missing") or verdict.features.get("money_missing") or verdict.features.get("achieved_missing")
        if points_back and part.asks_time and not missing:
            return False
        return bool(missing) or verdict.score < self.judge.model.threshold / 2

    def _asks_own(self, part: str, lang: str) -> bool:
        """Whether a later part asks something of its own: a word naming a topic (not a
        pointer or question word: 这些, 哪些地方), a sum of money, a year or an indicator-table column. An elliptical
        part only asks more about what the first part found."""
        own = analyze(part, self.index.districts)
        terms = key_terms(part, lang, self.lexicon, own.places)
        return (
            own.asks_money or own.asks_table or own.asks_time or bool(own.years)
            or any(names_a_topic(t) and not _POINTING.match(t.text) for t in terms)
            # English words the glossary cannot put into Chinese still say what is asked
            or (lang == "en" and bool(unmapped_english_words(part, own.places)))
        )

    def _part_analysis(self, part: str, whole: QuestionAnalysis) -> QuestionAnalysis:
        """One part of a question, analysed on its own, about the districts the whole names."""
        part_analysis = analyze(part, self.index.districts)
        if whole.districts and not part_analysis.districts:
            part_analysis = analyze(_with_districts(part, whole), self.index.districts)
        return part_analysis

    @staticmethod
    def _open_tail(analysis: QuestionAnalysis, open_parts: Sequence[str]) -> str:
        """The sentence naming the parts of a question the documents leave open."""
        asked = [single_clause(_asked(p), analysis.lang) for p in open_parts]  # one clause per part
        if analysis.lang == "en":
            return " ".join(f"The documents do not say: {q}?" for q in asked)
        return "".join(f"文件中未提及：{q}。" for q in asked)

    def _answer_parts(
        self,
        analysis: QuestionAnalysis,
        parts: Sequence[QuestionAnalysis],
        user_districts: Sequence[str] | None,
        chunk_hits: Sequence[ScoredChunk],
        k: int,
    ) -> Draft:
        """A question asking several separate things: each part is answered (or not) on its
        own, and the answer says which parts the documents leave open (a partial answer)."""
        drafts: list[Draft] = []
        for part in parts:
            cited = frozenset(e.unit for d in drafts for e in d.evidence)
            drafts.append(self.answer(part, user_districts, k, cited))
        answered = [(p, d) for p, d in zip(parts, drafts, strict=True) if not d.refused]
        verdicts = tuple(v for d in drafts for v in d.verdicts)
        if not answered:
            best = max((v for _, v, _ in verdicts), key=lambda v: v.score, default=Verdict(False, 0.0, "no_evidence"))
            return self._refuse(analysis, chunk_hits, k, best, verdicts)
        firsts: dict[str, Evidence] = {}
        for _, draft in answered:
            for e in draft.evidence:
                firsts.setdefault(e.unit.unit_id, e)  # one claim per passage, though two parts found it
        chosen = list(firsts.values())
        pool = [e for _, d in answered for e in d.evidence]

        def computed(p: QuestionAnalysis) -> Conclusion | None:
            terms = self._terms_to_cover(p)
            return (
                row_comparison(p, chosen, analysis.question)
                or total_clause(p, chosen, analysis.question)
                or change_clause(p, chosen, figure_anchors(terms, self._weights(terms)))  # "跟2015年比多活了多久"
            )

        def agreement(p: QuestionAnalysis) -> Conclusion | None:  # "…是哪一年？主方案和附件4的说法一致吗？"
            return rate_consistency_clause(p, chosen) or consistency_clause(p, chosen, pool)

        computed_by, agreed_by = [computed(p) for p in parts], [agreement(p) for p in parts]
        conclude = next((c for c in computed_by if c is not None), None) or next((c for c in agreed_by if c is not None), None)
        # a part the computed verdict answers is not left open
        open_parts = [
            p.question
            for p, d, c, a in zip(parts, drafts, computed_by, agreed_by, strict=True)
            if d.refused and not self._answered_by(p, chosen, d.evidence) and c is None and a is None
        ]
        tail = self._open_tail(analysis, open_parts)
        # each district's claims under its own name, in the order the parts ask them
        groups = _by_district(chosen)
        terms = [t for p, _ in answered for t in self._terms_to_cover(p)]
        return self._compose(
            analysis, terms, groups, chosen, chunk_hits, k, tail=tail, open_parts=open_parts, verdicts=verdicts,
            conclude=conclude,
        )

    def _answered_by(self, part: QuestionAnalysis, chosen: Sequence[Evidence], pool: Sequence[Evidence]) -> bool:
        """Whether evidence found for the other parts also answers this one (one sentence
        often states both: "名中医工作室建设15个,通过师带徒…培养青年医师30名")."""
        terms = self._terms_to_cover(part)
        # of another period than the one this part asks about ("十四五期间计划再引进多少" is
        # not answered by the first part's "“十三五”期间，共引进…")
        chosen = [e for e in chosen if periods_agree(part.question, stated_text(e.unit))]
        return bool(chosen) and self._judge(
            part, terms, self._weights(terms), chosen, pool, per_district=False, scope=part.districts
        ).answerable

    def _with_feedback(
        self, analysis: QuestionAnalysis, terms: tuple[Term, ...], candidates: Mapping[Unit, float]
    ) -> tuple[tuple[Term, ...], dict[str, float]]:
        """An English question's terms with its general words in the Chinese of the best
        candidates (``qa.terms.feedback_terms``), and their weights."""
        best = sorted(candidates.items(), key=lambda kv: -kv[1])[:FEEDBACK_PASSAGES]
        extra = [
            t for t in feedback_terms(analysis.question, self.lexicon, analysis.places, [u.text for u, _ in best])
            if all(t.text not in o.forms() for o in terms)
        ]
        terms = (*terms, *extra)
        return terms, self._weights(terms)

    def _search_query(self, analysis: QuestionAnalysis, terms: Sequence[Term]) -> str:
        """The question, plus (for English) its Chinese terms and the plans' other words for
        its terms (签约率 / 签约覆盖率, 大夫 / 医生), so BM25 meets the plans' wording."""
        query = analysis.question
        if analysis.lang == "en":
            query = f"{query} {' '.join(t.text for t in terms)}"
        variants = [
            v for t in terms for v in (*t.alternatives, *(x.form for x in t.variants[:3] if t.hard)) if v not in query
        ]
        if variants:
            query = f"{query} {' '.join(dict.fromkeys(variants))}"
        return query

    def _judge(
        self,
        analysis: QuestionAnalysis,
        terms: Sequence[Term],
        weights: dict[str, float],
        chosen: Sequence[Evidence],
        pool: Sequence[Evidence],
        *,
        per_district: bool,
        paired: bool = False,
        scope: Sequence[str] = (),
    ) -> Verdict:
        """The judge's verdict on ``chosen``; ``scope`` names the districts whose plans the
        question is about (none: the whole corpus)."""
        if not chosen:
            return self.judge.judge(None)
        features = evidence_features(
            terms,
            weights,
            chosen,
            english=analysis.lang == "en",
            per_district=per_district,
            asks_number=analysis.asks_quantity or analysis.asks_table,
            # no pool of its own: no margin over it; near-copies from other regions count once
            pool=self.index.families.once(pool, lambda e: e.unit) or chosen,
            paired=paired,
            asks_money=analysis.asks_money,
            plans_text=self._plans_text(scope),
            asks_time=analysis.asks_time,
            asks_share=analysis.asks_share,
            asked_unit=analysis.asked_unit,
            asks_rate=analysis.asks_rate,
            asks_achieved=analysis.asks_achieved,
        )
        return self.judge.judge(features)

    def _plans_text(self, scope: Sequence[str]) -> str:
        """All the text of the plans of ``scope`` (every plan when it is empty)."""
        if len(scope) <= 1:
            return self._scope_texts.get(tuple(scope), "")
        return "\n".join(self._scope_texts.get((d,), "") for d in scope)

    def _select(
        self, ranked: Sequence[Evidence], terms: Sequence[Term], weights: dict[str, float], cited: frozenset[Unit] = frozenset()
    ) -> list[Evidence]:
        cfg = self.config
        return select_claims(ranked, terms, weights, cfg.max_claims, cfg.follow_score_ratio, cited=cited)

    def _second_hop(
        self,
        analysis: QuestionAnalysis,
        plan: RetrievalPlan,
        terms: Sequence[Term],
        weights: dict[str, float],
        claims: list[Evidence],
        candidates: dict[Unit, float],
        qvec: np.ndarray,
    ) -> list[Evidence]:
        """Multi-part questions: search again for the terms still missing, together with the
        entities the first evidence names (the hospital the question refers back to); the
        entities count as terms, so evidence about the same hospital wins."""
        missing = uncovered_terms(terms, claims)
        bridges = bridge_entities(claims, analysis.question, self.lexicon.attested)
        query = " ".join([*bridges, *(t.text for t in missing)])
        filters = Filters(districts=frozenset(plan.districts)) if plan.districts else None
        hits = self.index.retrieve(query, top_k=20, filters=filters, kinds=("sentence", "table_row"))
        merged = dict(candidates)
        for unit, score in collect_candidates(hits, self.lookup).items():
            merged[unit] = max(merged.get(unit, 0.0), score * 0.8)
        extra = [Term(b) for b in bridges[:1]]
        terms2 = [*terms, *extra]
        weights2 = {**weights, **{t.text: float(np.median(list(weights.values()) or [1.0])) for t in extra}}
        units = list(merged)
        ranked = score_candidates(
            merged, analysis, terms2, weights2, qvec, self.index.vectors_for(units), self.index.documents
        )
        cfg = self.config
        again = select_claims(ranked, terms2, weights2, cfg.max_claims, cfg.follow_score_ratio)
        return again if len(uncovered_terms(terms, again)) < len(missing) else claims

    def _follow_references(
        self, analysis: QuestionAnalysis, plan: RetrievalPlan, claims: list[Evidence], qvec: np.ndarray
    ) -> dict[str, Evidence]:
        """"…哪家医院…？这家医院会迁到哪里?": a later part that refers back is asked again
        about the entity the evidence found; its best evidence naming that entity, by part."""
        parts = question_parts(analysis.question)
        if len(parts) < 2:
            return {}
        # all the organisations named: a part may describe which one it means
        bridges = bridge_entities(claims, analysis.question, self.lexicon.attested, limit=MAX_REFERENTS)
        if not bridges:
            return {}
        found: dict[str, Evidence] = {}
        filters = Filters(districts=frozenset(plan.districts)) if plan.districts else None
        named = [b for b in bridges if named_in(analysis.question, b, self.index.districts)]
        for part in parts[1:]:
            # a part pointing at one organisation by kind ("那家医院") is asked however much
            # the first part found; a bare "它" only while the answer is short
            full = len(claims) + len(found) >= self.config.max_claims + 1 and not POINTER_NOUN.search(part)
            if not refers_back(part) or full:
                continue
            best = None
            for bridge in referents(part, bridges, named, " ".join(stated_text(e.unit) for e in claims))[:2]:
                best = self._about(bridge, part, analysis, filters, {e.unit for e in (*claims, *found.values())})
                if best:
                    break  # the likeliest organisation named in evidence that answers the part
            if best:
                hit = best[1]
                found[part] = Evidence(hit.unit, hit.district, 0.0, 0.0, hit.score, True, False, hit.score)
        return found

    def _about(
        self, bridge: str, part: str, analysis: QuestionAnalysis, filters: Filters | None, taken: set[Unit]
    ) -> tuple[float, ScoredChunk] | None:
        """The best hit of a search for a later part about ``bridge`` that names it (or the
        part of its name that tells it apart, ``bridge_key``), with how many of the part's
        words it matches."""
        hits = self.index.retrieve(f"{bridge} {part}", top_k=10, filters=filters, kinds=("sentence", "table_row"))
        part_terms = [t for t in key_terms(part, analysis.lang, self.lexicon, analysis.places) if t.text not in bridge]
        key = bridge_key(bridge)
        best = None
        for hit in hits:
            unit = hit.unit
            if not (bridge in unit.text or key in unit.text) or unit in taken:
                continue
            gain = sum(term_match(t, unit.text) for t in part_terms)
            if best is None or gain > best[0]:
                # no word of the part matched ("会迁到哪里": only the pronoun's noun): the
                # search for the entity and the part ranks first what answers it
                best = (gain, hit)
        return best

    def _outside(self, analysis: QuestionAnalysis) -> tuple[str, ...]:
        """Places the corpus does not cover: districts no document belongs to always (their
        plans are not here), other places only when no document even mentions them (三明 and
        福建 are named as the model the plans learn from, so a question about them is in scope).
        A district's short name inside a word the plans use (安宁 in 安宁疗护) names no place,
        nor does an English name before an institution's noun when the plans use the name in
        Chinese ("Tongren Hospital": 同仁 of 同仁医院, not the city of Tongren;
        ``Lexicon.pinyin_forms``)."""
        texts = [doc.text for doc in self.index.documents.values()]
        known = self.index.districts
        words = {d.name for d in find_districts(analysis.question, known)} - {
            d.name for d in find_districts(analysis.question, known, uses=self.lexicon)
        }
        return tuple(
            p for p in analysis.outside_places
            if p not in words
            and not (p.isascii() and names_an_institution(p, analysis.question) and self.lexicon.pinyin_forms(p))
            and (names_a_district(p) or not any(
                n in t for t in texts for n in (p, p.title(), *(x for r in regions_named(p) for x in (r.name, r.short)))
            ))
        )

    def _answer_per_district(
        self,
        analysis: QuestionAnalysis,
        plan: RetrievalPlan,
        terms: Sequence[Term],
        ranked: Sequence[Evidence],
        chunk_hits: Sequence[ScoredChunk],
        k: int,
        qvec: np.ndarray,
    ) -> Draft:
        weights = self._weights(terms)
        per = select_per_district(
            ranked, terms, weights, plan.districts, self.config, comparison=analysis.is_comparison
        )
        pair, anchors = None, []
        if analysis.is_comparison and len(plan.districts) >= 2:
            pools = by_district(ranked, plan.districts)
            anchors = figure_anchors(terms, weights)
            sides = [(d, per[d], pools[d]) for d in plan.districts]
            pair = figure_pair(sides, anchors)
            if pair is not None:
                # each side's sentences stating a figure of the other side's kind, however worded
                counterparts, partners = self._counterparts(analysis, terms, weights, sides, anchors, pair, qvec)
                pair = figure_pair(sides, anchors, counterparts, partners) or pair
            if pair is not None:
                per = {**per, **{d: self._leading(e, per[d]) for d, e, _ in pair}}
        paired = {d for d, _, _ in pair} if pair is not None and comparable(pair[0][2], pair[1][2]) else set()
        pool = self.index.families.once(ranked, lambda e: e.unit)  # one pass for every district's verdict
        judged = tuple(
            (
                d,
                self._judge(analysis, terms, weights, per[d], pool, per_district=True, paired=d in paired, scope=(d,)),
                tuple(per[d]),
            )
            for d in plan.districts
        )
        if len(paired) == 2 and names_anchor(pair, anchors):
            judged = self._judge_pair(analysis, terms, weights, pair, per, pool, judged)
        answered = [d for d, verdict, _ in judged if verdict.answerable]
        silent = [d for d in plan.districts if d not in answered]
        if not answered:
            best = max(judged, key=lambda j: j[1].score)[1] if judged else self.judge.judge(None)
            return self._refuse(analysis, chunk_hits, k, best, judged)
        groups = [(d, [Claim(e.unit, d) for e in per[d]]) for d in answered]
        chosen = [e for d in answered for e in per[d]]
        lead, tail, notes = "", "", []
        if analysis.is_across:
            lead = (f"共{len(answered)}个区：" if analysis.lang == "zh" else f"{len(answered)} of the {len(plan.districts)} districts: ")
            if silent:
                tail = silent_note(analysis.lang, len(plan.districts), len(silent))
                notes.append("checked, nothing found: " + "、".join(silent))
        elif silent:
            names = "、".join(silent) if analysis.lang == "zh" else ", ".join(district_english(d) for d in silent)
            tail = f"{names}的文件未提及。" if analysis.lang == "zh" else f"The {names} plan does not say."
        conclude = None
        if pair is not None and all(d in answered for d, _, _ in pair):
            conclude = _then(comparison_clause(analysis, pair), pair_total_clause(analysis, pair))
        return self._compose(analysis, terms, groups, chosen, chunk_hits, k, lead, tail, tuple(notes), judged, conclude)

    def _counterparts(
        self,
        analysis: QuestionAnalysis,
        terms: Sequence[Term],
        weights: dict[str, float],
        sides: Sequence[tuple[str, Sequence[Evidence], Sequence[Evidence]]],
        anchors: Sequence[str],
        pair: tuple[Side, Side],
        qvec: np.ndarray,
    ) -> tuple[dict[str, list[Evidence]], dict[Unit, frozenset[Unit]]]:
        """Each side's sentences that state a figure of the other side's kind: beside the
        question's words, or worded most like one of the other side's figure sentences that
        name the topic (with those sentences, its partners). Two plans state one indicator in
        different words (签约率 / 签约覆盖率), and retrieval by the question's words may rank
        only one of them."""
        near = figure_anchors(terms, weights, heads=False)
        found: dict[str, list[Evidence]] = {}
        partners: dict[Unit, frozenset[Unit]] = {}
        own = {
            district: [
                u for doc in self.index.documents.values() if doc.district == district
                for u in (*doc.sentences, *doc.table_rows)
            ]
            for district, _, _ in sides[:2]
        }
        for (_, _, figure), (district, _, _) in (pair, pair[::-1]):
            units = [u for u in own[district] if states_counterpart(u, figure, near)]
            found[district] = units
        vectors: dict[str, np.ndarray] = {}  # each district's, fetched once for both directions
        for this, other in (sides[:2], sides[1::-1]):
            sources = [side for _, local, side in sorted(figure_options(*this, anchors), key=lambda o: -o[0]) if local]
            if not sources:
                continue
            for d in (this[0], other[0]):
                if d not in vectors:
                    vectors[d] = self.index.vectors_for(own[d])
            for _, evidence, figure in sources[:ALIGNED_SOURCES]:
                (vector,) = self.index.vectors_for([evidence.unit])
                aligned = aligned_counterpart(
                    figure, (evidence.unit, vector), own[other[0]], vectors[other[0]], own[this[0]], vectors[this[0]]
                )
                if aligned is not None:
                    partners[aligned] = partners.get(aligned, frozenset()) | {evidence.unit}
                    found[other[0]] = [*found[other[0]], aligned]
        scored: dict[str, list[Evidence]] = {}
        for district, units in found.items():
            units = list(dict.fromkeys(units))
            if units:
                scored[district] = score_candidates(
                    dict.fromkeys(units, 0.0), analysis, terms, weights, qvec, self.index.vectors_for(units),
                    self.index.documents,
                )
        return scored, partners

    def _judge_pair(
        self,
        analysis: QuestionAnalysis,
        terms: Sequence[Term],
        weights: dict[str, float],
        pair: tuple[Side, Side],
        per: Mapping[str, Sequence[Evidence]],
        pool: Sequence[Evidence],
        judged: Judged,
    ) -> Judged:
        """A comparison whose two sides give figures of one kind, each beside the question's
        words, is judged as one question on both sides' evidence: the plans word one topic
        differently (服务半径 / 急救半径) and a qualifier of one side (长宁's 区域医疗中心) is
        missing from the other, so neither side alone covers the question."""
        both = [e for d, _, _ in pair for e in per[d]]
        scope = tuple(d for d, _, _ in pair)
        joint = self._judge(analysis, terms, weights, both, pool, per_district=False, paired=True, scope=scope)
        if not joint.answerable:
            return judged
        # each side keeps its own features: the judge's model is fitted on sides judged alone
        accepted = {d: replace(v, answerable=True, score=joint.score, reason="answered") for d, v, _ in judged}
        return tuple((d, accepted[d] if d in scope else v, c) for d, v, c in judged)

    def _leading(self, lead: Evidence, chosen: Sequence[Evidence]) -> list[Evidence]:
        """A district's claims with ``lead`` among them, within the per-district cap."""
        if lead in chosen:
            return list(chosen)
        kept = [lead, *chosen][: self.config.max_claims_per_district]
        return sorted(kept, key=lambda e: (e.unit.doc_id, e.unit.start))

    def _compose(
        self,
        analysis: QuestionAnalysis,
        terms: Sequence[Term],
        groups: list[tuple[str | None, list[Claim]]],
        chosen: Sequence[Evidence],
        chunk_hits: Sequence[ScoredChunk],
        k: int,
        lead: str = "",
        tail: str = "",
        notes: tuple[str, ...] = (),
        verdicts: Judged = (),
        conclude: Conclusion | None = None,
        open_parts: Sequence[str] = (),
    ) -> Draft:
        cites = CitationList(self.index.documents)
        want_number = analysis.asks_quantity or analysis.asks_table
        texts = {c.unit: unit_focus(c.unit, terms, analysis.numbers, want_number) for _, cs in groups for c in cs}
        groups, texts = merge_adjacent(groups, texts, self.index.documents)
        compose = compose_en if analysis.lang == "en" else compose_zh
        text = compose(groups, texts, cites, lead, "")
        if conclude is not None:  # a computed comparison, citing the figures it compares
            verdict_text = conclude(cites)
            if verdict_text:
                text = f"{text}{'' if analysis.lang == 'zh' else ' '}{verdict_text}"
        text = f"{text}{'' if analysis.lang == 'zh' else ' '}{tail}".strip() if tail else text
        passages = self._passages([e.unit for e in chosen], chunk_hits, k)
        asked = tuple(_asked(p) for p in open_parts)
        notes = (*notes, *(f"unanswered part: {a}" for a in asked))
        return Draft(text, False, tuple(cites.citations), passages, notes, tuple(chosen), verdicts, asked)

    def answer_source(self, topic: QuestionAnalysis, ask: SourceAsk, said: str, lang: str, k: int | None = None) -> Draft:
        """Where the statement the chat was about comes from ("这个出自哪份文件？第几条？"):
        the topic question is answered again to find the statement (of those it cites, the
        one the chat's last answer, ``said``, speaks of), then its document's title line,
        signature and headings are cited (``qa.source``). The topic not stated: a refusal."""
        prior = self.answer(topic, passages_k=k)
        statement = statement_for([e.unit for e in prior.evidence], said)
        if prior.refused or statement is None:
            return prior
        district = next(e.district for e in prior.evidence if e.unit == statement)
        facts = source_facts(self.index.documents[statement.doc_id], statement, ask)
        cites = CitationList(self.index.documents)
        numbers = [cites.number(f.unit, district) for f in facts]
        text = source_text(facts, numbers, lang, district, district_english(district) if district else "")
        own = self._passages([f.unit for f in facts], (), k or self.passages_k)
        held = {(p.doc_id, p.start, p.end) for p in own}
        passages = (*own, *(p for p in prior.passages if (p.doc_id, p.start, p.end) not in held))
        return Draft(text, False, tuple(cites.citations), passages[: k or self.passages_k], ("source of the statement",), (), prior.verdicts)

    def settle_follow_up(self, analysis: QuestionAnalysis, draft: Draft, follow_up: str) -> Draft:
        """The answer to a follow-up asked with the chat's topic question before it: a
        refusal when the documents leave every part of the follow-up open, since what they
        do state (the topic) was the earlier turn's answer."""
        if draft.refused or not follow_up_left_open(follow_up, draft.open_parts):
            return draft
        text = refusal_text(analysis, self.index.districts, "not_stated")
        return Draft(text, True, (), draft.passages, ("refused: not_stated",), (), draft.verdicts)

    def _refuse(
        self,
        analysis: QuestionAnalysis,
        chunk_hits: Sequence[ScoredChunk],
        k: int,
        verdict: Verdict,
        verdicts: Judged = (),
    ) -> Draft:
        text = refusal_text(analysis, self.index.districts, verdict.reason)
        passages = self._passages([], chunk_hits, k)
        return Draft(text, True, (), passages, (f"refused: {verdict.reason}",), (), verdicts)

    def _passages(self, cited: Sequence[Unit], chunk_hits: Sequence[ScoredChunk], k: int) -> tuple[Passage, ...]:
        """Chunks holding the cited sentences first, then the other retrieved chunks."""
        docs = self.index.documents
        ordered: list[tuple[Unit, float]] = []
        seen: set[tuple[str, int, int]] = set()
        for unit in cited:
            holder = next(
                (c for c in docs[unit.doc_id].chunks if c.start <= unit.start and unit.end <= c.end),
                None,
            )
            span = holder or unit
            ordered.append((span, 1.0))
        ordered.extend((h.unit, h.score) for h in chunk_hits)
        passages = []
        for unit, score in ordered:
            key = (unit.doc_id, unit.start, unit.end)
            if key in seen:
                continue
            seen.add(key)
            doc = docs[unit.doc_id]
            passages.append(
                Passage(unit.doc_id, unit.start, unit.end, doc.text[unit.start : unit.end], score, doc.district, unit.section)
            )
            if len(passages) >= k:
                break
        return tuple(passages)
