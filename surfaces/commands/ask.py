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


def run(args: argparse.Namespace) -> int:
    from index.models.e5_engines import open_query_model_early

    open_query_model_early(args.index)  # on the second core while the imports below run
    from qa import PolicyQA
    from surfaces import service
    from surfaces.citations import answer_text

    # One question: load only what it needs (an English question's pinyin index, say, only
    # for English), when it needs it; warming up everything is for a server's first answer.
    qa = PolicyQA.load(args.index, warm=False)
    answer = service.ask(qa, args.question, top_k=args.top_k, districts=args.districts)
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(answer_text(answer, offsets=True))
    sys.stdout.flush()
    return 0
