"""The real system on the whole dev set, judged by CONTRACT.md's metrics (eval.metrics)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from eval.metrics import evaluate_run
from ingest import settings

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def dev_run(policyqa) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, Any]]:  # type: ignore[no-untyped-def]
    items = [json.loads(line) for line in settings.dev_bench_path().read_text(encoding="utf-8").splitlines()]
    answers = [policyqa.ask(item["question"], id=item["id"]).to_dict() for item in items]
    return items, answers, evaluate_run(items, answers)


def test_every_citation_and_passage_slices_back(policyqa, dev_run) -> None:  # type: ignore[no-untyped-def]
    _, answers, _ = dev_run
    for answer in answers:
        for c in answer["citations"]:
            assert policyqa.document(c["doc_id"]).text[c["start"] : c["end"]] == c["quote"]
        for p in answer["passages"]:
            assert policyqa.document(p["doc_id"]).text[p["start"] : p["end"]] == p["text"]


def test_every_marker_resolves(dev_run) -> None:  # type: ignore[no-untyped-def]
    import re

    _, answers, _ = dev_run
    for answer in answers:
        markers = {int(m) for m in re.findall(r"\[(\d+)\]", answer["answer"])}
        assert markers == set(range(1, len(answer["citations"]) + 1)), answer["id"]


def test_dev_quality_targets(dev_run) -> None:  # type: ignore[no-untyped-def]
    items, _, report = dev_run
    overall = report["overall"]
    assert overall["accuracy"] >= 0.80
    assert overall["false_refusal_rate"] <= 0.05
    assert overall["citation_recall"] >= 0.80
    english = [row for row in report["items"] if row["lang"] == "en"]
    assert sum(row["correct"] for row in english) >= 5
    unanswerable = [row for row in report["items"] if row["type"] == "unanswerable"]
    assert sum(row["refused"] for row in unanswerable) >= 6
    aggregation = report["by_type"]["aggregation"]
    assert aggregation["district_recall"] >= 0.9


def test_answers_are_in_the_question_language(dev_run) -> None:  # type: ignore[no-untyped-def]
    items, answers, _ = dev_run
    for item, answer in zip(items, answers, strict=True):
        cjk_share = sum("\u4e00" <= ch <= "\u9fff" for ch in answer["answer"]) / max(len(answer["answer"]), 1)
        if item["lang"] == "en" and not answer["refused"]:
            assert answer["answer"].split()[0].isascii(), answer["answer"]
        if item["lang"] == "zh":
            assert cjk_share > 0.3, answer["answer"]
