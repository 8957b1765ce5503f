"""Regions set by whoever uploaded a document, kept beside the uploads so rebuilds keep them.

The region detected from a document's text (``ingest.regions.detect_region``) is a guess; an
upload may name the region instead ("杭州市西湖区", "national"). That choice is stored in
``<uploads>/.regions.json`` (``{doc_id: {province, city, district}}``, written atomically) and
applied by ``ingest.document_set`` every time the uploads are read again.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from ingest.regions import DocumentRegion
from kernel.types import Document

OVERRIDES_FILE = ".regions.json"


def read_overrides(folder: Path) -> dict[str, DocumentRegion]:
    """The stored regions; a missing file is none, an unreadable one is an error naming it."""
    path = folder / OVERRIDES_FILE
    if not path.exists():
        return {}
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
        return {str(doc_id): DocumentRegion.from_dict(row) for doc_id, row in rows.items()}
    except (OSError, ValueError, AttributeError, TypeError) as exc:
        raise ValueError(f"{path}: not a region file ({exc}); fix or delete it") from None


def write_overrides(folder: Path, changes: Mapping[str, DocumentRegion | None]) -> None:
    """Set (or, with None, forget) the region of some documents; atomic replace of the file."""
    current = read_overrides(folder)
    for doc_id, region in changes.items():
        if region is None:
            current.pop(doc_id, None)
        else:
            current[doc_id] = region
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=folder, prefix=".regions-", suffix=".tmp", delete=False) as f:
        json.dump({k: v.to_dict() for k, v in sorted(current.items())}, f, ensure_ascii=False, indent=1)
        f.flush()
        os.fsync(f.fileno())
    os.replace(f.name, folder / OVERRIDES_FILE)


def with_region(doc: Document, region: DocumentRegion) -> Document:
    """``doc`` belonging to ``region`` instead of the region detected from its text."""
    return replace(doc, province=region.province, city=region.city, district=region.district)
