"""``policyqa eval``: run a question set through a system, or compare two runs.

    policyqa eval [--questions FILE] [--out runs/NAME] [--system policyqa|langchain-baseline] [--limit N]
    policyqa eval compare RUN_A RUN_B

Heavy imports (the engine, LangChain, ragas) happen inside ``run`` so ``policyqa --help``
stays fast.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

SYSTEMS = ("policyqa", "langchain-baseline")

EPILOG = """\
examples:
  policyqa eval --questions data/bench/dev.jsonl --out runs/dev-policyqa
  policyqa eval --system langchain-baseline --out runs/dev-baseline
  policyqa eval compare runs/dev-baseline runs/dev-policyqa

A run writes OUT/answers.jsonl (resumed if present), OUT/metrics.json, OUT/report.md and
OUT/report.png. LLM-judged ragas metrics run only when POLICYQA_LLM_BASE_URL and
POLICYQA_LLM_MODEL (and POLICYQA_LLM_API_KEY) name an OpenAI-compatible endpoint.
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = EPILOG
    parser.usage = ("%(prog)s [--questions FILE] [--out DIR] [--system {policyqa,langchain-baseline}] [--limit N]\n"
                    "       %(prog)s compare RUN_A RUN_B")
    parser.add_argument("action", nargs="?", choices=["compare"], metavar="compare",
                        help="compare two finished runs (metric deltas and flipped items) instead of running one")
    parser.add_argument("runs", nargs="*", metavar="RUN", help="with compare: the two run folders, A then B")
    parser.add_argument("--questions", type=Path, help="question file in bench/SCHEMA.md format (default: the dev set)")
    parser.add_argument("--out", type=Path, help="run folder (default: runs/<system>-<questions file name>)")
    parser.add_argument("--system", choices=SYSTEMS, default="policyqa", help="system under test (default: policyqa)")
    parser.add_argument("--limit", type=int, help="answer only the first N questions")
    parser.add_argument("--restart", action="store_true", help="discard answers already in OUT instead of resuming")
    parser.add_argument("--no-ragas", action="store_true", help="skip the ragas metrics")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def _compare(args: argparse.Namespace) -> int:
    from eval.compare import compare_runs, load_run, render_comparison

    if len(args.runs) != 2 or args.questions or args.limit is not None:
        raise ValueError("usage: policyqa eval compare RUN_A RUN_B (two run folders, no other options)")
    a, b = args.runs
    print(render_comparison(compare_runs(load_run(a), load_run(b)), name_a=a, name_b=b), end="")
    return 0


def answer_function(system: str) -> Any:
    """``item -> Answer dict`` for the named system (loads its index/model once)."""
    if system == "langchain-baseline":
        from eval.baseline import LangChainBaseline

        baseline = LangChainBaseline.load()
        return lambda item: baseline.ask(item["question"], id=item["id"])
    from qa import PolicyQA  # type: ignore[attr-defined]

    engine = PolicyQA.load()
    return lambda item: engine.ask(item["question"], id=item["id"], history=item.get("history")).to_dict()


def run(args: argparse.Namespace) -> int:
    if args.action == "compare":
        return _compare(args)
    if args.runs:
        raise ValueError(f"unexpected argument(s) {' '.join(args.runs)}: did you mean `policyqa eval compare A B`?")
    if args.limit is not None and args.limit < 1:
        raise ValueError(f"--limit must be at least 1, got {args.limit}")
    from eval.harness import run_eval
    from eval.questions import load_documents, load_questions
    from ingest.settings import dev_bench_path

    questions = args.questions or dev_bench_path()
    docs = load_documents()
    items = load_questions(questions, docs)[: args.limit]
    out = args.out or Path("runs") / f"{args.system}-{Path(questions).stem}"
    metrics = run_eval(items, answer_function(args.system), out, system=args.system, questions_path=str(questions),
                       docs=docs, progress=not args.quiet, resume=not args.restart, with_ragas=not args.no_ragas)
    from eval.report import fmt

    o = metrics["overall"]
    print(f"{args.system}: {o['n']} questions, accuracy {fmt(o['accuracy'])}, key-fact coverage "
          f"{fmt(o['key_fact_coverage'])}, evidence hit@5 {fmt(o['evidence_hit@5'])}, "
          f"errors {metrics['errors']['count']} -> {out}/report.md", file=sys.stderr)
    return 0
