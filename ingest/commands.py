"""``policyqa ingest PATH... [--dump UNITS.jsonl]``: parse documents and report their units.

Prints one summary row per document and a total; ``--dump`` writes every unit as one JSON
line (the shape CONTRACT.md fixes). Files that fail are listed on stderr after the table
and make the exit status 2; the others are still parsed and dumped.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kernel.types import Document

COLUMNS = ("sections", "sentences", "table rows", "chunks")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files (.txt .md .docx .pdf) or folders")
    parser.add_argument("--dump", metavar="UNITS.jsonl", type=Path, help="write every unit as one JSON line")


def run(args: argparse.Namespace) -> int:
    from ingest.pipeline import ingest_paths

    report = ingest_paths(args.paths)
    print(summary_table(report.documents))
    if args.dump is not None:
        count = write_units(report.documents, args.dump)
        print(f"wrote {count} units to {args.dump}")
    if report.failures:
        print(f"policyqa ingest: {len(report.failures)} file(s) failed:", file=sys.stderr)
        for failure in report.failures:
            print(f"  {failure.path}: {failure.reason}", file=sys.stderr)
        return 2
    return 0


def unit_counts(doc: Document) -> tuple[int, int, int, int]:
    return len(doc.sections), len(doc.sentences), len(doc.table_rows), len(doc.chunks)


def summary_table(documents: Sequence[Document]) -> str:
    """A plain-text table: one row per document and a total row."""
    header = ("document", *COLUMNS)
    rows = [(d.doc_id, *map(str, unit_counts(d))) for d in documents]
    totals = [sum(unit_counts(d)[k] for d in documents) for k in range(len(COLUMNS))]
    noun = "document" if len(documents) == 1 else "documents"
    rows.append((f"total ({len(documents)} {noun})", *map(str, totals)))
    widths = [max(len(r[k]) for r in [header, *rows]) for k in range(len(header))]

    def fmt(row: Sequence[str]) -> str:
        first = row[0].ljust(widths[0])
        rest = "  ".join(cell.rjust(w) for cell, w in zip(row[1:], widths[1:], strict=True))
        return f"{first}  {rest}"

    rule = "-" * len(fmt(header))
    return "\n".join([fmt(header), rule, *map(fmt, rows[:-1]), rule, fmt(rows[-1])])


def write_units(documents: Sequence[Document], path: Path) -> int:
    """Write every unit as a JSON line, atomically: readers never see a half-written file."""
    import json
    import os
    import tempfile

    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    directory.mkdir(parents=True, exist_ok=True)
    count = 0
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            for doc in documents:
                for unit in doc.units():
                    out.write(json.dumps(unit.to_dict(), ensure_ascii=False) + "\n")
                    count += 1
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return count
