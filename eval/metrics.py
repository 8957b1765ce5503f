"""Our benchmark metrics, exactly as CONTRACT.md "How answers are judged" defines them.

Each metric takes parallel lists of question items (bench/SCHEMA.md) and Answer dicts
(CONTRACT.md), rejects a length or id mismatch, and returns a ``MetricResult``: the score and
one value per item (``None`` where the metric does not apply to that item).

A metric named "share of X" divides by the X it names, pooled over the items it applies to
(evidence hit: gold quotes; citation recall: gold quotes; citation precision: citations;
key-fact coverage: must_include groups; district recall: required districts; district
precision: districts named). Accuracy, refusal accuracy and false-refusal rate count items.
A refused answer claims nothing, so its text counts as empty for coverage and districts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from eval.normalize import districts_named, names_district, normalize, overlaps

Item = dict[str, Any]
AnswerDict = dict[str, Any]
Counted = tuple[float, float] | None  # (numerator, denominator) for one item, None = n/a

DISTRICT_TYPES = ("aggregation", "comparison")


@dataclass(frozen=True)
class MetricResult:
    """A pooled score (None when no item had a denominator) and the per-item values."""

    score: float | None
    per_item: list[float | None]


def _check_parallel(items: Sequence[Item], answers: Sequence[AnswerDict]) -> None:
    if len(items) != len(answers):
        raise ValueError(f"items and answers differ in length: {len(items)} != {len(answers)}")
    for item, answer in zip(items, answers, strict=True):
        aid = answer.get("id")
        if aid is not None and aid != item.get("id"):
            raise ValueError(f"answer id {aid!r} is paired with item id {item.get('id')!r}")


def _pool(counts: list[Counted]) -> MetricResult:
    num = sum(c[0] for c in counts if c is not None)
    den = sum(c[1] for c in counts if c is not None)
    per_item = [None if c is None or c[1] == 0 else c[0] / c[1] for c in counts]
    return MetricResult(num / den if den else None, per_item)


def _metric(per_item: Callable[[Item, AnswerDict], Counted]) -> Callable[..., MetricResult]:
    def compute(items: Sequence[Item], answers: Sequence[AnswerDict]) -> MetricResult:
        _check_parallel(items, answers)
        return _pool([per_item(i, a) for i, a in zip(items, answers, strict=True)])

    compute.__name__ = per_item.__name__.lstrip("_")
    compute.__doc__ = per_item.__doc__
    return compute


def answerable(item: Item) -> bool:
    return item.get("type") != "unanswerable"


def _claimed_text(answer: AnswerDict) -> str:
    return "" if answer.get("refused") else str(answer.get("answer") or "")


def fact_hits(item: Item, answer: AnswerDict) -> list[bool]:
    """For each must_include group: does one alternative occur in the (non-refused) answer?"""
    text = normalize(_claimed_text(answer))
    return [any(normalize(alt) in text for alt in group) for group in item.get("must_include", [])]


def missing_districts(item: Item, answer: AnswerDict) -> list[str]:
    text = _claimed_text(answer)
    return [d for d in item.get("districts", []) if not names_district(text, d)]


def is_correct(item: Item, answer: AnswerDict) -> bool:
    """Answerable: not refused, every key fact, every district. Unanswerable: refused."""
    if not answerable(item):
        return bool(answer.get("refused"))
    return not answer.get("refused") and all(fact_hits(item, answer)) and not missing_districts(item, answer)


def _quote_hits(item: Item, answer: AnswerDict, k: int) -> list[bool]:
    texts = [normalize(p.get("text", "")) for p in (answer.get("passages") or [])[:k]]
    return [any(normalize(ev["quote"]) in t for t in texts) for ev in item.get("evidence", [])]


def _accuracy(item: Item, answer: AnswerDict) -> Counted:
    """Share of items answered correctly."""
    return (float(is_correct(item, answer)), 1.0)


def _key_fact_coverage(item: Item, answer: AnswerDict) -> Counted:
    """Share of must_include groups (answerable items) with an alternative in the answer."""
    hits = fact_hits(item, answer)
    return (float(sum(hits)), float(len(hits))) if answerable(item) and hits else None


def _district_recall(item: Item, answer: AnswerDict) -> Counted:
    """Share of required districts (aggregation/comparison items) named in the answer."""
    required = item.get("districts", [])
    if item.get("type") not in DISTRICT_TYPES or not required:
        return None
    return (float(len(required) - len(missing_districts(item, answer))), float(len(required)))


def _district_precision(item: Item, answer: AnswerDict) -> Counted:
    """Of the districts named in the answer (aggregation/comparison items), the share that qualify."""
    required = item.get("districts", [])
    if item.get("type") not in DISTRICT_TYPES or not required:
        return None
    named = districts_named(_claimed_text(answer), required)
    qualifying = {normalize(d.removesuffix("区")) for d in required}
    good = sum(1 for d in named if normalize(d.removesuffix("区")) in qualifying)
    return (float(good), float(len(named)))


def _refusal_accuracy(item: Item, answer: AnswerDict) -> Counted:
    """Share of unanswerable items refused."""
    return None if answerable(item) else (float(bool(answer.get("refused"))), 1.0)


def _false_refusal_rate(item: Item, answer: AnswerDict) -> Counted:
    """Share of answerable items refused (lower is better)."""
    return (float(bool(answer.get("refused"))), 1.0) if answerable(item) else None


def _citation_recall(item: Item, answer: AnswerDict) -> Counted:
    """Share of gold evidence quotes that overlap (either contains the other) a cited quote."""
    gold = [ev["quote"] for ev in item.get("evidence", [])]
    if not answerable(item) or not gold:
        return None
    cited = [c.get("quote", "") for c in answer.get("citations") or []]
    return (float(sum(any(overlaps(g, c) for c in cited) for g in gold)), float(len(gold)))


def _citation_precision(item: Item, answer: AnswerDict) -> Counted:
    """Share of citations (answerable items) whose quote overlaps a gold quote or holds a key fact."""
    cited = [c.get("quote", "") for c in answer.get("citations") or []]
    if not answerable(item) or not cited:
        return None
    gold = [ev["quote"] for ev in item.get("evidence", [])]
    alts = [normalize(a) for group in item.get("must_include", []) for a in group]

    def supported(quote: str) -> bool:
        nq = normalize(quote)
        return any(overlaps(quote, g) for g in gold) or any(a and a in nq for a in alts)

    return (float(sum(supported(q) for q in cited)), float(len(cited)))


def _evidence_hit(k: int) -> Callable[[Item, AnswerDict], Counted]:
    def per_item(item: Item, answer: AnswerDict) -> Counted:
        hits = _quote_hits(item, answer, k)
        return (float(sum(hits)), float(len(hits))) if hits else None

    per_item.__name__ = f"_evidence_hit_at_{k}"
    per_item.__doc__ = f"Share of gold evidence quotes contained in one of the first {k} passages."
    return per_item


accuracy = _metric(_accuracy)
key_fact_coverage = _metric(_key_fact_coverage)
district_recall = _metric(_district_recall)
district_precision = _metric(_district_precision)
refusal_accuracy = _metric(_refusal_accuracy)
false_refusal_rate = _metric(_false_refusal_rate)
citation_recall = _metric(_citation_recall)
citation_precision = _metric(_citation_precision)
evidence_hit_at_5 = _metric(_evidence_hit(5))
evidence_hit_at_10 = _metric(_evidence_hit(10))

METRICS: dict[str, Callable[..., MetricResult]] = {
    "accuracy": accuracy,
    "key_fact_coverage": key_fact_coverage,
    "district_recall": district_recall,
    "district_precision": district_precision,
    "refusal_accuracy": refusal_accuracy,
    "false_refusal_rate": false_refusal_rate,
    "evidence_hit@5": evidence_hit_at_5,
    "evidence_hit@10": evidence_hit_at_10,
    "citation_recall": citation_recall,
    "citation_precision": citation_precision,
}
LOWER_IS_BETTER = frozenset({"false_refusal_rate"})


def score_set(items: Sequence[Item], answers: Sequence[AnswerDict]) -> dict[str, float | int | None]:
    """Every metric over one set of items, plus its size ``n``."""
    row: dict[str, float | int | None] = {"n": len(items)}
    for name, fn in METRICS.items():
        row[name] = fn(items, answers).score
    return row


def _groups(items: Sequence[Item], key: str) -> dict[str, list[int]]:
    groups: dict[str, list[int]] = {}
    for i, item in enumerate(items):
        groups.setdefault(str(item.get(key)), []).append(i)
    return dict(sorted(groups.items()))


def evaluate_run(items: Sequence[Item], answers: Sequence[AnswerDict]) -> dict[str, Any]:
    """Overall, per-type and per-language scores, and per-item values for reports and comparisons."""
    _check_parallel(items, answers)
    per_item = {name: fn(items, answers).per_item for name, fn in METRICS.items()}
    breakdown: dict[str, Any] = {"overall": score_set(items, answers)}
    for key, label in (("type", "by_type"), ("lang", "by_lang")):
        breakdown[label] = {
            group: score_set([items[i] for i in idx], [answers[i] for i in idx])
            for group, idx in _groups(items, key).items()
        }
    rows = []
    for i, (item, answer) in enumerate(zip(items, answers, strict=True)):
        hits = fact_hits(item, answer)
        rows.append(
            {
                "id": item.get("id"),
                "type": item.get("type"),
                "lang": item.get("lang"),
                "correct": is_correct(item, answer),
                "refused": bool(answer.get("refused")),
                **{name: values[i] for name, values in per_item.items() if name != "accuracy"},
                "missing_facts": [g for g, hit in zip(item.get("must_include", []), hits, strict=True) if not hit],
                "missing_districts": missing_districts(item, answer),
                "missed_evidence": [
                    ev["quote"] for ev, hit in zip(item.get("evidence", []), _quote_hits(item, answer, 10), strict=True)
                    if not hit
                ],
            }
        )
    breakdown["items"] = rows
    return breakdown
