"""Human-readable views of a run: ``report.md`` (tables and the worst items) and ``report.png``.

The report is written from metrics.json plus the answers, so it can be regenerated from a run
folder without asking any question again.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from eval.metrics import METRICS

TABLE_COLUMNS = ["accuracy", "key_fact_coverage", "district_recall", "district_precision", "refusal_accuracy",
                 "false_refusal_rate", "evidence_hit@5", "evidence_hit@10", "citation_recall", "citation_precision"]
WORST_SHOWN = 10
ANSWER_CHARS = 300


def fmt(value: Any) -> str:
    """Percent for scores, '–' for not applicable."""
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{100 * value:.1f}%"
    return str(value)


def _table(rows: dict[str, dict[str, Any]], first: str) -> list[str]:
    lines = [f"| {first} | n | " + " | ".join(TABLE_COLUMNS) + " |", "|---" * (len(TABLE_COLUMNS) + 2) + "|"]
    for name, row in rows.items():
        lines.append(f"| {name} | {row.get('n')} | " + " | ".join(fmt(row.get(c)) for c in TABLE_COLUMNS) + " |")
    return lines


def _one_line(text: str, limit: int = ANSWER_CHARS) -> str:
    flat = " ".join(str(text).split()).replace("|", "\\|")
    return flat if len(flat) <= limit else flat[:limit] + "…"


def worst_items(metrics: dict[str, Any], limit: int = WORST_SHOWN) -> list[dict[str, Any]]:
    """Wrong items, least key-fact coverage and evidence first."""
    wrong = [row for row in metrics.get("items", []) if not row.get("correct")]
    return sorted(wrong, key=lambda r: (r.get("key_fact_coverage") or 0.0, r.get("evidence_hit@5") or 0.0,
                                        str(r.get("id"))))[:limit]


def render_report(metrics: dict[str, Any], items: Sequence[dict[str, Any]], answers: Sequence[dict[str, Any]]) -> str:
    by_id_item = {i["id"]: i for i in items}
    by_id_answer = {a.get("id"): a for a in answers}
    overall = metrics["overall"]
    out = [f"# Evaluation report: {metrics.get('system')}", "",
           f"Questions: `{metrics.get('questions')}` ({metrics.get('n')} items) · created {metrics.get('created')}", "",
           "Judged as CONTRACT.md says: text compared after NFKC, straight quotes, no whitespace, lower case. "
           "\"Share of X\" metrics pool X over the items they apply to; – = not applicable.", "",
           "## Summary", "", "| metric | value |", "|---|---|"]
    out += [f"| {name} | {fmt(overall.get(name))} |" for name in METRICS]
    lat, integ = metrics.get("latency", {}), metrics.get("integrity", {})
    out += [f"| latency mean / p50 / p95 | {lat.get('mean_ms')} / {lat.get('p50_ms')} / {lat.get('p95_ms')} ms |",
            f"| offset errors (quote != text[start:end]) | {integ.get('offset_errors')} of {integ.get('spans_checked')} spans |",
            f"| questions that raised an error (scored wrong) | {metrics.get('errors', {}).get('count', 0)} |",
            "", "![accuracy and key-fact coverage by question type](report.png)", "",
            "## By question type", ""]
    out += _table(metrics["by_type"], "type")
    out += ["", "## By language", ""]
    out += _table(metrics["by_lang"], "lang")
    out += ["", "## ragas", ""]
    ragas = metrics.get("ragas", {})
    if ragas.get("metrics"):
        out += [f"ragas {ragas.get('ragas_version')} on {ragas.get('rows')} rows ({ragas.get('scope')}).", "",
                "| ragas metric | mean |", "|---|---|"]
        out += [f"| {k} | {fmt(v)} |" for k, v in ragas["metrics"].items()]
    if ragas.get("skipped"):
        out += ["", "Skipped:", ""] + [f"- `{k}`: {v}" for k, v in ragas["skipped"].items()]
    if ragas.get("cjk_note"):
        out += ["", f"> {ragas['cjk_note']}"]
    out += ["", f"## Worst items (up to {WORST_SHOWN} wrong answers)", ""]
    worst = worst_items(metrics)
    if not worst:
        out.append("Every item was answered correctly.")
    for row in worst:
        item, answer = by_id_item.get(row["id"], {}), by_id_answer.get(row["id"], {})
        missing = []
        if answer.get("error"):
            missing.append("system error: " + _one_line(answer["error"], 200))
        if item.get("type") == "unanswerable":
            missing.append("should have refused")
        elif row.get("refused"):
            missing.append("refused an answerable question")
        if row.get("missing_facts"):
            missing.append("key facts " + "; ".join(" / ".join(g) for g in row["missing_facts"]))
        if row.get("missing_districts"):
            missing.append("districts " + ", ".join(row["missing_districts"]))
        if row.get("missed_evidence"):
            missing.append(f"{len(row['missed_evidence'])} gold quote(s) not in top-10 passages")
        out += [f"### {row['id']} ({row.get('type')}, {row.get('lang')})", "",
                f"- **Question:** {_one_line(item.get('question', ''))}",
                f"- **Answer:** {_one_line(answer.get('answer', '')) or '(empty)'}",
                f"- **Gold:** {_one_line(item.get('reference_answer', ''))}",
                f"- **Missing:** {'; '.join(missing) or '–'}", ""]
    return "\n".join(out) + "\n"


def write_report(path: Path, metrics: dict[str, Any], items: Sequence[dict[str, Any]],
                 answers: Sequence[dict[str, Any]]) -> None:
    path.write_text(render_report(metrics, items, answers), encoding="utf-8")


def write_chart(path: Path, metrics: dict[str, Any]) -> None:
    """Bars per question type: accuracy and key-fact coverage (English labels: no CJK glyphs needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    types = list(metrics["by_type"])
    acc = [metrics["by_type"][t].get("accuracy") or 0.0 for t in types]
    cov = [metrics["by_type"][t].get("key_fact_coverage") or 0.0 for t in types]
    x = range(len(types))
    fig, ax = plt.subplots(figsize=(max(6.0, 1.2 * len(types) + 2), 4), dpi=110)
    ax.bar([i - 0.2 for i in x], acc, width=0.4, label="accuracy")
    ax.bar([i + 0.2 for i in x], cov, width=0.4, label="key-fact coverage")
    ax.set_xticks(list(x), [f"{t}\n(n={metrics['by_type'][t].get('n')})" for t in types], fontsize=8)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("share")
    overall = metrics["overall"].get("accuracy")
    ax.set_title(f"{metrics.get('system')}: accuracy {fmt(overall)} overall", fontsize=10)
    ax.legend(fontsize=8, loc="upper right")
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
