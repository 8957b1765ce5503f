"""What an index change does to answers and evidence, item by item, on dev and the tune halves.

    python benchmarks/answer_changes.py dump OUT.jsonl [--index DIR] --round blind-r1 [--round ...]
    python benchmarks/answer_changes.py compare BEFORE.jsonl AFTER.jsonl

``dump`` asks every dev question and the tune half (``eval.bench_split``) of each named blind
round against the index at ``--index`` (default: the configured one) and writes, per item,
whether the answer is correct, the evidence hits in the first five passages, and the answer
as ``benchmarks/same_answers.py`` writes it. Test halves are never asked. ``compare`` prints
dev and per-round accuracy and evidence hit@5 for both dumps, then how many answers changed (text,
refusal or citations), how many went right -> wrong and wrong -> right (naming them).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def dump(out: Path, rounds: list[str], index: str | None) -> int:
    if index:
        os.environ["POLICYQA_INDEX"] = index
    from benchmarks.same_answers import answer_line
    from eval.bench_split import read_items, round_files, select
    from eval.metrics import _quote_hits, is_correct
    from ingest import settings
    from kernel.offline import go_offline

    go_offline()
    from qa import PolicyQA

    items = [("dev", it) for it in read_items([settings.dev_bench_path()])]
    for name in rounds:
        items += [(name, it) for it in select(read_items(round_files(name)), "tune")]
    qa = PolicyQA.load(build_if_missing=False, progress=False)
    lines = []
    for group, item in items:
        answer = qa.ask(item["question"], id=item["id"], history=item.get("history")).to_dict()
        lines.append(json.dumps({"group": group, "id": item["id"], "correct": is_correct(item, answer),
                                 "hits": _quote_hits(item, answer, 5), "answer": answer_line(answer)},
                                ensure_ascii=False))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    print(f"{len(lines)} items written to {out}")
    return 0


def _read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _scores(rows: list[dict]) -> tuple[float, float]:
    hits = [h for r in rows for h in r["hits"]]
    return sum(r["correct"] for r in rows) / len(rows), (sum(hits) / len(hits) if hits else float("nan"))


def _said(row: dict) -> tuple:
    """What the answer says (text, refusal, citations), not the passages' scores."""
    answer = json.loads(row["answer"])
    return answer.get("answer"), answer.get("refused"), json.dumps(answer.get("citations"), sort_keys=True)


def compare(before: Path, after: Path) -> int:
    a, b = _read(before), _read(after)
    if [(r["group"], r["id"]) for r in a] != [(r["group"], r["id"]) for r in b]:
        print(f"{before} and {after} hold different items")
        return 2
    groups = list(dict.fromkeys(r["group"] for r in a))
    print(f"{'set':<12}{'n':>5}{'acc before':>12}{'acc after':>11}{'hit@5 before':>14}{'hit@5 after':>13}")
    tune = [i for i, r in enumerate(a) if r["group"] != "dev"]
    for name, idx in [(g, [i for i, r in enumerate(a) if r["group"] == g]) for g in groups] + [("tune all", tune)]:
        if not idx:
            continue
        (acc_a, hit_a), (acc_b, hit_b) = _scores([a[i] for i in idx]), _scores([b[i] for i in idx])
        print(f"{name:<12}{len(idx):>5}{acc_a:>12.3f}{acc_b:>11.3f}{hit_a:>14.3f}{hit_b:>13.3f}")
    changed = [x["id"] for x, y in zip(a, b, strict=True) if _said(x) != _said(y)]
    lost = [x["id"] for x, y in zip(a, b, strict=True) if x["correct"] and not y["correct"]]
    won = [x["id"] for x, y in zip(a, b, strict=True) if not x["correct"] and y["correct"]]
    print(f"\n{len(changed)} of {len(a)} answers changed (text, refusal or citations); right -> wrong {len(lost)}, wrong -> right {len(won)}")
    if lost:
        print("  right -> wrong: " + ", ".join(lost))
    if won:
        print("  wrong -> right: " + ", ".join(won))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("dump")
    d.add_argument("out", type=Path)
    d.add_argument("--index", help="index folder (default: $POLICYQA_INDEX or <home>/index)")
    d.add_argument("--round", dest="rounds", action="append", default=[], help="blind round; its tune half is asked")
    c = sub.add_parser("compare")
    c.add_argument("before", type=Path)
    c.add_argument("after", type=Path)
    args = parser.parse_args()
    if args.command == "dump":
        return dump(args.out, args.rounds, args.index)
    return compare(args.before, args.after)


if __name__ == "__main__":
    sys.exit(main())
