"""Uploaded files wait in ``uploads/.staging`` until the index that holds them is written.

The uploads folder is what a full rebuild reads, so a file may only join it once its
document is in the index. The order is: stage the file, write the new index (atomic), move
the file into place. A process killed in between leaves a staged file behind;
``recover_staged`` settles it on the next start: moved in when the index already holds that
very document (the kill came after the index write), otherwise removed, so the previous index
and the uploads folder agree again and the upload can simply be retried.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path

from kernel.types import Document

STAGING = ".staging"


def staging_dir(uploads: Path) -> Path:
    return uploads / STAGING


def stage(paths: Sequence[Path], documents: Sequence[Document], uploads: Path) -> list[Path]:
    """Copy each file to the staging folder as ``<doc_id><suffix>``; returns the staged paths."""
    folder = staging_dir(uploads)
    folder.mkdir(parents=True, exist_ok=True)
    staged = []
    for path, doc in zip(paths, documents, strict=True):
        target = folder / f"{doc.doc_id}{Path(path).suffix.lower()}"
        shutil.copyfile(path, target)
        staged.append(target)
    return staged


def commit(staged: Sequence[Path], uploads: Path) -> None:
    """Move staged files into the uploads folder, replacing older versions of the same document."""
    for path in staged:
        for older in uploads.glob(f"{path.stem}.*"):
            if older.is_file() and older.stem == path.stem and older.suffix.lower() != path.suffix.lower():
                older.unlink()  # the same doc_id uploaded before as another file type
        os.replace(path, uploads / path.name)


def discard(staged: Sequence[Path]) -> None:
    for path in staged:
        path.unlink(missing_ok=True)


def recover_staged(uploads: Path, indexed: Mapping[str, Document]) -> list[str]:
    """Settle files left by an interrupted upload; returns one line per file saying what happened."""
    from ingest import load_document
    from kernel.errors import UnsupportedDocumentError

    folder = staging_dir(uploads)
    if not folder.is_dir():
        return []
    lines = []
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        try:
            doc = load_document(path)
        except UnsupportedDocumentError:
            doc = None
        held = indexed.get(path.stem)
        if doc is not None and held is not None and held.sha256 == doc.sha256:
            commit([path], uploads)
            lines.append(f"kept {path.name}: its index was written before the interruption")
        else:
            path.unlink()
            lines.append(f"discarded {path.name}: interrupted before it was indexed; upload it again")
    return lines
