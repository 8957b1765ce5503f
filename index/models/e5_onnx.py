"""Export the rebuilt multilingual-e5-small folder to ONNX, laid out as sentence-transformers expects.

One job: ``<folder>/onnx/model.onnx`` (the graph) with ``model.onnx_data`` (the float32
weights as external data), exported from the folder's ``model.safetensors`` by torch. Inputs
``input_ids`` / ``attention_mask``, output ``last_hidden_state`` -- the names Optimum's
``ORTModelForFeatureExtraction`` reads, so ``SentenceTransformer(folder, backend="onnx")``
loads the same file. Pooling and normalisation stay outside the graph, as in the folder's
``1_Pooling`` / ``2_Normalize`` modules.

Why external data: ONNX Runtime memory-maps external initializers instead of copying them,
so a session opens in a fraction of a second and holds only the pages it touches -- the
250k-row embedding table (384 MB of the 470 MB) is read a row per token, never whole. The
same weights inside one ``.onnx`` file cost about 900 MB of private memory per session.

Only this module needs torch; the query path (``e5_onnx_embedder``) reads the files with
``onnxruntime`` and ``tokenizers`` alone. The export is checked against torch on sample
texts before it is renamed into place, so a reader never sees a half-written or wrong graph.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np

ONNX_SUBDIR = "onnx"
ONNX_FILE = "model.onnx"
ONNX_DATA = "model.onnx_data"
ONNX_MARKER = "policyqa_onnx.json"
ONNX_EXPORT_VERSION = 1
OPSET = 17
MIN_COSINE = 0.9999  # an export whose vectors differ more from torch's is refused
_CHECK_TEXTS = (
    "passage: 在七宝地区迁址新建闵行区中医医院",
    "query: 哪些区提出了2025年中医馆建设目标？",
    "passage: Family doctors sign contracts with 40% of residents by 2025.",
    "passage: 短",
)

Progress = Callable[[str], None]


def onnx_path(folder: Path) -> Path:
    return Path(folder) / ONNX_SUBDIR / ONNX_FILE


def has_onnx(folder: Path) -> bool:
    """True if ``folder`` holds a finished export by this exporter version (cheap: no imports)."""
    sub = Path(folder) / ONNX_SUBDIR
    try:
        marker = json.loads((sub / ONNX_MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (
        marker.get("export_version") == ONNX_EXPORT_VERSION
        and (sub / ONNX_FILE).is_file()
        and (sub / ONNX_DATA).is_file()
    )


def onnx_export_possible() -> bool:
    """torch, transformers, onnx and onnxruntime are installed (found, not imported)."""
    import importlib.util

    return all(importlib.util.find_spec(m) is not None for m in ("torch", "transformers", "onnx", "onnxruntime"))


def _pooled(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    m = mask[..., None].astype(np.float32)
    vec = (hidden * m).sum(1) / np.maximum(m.sum(1), 1e-9)
    return vec / np.maximum(np.linalg.norm(vec, axis=1, keepdims=True), 1e-12)


def export_onnx(folder: Path, force: bool = False, progress: Progress | None = None) -> Path:
    """Write ``folder/onnx`` from ``folder``'s weights (torch needed); returns the ``.onnx`` path.

    The files are written to a temporary sibling inside ``folder``, verified against torch
    (cosine >= ``MIN_COSINE`` on sample texts, padding included) and renamed into place.
    """
    import torch
    from tokenizers import Tokenizer
    from transformers import AutoModel

    say = progress or (lambda _m: None)
    folder = Path(folder)
    if has_onnx(folder) and not force:
        return onnx_path(folder)
    model = AutoModel.from_pretrained(str(folder), local_files_only=True, attn_implementation="eager")
    model.eval()
    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    ids, mask = _batch(tokenizer, _CHECK_TEXTS, pad_id=int(model.config.pad_token_id))

    class LastHiddenState(torch.nn.Module):
        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            return self.inner(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    tmp = Path(tempfile.mkdtemp(prefix=f".{ONNX_SUBDIR}.tmp-", dir=folder))
    try:
        say(f"  exporting {folder.name} to ONNX (opset {OPSET})")
        single = tmp / "single.onnx"
        axes = {0: "batch_size", 1: "sequence_length"}
        with torch.inference_mode():  # before the export: tracing leaves the module unfit to run
            reference = _pooled(
                model(input_ids=torch.from_numpy(ids), attention_mask=torch.from_numpy(mask))
                .last_hidden_state.float().numpy(), mask,
            )
        with torch.inference_mode(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tracer and legacy-exporter notices, not problems here
            torch.onnx.export(
                LastHiddenState(model), (torch.from_numpy(ids), torch.from_numpy(mask)), str(single),
                dynamo=False, input_names=["input_ids", "attention_mask"], output_names=["last_hidden_state"],
                dynamic_axes={"input_ids": axes, "attention_mask": axes, "last_hidden_state": axes},
                opset_version=OPSET, do_constant_folding=True,
            )
        _to_external_data(single, tmp / ONNX_FILE, ONNX_DATA)
        single.unlink()
        cosine = _check_against(tmp / ONNX_FILE, ids, mask, reference)
        (tmp / ONNX_MARKER).write_text(json.dumps({
            "export_version": ONNX_EXPORT_VERSION, "opset": OPSET, "torch": torch.__version__,
            "min_cosine_vs_torch": round(cosine, 7),
            "inputs": ["input_ids", "attention_mask"], "outputs": ["last_hidden_state"],
        }, indent=2), encoding="utf-8")
        umask = os.umask(0)
        os.umask(umask)
        for path in [tmp, *tmp.iterdir()]:
            os.chmod(path, (0o777 if path.is_dir() else 0o666) & ~umask)  # mkdtemp/onnx use 0700/0600
        _swap(tmp, folder / ONNX_SUBDIR)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    say(f"  ONNX export agrees with torch (cosine >= {cosine:.6f}): {onnx_path(folder)}")
    return onnx_path(folder)


def _batch(tokenizer, texts, pad_id: int) -> tuple[np.ndarray, np.ndarray]:  # type: ignore[no-untyped-def]
    encs = [tokenizer.encode(t).ids for t in texts]
    width = max(len(e) for e in encs)
    ids = np.full((len(encs), width), pad_id, dtype=np.int64)
    mask = np.zeros((len(encs), width), dtype=np.int64)
    for row, e in enumerate(encs):
        ids[row, : len(e)] = e
        mask[row, : len(e)] = 1
    return ids, mask


def _to_external_data(src: Path, dst: Path, data_name: str) -> None:
    import onnx

    proto = onnx.load(str(src))
    onnx.save_model(proto, str(dst), save_as_external_data=True, all_tensors_to_one_file=True,
                    location=data_name, size_threshold=1024)


def _check_against(path: Path, ids: np.ndarray, mask: np.ndarray, reference: np.ndarray) -> float:
    import onnxruntime as ort

    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    hidden = session.run(["last_hidden_state"], {"input_ids": ids, "attention_mask": mask})[0]
    cosine = float((_pooled(hidden, mask) * reference).sum(1).min())
    if not cosine >= MIN_COSINE:
        raise RuntimeError(f"the ONNX export disagrees with torch (cosine {cosine:.5f} < {MIN_COSINE})")
    return cosine


def _swap(tmp: Path, final: Path) -> None:
    """Rename ``tmp`` to ``final``; an existing ``final`` is moved aside first, then removed."""
    old = None
    if final.exists():
        old = final.with_name(f".{final.name}.old-{os.getpid()}")
        os.replace(final, old)
    os.replace(tmp, final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
