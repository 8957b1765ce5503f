"""Do two versions of the code give the same answers? Dump them, then compare the dumps.

    python benchmarks/same_answers.py dump OUT.jsonl [--round blind-r1 --half tune] [--no-warm]
    python benchmarks/same_answers.py compare BEFORE.jsonl AFTER.jsonl

``dump`` asks every dev question and the chosen halves of blind rounds (the tune half of
round 1 by default; conversation items with their earlier turns) in one process and writes
each ``Answer.to_dict()`` without its timings, one JSON line per item, keys sorted.
``compare`` exits 1 and names the items whose lines differ byte for byte. A change meant to
make loading faster (caches, lazy imports, a smaller tokenizer) must leave every line as it was.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TIMING_FIELDS = ("timings_ms",)


def answer_line(answer: dict[str, object]) -> str:
    """The answer as one canonical JSON line, timing fields dropped."""
    kept = {k: v for k, v in answer.items() if k not in TIMING_FIELDS}
    return json.dumps(kept, ensure_ascii=False, sort_keys=True)


def dump(out: Path, rounds: list[str], half: str, warm: bool) -> int:
    from eval.bench_split import read_items, round_files, select
    from ingest import settings
    from kernel.offline import go_offline

    go_offline()
    from qa import PolicyQA

    items = list(read_items([settings.dev_bench_path()]))
    for name in rounds:
        items += select(read_items(round_files(name)), half)  # type: ignore[arg-type]
    qa = PolicyQA.load(warm=warm)
    lines = [answer_line(qa.ask(it["question"], id=it["id"], history=it.get("history")).to_dict()) for it in items]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    print(f"{len(lines)} answers written to {out}")
    return 0


def compare(before: Path, after: Path) -> int:
    a = before.read_text(encoding="utf-8").splitlines()
    b = after.read_text(encoding="utf-8").splitlines()
    if len(a) != len(b):
        print(f"{before} has {len(a)} answers, {after} has {len(b)}")
        return 1
    differ = [json.loads(x).get("id") or json.loads(x)["question"] for x, y in zip(a, b, strict=True) if x != y]
    if differ:
        print(f"{len(differ)} of {len(a)} answers differ: {', '.join(map(str, differ))}")
        return 1
    print(f"all {len(a)} answers identical (byte for byte, timings aside)")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("dump")
    d.add_argument("out", type=Path)
    d.add_argument("--round", dest="rounds", action="append", help="blind round (default: blind-r1)")
    d.add_argument("--half", choices=("tune", "test", "all"), default="tune")
    d.add_argument("--no-warm", action="store_true", help="load lazily, as `policyqa ask` does")
    c = sub.add_parser("compare")
    c.add_argument("before", type=Path)
    c.add_argument("after", type=Path)
    args = parser.parse_args()
    if args.command == "dump":
        return dump(args.out, args.rounds or ["blind-r1"], args.half, not args.no_warm)
    return compare(args.before, args.after)


if __name__ == "__main__":
    sys.exit(main())
