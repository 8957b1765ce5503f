"""Vectors from the rebuilt folder agree with the packaged engine (cosine >= 0.99).

Every sentence of the five plans as a passage, every dev question as a query, and an
over-long text that both sides embed in 510-token windows. Embedding the corpus takes a
couple of minutes with each engine; nothing is cached.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.index.models.conftest import corpus_sentences, dev_questions

pytestmark = pytest.mark.slow
THRESHOLD = 0.99


@pytest.fixture(scope="module")
def embedder(e5_folder):
    from index.models.e5_embedder import E5SentenceTransformerEmbedder

    return E5SentenceTransformerEmbedder(e5_folder)


def test_every_corpus_sentence_agrees_with_engine(engine, embedder) -> None:
    sentences = corpus_sentences()
    ours = embedder.embed(sentences, role="passage")
    theirs = engine.passage(sentences)
    cos = (ours * theirs).sum(1)
    worst = int(np.argmin(cos))
    print(f"\ncosine over {len(sentences)} sentences: min {cos.min():.5f} median {np.median(cos):.5f}")
    assert cos.min() >= THRESHOLD, (sentences[worst], float(cos[worst]))


def test_dev_questions_as_queries_agree_with_engine(engine, embedder) -> None:
    questions = dev_questions()
    cos = (embedder.embed(questions, role="query") * engine.query(questions)).sum(1)
    assert cos.min() >= THRESHOLD


def test_over_long_text_is_windowed_like_the_engine(engine, embedder) -> None:
    text = "。".join(corpus_sentences()[:60])  # well over 512 tokens
    assert engine.token_count(text) > 700
    cos = float(embedder.embed([text], role="passage")[0] @ engine.passage(text))
    assert cos >= THRESHOLD


def test_plain_encode_matches_embedder(e5_folder, embedder) -> None:
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(e5_folder), device="cpu", local_files_only=True)
    texts = corpus_sentences()[:20]
    plain = model.encode(texts, prompt_name="passage", normalize_embeddings=True)
    assert np.allclose(plain, embedder.embed(texts, role="passage"), atol=1e-4)
