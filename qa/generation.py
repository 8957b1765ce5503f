"""Let the optional LLM phrase the answer from the extractive draft's evidence, then prove it.

The generator sees the sentences the extractive answerer gathered (numbered), writes an
answer with [n] markers, and ``ground_generated`` keeps only clauses whose citations hold.
If too little survives, or the endpoint fails, the extractive draft is returned instead and
the Answer says so in ``mode`` and ``notes``.
"""

from __future__ import annotations

from qa.analysis import QuestionAnalysis
from qa.answerer import Draft, ExtractiveAnswerer
from qa.generator import Generator, GeneratorError, SourceSentence
from qa.grounding import ground_generated

MAX_SOURCES = 12


def sources_for(draft: Draft, answerer: ExtractiveAnswerer) -> list[SourceSentence]:
    """The draft's chosen evidence first, then the next best candidates, numbered from 1."""
    docs = answerer.index.documents
    units = []
    for e in draft.evidence:
        if e.unit not in units:
            units.append(e.unit)
    return [SourceSentence.from_unit(n, u, docs[u.doc_id].district) for n, u in enumerate(units[:MAX_SOURCES], 1)]


def generate_grounded(
    generator: Generator, analysis: QuestionAnalysis, draft: Draft, answerer: ExtractiveAnswerer
) -> tuple[Draft, str, tuple[str, ...]]:
    """(draft to return, mode, notes): the grounded generation, or the extractive fallback."""
    sources = sources_for(draft, answerer)
    if not sources:
        return draft, "extractive", draft.notes
    try:
        text = generator.generate(analysis.question, analysis.lang, sources)
    except GeneratorError as exc:
        return draft, "extractive-fallback", (*draft.notes, f"generator failed: {exc}")
    grounded = ground_generated(text, sources, answerer.index.documents, answerer.lexicon)
    if grounded.refused or not grounded.passes():
        note = f"generator: kept {grounded.kept}/{grounded.total} clauses; extractive answer returned"
        return draft, "extractive-fallback", (*draft.notes, note)
    generated = Draft(grounded.answer, False, grounded.citations, draft.passages, draft.notes, draft.evidence)
    return generated, "generated", (*draft.notes, f"generator: kept {grounded.kept}/{grounded.total} clauses")
