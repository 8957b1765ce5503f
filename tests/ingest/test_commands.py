"""``policyqa ingest``: the summary table, the --dump file, and failures listed with exit 2."""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import pytest
from ingest_helpers import CHANGNING, corpus_file

from ingest import ingest_paths
from ingest.commands import add_arguments, run
from kernel.types import UNIT_KINDS, Document

MINHANG = "minhang-2023-2025-health-service-plan"


def _ingest(*argv: str) -> int:
    """The sub-command as surfaces/cli.py wires it: its own arguments on a sub-parser, then run()."""
    parser = argparse.ArgumentParser(prog="policyqa ingest")
    add_arguments(parser)
    return run(parser.parse_args(list(argv)))


@pytest.fixture()
def mixed_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(corpus_file(CHANGNING), folder)
    shutil.copy(corpus_file(MINHANG), folder)
    (folder / "broken.txt").write_bytes(b"\x00\x01binary\x00" * 10)
    (folder / ".hidden.txt").write_bytes(b"")  # hidden files are not documents
    (folder / "sub").mkdir()  # folders inside are not descended
    return folder


def test_folder_with_a_bad_file_ingests_the_others_and_exits_2(
    mixed_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _ingest(str(mixed_folder)) == 2
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert lines[0].split() == ["document", "sections", "sentences", "table", "rows", "chunks"]
    assert lines[2].split()[0] == CHANGNING and lines[3].split()[0] == MINHANG
    assert lines[-1].startswith("total (2 documents)")
    assert err.splitlines() == [
        "policyqa ingest: 1 file(s) failed:",
        f"  {mixed_folder / 'broken.txt'}: binary file (contains NUL bytes), not text",
    ]


def test_report_lists_failures_and_keeps_documents(mixed_folder: Path) -> None:
    report = ingest_paths([mixed_folder, mixed_folder / "notes.rtf"])
    assert [d.doc_id for d in report.documents] == [CHANGNING, MINHANG]
    assert [(Path(f.path).name, f.reason.split(" (")[0]) for f in report.failures] == [
        ("broken.txt", "binary file"),
        ("notes.rtf", "unsupported extension .rtf; supported: .txt, .md, .docx, .pdf"),
    ]
    assert not report.ok


def test_duplicate_doc_id_is_a_failure(tmp_path: Path) -> None:
    (tmp_path / "plan.txt").write_text("一、目标\n建设。", encoding="utf-8")
    (tmp_path / "plan.md").write_text("二、措施\n落实。", encoding="utf-8")
    report = ingest_paths([tmp_path])
    assert [d.source for d in report.documents] == [str(tmp_path / "plan.md")]
    assert [(Path(f.path).name, f.reason) for f in report.failures] == [
        ("plan.txt", f"duplicate doc_id 'plan': also {tmp_path / 'plan.md'}")
    ]


def test_dump_writes_every_unit_as_a_json_line(
    tmp_path: Path, corpus: dict[str, Document], capsys: pytest.CaptureFixture[str]
) -> None:
    dump = tmp_path / "out" / "units.jsonl"
    assert _ingest(str(corpus_file(CHANGNING)), str(corpus_file(MINHANG)), "--dump", str(dump)) == 0
    out, err = capsys.readouterr()
    assert err == ""
    rows = [json.loads(line) for line in dump.read_text(encoding="utf-8").splitlines()]
    expected = len(corpus[CHANGNING].units()) + len(corpus[MINHANG].units())
    assert len(rows) == expected and f"wrote {expected} units to {dump}" in out
    assert "千人口执业医师数" in dump.read_text(encoding="utf-8")  # ensure_ascii=False
    assert {r["kind"] for r in rows} == set(UNIT_KINDS)
    for row in rows:
        assert set(row) - {"cells"} == {"doc_id", "kind", "start", "end", "text", "section"}
        assert corpus[row["doc_id"]].text[row["start"] : row["end"]] == row["text"]
        assert isinstance(row["section"], list)
    assert [p.name for p in dump.parent.iterdir()] == ["units.jsonl"]  # no temp file left behind


def test_dump_is_replaced_atomically(tmp_path: Path) -> None:
    dump = tmp_path / "units.jsonl"
    dump.write_text("old content\n", encoding="utf-8")
    assert _ingest(str(corpus_file(MINHANG)), "--dump", str(dump)) == 0
    assert not dump.read_text(encoding="utf-8").startswith("old")
    assert [p.name for p in tmp_path.iterdir()] == ["units.jsonl"]


def test_summary_totals(capsys: pytest.CaptureFixture[str], corpus: dict[str, Document]) -> None:
    assert _ingest(str(corpus_file(MINHANG))) == 0
    out = capsys.readouterr().out.splitlines()
    doc = corpus[MINHANG]
    counts = [str(len(doc.sections)), str(len(doc.sentences)), str(len(doc.table_rows)), str(len(doc.chunks))]
    assert out[2].split() == [MINHANG, *counts]
    assert out[-1].split() == ["total", "(1", "document)", *counts]
