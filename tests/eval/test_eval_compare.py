"""compare: deltas B - A and the items that flipped, from two fabricated runs."""

from __future__ import annotations

import argparse

import pytest

from eval import commands
from eval.compare import compare_runs, load_run, render_comparison
from eval.harness import run_eval


@pytest.fixture(scope="module")
def runs(tmp_path_factory, items, perfect, partial, docs):
    root = tmp_path_factory.mktemp("runs")
    for name, answers in (("perfect", perfect), ("partial", partial)):
        by_id = {a["id"]: a for a in answers}
        run_eval(items, lambda item, b=by_id: dict(b[item["id"]]), root / name, system=name, docs=docs,
                 progress=False, with_ragas=False)
    return root


def test_deltas_and_flips(runs):
    diff = compare_runs(load_run(runs / "perfect"), load_run(runs / "partial"))
    assert diff["overall"]["accuracy"]["delta"] == pytest.approx(-0.5)
    assert diff["overall"]["key_fact_coverage"]["delta"] == pytest.approx(4 / 7 - 1)
    assert diff["overall"]["false_refusal_rate"]["delta"] == pytest.approx(0.25)
    assert diff["overall"]["district_precision"]["delta"] == pytest.approx(2 / 3 - 1)
    assert diff["accuracy_by_type"]["aggregation"] == 0.0
    assert diff["accuracy_by_type"]["comparison"] == -1.0
    assert diff["broken"] == ["dev-002", "dev-043", "dev-060"] and diff["fixed"] == []
    back = compare_runs(load_run(runs / "partial"), load_run(runs / "perfect"))
    assert back["fixed"] == ["dev-002", "dev-043", "dev-060"] and back["broken"] == []
    text = render_comparison(diff)
    assert "| accuracy | 100.0% | 50.0% | -50.0 pts ▼ |" in text
    assert "| false_refusal_rate | 0.0% | 25.0% | +25.0 pts ▼ |" in text
    assert "Broken (right in A, wrong in B): 3: dev-002, dev-043, dev-060" in text


def _parse(argv):
    parser = argparse.ArgumentParser(prog="policyqa eval")
    commands.add_arguments(parser)
    return parser.parse_args(argv)


def test_command_compare(runs, capsys):
    assert commands.run(_parse(["compare", str(runs / "perfect"), str(runs / "partial")])) == 0
    assert "Fixed (wrong in A, right in B): 0: none" in capsys.readouterr().out


def test_command_usage_errors(runs):
    with pytest.raises(ValueError, match="two run folders"):
        commands.run(_parse(["compare", str(runs / "perfect")]))
    with pytest.raises(SystemExit) as exit_:  # argparse: a folder where only "compare" may stand
        _parse([str(runs / "perfect")])
    assert exit_.value.code == 2
    with pytest.raises(FileNotFoundError, match="no metrics.json"):
        commands.run(_parse(["compare", str(runs / "perfect"), str(runs / "nothing")]))


def test_help_explains_both_forms(capsys):
    with pytest.raises(SystemExit):
        _parse(["--help"])
    text = capsys.readouterr().out
    assert "compare RUN_A RUN_B" in text and "--questions" in text and "langchain-baseline" in text
