"""Blind question rounds, split once into a tune half and a test half.

The split is fixed by a hash of each item's id, decided before anyone looks at the items:
only the tune half may be read and tuned on; the test half is reported as totals only.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Literal

Half = Literal["tune", "test"]
BENCH_DIR = Path(__file__).resolve().parent.parent / "data" / "bench"


def half_of(item_id: str) -> Half:
    """The half an item belongs to: the parity of the first byte of sha256(id)."""
    return "tune" if hashlib.sha256(item_id.encode("utf-8")).digest()[0] % 2 == 0 else "test"


def read_items(paths: Iterable[Path]) -> Iterator[dict[str, Any]]:
    for path in paths:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if line.strip():
                yield json.loads(line)


def round_files(name: str) -> list[Path]:
    """The question files of one blind round (``data/bench/<name>/*.jsonl``)."""
    folder = BENCH_DIR / name
    files = sorted(folder.glob("*.jsonl"))
    if not files:
        raise FileNotFoundError(f"no question files in {folder}")
    return files


def select(items: Iterable[dict[str, Any]], half: Half | Literal["all"]) -> list[dict[str, Any]]:
    return [item for item in items if half == "all" or half_of(item["id"]) == half]
