"""Keep only what a generated draft can prove: clauses whose [n] point at sentences that say it.

A model can cite a number that does not exist, cite a real sentence that is about something
else, change a figure, or not cite at all. Each of those clauses is dropped here, the survivors'
markers are renumbered 1..k by first appearance, and each becomes a ``Citation`` carrying the
source sentence's real offsets. What is left is exactly what ``qa.verify`` accepts, and
``kept``/``total`` tell the engine whether enough survived to be worth returning.

Support is lexical on purpose: a clause must share content with the sentence it cites
(character bigrams for Chinese, words for English, numbers for both), every number it states
must appear in a cited sentence, and a district it names must be the cited sentence's district.
English drafts quote the Chinese source phrase (the English prompt asks for it), which is what
makes a cross-language check possible without a model.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from ingest.regions import find_districts, scope_of
from kernel.types import Citation, Document
from qa.generator import SourceSentence
from qa.verify import MARKER_RE, Clause, has_content, is_lead_in, is_refusal, split_clauses

MIN_SHARED = 2  # content tokens a clause must share with a cited sentence
MIN_SHARE_RATIO = 0.2  # ... and this share of the clause's own content tokens
MIN_KEPT_RATIO = 0.5  # below this share of claims kept, the engine should fall back

# [1,3] / [1-3] / 【1】 / ［１］ as some chat models write them, normalised to [1][3].
_LOOSE_MARKER_RE = re.compile(r"[\[【［]\s*(\d{1,3}(?:\s*(?:[,，、]|[-–~])\s*\d{1,3})*)\s*[\]】］]")
_CJK_RUN_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_WORD_RE = re.compile(r"[a-z]+")
_NUMBER_RE = re.compile(r"\d+(?:\.\d+)?")
_COUNT_LEAD_RE = re.compile(
    r"^[^：:\[\n]{0,8}(?:[0-9一二两三四五六七八九十几]+\s*个|(?:one|two|three|four|five|six|seven|\d+)\s+district)"
    r"[^：:\[\n]{0,16}[：:]\s*",
    re.IGNORECASE,
)
_EN_STOPWORDS = frozenset(
    "the and for with that this from are was were will has have had its their into than also such "
    "which what who when where how both each all any per by to of in on at as or an be is it a".split()
)


@lru_cache(maxsize=64)
def _district_tokens(known: frozenset[str]) -> frozenset[str]:
    """Tokens that only name a district of the corpus's cities (``known``: the corpus's
    districts): they are no support for a claim."""
    tokens: set[str] = set()
    for d in scope_of(known).districts:
        for name in (d.name, d.short):
            tokens.update(name[i : i + 2] for i in range(len(name) - 1))
        tokens.update(_WORD_RE.findall(" ".join((d.english, *d.spellings)).lower()))
    return frozenset(tokens | {"district", "districts"})


@dataclass(frozen=True)
class GroundedText:
    """A draft reduced to its supported clauses.

    ``kept``/``total`` count claim clauses (refusals, lead-ins and fragments are not claims);
    ``dropped`` holds the dropped clause texts and ``reasons`` why, index for index.
    ``refused`` is true when nothing was claimed and the draft says the documents are silent.
    """

    answer: str
    citations: tuple[Citation, ...]
    dropped: tuple[str, ...]
    kept: int
    total: int
    refused: bool
    reasons: tuple[str, ...] = ()

    def passes(self, min_ratio: float = MIN_KEPT_RATIO) -> bool:
        """Whether enough survived to return it instead of the extractive answer."""
        return self.kept > 0 and self.kept / max(self.total, 1) >= min_ratio


def normalise_markers(text: str) -> str:
    """Rewrite loose marker forms ([1,3], [1-3], 【1】, ［１］) as adjacent ``[n]`` markers."""

    def expand(m: re.Match[str]) -> str:
        numbers: list[int] = []
        for part in re.split(r"\s*[,，、]\s*", m.group(1)):
            bounds = [int(x) for x in re.split(r"\s*[-–~]\s*", part)]
            if len(bounds) == 2 and 0 <= bounds[1] - bounds[0] <= 10:
                numbers.extend(range(bounds[0], bounds[1] + 1))
            else:
                numbers.extend(bounds)
        return "".join(f"[{n}]" for n in numbers)

    return _LOOSE_MARKER_RE.sub(expand, text)


def content_tokens(text: str) -> set[str]:
    """Character bigrams of Chinese runs, English words (3+ letters, not stopwords), numbers."""
    t = unicodedata.normalize("NFKC", MARKER_RE.sub(" ", text)).lower()
    t = re.sub(r"(?<=\d),(?=\d{3})", "", t)
    tokens: set[str] = set()
    for run in _CJK_RUN_RE.findall(t):
        tokens.update({run} if len(run) == 1 else {run[i : i + 2] for i in range(len(run) - 1)})
    tokens.update(w for w in _WORD_RE.findall(t) if len(w) >= 3 and w not in _EN_STOPWORDS)
    tokens.update(f"#{n}" for n in numbers_in(t))
    return tokens


def numbers_in(text: str) -> set[str]:
    """Arabic numbers as written (NFKC, thousands separators removed, trailing .0 dropped)."""
    t = re.sub(r"(?<=\d),(?=\d{3})", "", unicodedata.normalize("NFKC", text))
    return {n[:-2] if n.endswith(".0") else n for n in _NUMBER_RE.findall(t)}


def _support_problem(
    clause: Clause, cited: list[SourceSentence], known: frozenset[str], uses: Callable[[str], bool] | None = None
) -> str | None:
    """Why the cited sentences do not support this clause, or None when they do (``known``:
    the corpus's districts; ``uses``: whether the plans use a string, so that 安宁 in 安宁疗护
    names no district, as in the question's analysis)."""
    body = clause.body
    cited_districts = {s.district for s in cited if s.district}
    named = {d.name for d in find_districts(body, known, uses)}
    if named and cited_districts and not named & cited_districts:
        return f"names {', '.join(sorted(named))} but cites {', '.join(sorted(cited_districts))}"
    missing = numbers_in(body) - set().union(*(numbers_in(s.text) for s in cited))
    if missing:
        return f"states {', '.join(sorted(missing))} not found in the cited source"
    own = content_tokens(body) - _district_tokens(known)
    if not own:
        return None if named else "has nothing to check against its source"
    for s in cited:
        shared = own & content_tokens(" ".join((*s.section, s.text)))
        if len(shared) < MIN_SHARED or len(shared) < MIN_SHARE_RATIO * len(own):
            return f"shares too little with source [{s.number}]"
    return None


def _check_sources(sources: Sequence[SourceSentence], documents: Mapping[str, Document]) -> None:
    for s in sources:
        doc = documents.get(s.doc_id)
        if doc is None or not (0 <= s.start < s.end <= len(doc.text)) or doc.text[s.start : s.end] != s.text:
            raise ValueError(f"source [{s.number}] does not match {s.doc_id}[{s.start}:{s.end}]")


def ground_generated(
    text: str,
    sources: Sequence[SourceSentence],
    documents: Mapping[str, Document],
    uses: Callable[[str], bool] | None = None,
) -> GroundedText:
    """Drop unsupported clauses from a generated draft and cite the rest with real offsets
    (``uses``: the corpus's word table, ``qa.lexicon.Lexicon``: a district's short name
    inside the plans' word is no district the clause names)."""
    _check_sources(sources, documents)
    known = frozenset(d.district for d in documents.values() if d.district)
    by_number = {s.number: s for s in sources}
    clauses = split_clauses(normalise_markers(text))
    kept_spans: list[str] = []
    dropped: list[str] = []
    reasons: list[str] = []
    order: list[int] = []  # old source numbers in order of first kept appearance
    kept = total = 0
    saw_refusal = False
    for clause in clauses:
        if not clause.markers:
            if not has_content(clause.text) or is_lead_in(clause) or is_refusal(clause.text):
                saw_refusal = saw_refusal or is_refusal(clause.text)
                kept_spans.append(clause.text)
                continue
            problem: str | None = "has no citation"
        else:
            unknown = [n for n in clause.markers if n not in by_number]
            if unknown:
                problem = f"cites [{']['.join(map(str, unknown))}] which is not a source"
            else:
                problem = _support_problem(clause, [by_number[n] for n in dict.fromkeys(clause.markers)], known, uses)
        total += 1
        if problem:
            dropped.append(clause.text.strip())
            reasons.append(problem)
            continue
        kept += 1
        order.extend(n for n in clause.markers if n not in order)
        kept_spans.append(clause.text)
    renumber = {old: new for new, old in enumerate(order, start=1)}
    answer = MARKER_RE.sub(lambda m: f"[{renumber[int(m.group(1))]}]", "".join(kept_spans)).strip()
    if kept == 0 and not saw_refusal:
        answer = ""
    elif dropped:
        answer = _COUNT_LEAD_RE.sub("", answer, count=1)
    answer = _close(answer)
    citations = tuple(by_number[old].to_citation() for old in order)
    return GroundedText(
        answer=answer,
        citations=citations,
        dropped=tuple(dropped),
        kept=kept,
        total=total,
        refused=kept == 0 and saw_refusal,
        reasons=tuple(reasons),
    )


def _close(answer: str) -> str:
    """End on a full stop when dropping left a clause ending in ；/，."""
    if answer and answer[-1] in "；;，,、":
        return answer[:-1] + ("。" if _CJK_RUN_RE.search(answer) else ".")
    return answer
