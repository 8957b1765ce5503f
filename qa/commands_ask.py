"""``policyqa ask "QUESTION" [--json]``: one question, readable answer with its sources."""

from __future__ import annotations

import argparse
import json
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("question", help="the question, in Chinese or English")
    parser.add_argument("--json", action="store_true", help="print the Answer object as JSON")
    parser.add_argument("--district", action="append", dest="districts", metavar="NAME",
                        help="only search this district's documents (repeatable)")
    parser.add_argument("--top-k", type=int, default=None, help="how many passages to return (1-50)")
    parser.add_argument("--index", default=None, help="index folder (default: $POLICYQA_INDEX or the user cache)")


def format_answer(answer_dict: dict) -> str:
    """The answer, then each citation with its document, section and quote."""
    lines = [answer_dict["answer"], ""]
    if answer_dict["refused"]:
        lines.append("相关段落 / related passages:" if answer_dict["passages"] else "")
        for p in answer_dict["passages"][:3]:
            snippet = p["text"].replace("\n", " ")[:120]
            lines.append(f"  - {p['doc_id']} [{p['start']}:{p['end']}] {snippet}")
    for n, c in enumerate(answer_dict["citations"], start=1):
        section = " > ".join(c["section"]) if c["section"] else ""
        lines.append(f"[{n}] {c['district'] or ''} {c['doc_id']} [{c['start']}:{c['end']}] {section}")
        lines.append(f"    「{c['quote'].strip()}」")
    return "\n".join(line for line in lines if line is not None).rstrip()


def run(args: argparse.Namespace) -> int:
    from qa import PolicyQA

    qa = PolicyQA.load(args.index)
    answer = qa.ask(args.question, top_k=args.top_k, districts=args.districts)
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(format_answer(answer.to_dict()))
    sys.stdout.flush()
    return 0
