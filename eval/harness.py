"""Run a question set through a system and write everything an evaluator needs to trust it.

``answers.jsonl`` is written one line per answer as soon as it exists (flushed), so an
interrupted run loses at most the question in flight; rerunning with the same ``--out``
resumes from the answers already there. Then ``metrics.json`` (our metrics, ragas metrics,
per-item values, integrity checks), ``report.md`` and ``report.png``.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from eval.metrics import evaluate_run

AnswerFn = Callable[[dict[str, Any]], dict[str, Any]]


def read_answers(path: Path) -> dict[str, dict[str, Any]]:
    """Answers already written, by id; a torn last line (interrupted write) is dropped."""
    done: dict[str, dict[str, Any]] = {}
    if not path.is_file():
        return done
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            continue
        # an answer that failed with an error is asked again on resume
        if isinstance(row, dict) and isinstance(row.get("id"), str) and not row.get("error"):
            done[row["id"]] = row
    return done


def failed_answer(item: dict[str, Any], exc: Exception) -> dict[str, Any]:
    """An empty, unrefused answer that scores as wrong and records why (counted in metrics.json)."""
    return {"id": item["id"], "question": item["question"], "answer": "", "refused": False, "citations": [],
            "passages": [], "timings_ms": {}, "error": f"{type(exc).__name__}: {exc}"}


def errors(answers: Sequence[dict[str, Any]]) -> dict[str, Any]:
    failed = [f"{a.get('id')}: {a['error']}" for a in answers if a.get("error")]
    return {"count": len(failed), "examples": [e[:300] for e in failed[:10]]}


def answer_all(items: Sequence[dict[str, Any]], answer_fn: AnswerFn, out: Path, progress: bool = True,
               resume: bool = True) -> list[dict[str, Any]]:
    """Answers in item order; ask only the items not already in ``out`` (when resuming)."""
    wanted = {item["id"] for item in items}
    done = {k: v for k, v in read_answers(out).items() if k in wanted} if resume else {}
    out.parent.mkdir(parents=True, exist_ok=True)
    # rewrite the kept lines so a torn line or stale ids never survive into the new file
    with open(out, "w", encoding="utf-8") as f:
        for item in items:
            if item["id"] in done:
                f.write(json.dumps(done[item["id"]], ensure_ascii=False) + "\n")
        todo = [item for item in items if item["id"] not in done]
        from tqdm import tqdm

        for item in tqdm(todo, desc="answering", unit="q", disable=not progress):
            t0 = time.perf_counter()
            try:
                answer = dict(answer_fn(item))
            except Exception as exc:  # one failing question must not sink a 60-question run
                answer = failed_answer(item, exc)
            answer.setdefault("id", item["id"])
            answer.setdefault("timings_ms", {})
            answer["timings_ms"] = {**answer["timings_ms"], "total": round((time.perf_counter() - t0) * 1000, 2)}
            f.write(json.dumps(answer, ensure_ascii=False) + "\n")
            f.flush()
            done[item["id"]] = answer
    return [done[item["id"]] for item in items]


def integrity(answers: Sequence[dict[str, Any]], docs: dict[str, str]) -> dict[str, Any]:
    """Citations and passages whose text is not ``document[start:end]`` (CONTRACT's invariant)."""
    bad: list[str] = []
    checked = 0
    for answer in answers:
        spans = [("citation", c, c.get("quote")) for c in answer.get("citations") or []]
        spans += [("passage", p, p.get("text")) for p in answer.get("passages") or []]
        for kind, span, text in spans:
            checked += 1
            doc = docs.get(span.get("doc_id", ""))
            if doc is None or doc[span.get("start", 0) : span.get("end", 0)] != text:
                bad.append(f"{answer.get('id')}: {kind} {span.get('doc_id')}[{span.get('start')}:{span.get('end')}]")
    return {"spans_checked": checked, "offset_errors": len(bad), "examples": bad[:10]}


def latency(answers: Sequence[dict[str, Any]]) -> dict[str, float | None]:
    totals = sorted(float(a.get("timings_ms", {}).get("total", 0.0)) for a in answers)
    if not totals:
        return {"mean_ms": None, "p50_ms": None, "p95_ms": None}
    return {"mean_ms": round(statistics.fmean(totals), 2), "p50_ms": round(statistics.median(totals), 2),
            "p95_ms": round(totals[min(len(totals) - 1, int(0.95 * len(totals)))], 2)}


def run_eval(items: Sequence[dict[str, Any]], answer_fn: AnswerFn, out_dir: str | Path, *, system: str,
             questions_path: str = "", docs: dict[str, str] | None = None, progress: bool = True,
             resume: bool = True, with_ragas: bool = True) -> dict[str, Any]:
    """Answer every item, score the run and write answers.jsonl, metrics.json, report.md, report.png."""
    from eval.questions import load_documents
    from eval.report import write_chart, write_report

    out_dir = Path(out_dir)
    docs = docs if docs is not None else load_documents()
    answers = answer_all(items, answer_fn, out_dir / "answers.jsonl", progress=progress, resume=resume)
    scores = evaluate_run(items, answers)
    metrics: dict[str, Any] = {
        "system": system,
        "questions": questions_path,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "n": len(items),
        "overall": scores["overall"],
        "by_type": scores["by_type"],
        "by_lang": scores["by_lang"],
        "latency": latency(answers),
        "integrity": integrity(answers, docs),
        "errors": errors(answers),
    }
    if with_ragas:
        from eval.ragas_metrics import ragas_scores

        metrics["ragas"] = ragas_scores(items, answers)
    else:
        metrics["ragas"] = {"metrics": {}, "skipped": {"all": "ragas disabled with --no-ragas"}}
    metrics["items"] = scores["items"]
    (out_dir / "metrics.json").write_text(json.dumps(metrics, ensure_ascii=False, indent=1), encoding="utf-8")
    write_report(out_dir / "report.md", metrics, items, answers)
    write_chart(out_dir / "report.png", metrics)
    return metrics
