"""An incremental update gives exactly the index a full rebuild gives, embedding only what changed.

Runs with the real embedder on a copy of the session's real index, so removing a document
costs no embedding at all and adding one back costs only that document.
"""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from index_helpers import CountingEmbedder, HashEmbedder, make_doc, small_docs

from index import build_index, load_index, make_embedder

pytestmark = pytest.mark.slow

QUERIES = [
    "家庭医生签约率达到多少",
    "哪些区提到安宁疗护",
    "Which districts learn from the Sanming reform?",
    "中医馆",
]


def _results(index):
    return [[(r.unit.unit_id, round(r.score, 9)) for r in index.retrieve(q, top_k=10)] for q in QUERIES]


def _smallest(documents):
    return min(documents, key=lambda d: len(d.text))


def _texts_of(doc) -> set[str]:
    """Every text of ``doc`` the builder embeds by default (heading contexts too, when chunk
    vectors are derived from their sentences)."""
    from index.store import DEFAULT_CHUNK_VECTORS

    units = doc.chunks + doc.sentences + doc.table_rows
    contexts = {u.context for u in doc.chunks if u.context} if DEFAULT_CHUNK_VECTORS == "derived" else set()
    return {u.retrieval_text for u in units} | contexts


def _edited(doc, extra: str):
    """``doc`` with a paragraph appended, re-read through the real ingest pipeline."""
    from ingest import parse_text

    return parse_text(doc.doc_id, doc.text + extra, source=doc.source)


def test_editing_one_plan_re_embeds_only_its_new_text_and_equals_a_full_rebuild(
    tmp_path, real_index_dir, corpus_documents
):
    """The incremental path against the brute-force one: a full rebuild of the edited corpus."""
    from qa import PolicyQA

    victim = max(corpus_documents, key=lambda d: len(d.text))  # the largest plan: the most to reuse
    edited = _edited(victim, "\n\n（十）其他\n本计划自印发之日起施行，由区卫生健康委负责解释。\n")
    assert edited.sha256 != victim.sha256 and edited.doc_id == victim.doc_id
    changed = [edited if d.doc_id == victim.doc_id else d for d in corpus_documents]

    inc, full = tmp_path / "inc", tmp_path / "full"
    shutil.copytree(real_index_dir, inc)
    counting = CountingEmbedder(make_embedder())
    build_index(changed, inc, counting, progress=False)
    new_texts = _texts_of(edited) - {t for d in corpus_documents for t in _texts_of(d)}
    assert set(counting.texts) == new_texts and len(new_texts) <= 5  # the new paragraph, not the plan
    build_index(changed, full, make_embedder(), progress=False, rebuild=True)

    a, b = load_index(inc, make_embedder()), load_index(full, make_embedder())
    for kind in ("chunk", "sentence", "table_row"):
        np.testing.assert_allclose(a._kinds[kind].dense.vectors, b._kinds[kind].dense.vectors, atol=2e-5)
    assert _same_units(a, b)
    qa_inc = PolicyQA.load(inc, build_if_missing=False, progress=False, warm=False)
    qa_full = PolicyQA.load(full, build_if_missing=False, progress=False, warm=False)
    for q in [*QUERIES, "长宁区本计划由谁负责解释？"]:
        x, y = qa_inc.ask(q).to_dict(), qa_full.ask(q).to_dict()
        assert (x["answer"], x["refused"], x["citations"]) == (y["answer"], y["refused"], y["citations"]), q


def _same_units(a, b) -> bool:
    """Rankings equal up to float noise in the scores (batch composition differs between builds)."""
    return [[r.unit.unit_id for r in a.retrieve(q, top_k=10)] for q in QUERIES] == [
        [r.unit.unit_id for r in b.retrieve(q, top_k=10)] for q in QUERIES
    ]


def test_remove_and_add_back_matches_full_build(tmp_path, real_index_dir, real_index, corpus_documents):
    folder = tmp_path / "index"
    shutil.copytree(real_index_dir, folder)
    victim = _smallest(corpus_documents)
    rest = [d for d in corpus_documents if d.doc_id != victim.doc_id]

    counting = CountingEmbedder(make_embedder())
    removed = build_index(rest, folder, counting, progress=False)
    assert counting.texts == []  # removing a document re-embeds nothing
    assert removed.build_report.removed == [victim.doc_id]
    assert victim.doc_id not in load_index(folder, counting).documents

    counting = CountingEmbedder(make_embedder())
    restored = build_index(corpus_documents, folder, counting, progress=False)
    assert counting.calls == 1  # one embedding call for everything new
    assert counting.texts and set(counting.texts) <= _texts_of(victim)  # only the added document's texts
    assert list(restored.build_report.embedded) == [victim.doc_id]

    reloaded = load_index(folder, make_embedder())
    assert _results(reloaded) == _results(real_index)
    for kind in ("chunk", "sentence", "table_row"):
        np.testing.assert_allclose(
            reloaded._kinds[kind].dense.vectors, real_index._kinds[kind].dense.vectors, atol=1e-6
        )


def test_adding_a_new_document_embeds_only_it(tmp_path, real_index_dir, corpus_documents):
    folder = tmp_path / "index"
    shutil.copytree(real_index_dir, folder)
    new = make_doc(
        "pudong-test-plan", "浦东新区", ["浦东新区建设互联网医院平台。", "推进智慧健康驿站全覆盖。"]
    )
    counting = CountingEmbedder(make_embedder())
    index = build_index([*corpus_documents, new], folder, counting, progress=False)
    assert sorted(counting.texts) == sorted(u.retrieval_text for u in new.chunks + new.sentences)
    assert "浦东新区" in index.districts
    top = index.retrieve("浦东 互联网医院", top_k=1)[0]
    assert top.unit.doc_id == "pudong-test-plan"


def test_fake_embedder_incremental_equals_full(tmp_path):
    """The same property at unit-test size, including a document whose text changed."""
    docs = small_docs()
    changed = make_doc(
        "b-plan", "宝山区", ["社区中医馆全覆盖。", "推进紧密型城市医疗集团建设。", "新增一句。"]
    )
    inc, full = tmp_path / "inc", tmp_path / "full"
    build_index(docs, inc, HashEmbedder(), progress=False)
    counting = CountingEmbedder(HashEmbedder())
    updated = build_index([docs[0], changed, docs[2]], inc, counting, progress=False)
    assert set(updated.build_report.embedded) == {"b-plan"}
    assert counting.texts and set(counting.texts) <= _texts_of(changed) - _texts_of(docs[1])
    rebuilt = build_index([docs[0], changed, docs[2]], full, HashEmbedder(), progress=False, rebuild=True)
    for q in ["中医馆", "新增", "老年医学科"]:
        assert [(r.unit, r.score) for r in updated.retrieve(q)] == [
            (r.unit, r.score) for r in rebuilt.retrieve(q)
        ]


def test_rebuild_flag_and_embedder_change_re_embed_everything(tmp_path):
    folder = tmp_path / "index"
    build_index(small_docs(), folder, HashEmbedder(), progress=False)
    counting = CountingEmbedder(HashEmbedder())
    assert build_index(small_docs(), folder, counting, progress=False, rebuild=True).build_report.reused == []
    counting = CountingEmbedder(HashEmbedder(name="other"))
    report = build_index(small_docs(), folder, counting, progress=False).build_report
    assert report.reused == [] and "built with test:hash64" in report.previous
