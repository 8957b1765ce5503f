"""Files and folders in, ``Document`` objects out: the one entry point every stage uses.

``parse_text`` is pure (text in, units out) so the same text always yields the same
units, whatever encoding or format it was decoded from.
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import NamedTuple

from ingest.chunks import sentence_chunks, table_chunks
from ingest.decode import SUPPORTED_SUFFIXES, read_document_text
from ingest.regions import detect_region
from ingest.sections import SectionLocator, build_sections, heading_rank
from ingest.sentences import split_sentences
from ingest.spans import Span, in_regions, line_spans, trim
from ingest.tables import find_tables, table_row_units, table_title
from kernel.errors import UnsupportedDocumentError
from kernel.types import Document, Unit

MAX_TITLE_CHARS = 80
_BOOK_TITLE = re.compile(r"《([^《》\n]{4,80})》")
_BAD_DOC_ID = re.compile(r"[/\\\x00]")


class IngestFailure(NamedTuple):
    """A file that could not be ingested and the one-line reason."""

    path: str
    reason: str


@dataclass(frozen=True)
class IngestReport:
    documents: tuple[Document, ...]
    failures: tuple[IngestFailure, ...]

    @property
    def ok(self) -> bool:
        return not self.failures


def validate_doc_id(doc_id: str) -> str:
    """A doc_id becomes part of file names and URLs: no separators, NUL, or dot-only names."""
    if not doc_id or doc_id.strip(".") == "" or _BAD_DOC_ID.search(doc_id) or doc_id != doc_id.strip():
        raise ValueError(f"invalid doc_id {doc_id!r}: use a file name without path separators or NUL")
    return doc_id


def parse_text(doc_id: str, text: str, source: str = "") -> Document:
    """Parse decoded text into a Document with sections, sentences, table rows and chunks."""
    validate_doc_id(doc_id)
    tables = find_tables(text)
    regions: list[Span] = [(t.start, t.end) for t in tables]
    sections = build_sections(doc_id, text, regions)
    locator = SectionLocator(sections)
    title = document_title(text, doc_id)

    spans = split_sentences(text, regions) + [t.title_span for t in tables if t.title_span]
    sentences = tuple(
        Unit(doc_id, "sentence", i, s, e, text[s:e], locator.path_at(s))
        for i, (s, e) in enumerate(sorted(spans))
    )
    rows = tuple(table_row_units(doc_id, text, tables, locator.path_at))

    not_body = sorted(
        [(s.start, s.start + len(s.heading)) for s in sections]
        + [t.title_span for t in tables if t.title_span]
    )
    not_body_starts = [s for s, _ in not_body]
    body = [u for u in sentences if not in_regions(not_body, not_body_starts, u.start)]
    table_titles = [(t.start, t.end, table_title(t, locator.path_at(t.start))) for t in tables]

    def title_of(row: Unit) -> str:
        return next(name for start, end, name in table_titles if start <= row.start < end)

    region_starts = [start for start, _ in regions]

    def group_of(offset: int) -> tuple[int | None, int]:
        return locator.index_at(offset), bisect_right(region_starts, offset)

    chunks = sentence_chunks(doc_id, text, body, group_of, fallback_context=title)
    chunks += table_chunks(doc_id, text, rows, title_of)
    ordered = tuple(replace(c, index=i) for i, c in enumerate(sorted(chunks, key=lambda c: (c.start, c.end))))

    region = detect_region(text)
    return Document(
        doc_id=doc_id,
        title=title,
        district=region.district,
        province=region.province,
        city=region.city,
        text=text,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        source=source,
        sections=sections,
        sentences=sentences,
        table_rows=rows,
        chunks=ordered,
    )


def document_title(text: str, doc_id: str = "") -> str:
    """The 《》 title in the opening line, else the opening line (joined with a short second line).

    Documents that open straight into body text (a long first line) are titled by doc_id.
    """
    lines = [text[s:e] for s, e in (trim(text, *span) for span in line_spans(text)) if s < e][:3]
    if not lines:
        return doc_id
    book = _BOOK_TITLE.search(lines[0])
    if book:
        return book.group(1)
    first = lines[0]
    if len(first) > MAX_TITLE_CHARS or re.search(r"[。；;]", first):
        return doc_id or first[:MAX_TITLE_CHARS]
    if len(lines) > 1:
        second = lines[1]
        joinable = (
            len(first) <= 40
            and len(second) <= 40
            and not re.search(r"[。，,：:；]$", first)
            and heading_rank(second) is None
            and not second.startswith(("（", "("))
        )
        if joinable:
            return first + second
    return first


def load_document(path: Path | str) -> Document:
    """Read, decode and parse one file; doc_id is the file name without its extension."""
    path = Path(path)
    text = read_document_text(path)
    try:
        doc_id = validate_doc_id(path.stem)
    except ValueError as exc:
        raise UnsupportedDocumentError(str(path), str(exc)) from None
    return parse_text(doc_id, text, source=str(path))


def expand_paths(paths: Sequence[Path | str]) -> list[Path]:
    """Files as given; a folder becomes its non-hidden files (not sub-folders), sorted by name."""
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            out.extend(
                sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith((".", "~$")))
            )
        else:
            out.append(path)
    return out


def ingest_paths(paths: Sequence[Path | str]) -> IngestReport:
    """Ingest every file; a bad file is recorded as a failure and the others still go through."""
    documents: list[Document] = []
    failures: list[IngestFailure] = []
    seen: dict[str, str] = {}
    for path in expand_paths(paths):
        try:
            doc = load_document(path)
        except UnsupportedDocumentError as exc:
            failures.append(IngestFailure(exc.path, exc.reason))
            continue
        if doc.doc_id in seen:
            failures.append(
                IngestFailure(str(path), f"duplicate doc_id {doc.doc_id!r}: also {seen[doc.doc_id]}")
            )
            continue
        seen[doc.doc_id] = str(path)
        documents.append(doc)
    return IngestReport(tuple(documents), tuple(failures))


def load_corpus(folder: Path | str) -> list[Document]:
    """Every supported document in ``folder``; raises on the first bad file (the corpus must be clean)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"corpus folder not found: {folder}")
    files = [p for p in expand_paths([folder]) if p.suffix.lower() in SUPPORTED_SUFFIXES]
    return [load_document(p) for p in files]
