"""Chunk vectors derived from the vectors of their sentences (``--chunk-vectors derived``).

Unit-sized documents and a deterministic embedder: the derived vector is the length-weighted
mean of the members plus the heading context, renormalised, and no chunk text is embedded.
"""

from __future__ import annotations

import numpy as np
from index_helpers import CountingEmbedder, HashEmbedder, make_doc, small_docs

from index import build_index
from index.chunk_vectors import chunk_members, context_needed
from index.store import read_store


def test_members_are_the_sentences_inside_each_chunk() -> None:
    doc = make_doc("a-plan", "长宁区", ["第一句。", "第二句较长一些。", "第三句。"], per_chunk=2)
    assert chunk_members(doc) == [[("sentence", 0), ("sentence", 1)], [("sentence", 2)]]
    assert context_needed(doc, chunk_members(doc)) == ["一、总体要求", "一、总体要求"]


def test_derived_build_embeds_no_chunk_text_and_follows_the_formula(tmp_path) -> None:
    docs = small_docs()
    counting = CountingEmbedder(HashEmbedder())
    index = build_index(docs, tmp_path / "idx", counting, progress=False, chunk_vectors="derived")
    chunk_texts = {c.retrieval_text for d in docs for c in d.chunks}
    assert counting.calls == 1 and not chunk_texts & set(counting.texts)
    stored = read_store(tmp_path / "idx")
    assert stored.manifest["chunk_vectors"] == "derived"
    emb = HashEmbedder()
    doc = docs[0]
    first = doc.chunks[0]
    members = [s for s in doc.sentences if first.start <= s.start and s.end <= first.end]
    want = sum(emb.embed([s.retrieval_text])[0] * len(s.retrieval_text) for s in members)
    want = want + emb.embed([first.context])[0] * len(first.context)
    want /= np.linalg.norm(want)
    np.testing.assert_allclose(stored.vectors["chunk"][0], want, atol=1e-6)
    assert index.retrieve("中医馆", top_k=1)[0].unit.doc_id in {"a-plan", "b-plan"}


def test_switching_mode_recomputes_chunks_and_reuses_sentences(tmp_path) -> None:
    docs = small_docs()
    build_index(docs, tmp_path / "idx", HashEmbedder(), progress=False, chunk_vectors="derived")
    counting = CountingEmbedder(HashEmbedder())
    build_index(docs, tmp_path / "idx", counting, progress=False, chunk_vectors="embedded")
    assert sorted(counting.texts) == sorted({c.retrieval_text for d in docs for c in d.chunks})
    embedded = read_store(tmp_path / "idx")
    full = build_index(docs, tmp_path / "full", HashEmbedder(), progress=False, rebuild=True)
    np.testing.assert_allclose(embedded.vectors["chunk"], full._kinds["chunk"].dense.vectors, atol=1e-6)
