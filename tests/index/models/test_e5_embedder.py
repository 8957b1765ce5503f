"""``E5SentenceTransformerEmbedder`` honours the Embedder protocol."""

from __future__ import annotations

import numpy as np
import pytest

from index.embedders.base import Embedder
from index.models.e5_embedder import E5SentenceTransformerEmbedder, length_batches


def test_protocol_without_loading() -> None:
    emb = E5SentenceTransformerEmbedder()
    assert isinstance(emb, Embedder)
    assert emb.id == "e5-st:multilingual-e5-small" and emb.dim == 384
    assert emb._model is None  # id and dim never load torch


def test_length_batches_respect_budget() -> None:
    lengths = [5, 500, 30, 31, 29, 200, 512, 7] * 20
    batches = length_batches(lengths, budget=1024)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    for b in batches:
        assert len(b) == 1 or max(lengths[i] for i in b) * len(b) <= 1024


@pytest.mark.slow
def test_embed_shapes_roles_and_errors(e5_folder, engine) -> None:
    emb = E5SentenceTransformerEmbedder(e5_folder)
    assert emb.embed([], role="query").shape == (0, 384)
    texts = ["区卫生健康委", "推进紧密型医联体建设", "hospice care in Minhang"]
    p = emb.embed(texts, role="passage")
    q = emb.embed(texts, role="query")
    assert p.dtype == np.float32 and p.shape == (3, 384) and p.flags.c_contiguous
    assert np.allclose(np.linalg.norm(p, axis=1), 1, atol=1e-5)
    assert not np.allclose(p, q)  # the prefixes matter
    assert (q * engine.query(texts)).sum(1).min() >= 0.99
    with pytest.raises(ValueError):
        emb.embed(texts, role="document")  # type: ignore[arg-type]


def test_e5_usable_for_auto_default(e5_folder, tmp_path, monkeypatch) -> None:
    from index.models.e5_engines import e5_usable

    assert e5_usable(e5_folder)  # built
    assert e5_usable(tmp_path / "not-yet" / "multilingual-e5-small")  # buildable
    monkeypatch.setattr("index.models.e5_format.packaged_model_path",
                        lambda: (_ for _ in ()).throw(FileNotFoundError("gone")))
    assert not e5_usable(tmp_path / "not-yet" / "multilingual-e5-small")
