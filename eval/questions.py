"""Load a question file and refuse it, with line numbers, unless it follows bench/SCHEMA.md.

A metric computed on a malformed item (a quote not in its document, a key fact missing from
the reference answer) is a number nobody can trust, so the whole file is checked before any
question is asked. The per-item rules are the benchmark's own ``check_item`` from
``data/bench/check_bench.py``, imported rather than copied so the two never disagree.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import Any

from ingest.settings import DATA_DIR, corpus_dir
from kernel.errors import PolicyQAError

CHECKER_PATH = DATA_DIR / "bench" / "check_bench.py"
MAX_ERRORS_SHOWN = 20


class QuestionFileError(PolicyQAError, ValueError):
    """A question file that breaks the schema; ``errors`` holds every ``line N (id): reason``."""

    def __init__(self, path: Path, errors: list[str]) -> None:
        shown = errors[:MAX_ERRORS_SHOWN]
        more = f" (+{len(errors) - len(shown)} more)" if len(errors) > len(shown) else ""
        super().__init__(f"{path}: {len(errors)} problem(s): " + "; ".join(shown) + more)
        self.path = path
        self.errors = errors


@lru_cache(maxsize=1)
def _checker() -> ModuleType:
    if not CHECKER_PATH.is_file():
        raise FileNotFoundError(f"benchmark checker not found at {CHECKER_PATH}")
    spec = importlib.util.spec_from_file_location("policyqa_check_bench", CHECKER_PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def item_checker() -> Callable[[dict[str, Any], dict[str, str]], list[str]]:
    """``check_item(item, docs) -> [error, ...]`` from the benchmark's own checker."""
    return _checker().check_item  # type: ignore[no-any-return]


def load_documents(folder: Path | None = None) -> dict[str, str]:
    """doc_id -> text exactly as read (UTF-8, newlines untouched), the text offsets index into."""
    folder = folder or corpus_dir()
    docs: dict[str, str] = {}
    for path in sorted(Path(folder).glob("*.txt")):
        with open(path, encoding="utf-8", newline="") as f:
            docs[path.stem] = f.read()
    if not docs:
        raise FileNotFoundError(f"no .txt documents in {folder}")
    return docs


def load_questions(path: str | Path, docs: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """Parse and validate a JSONL question file; raise ``QuestionFileError`` listing every problem."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"question file not found: {path}")
    docs = docs if docs is not None else load_documents()
    check_item = item_checker()
    items: list[dict[str, Any]] = []
    errors: list[str] = []
    first_line: dict[str, int] = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                errors.append(f"line {n}: invalid JSON: {exc.msg} at column {exc.colno}")
                continue
            if not isinstance(item, dict):
                errors.append(f"line {n}: not a JSON object")
                continue
            problems = check_item(item, docs)
            errors += [f"line {n} ({item.get('id')}): {p}" for p in problems]
            item_id = item.get("id")
            if isinstance(item_id, str):
                if item_id in first_line:
                    errors.append(f"line {n}: duplicate id {item_id!r} (first on line {first_line[item_id]})")
                else:
                    first_line[item_id] = n
            items.append(item)
    if not items and not errors:
        errors.append("no questions in file")
    if errors:
        raise QuestionFileError(path, errors)
    return items
