"""Question files are validated with line numbers, by bench/SCHEMA.md's own rules."""

from __future__ import annotations

import json

import pytest

from eval.questions import QuestionFileError, load_questions
from ingest.settings import dev_bench_path
from kernel.errors import PolicyQAError


def test_dev_set_loads(docs):
    items = load_questions(dev_bench_path(), docs)
    assert len(items) == 60 and items[0]["id"] == "dev-001"


def _write(tmp_path, lines):
    path = tmp_path / "q.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_problems_are_reported_with_line_numbers(tmp_path, dev_items, docs):
    good = dev_items[0]
    unknown = {**dev_items[1], "colour": "red"}
    bad_type = {**dev_items[2], "districts": "长宁区"}
    bad_quote = {**dev_items[3], "evidence": [{"doc": dev_items[3]["evidence"][0]["doc"], "quote": "这句话不在文件里出现过的"}]}
    dup = dict(good)
    lines = [json.dumps(x, ensure_ascii=False) for x in (good, unknown, bad_type, bad_quote)]
    lines += ["{not json", "[1, 2]", json.dumps(dup, ensure_ascii=False)]
    with pytest.raises(QuestionFileError) as err:
        load_questions(_write(tmp_path, lines), docs)
    errors = err.value.errors
    assert "line 2 (dev-002): unknown field colour" in errors
    assert "line 3 (dev-003): districts must be list" in errors
    assert any(e.startswith("line 4 (dev-004): quote not found in") for e in errors)
    assert any(e.startswith("line 5: invalid JSON") for e in errors)
    assert "line 6: not a JSON object" in errors
    assert "line 7: duplicate id 'dev-001' (first on line 1)" in errors
    assert len(errors) == 6
    assert isinstance(err.value, PolicyQAError) and isinstance(err.value, ValueError)


def test_empty_and_missing_files(tmp_path, docs):
    with pytest.raises(QuestionFileError, match="no questions"):
        load_questions(_write(tmp_path, [""]), docs)
    with pytest.raises(FileNotFoundError):
        load_questions(tmp_path / "nope.jsonl", docs)
