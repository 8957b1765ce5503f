"""The harness with fabricated systems: files written, numbers as by hand, resume after a crash."""

from __future__ import annotations

import json

import pytest

from eval.harness import answer_all, run_eval


def _system(answers):
    by_id = {a["id"]: a for a in answers}
    calls = []

    def answer_fn(item):
        calls.append(item["id"])
        return dict(by_id[item["id"]])

    return answer_fn, calls


def test_run_writes_everything(tmp_path, items, partial, docs, monkeypatch):
    for key in ("POLICYQA_LLM_BASE_URL", "POLICYQA_LLM_MODEL"):
        monkeypatch.delenv(key, raising=False)
    fn, _ = _system(partial)
    metrics = run_eval(items, fn, tmp_path / "run", system="fake", docs=docs, progress=False)
    out = tmp_path / "run"
    assert {p.name for p in out.iterdir()} == {"answers.jsonl", "metrics.json", "report.md", "report.png"}
    saved = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert saved["overall"]["accuracy"] == 0.5
    assert saved["overall"]["key_fact_coverage"] == pytest.approx(4 / 7)
    assert saved["integrity"] == {"spans_checked": 15, "offset_errors": 0, "examples": []}  # 4 citations + 11 passages
    assert "exact_match" in saved["ragas"]["metrics"] and "faithfulness" in saved["ragas"]["skipped"]
    assert [r["id"] for r in saved["items"]] == [i["id"] for i in items]
    report = (out / "report.md").read_text(encoding="utf-8")
    for heading in ("## Summary", "## By question type", "## By language", "## ragas", "## Worst items"):
        assert heading in report
    assert "### dev-043" in report and "refused an answerable question" in report
    assert "key facts 后备定点医院" in report
    assert (out / "report.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert metrics["latency"]["mean_ms"] is not None


def test_offset_errors_are_counted(tmp_path, items, perfect, docs):
    broken = [dict(a) for a in perfect]
    broken[0] = {**broken[0], "citations": [{**broken[0]["citations"][0], "start": 0}]}
    fn, _ = _system(broken)
    metrics = run_eval(items, fn, tmp_path, system="fake", docs=docs, progress=False, with_ragas=False)
    assert metrics["integrity"]["offset_errors"] == 1
    assert metrics["integrity"]["examples"][0].startswith("dev-001: citation minhang")


def test_resume_after_interruption(tmp_path, items, perfect):
    out = tmp_path / "answers.jsonl"
    fn, calls = _system(perfect)

    def crashing(item):
        if item["id"] == "dev-035":
            raise KeyboardInterrupt
        return fn(item)

    with pytest.raises(KeyboardInterrupt):
        answer_all(items, crashing, out, progress=False)
    assert calls == ["dev-001", "dev-002"]
    with open(out, "a", encoding="utf-8") as f:
        f.write('{"id": "dev-035", "answ')  # a torn line from a killed process
    calls.clear()
    answers = answer_all(items, fn, out, progress=False)
    assert calls == ["dev-035", "dev-043", "dev-054", "dev-060"]
    assert [a["id"] for a in answers] == [i["id"] for i in items]
    lines = out.read_text(encoding="utf-8").splitlines()
    assert [json.loads(x)["id"] for x in lines] == [i["id"] for i in items]
    calls.clear()
    answer_all(items, fn, out, progress=False, resume=False)
    assert len(calls) == 6


def test_a_failing_question_is_recorded_and_retried(tmp_path, items, perfect, docs):
    fn, calls = _system(perfect)

    def flaky(item):
        if item["id"] == "dev-002":
            raise RuntimeError("engine broke")
        return fn(item)

    metrics = run_eval(items, flaky, tmp_path, system="fake", docs=docs, progress=False, with_ragas=False)
    assert metrics["errors"] == {"count": 1, "examples": ["dev-002: RuntimeError: engine broke"]}
    assert metrics["overall"]["accuracy"] == 5 / 6
    assert "system error: RuntimeError: engine broke" in (tmp_path / "report.md").read_text(encoding="utf-8")
    calls.clear()
    metrics = run_eval(items, fn, tmp_path, system="fake", docs=docs, progress=False, with_ragas=False)
    assert calls == ["dev-002"] and metrics["errors"]["count"] == 0 and metrics["overall"]["accuracy"] == 1.0
