"""Answer quality and speed on the dev set: CONTRACT.md metrics and warm ``ask`` latency.

    python benchmarks/answer.py [--questions FILE ...] [--round NAME --half tune|test|all] [--repeat N]

Blind rounds (``data/bench/<round>/``) are split once into halves by ``eval.bench_split``:
tune on the tune half only; the test half is printed as totals, never item by item.
Conversation items (with ``history``) are asked with their earlier turns.

Prints one table: overall and per-type accuracy, key-fact coverage, district recall and
precision, refusal accuracy, false-refusal rate, citation recall, evidence hit@5, and the
p50/p95 of warm ``PolicyQA.ask`` over every question (after one warm-up pass).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from eval.metrics import evaluate_run  # noqa: E402
from ingest import settings  # noqa: E402

COLUMNS = ("n", "accuracy", "key_fact_coverage", "district_recall", "district_precision", "refusal_accuracy",
           "false_refusal_rate", "citation_recall", "citation_precision", "evidence_hit@5")


def _fmt(value: object) -> str:
    if value is None:
        return "-"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--questions", type=Path, action="append", help="question file(s); default: the dev set")
    parser.add_argument("--round", dest="rounds", action="append", help="blind round folder under data/bench")
    parser.add_argument("--half", choices=("tune", "test", "all"), default="all")
    parser.add_argument("--repeat", type=int, default=1, help="extra passes asking the same questions again")
    args = parser.parse_args()

    from eval.bench_split import read_items, round_files, select
    from qa import PolicyQA

    files = list(args.questions or [])
    for name in args.rounds or ():
        files += round_files(name)
    items = select(read_items(files or [settings.dev_bench_path()]), args.half)
    started = time.perf_counter()
    qa = PolicyQA.load()
    load_s = time.perf_counter() - started
    qa.warm_up()  # model, dictionaries and thesaurus loaded; no benchmark question seen yet
    answers, times = [], []
    for item in items:
        t = time.perf_counter()
        answers.append(qa.ask(item["question"], id=item["id"], history=item.get("history")).to_dict())
        times.append((time.perf_counter() - t) * 1000)
    repeat = []
    for _ in range(args.repeat):
        for item in items:
            t = time.perf_counter()
            qa.ask(item["question"], history=item.get("history"))
            repeat.append((time.perf_counter() - t) * 1000)
    report = evaluate_run(items, answers)
    cols = [c for c in COLUMNS if c in report["overall"]]
    print(f"{'group':<16}" + "".join(f"{c[:14]:>16}" for c in cols))
    rows = [("overall", report["overall"])]
    rows += [(f"type:{k}", v) for k, v in report["by_type"].items()]
    rows += [(f"lang:{k}", v) for k, v in report["by_lang"].items()]
    in_chat = [i for i, item in enumerate(items) if item.get("history")]
    if in_chat:  # follow-up questions asked with their earlier turns
        chat = evaluate_run([items[i] for i in in_chat], [answers[i] for i in in_chat])
        rows.append(("conversation", chat["overall"]))
    partial = [i for i, item in enumerate(items) if str(item.get("notes", "")).startswith("partial")]
    if partial:  # multi-part questions whose other part the plans leave open
        rows.append(("partial", evaluate_run([items[i] for i in partial], [answers[i] for i in partial])["overall"]))
    for name, row in rows:
        print(f"{name:<16}" + "".join(f"{_fmt(row.get(c)):>16}" for c in cols))
    times.sort()
    p95 = times[int(0.95 * (len(times) - 1))]
    print(f"\nload {load_s:.2f} s; warm ask, each question new ({len(times)} calls): "
          f"p50 {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, max {times[-1]:.1f} ms")
    if repeat:
        print(f"asked again (query vectors cached, {len(repeat)} calls): p50 {statistics.median(repeat):.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
