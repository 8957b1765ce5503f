"""Documents to JSON and back, so an index folder carries the full text it was built from.

The answerer verifies every quote against ``document.text``; storing the documents in the
index means that check needs nothing but the index. Unit and cell texts are *not* stored:
they are re-cut from the document text by their offsets on load, which keeps the file small
and makes ``unit.text == document.text[start:end]`` true by construction.
"""

from __future__ import annotations

from typing import Any

from kernel.types import Cell, Document, Section, Unit

UNIT_FIELDS = ("sentences", "table_rows", "chunks")


def _unit_to_json(u: Unit) -> dict[str, Any]:
    row: dict[str, Any] = {"kind": u.kind, "index": u.index, "start": u.start, "end": u.end}
    if u.section:
        row["section"] = list(u.section)
    if u.context:
        row["context"] = u.context
    if u.cells:
        row["cells"] = [[c.label, c.start, c.end] for c in u.cells]
    return row


def document_to_json(doc: Document) -> dict[str, Any]:
    """A JSON-ready dict holding everything in ``doc``."""
    row: dict[str, Any] = {
        "doc_id": doc.doc_id,
        "title": doc.title,
        "district": doc.district,
        "province": doc.province,
        "city": doc.city,
        "sha256": doc.sha256,
        "source": doc.source,
        "text": doc.text,
        "sections": [
            {
                "index": s.index,
                "heading": s.heading,
                "level": s.level,
                "path": list(s.path),
                "start": s.start,
                "end": s.end,
                "parent": s.parent,
            }
            for s in doc.sections
        ],
    }
    for name in UNIT_FIELDS:
        row[name] = [_unit_to_json(u) for u in getattr(doc, name)]
    return row


def _unit_from_json(doc_id: str, text: str, row: dict[str, Any]) -> Unit:
    start, end = int(row["start"]), int(row["end"])
    if not 0 <= start <= end <= len(text):
        raise ValueError(
            f"unit {doc_id}#{row['kind']}:{row['index']} has offsets {start}:{end} outside the text"
        )
    cells = tuple(Cell(label, text[s:e], int(s), int(e)) for label, s, e in row.get("cells", ()))
    return Unit(
        doc_id=doc_id,
        kind=row["kind"],
        index=int(row["index"]),
        start=start,
        end=end,
        text=text[start:end],
        section=tuple(row.get("section", ())),
        context=row.get("context", ""),
        cells=cells,
    )


def document_from_json(row: dict[str, Any]) -> Document:
    """Rebuild a ``Document``; raises ``ValueError``/``KeyError`` on a malformed row."""
    doc_id, text = row["doc_id"], row["text"]
    sections = tuple(
        Section(
            doc_id=doc_id,
            index=int(s["index"]),
            heading=s["heading"],
            level=int(s["level"]),
            path=tuple(s["path"]),
            start=int(s["start"]),
            end=int(s["end"]),
            parent=s.get("parent"),
        )
        for s in row["sections"]
    )
    units = {name: tuple(_unit_from_json(doc_id, text, u) for u in row[name]) for name in UNIT_FIELDS}
    province, city = row.get("province"), row.get("city")
    if "province" not in row and row["district"]:  # an index written before regions were data
        from ingest.regions import district_by_name

        d = district_by_name(row["district"])
        province, city = (d.province, d.city) if d else (None, None)
    return Document(
        doc_id=doc_id,
        title=row["title"],
        district=row["district"],
        province=province,
        city=city,
        text=text,
        sha256=row["sha256"],
        source=row.get("source", ""),
        sections=sections,
        **units,
    )
