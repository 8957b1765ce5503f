"""``policyqa answer --questions IN.jsonl --out OUT.jsonl``: batch answering.

Each output line is an Answer (CONTRACT.md). Lines are written as they are answered and
the output is completed atomically, so an interrupted run never leaves a half-written file
under the final name.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--questions", required=True, type=Path, help="JSONL file, each line with id and question")
    parser.add_argument("--out", required=True, type=Path, help="where to write one Answer per line")
    parser.add_argument("--index", default=None, help="index folder (default: $POLICYQA_INDEX or the user cache)")


def read_questions(path: Path) -> list[dict]:
    """Questions with line-numbered errors for anything malformed."""
    if not path.is_file():
        raise FileNotFoundError(f"no such questions file: {path}")
    items = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: not UTF-8 ({exc.reason} at byte {exc.start})") from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{number}: not valid JSON ({exc.msg})") from exc
        if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not isinstance(item.get("question"), str):
            raise ValueError(f"{path}:{number}: each line needs a string 'id' and a string 'question'")
        items.append(item)
    if not items:
        raise ValueError(f"{path}: no questions")
    return items


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from kernel.errors import BadArgumentError, QuestionError
    from qa import PolicyQA
    from surfaces import service

    items = read_questions(args.questions)
    qa = PolicyQA.load(args.index)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_name(args.out.name + ".part")
    failures = 0
    with tmp.open("w", encoding="utf-8") as out:
        for item in tqdm(items, desc="answering", unit="q", file=sys.stderr):
            try:
                row = service.ask(qa, item["question"], id=item["id"], history=item.get("history")).to_dict()
            except (QuestionError, BadArgumentError, ValueError) as exc:  # a bad question or history
                failures += 1
                row = {"id": item["id"], "question": item["question"], "error": str(exc)}
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, args.out)
    print(f"wrote {len(items)} answers to {args.out}" + (f" ({failures} questions rejected)" if failures else ""))
    return 2 if failures else 0
