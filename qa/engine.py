"""``PolicyQA``: the one object the CLI, HTTP API, UI and evaluation harness talk to.

It holds an immutable snapshot (index + answerer). ``ask`` reads the current snapshot
without locking; ``add_documents`` builds a new index on disk and swaps the snapshot in
one assignment, so a reader always sees one consistent index, never a mix.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from ingest import settings
from ingest.region_overrides import with_region, write_overrides
from ingest.regions import DocumentRegion, district_by_name
from kernel.errors import DocumentNotFoundError, IndexNotBuiltError, UnsupportedDocumentError
from kernel.types import Answer, Document, Passage
from qa import staging
from qa.analysis import analyze, detect_language
from qa.answerer import Draft, ExtractiveAnswerer
from qa.source import source_ask
from qa.validation import validate_question, validate_top_k

Progress = Callable[[str, float], None]

# Warm-up questions (``PolicyQA.warm_up``): an English one that names a district and a
# capitalised place abroad, and a follow-up to it.
_WARM_UP_ENGLISH = "What is the family doctor sign-up target in Changning by 2025, compared with London?"
_WARM_UP_FOLLOW_UP = "What about Minhang?"


@dataclass(frozen=True)
class _Snapshot:
    index: object  # index.HybridIndex
    answerer: ExtractiveAnswerer


def _corpus_documents(corpus_dir: Path, uploads_dir: Path) -> list[Document]:
    """The document set (``ingest.document_set``); a bad upload is reported and skipped rather
    than stopping the whole system from starting."""
    from ingest.document_set import document_set

    found = document_set(corpus_dir, uploads_dir)
    for failure in found.skipped:
        print(f"policyqa: skipped upload {failure.path}: {failure.reason}", file=sys.stderr)
    return list(found.documents)


class PolicyQA:
    """Grounded question answering over an index of plans. Thread-safe."""

    def __init__(self, index: object, *, index_dir: Path, corpus_dir: Path, generator: object | None = None) -> None:
        self._snapshot = _Snapshot(index, ExtractiveAnswerer(index))  # type: ignore[arg-type]
        self._index_dir = index_dir
        self._corpus_dir = corpus_dir
        self._write_lock = threading.Lock()
        self.generator = generator

    # -- construction ------------------------------------------------------------------
    @classmethod
    def load(
        cls,
        index_dir: str | Path | None = None,
        *,
        corpus_dir: str | Path | None = None,
        embedder: str | None = None,
        build_if_missing: bool = True,
        progress: bool = True,
        warm: bool = True,
    ) -> PolicyQA:
        """Load the index (building it from the corpus first if there is none yet), ready to answer.

        With ``warm`` (the default) the query model, tokenizer dictionaries and thesaurus are
        loaded here too, so the first question is answered as fast as the rest instead of
        paying seconds of lazy loading; ``warm=False`` leaves that to the first question.
        """
        folder = Path(index_dir) if index_dir else settings.index_dir()
        if embedder is None:
            from index.models.e5_engines import open_query_model_early

            open_query_model_early(folder)  # opens beside the index load instead of after it
        from index import build_index, load_index, make_embedder

        corpus = Path(corpus_dir) if corpus_dir else settings.corpus_dir()
        try:
            index = load_index(folder, embedder=make_embedder(embedder) if embedder else None)
        except IndexNotBuiltError:
            if not build_if_missing:
                raise
            documents = _corpus_documents(corpus, settings.uploads_dir())
            index = build_index(documents, folder, make_embedder(embedder), progress=progress)
        for line in staging.recover_staged(settings.uploads_dir(), index.documents):
            print(f"policyqa: {line}", file=sys.stderr)
        from qa.generator import OpenAICompatibleGenerator

        qa = cls(index, index_dir=folder, corpus_dir=corpus, generator=OpenAICompatibleGenerator.from_env())
        if warm:
            qa.warm_up()
        return qa

    def warm_up(self) -> None:
        """Load the query model, dictionaries and thesaurus now, so the first question is
        answered as fast as the rest.

        Besides the answerer's own warm-up (a Chinese question), an English question and a
        follow-up are analysed and answered here: the first of each otherwise loads what only
        they need (the world's English place names, 0.25 s; the districts' English spellings
        and the glossary's patterns, 0.15 s each; the follow-up resolver and the citation
        verifier's modules) inside a timed answer. No generator is called.
        """
        snapshot = self._snapshot
        snapshot.index.warm_up()  # type: ignore[attr-defined]
        snapshot.answerer.warm_up()
        from qa.followup import resolve_detail, turns_from
        from qa.verify import quoted_fallback  # noqa: F401  (imported by every ask)

        known = list(snapshot.index.districts)  # type: ignore[attr-defined]
        uses = snapshot.answerer.lexicon
        history = turns_from([{"role": "user", "content": _WARM_UP_ENGLISH}])
        standalone = resolve_detail(_WARM_UP_FOLLOW_UP, history, known, uses).standalone
        for text in (_WARM_UP_ENGLISH, standalone or _WARM_UP_FOLLOW_UP):
            snapshot.answerer.answer(analyze(text, known, snapshot.index.regions_held, uses))  # type: ignore[attr-defined]

    @property
    def index(self):  # type: ignore[no-untyped-def]
        return self._snapshot.index

    # -- asking ------------------------------------------------------------------------
    def ask(
        self,
        question: str,
        *,
        top_k: int | None = None,
        districts: Sequence[str] | None = None,
        id: str | None = None,
        history: Sequence[Mapping[str, str]] | None = None,
    ) -> Answer:
        """Answer one question; every citation is verified before the answer is returned.

        ``history`` holds the earlier turns of a conversation ({"role", "content"}); a
        follow-up ("那宝山呢？") is resolved against them into a standalone question first.
        """
        started = time.perf_counter()
        text = asked = validate_question(question)
        snapshot = self._snapshot
        known = list(snapshot.index.districts)  # type: ignore[attr-defined]
        # the plans' words: a district's short name inside one (安宁 in 安宁疗护) names no place,
        # for the follow-up resolver as for the analysis
        uses = snapshot.answerer.lexicon
        standalone, only_scoped, follow_up, topic = None, False, None, None
        if history:
            from qa.followup import resolve_detail, turns_from

            standalone, only_scoped, follow_up, topic = resolve_detail(text, turns_from(history), known, uses)
            if standalone:
                text = standalone
        source = source_ask(asked) if topic else None
        if top_k is not None:
            validate_top_k(top_k)
        wanted = self._resolve_districts(districts, known)
        analysis = analyze(text, known, snapshot.index.regions_held, uses)  # type: ignore[attr-defined]
        t_analyse = time.perf_counter()
        if source is not None and topic is not None:
            # "这个出自哪份文件？": the source of the statement the chat was about
            said = next((t["content"] for t in reversed(history or ()) if t.get("role") == "assistant"), "")
            topic_analysis = analyze(topic, known, snapshot.index.regions_held, uses)  # type: ignore[attr-defined]
            lang = "en" if detect_language(asked) == "en" else "zh"
            draft = snapshot.answerer.answer_source(topic_analysis, source, said, lang, top_k)
            analysis = replace(analysis, lang=lang)
        else:
            draft = snapshot.answerer.answer(analysis, wanted, passages_k=top_k)
        if only_scoped and draft.refused and any(d.district is None for d in snapshot.index.documents.values()):  # type: ignore[attr-defined]
            # kept in the chat's district, whose plan says nothing: a plan that belongs to no
            # district (an upload, a city-wide plan) may be what the question is about (月光诊所
            # in an uploaded plan). Another district's plan is not: that the chat's district
            # does not say is the answer.
            plain = analyze(asked, known, snapshot.index.regions_held, uses)  # type: ignore[attr-defined]
            unscoped = snapshot.answerer.answer(plain, wanted, passages_k=top_k)
            if not unscoped.refused and all(c.district is None for c in unscoped.citations):
                analysis, draft, standalone, follow_up = plain, unscoped, None, None
        if follow_up:
            draft = snapshot.answerer.settle_follow_up(analysis, draft, follow_up)
        t_answer = time.perf_counter()
        answer, mode, notes = self._maybe_generate(analysis, draft, snapshot)
        result = Answer(
            question=question,
            answer=answer.text,
            refused=answer.refused,
            citations=answer.citations,
            passages=answer.passages,
            timings_ms={
                "analyse": (t_analyse - started) * 1000,
                "retrieve_and_answer": (t_answer - t_analyse) * 1000,
                "total": (time.perf_counter() - started) * 1000,
            },
            id=id,
            lang="en" if analysis.lang == "en" else "zh",
            mode=mode,
            notes=notes,
            standalone_question=standalone,
        )
        from qa.verify import quoted_fallback

        # every answer is verified; one that fails (a composing bug) is replaced by its
        # checked quotes, not raised at the caller
        return quoted_fallback(result, snapshot.index.documents)  # type: ignore[attr-defined]

    def _maybe_generate(self, analysis, draft: Draft, snapshot: _Snapshot):  # type: ignore[no-untyped-def]
        """Use the optional LLM generator when configured; fall back to the extractive draft."""
        if self.generator is None or draft.refused or analysis.lang == "other":
            return draft, "extractive", draft.notes
        from qa.generation import generate_grounded

        return generate_grounded(self.generator, analysis, draft, snapshot.answerer)

    def search(self, query: str, *, top_k: int = 5, districts: Sequence[str] | None = None) -> list[Passage]:
        """The ``top_k`` best passages for ``query`` (hybrid retrieval, no answer), best first."""
        from index.filters import Filters

        text = validate_question(query)
        top_k = validate_top_k(top_k)
        snapshot = self._snapshot
        wanted = self._resolve_districts(districts, list(snapshot.index.districts))  # type: ignore[attr-defined]
        hits = snapshot.index.retrieve(  # type: ignore[attr-defined]
            text, top_k=top_k, filters=Filters(districts=frozenset(wanted)) if wanted else None
        )
        return [Passage(h.unit.doc_id, h.unit.start, h.unit.end, h.unit.text, h.score, h.district, h.unit.section)
                for h in hits]

    @staticmethod
    def _resolve_districts(districts: Sequence[str] | None, known: Sequence[str]) -> list[str] | None:
        if not districts:
            return None
        resolved = []
        for name in districts:
            d = district_by_name(str(name), known)
            if d is None or d.name not in known:
                raise ValueError(f"unknown district {name!r}; known districts: {', '.join(known)}")
            resolved.append(d.name)
        return resolved

    # -- documents ---------------------------------------------------------------------
    def documents(self) -> list[Document]:
        docs = self._snapshot.index.documents  # type: ignore[attr-defined]
        return [docs[k] for k in sorted(docs)]

    def document(self, doc_id: str) -> Document:
        docs = self._snapshot.index.documents  # type: ignore[attr-defined]
        if doc_id not in docs:
            raise DocumentNotFoundError(f"no document {doc_id!r}; known: {', '.join(sorted(docs))}")
        return docs[doc_id]

    def add_documents(
        self, paths: Sequence[Path], progress: Progress | None = None, region: DocumentRegion | None = None
    ) -> list[str]:
        """Ingest uploaded files, re-index incrementally, then swap the new index in.

        ``region`` (from ``ingest.regions.parse_region``) sets the files' region instead of
        the one detected from their text, and is kept for later rebuilds.

        The files wait in the uploads folder's staging area until the new index is written and
        only then join the uploads folder (which a full rebuild reads): a failure or a kill at
        any point leaves the previous index and the uploads folder as they were.
        """
        from index import build_index
        from ingest import load_document

        report = progress or (lambda stage, fraction: None)
        with self._write_lock:
            uploads = settings.uploads_dir()
            new_docs = []
            for path in paths:
                report(f"ingesting {Path(path).name}", 0.05)
                doc = load_document(Path(path))
                new_docs.append(with_region(doc, region) if region is not None else doc)
            seen: dict[str, Path] = {}
            for path, doc in zip(paths, new_docs, strict=True):
                if doc.doc_id in seen:  # report.txt and report.md: which one is meant?
                    raise UnsupportedDocumentError(
                        Path(path).name, f"same doc_id {doc.doc_id!r} as {seen[doc.doc_id].name}; rename one of them"
                    )
                seen[doc.doc_id] = Path(path)
            staged = staging.stage(paths, new_docs, uploads)
            try:
                current = dict(self._snapshot.index.documents)  # type: ignore[attr-defined]
                for doc in new_docs:
                    current[doc.doc_id] = doc
                report("indexing", 0.2)
                index = build_index(
                    list(current.values()),
                    self._index_dir,
                    self._snapshot.index.embedder,  # type: ignore[attr-defined]
                    progress=False,
                )
            except BaseException:
                staging.discard(staged)
                raise
            staging.commit(staged, uploads)
            write_overrides(uploads, {d.doc_id: region for d in new_docs})
            self._snapshot = _Snapshot(index, ExtractiveAnswerer(index))
            report("done", 1.0)
            return [d.doc_id for d in new_docs]


__all__ = ["PolicyQA", "UnsupportedDocumentError"]
