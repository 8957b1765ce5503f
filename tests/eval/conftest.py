"""Three fabricated answer files on six real dev items, with offsets found in the real corpus.

SLICE covers zh and en, fact, aggregation, comparison and unanswerable items. The expected
metric values for each file are worked out by hand in test_metrics.py.
"""

from __future__ import annotations

from typing import Any

import pytest

from eval.questions import load_documents, load_questions
from ingest.settings import dev_bench_path

SLICE = ("dev-001", "dev-002", "dev-035", "dev-043", "dev-054", "dev-060")
FILLER_DOC = "jingan-sanming-reform-plan"


@pytest.fixture(scope="session")
def docs() -> dict[str, str]:
    return load_documents()


@pytest.fixture(scope="session")
def dev_items(docs: dict[str, str]) -> list[dict[str, Any]]:
    return load_questions(dev_bench_path(), docs)


@pytest.fixture(scope="session")
def items(dev_items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_id = {i["id"]: i for i in dev_items}
    return [by_id[i] for i in SLICE]


def span(docs: dict[str, str], doc_id: str, quote: str, kind: str = "citation") -> dict[str, Any]:
    """A citation or passage for ``quote`` at its real offsets in ``doc_id``."""
    start = docs[doc_id].index(quote)
    row: dict[str, Any] = {"doc_id": doc_id, "start": start, "end": start + len(quote)}
    if kind == "citation":
        return {**row, "quote": quote, "district": None, "section": []}
    return {**row, "text": quote, "score": 1.0}


def filler(docs: dict[str, str], n: int) -> list[dict[str, Any]]:
    """Passages from the Jing'an plan: they cannot contain a quote from another document."""
    text = docs[FILLER_DOC]
    return [span(docs, FILLER_DOC, text[100 * k + 50 : 100 * k + 110], "passage") for k in range(n)]


def answer(item: dict[str, Any], text: str, refused: bool = False, citations: list[Any] | None = None,
           passages: list[Any] | None = None) -> dict[str, Any]:
    return {"id": item["id"], "question": item["question"], "answer": text, "refused": refused,
            "citations": citations or [], "passages": passages or [], "timings_ms": {}}


def perfect_answers(items: list[dict[str, Any]], docs: dict[str, str]) -> list[dict[str, Any]]:
    """Reference answers, gold quotes cited and retrieved; unanswerable items refused."""
    out = []
    for item in items:
        gold = [(ev["doc"], ev["quote"]) for ev in item["evidence"]]
        out.append(answer(item, item["reference_answer"], refused=item["type"] == "unanswerable",
                          citations=[span(docs, d, q) for d, q in gold],
                          passages=[span(docs, d, q, "passage") for d, q in gold]))
    return out


def empty_answers(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Nothing said, nothing cited, nothing retrieved, never refused."""
    return [answer(item, "") for item in items]


def partial_answers(items: list[dict[str, Any]], docs: dict[str, str]) -> list[dict[str, Any]]:
    """Partly right; see test_metrics.py for what each answer gets right and wrong."""
    i = {item["id"]: item for item in items}
    mh = "minhang-2023-2025-health-service-plan"
    gold = {item["id"]: [(ev["doc"], ev["quote"]) for ev in item["evidence"]] for item in items}
    return [
        # right; cited the gold quote; gold quote retrieved 2nd
        answer(i["dev-001"], "在七宝地区迁址新建[1]", citations=[span(docs, *gold["dev-001"][0])],
               passages=filler(docs, 1) + [span(docs, *gold["dev-001"][0], "passage")]),
        # one key fact of two; cites an unrelated sentence; gold quote retrieved 6th (hit@10, not @5)
        answer(i["dev-002"], "闵行区浦江医院2023年开办。[1]",
               citations=[span(docs, mh, "在七宝地区迁址新建闵行区中医医院")],
               passages=filler(docs, 5) + [span(docs, *gold["dev-002"][0], "passage")]),
        # right, but names Minhang too; cites and retrieves the Jing'an quote only
        answer(i["dev-035"], "Jingan and Baoshan (also Minhang).[1]", citations=[span(docs, *gold["dev-035"][0])],
               passages=[span(docs, *gold["dev-035"][0], "passage")]),
        # refused an answerable question although both gold quotes were retrieved
        answer(i["dev-043"], "文件未说明闵行和松江的急救反应时间12分钟。", refused=True,
               passages=[span(docs, d, q, "passage") for d, q in gold["dev-043"]]),
        # correctly refused
        answer(i["dev-054"], "文件未说明。", refused=True),
        # answered an unanswerable question, with a citation
        answer(i["dev-060"], "Minhang will add 20 ICU beds.[1]", citations=[span(docs, mh, "在七宝地区迁址新建闵行区中医医院")]),
    ]


@pytest.fixture(scope="session")
def perfect(items: list[dict[str, Any]], docs: dict[str, str]) -> list[dict[str, Any]]:
    return perfect_answers(items, docs)


@pytest.fixture(scope="session")
def empty(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return empty_answers(items)


@pytest.fixture(scope="session")
def partial(items: list[dict[str, Any]], docs: dict[str, str]) -> list[dict[str, Any]]:
    return partial_answers(items, docs)
