"""Two runs side by side: how each metric moved, and which items flipped either way.

Reads only the run folders' ``metrics.json`` (which holds per-item results), so runs made on
different days, or by different systems, compare without re-answering anything.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from eval.metrics import LOWER_IS_BETTER, METRICS
from eval.report import fmt


def load_run(run: str | Path) -> dict[str, Any]:
    path = Path(run)
    path = path / "metrics.json" if path.is_dir() else path
    if not path.is_file():
        raise FileNotFoundError(f"no metrics.json in {run}: run `policyqa eval --out {run}` first")
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _delta(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else b - a


def compare_runs(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """Deltas (B - A) overall, per type and for ragas; items fixed (wrong in A, right in B) and broken."""
    overall = {m: {"a": a["overall"].get(m), "b": b["overall"].get(m),
                   "delta": _delta(a["overall"].get(m), b["overall"].get(m))} for m in METRICS}
    by_type = {
        t: _delta(a["by_type"].get(t, {}).get("accuracy"), b["by_type"].get(t, {}).get("accuracy"))
        for t in sorted(set(a["by_type"]) | set(b["by_type"]))
    }
    ra, rb = a.get("ragas", {}).get("metrics", {}), b.get("ragas", {}).get("metrics", {})
    ragas = {m: {"a": ra.get(m), "b": rb.get(m), "delta": _delta(ra.get(m), rb.get(m))}
             for m in sorted(set(ra) | set(rb))}
    items_a = {r["id"]: r for r in a.get("items", [])}
    items_b = {r["id"]: r for r in b.get("items", [])}
    common = [i for i in items_a if i in items_b]
    return {
        "a": a.get("system"), "b": b.get("system"),
        "overall": overall, "accuracy_by_type": by_type, "ragas": ragas,
        "fixed": [i for i in common if not items_a[i]["correct"] and items_b[i]["correct"]],
        "broken": [i for i in common if items_a[i]["correct"] and not items_b[i]["correct"]],
        "only_in_a": sorted(set(items_a) - set(items_b)),
        "only_in_b": sorted(set(items_b) - set(items_a)),
    }


def _signed(value: float | None, metric: str = "") -> str:
    if value is None:
        return "–"
    arrow = ""
    if value:
        better = (value < 0) if metric in LOWER_IS_BETTER else (value > 0)
        arrow = " ▲" if better else " ▼"
    return f"{100 * value:+.1f} pts{arrow}"


def render_comparison(diff: dict[str, Any], name_a: str = "A", name_b: str = "B") -> str:
    out = [f"# {name_a} ({diff['a']}) → {name_b} ({diff['b']})", "",
           "| metric | A | B | B − A |", "|---|---|---|---|"]
    out += [f"| {m} | {fmt(v['a'])} | {fmt(v['b'])} | {_signed(v['delta'], m)} |" for m, v in diff["overall"].items()]
    out += ["", "| type | accuracy B − A |", "|---|---|"]
    out += [f"| {t} | {_signed(d)} |" for t, d in diff["accuracy_by_type"].items()]
    if diff["ragas"]:
        out += ["", "| ragas metric | A | B | B − A |", "|---|---|---|---|"]
        out += [f"| {m} | {fmt(v['a'])} | {fmt(v['b'])} | {_signed(v['delta'])} |" for m, v in diff["ragas"].items()]
    out += ["", f"Fixed (wrong in A, right in B): {len(diff['fixed'])}: " + (", ".join(diff["fixed"]) or "none"),
            f"Broken (right in A, wrong in B): {len(diff['broken'])}: " + (", ".join(diff["broken"]) or "none")]
    if diff["only_in_a"] or diff["only_in_b"]:
        out.append(f"Not in both runs: A only {diff['only_in_a']}, B only {diff['only_in_b']}")
    return "\n".join(out) + "\n"
