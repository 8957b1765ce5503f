"""The converted folder: its files, atomic writing, the CLI, and loading by other programs offline."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pytest

from index.models.e5_convert import MARKER, build_e5_model, default_model_dir, ensure_e5_model, is_built


def test_default_location_is_the_user_cache_or_configured(monkeypatch, tmp_path) -> None:
    monkeypatch.delenv("POLICYQA_MODELS_DIR", raising=False)
    monkeypatch.setenv("POLICYQA_HOME", str(tmp_path / "home"))
    assert default_model_dir() == tmp_path / "home" / "models" / "multilingual-e5-small"
    monkeypatch.setenv("POLICYQA_MODELS_DIR", str(tmp_path / "m"))
    assert default_model_dir() == tmp_path / "m" / "multilingual-e5-small"


def test_folder_is_outside_git(e5_folder: Path) -> None:
    import subprocess

    repo = Path(__file__).resolve().parents[3]
    out = subprocess.run(["git", "-C", str(repo), "check-ignore", "-q", str(e5_folder)], check=False)
    assert not e5_folder.resolve().is_relative_to(repo) or out.returncode == 0


def test_folder_contents(e5_folder: Path) -> None:
    config = json.loads((e5_folder / "config.json").read_text())
    assert config["architectures"] == ["XLMRobertaModel"]
    assert (config["hidden_size"], config["num_hidden_layers"], config["num_attention_heads"]) == (384, 12, 12)
    assert (config["intermediate_size"], config["max_position_embeddings"], config["pad_token_id"]) == (1536, 514, 1)
    assert config["vocab_size"] == 250037
    modules = json.loads((e5_folder / "modules.json").read_text())
    assert [m["type"].rsplit(".", 1)[1] for m in modules] == ["Transformer", "Pooling", "Normalize"]
    pooling = json.loads((e5_folder / "1_Pooling" / "config.json").read_text())
    assert pooling["pooling_mode_mean_tokens"] and pooling["include_prompt"]
    st_config = json.loads((e5_folder / "config_sentence_transformers.json").read_text())
    assert st_config["prompts"] == {"query": "query: ", "passage": "passage: "}
    assert json.loads((e5_folder / "sentence_bert_config.json").read_text())["max_seq_length"] == 512


def test_weights_are_the_dequantised_packaged_ones(e5_folder: Path, e5_file) -> None:
    from safetensors import safe_open

    with safe_open(str(e5_folder / "model.safetensors"), framework="numpy") as f:
        pos = f.get_tensor("embeddings.position_embeddings.weight")
        q = f.get_tensor("encoder.layer.3.attention.self.query.weight")
        word = f.get_slice("embeddings.word_embeddings.weight")[:10]
    assert pos.shape == (514, 384) and not pos[:2].any()
    assert np.array_equal(pos[2:], e5_file.tensor("emb.pos", (512, 384)))
    assert np.array_equal(q, e5_file.tensor("l3.q.w", (384, 384)))
    assert np.array_equal(word, e5_file.tensor("emb.word", (250037, 384))[:10])


def test_dequantisation_follows_e5c() -> None:
    import struct

    from index.models.e5_format import dequantize_q4_0

    qs = bytes((j % 16) | (((15 - j) % 16) << 4) for j in range(16))
    block = struct.pack("<e", 0.5) + qs
    out = dequantize_q4_0(block, 32)
    assert list(out[:16]) == [((j % 16) - 8) * 0.5 for j in range(16)]
    assert list(out[16:]) == [(((15 - j) % 16) - 8) * 0.5 for j in range(16)]


@pytest.mark.slow
def test_build_is_atomic_idempotent_and_forced(tmp_path: Path) -> None:
    out = tmp_path / "models" / "multilingual-e5-small"
    lines: list[str] = []
    assert build_e5_model(out, progress=lines.append) == out
    assert is_built(out) and lines and "building" in lines[0]
    assert [p.name for p in out.parent.iterdir()] == [out.name]  # no temp folder left behind
    stamp = (out / MARKER).stat().st_mtime_ns
    assert ensure_e5_model(out, progress=None) == out and (out / MARKER).stat().st_mtime_ns == stamp
    (out / "stale.txt").write_text("x")
    build_e5_model(out, force=True, progress=None)
    assert not (out / "stale.txt").exists() and is_built(out)
    assert [p.name for p in out.parent.iterdir()] == [out.name]


def test_half_written_folder_is_not_built(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{}")
    assert not is_built(tmp_path)


def test_cli_parses_and_reports_existing(e5_folder: Path, capsys) -> None:
    from index.models import commands

    parser = argparse.ArgumentParser()
    commands.add_arguments(parser)
    args = parser.parse_args(["build", "--out", str(e5_folder)])
    assert commands.run(args) == 0
    assert "already built" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        parser.parse_args([])


def test_policyqa_cli_knows_models() -> None:
    import inspect

    from surfaces.cli import build_parser

    argv = ["models", "build", "--force"]
    parser = build_parser(argv) if inspect.signature(build_parser).parameters else build_parser()
    args = parser.parse_args(argv)
    assert args.models_action == "build" and args.force


@pytest.mark.slow
def test_plain_sentence_transformers_loads_offline(e5_folder: Path) -> None:
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(e5_folder), device="cpu", local_files_only=True)
    getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
    assert getter() == 384
    assert model.max_seq_length == 512
    q = model.encode(["闵行区中医医院要迁到哪里新建?"], prompt_name="query")
    p = model.encode(["在七宝地区迁址新建闵行区中医医院", "加强传染病监测预警"], prompt_name="passage")
    assert q.shape == (1, 384) and np.allclose(np.linalg.norm(p, axis=1), 1, atol=1e-5)
    assert (p @ q[0])[0] > (p @ q[0])[1]


@pytest.mark.slow
def test_langchain_huggingface_embeddings_loads_offline(e5_folder: Path, engine) -> None:
    from langchain_huggingface import HuggingFaceEmbeddings

    lc = HuggingFaceEmbeddings(
        model_name=str(e5_folder),
        model_kwargs={"device": "cpu", "local_files_only": True},
        encode_kwargs={"normalize_embeddings": True, "prompt_name": "passage"},
        query_encode_kwargs={"normalize_embeddings": True, "prompt_name": "query"},
    )
    docs = ["在七宝地区迁址新建闵行区中医医院", "加强传染病监测预警"]
    d = np.array(lc.embed_documents(docs))
    q = np.array(lc.embed_query("闵行区中医医院要迁到哪里新建?"))
    assert d.shape == (2, 384)
    assert float(q @ engine.query("闵行区中医医院要迁到哪里新建?")) >= 0.99
    assert (d * engine.passage(docs)).sum(1).min() >= 0.99
