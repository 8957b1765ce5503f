"""Choose the judge's threshold by the answers it gives, on dev and the tune halves, and write it.

    python eval/calibrate_threshold.py [--round blind-r1 ...] [--check]

``eval/calibrate_judge.py`` fits the judge's weights on decisions (one row per question or
district, labelled by the benchmark); a decision is not an answer. Every answer passes through
several decisions (the question, its parts, each district, the first part of a question whose
later part points back), so the probability at which the judge says "stated" is chosen here
by what matters: the share of right answers (CONTRACT.md's ``is_correct``) over the dev set and
the tune halves of the blind rounds, for each threshold of ``THRESHOLDS``. Of thresholds
within two right answers of the best, the one nearest the fit's own 0.5 wins. The weights are
left as they are.

``--check`` answers again and fails unless the committed threshold is the one chosen. One
pass over ~2,000 questions takes about a minute here, so the whole run takes several.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from eval.bench_split import read_items, round_files, select  # noqa: E402

MODEL_PATH = Path(__file__).resolve().parent.parent / "qa" / "judge_model.json"
THRESHOLDS = (0.30, 0.35, 0.40, 0.45, 0.50, 0.55)
FIT_THRESHOLD = 0.5  # what the weights' own fit says: a tie goes to the threshold nearest it
NOISE_QUESTIONS = 2  # right answers that do not tell two thresholds apart


def default_rounds() -> list[str]:
    """Every blind round in data/bench, in order (their tune halves)."""
    from ingest import settings

    bench = settings.dev_bench_path().parent
    found = [p.name for p in bench.glob("blind-r*") if p.is_dir()]
    return sorted(found, key=lambda name: int(name.removeprefix("blind-r")))


def accuracy_by_threshold(qa: Any, items: list[dict[str, Any]]) -> dict[float, float]:
    """The share of ``items`` answered right with the judge's threshold at each of ``THRESHOLDS``."""
    from eval.metrics import is_correct

    judge = qa._snapshot.answerer.judge
    fitted = judge.model
    found: dict[float, float] = {}
    try:
        for threshold in THRESHOLDS:
            judge.model = replace(fitted, threshold=threshold)
            right = sum(
                is_correct(item, qa.ask(item["question"], id=item["id"], history=item.get("history")).to_dict())
                for item in items
            )
            found[threshold] = round(right / len(items), 6)
            print(f"threshold {threshold:.2f}: {found[threshold]:.4f}", file=sys.stderr)
    finally:
        judge.model = fitted
    return found


def choose(found: dict[float, float], questions: int) -> float:
    """Of the thresholds within ``NOISE_QUESTIONS`` right answers of the best, the nearest the
    fit's own: a threshold moves no further than the answers show it should."""
    best = max(found.values())
    close = [t for t, a in found.items() if a >= best - NOISE_QUESTIONS / questions - 1e-12]
    return min(close, key=lambda t: (abs(t - FIT_THRESHOLD), t))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--round", dest="rounds", action="append", help="blind round folder under data/bench")
    parser.add_argument("--check", action="store_true", help="choose again and compare with the committed threshold")
    args = parser.parse_args(argv)
    committed = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    recorded = committed.get("threshold_fitted_on", {}).get("rounds")
    rounds = args.rounds or (recorded if args.check and recorded else default_rounds())

    from ingest import settings
    from kernel.offline import go_offline

    go_offline()
    from qa import PolicyQA

    qa = PolicyQA.load(build_if_missing=False, progress=False)
    items = list(read_items([settings.dev_bench_path()]))
    items += select(read_items(f for name in rounds for f in round_files(name)), "tune")
    found = accuracy_by_threshold(qa, items)
    best = choose(found, len(items))
    if args.check:
        same = abs(committed["threshold"] - best) < 1e-9
        print("reproduced" if same else f"differs: committed {committed['threshold']}, chosen {best} ({found})")
        return 0 if same else 1
    committed["threshold"] = best
    committed["threshold_fitted_on"] = {
        "rounds": list(rounds), "half": "tune", "dev": True, "questions": len(items),
        "accuracy": {f"{t:.2f}": a for t, a in found.items()},
    }
    MODEL_PATH.write_text(json.dumps(committed, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({"threshold": best, **committed["threshold_fitted_on"]}, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
