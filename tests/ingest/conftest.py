"""The five bundled plans, parsed once per session."""

from __future__ import annotations

import json

import pytest

from ingest import load_corpus
from ingest.settings import DATA_DIR
from kernel.types import Document

CORPUS = DATA_DIR / "corpus"


@pytest.fixture(scope="session")
def corpus() -> dict[str, Document]:
    return {d.doc_id: d for d in load_corpus(CORPUS)}


@pytest.fixture(scope="session")
def dev_items() -> list[dict]:
    path = DATA_DIR / "bench" / "dev.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
