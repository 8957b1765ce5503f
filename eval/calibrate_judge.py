"""Fit the judge's logistic model on the tune half of the blind rounds, and write it.

    python eval/calibrate_judge.py [--round blind-r1 ...] [--check]

The ridge strength C is chosen by cross-validation on the same rows (5 folds, grouped by
question, lowest held-out log-loss), not by looking at benchmark results.

One row per decision the answerer takes (one per question, or one per district for
questions across or comparing districts), labelled by the benchmark: 1 when the evidence
judged states the answer (the question is answerable, or the district qualifies, and the
evidence overlaps a gold quote), 0 when the documents do not say (unanswerable items, and
districts that do not qualify). Answerable rows whose evidence missed the gold quote are
left out: that is a retrieval miss, which no threshold can mend. Conversation items are
left out (their questions need the turns before them). ``--check`` refits and fails
unless the committed coefficients are reproduced.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from eval.bench_split import read_items, round_files, select  # noqa: E402

MODEL_PATH = Path(__file__).resolve().parent.parent / "qa" / "judge_model.json"
DEFAULT_ROUNDS = ("blind-r1",)  # the tune halves of later rounds validate the fit
TOLERANCE = 5e-3  # float noise: torch- and ONNX-embedded vectors agree to cosine 0.9999998, and the fit
# amplifies that to ~1e-3 in a coefficient; a real change of features or data moves them far more
C_GRID = (0.03, 0.1, 0.3, 1.0, 3.0, 10.0)  # inverse ridge strengths tried (standardised features)
FOLDS = 5


def _overlaps(doc_text: str, quote: str, start: int, end: int) -> bool:
    at = doc_text.find(quote)
    while at != -1:
        if at < end and start < at + len(quote):
            return True
        at = doc_text.find(quote, at + 1)
    return False


def _label(item: dict[str, Any], district: str | None, evidence: Sequence[Any], documents: Any) -> int | None:
    if item["type"] == "unanswerable":
        return 0
    if district is not None and item["districts"]:
        if district not in item["districts"]:
            return 0 if item["type"] in ("aggregation", "comparison") else None
    elif district is not None:
        return None  # a question searched per district whose gold names no district: no label
    gold = [ev for ev in item["evidence"] if district is None or documents[ev["doc"]].district == district]
    hit = any(
        e.unit.doc_id == ev["doc"] and _overlaps(documents[ev["doc"]].text, ev["quote"], e.unit.start, e.unit.end)
        for e in evidence
        for ev in gold
    )
    return 1 if hit else None


def collect_rows(qa: Any, items: Iterable[dict[str, Any]]) -> tuple[list[dict[str, float]], list[int], list[str]]:
    """Features, labels and question ids of every decision the answerer takes on ``items``."""
    from qa.analysis import analyze

    answerer = qa._snapshot.answerer
    documents = qa.index.documents
    known = list(qa.index.districts)
    rows, labels, groups = [], [], []
    for item in items:
        if item.get("history"):
            continue
        draft = answerer.answer(analyze(item["question"], known))
        for district, verdict, evidence in draft.verdicts:
            if not verdict.features:
                continue
            label = _label(item, district, evidence, documents)
            if label is not None:
                rows.append(dict(verdict.features))
                labels.append(label)
                groups.append(item["id"])
    return rows, labels, groups


def _matrix(rows: list[dict[str, float]]) -> Any:
    import numpy as np

    from qa.judge import FEATURES

    return np.array([[row[name] for name in FEATURES] for row in rows])


def _standardise(x: Any) -> tuple[Any, Any]:
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    return mean, scale


def _model(c: float) -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=c, class_weight="balanced", max_iter=1000, tol=1e-10)


def choose_c(rows: list[dict[str, float]], labels: list[int], groups: list[str]) -> tuple[float, dict[float, float]]:
    """The C of ``C_GRID`` with the lowest held-out log-loss over question-grouped folds
    (all decisions of one question stay in one fold), and the loss of each C."""
    import numpy as np
    from sklearn.metrics import log_loss
    from sklearn.model_selection import GroupKFold

    x, y = _matrix(rows), np.array(labels)
    losses: dict[float, float] = {}
    for c in C_GRID:
        total = 0.0
        for train, test in GroupKFold(n_splits=FOLDS).split(x, y, groups):
            mean, scale = _standardise(x[train])
            model = _model(c).fit((x[train] - mean) / scale, y[train])
            total += log_loss(y[test], model.predict_proba((x[test] - mean) / scale)[:, 1], labels=[0, 1]) * len(test)
        losses[c] = round(total / len(y), 6)
    best = min(C_GRID, key=lambda c: (losses[c], c))
    return best, losses


def fit(rows: list[dict[str, float]], labels: list[int], c: float) -> dict[str, Any]:
    import numpy as np

    from qa.judge import FEATURES

    x = _matrix(rows)
    y = np.array(labels)
    # Standardised for the fit (so the ridge treats features alike), then mapped back to
    # raw coefficients, which is what the judge applies.
    mean, scale = _standardise(x)
    model = _model(c)
    model.fit((x - mean) / scale, y)
    raw = model.coef_[0] / scale
    intercept = float(model.intercept_[0] - (raw * mean).sum())
    predicted = model.predict((x - mean) / scale)
    return {
        "intercept": round(intercept, 6),
        "weights": {name: round(float(w), 6) for name, w in zip(FEATURES, raw, strict=True)},
        "threshold": 0.5,
        "fitted_on": {
            "rows": len(labels),
            "answerable_rows": int(y.sum()),
            "refusal_rows": int(len(y) - y.sum()),
            "row_accuracy": round(float((predicted == y).mean()), 4),
            "C": c,
            "class_weight": "balanced",
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--round", dest="rounds", action="append", help="blind round folder under data/bench")
    parser.add_argument("--check", action="store_true", help="refit and compare with the committed model")
    args = parser.parse_args(argv)
    rounds = tuple(args.rounds or DEFAULT_ROUNDS)

    from qa import PolicyQA

    qa = PolicyQA.load()
    items = select(read_items(f for name in rounds for f in round_files(name)), "tune")
    rows, labels, groups = collect_rows(qa, items)
    c, losses = choose_c(rows, labels, groups)
    model = fit(rows, labels, c)
    model["fitted_on"].update(rounds=list(rounds), half="tune", cv_log_loss={str(k): v for k, v in losses.items()})
    if args.check:
        committed = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
        pairs = [(committed["intercept"], model["intercept"])]
        pairs += [(committed["weights"].get(k, float("nan")), v) for k, v in model["weights"].items()]
        same = set(committed["weights"]) == set(model["weights"]) and all(abs(a - b) <= TOLERANCE for a, b in pairs)
        print("reproduced" if same else f"differs: committed {committed}\nrefit {model}")
        return 0 if same else 1
    if MODEL_PATH.exists():
        # the threshold is chosen by answers (eval/calibrate_threshold.py), not by this fit
        kept = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
        model.update({k: kept[k] for k in ("threshold", "threshold_fitted_on") if k in kept})
    MODEL_PATH.write_text(json.dumps(model, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(model, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
