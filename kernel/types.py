"""The shared vocabulary every stage speaks: documents, units, retrieval hits, citations, answers.

All are frozen dataclasses so a unit handed from ingest to the index and on to the answerer
can never drift from the text its offsets point into.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

UnitKind = Literal["section", "sentence", "chunk", "table_row"]
UNIT_KINDS: tuple[str, ...] = ("section", "sentence", "chunk", "table_row")


@dataclass(frozen=True)
class Cell:
    """One labelled cell of a table row; ``text == document.text[start:end]``."""

    label: str
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Section:
    """A heading and the body under it.

    ``start`` is where the heading line begins, ``end`` where the section's last body
    character ends; ``path`` is the chain of headings from the top down to this one.
    """

    doc_id: str
    index: int
    heading: str
    level: int
    path: tuple[str, ...]
    start: int
    end: int
    parent: int | None = None


@dataclass(frozen=True)
class Unit:
    """A span of a document: a section, sentence, chunk or table row.

    ``text == document.text[start:end]`` always. ``context`` is extra text used only for
    retrieval (the heading path of a chunk, the column labels of a table row); it is never
    quoted in a citation.
    """

    doc_id: str
    kind: UnitKind
    index: int
    start: int
    end: int
    text: str
    section: tuple[str, ...] = ()
    context: str = ""
    cells: tuple[Cell, ...] = ()

    @property
    def unit_id(self) -> str:
        return f"{self.doc_id}#{self.kind}:{self.index}"

    @property
    def retrieval_text(self) -> str:
        """The text that is embedded and indexed: context first, then the body."""
        return f"{self.context}\n{self.text}" if self.context else self.text

    def to_dict(self) -> dict[str, Any]:
        """The ``--dump`` line shape fixed by CONTRACT.md (plus cells for table rows)."""
        row: dict[str, Any] = {
            "doc_id": self.doc_id,
            "kind": self.kind,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "section": list(self.section),
        }
        if self.cells:
            row["cells"] = [asdict(c) for c in self.cells]
        return row


@dataclass(frozen=True)
class Document:
    """A parsed document with every unit it yields."""

    doc_id: str
    title: str
    district: str | None
    text: str
    sha256: str
    source: str = ""
    sections: tuple[Section, ...] = ()
    sentences: tuple[Unit, ...] = ()
    table_rows: tuple[Unit, ...] = ()
    chunks: tuple[Unit, ...] = ()
    # The region besides the district (CONTRACT.md "Regions"): None for a national plan.
    province: str | None = None
    city: str | None = None

    @property
    def region(self) -> dict[str, str | None]:
        """``{province, city, district}``, any part None (a city-level plan has no district)."""
        return {"province": self.province, "city": self.city, "district": self.district}

    def units(self) -> tuple[Unit, ...]:
        """Sections (as units), sentences, table rows and chunks, in that order."""
        section_units = tuple(
            Unit(self.doc_id, "section", s.index, s.start, s.end, self.text[s.start : s.end], s.path)
            for s in self.sections
        )
        return section_units + self.sentences + self.table_rows + self.chunks

    def section_path_at(self, offset: int) -> tuple[str, ...]:
        """The heading path of the innermost section containing ``offset``."""
        best: Section | None = None
        for s in self.sections:
            if s.start <= offset < s.end and (best is None or s.level >= best.level):
                best = s
        return best.path if best else ()


@dataclass(frozen=True)
class ScoredChunk:
    """A retrieved unit with its fused score and, for diagnosis, its per-retriever ranks."""

    unit: Unit
    score: float
    district: str | None = None
    ranks: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class Citation:
    doc_id: str
    start: int
    end: int
    quote: str
    district: str | None
    section: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id,
            "start": self.start,
            "end": self.end,
            "quote": self.quote,
            "district": self.district,
            "section": list(self.section),
        }


@dataclass(frozen=True)
class Passage:
    doc_id: str
    start: int
    end: int
    text: str
    score: float
    district: str | None = None
    section: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "score": round(float(self.score), 6),
            "district": self.district,
            "section": list(self.section),
        }


@dataclass(frozen=True)
class Answer:
    """The Answer object of CONTRACT.md. ``mode`` and ``notes`` are additive fields."""

    question: str
    answer: str
    refused: bool
    citations: tuple[Citation, ...] = ()
    passages: tuple[Passage, ...] = ()
    timings_ms: dict[str, float] = field(default_factory=dict)
    id: str | None = None
    lang: str = "zh"
    mode: str = "extractive"
    notes: tuple[str, ...] = ()
    standalone_question: str | None = None  # a follow-up, resolved against the conversation

    def to_dict(self) -> dict[str, Any]:
        row: dict[str, Any] = {}
        if self.id is not None:
            row["id"] = self.id
        row.update(
            question=self.question,
            answer=self.answer,
            refused=self.refused,
            citations=[c.to_dict() for c in self.citations],
            passages=[p.to_dict() for p in self.passages],
            timings_ms={k: round(float(v), 2) for k, v in self.timings_ms.items()},
            lang=self.lang,
            mode=self.mode,
            notes=list(self.notes),
        )
        if self.standalone_question is not None:
            row["standalone_question"] = self.standalone_question
        return row
