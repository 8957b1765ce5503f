"""Every unit of the five real plans maps back to the text, and the dev evidence is reachable."""

from __future__ import annotations

from ingest.chunks import MAX_CHARS, MERGE_LIMIT, SOFT_MIN_CHARS
from kernel.types import Document, Unit

EXPECTED_DOCS = {
    "baoshan-2025-health-work-plan": "宝山区",
    "changning-2023-health-development-action-plan": "长宁区",
    "jingan-sanming-reform-plan": "静安区",
    "minhang-2023-2025-health-service-plan": "闵行区",
    "songjiang-14th-five-year-health-plan": "松江区",
}


def test_five_plans_with_their_districts(corpus: dict[str, Document]) -> None:
    assert {d: doc.district for d, doc in corpus.items()} == EXPECTED_DOCS


def test_titles(corpus: dict[str, Document]) -> None:
    assert (
        corpus["changning-2023-health-development-action-plan"].title
        == "长宁区推动卫生健康事业高质量发展行动方案"
    )
    assert (
        corpus["minhang-2023-2025-health-service-plan"].title
        == "闵行区医疗卫生服务体系高质量发展三年行动计划（2023—2025年）"
    )
    assert corpus["songjiang-14th-five-year-health-plan"].title == "松江区卫生健康发展“十四五”规划"
    assert (
        corpus["jingan-sanming-reform-plan"].title
        == "静安区关于推广福建三明经验 深化医药卫生体制改革的工作方案"
    )
    # Baoshan's file opens straight into body text: no title line, so the doc_id stands in.
    assert corpus["baoshan-2025-health-work-plan"].title == "baoshan-2025-health-work-plan"


def test_every_unit_slices_back_to_its_text(corpus: dict[str, Document]) -> None:
    checked = 0
    for doc in corpus.values():
        for unit in doc.units():
            assert doc.text[unit.start : unit.end] == unit.text, unit.unit_id
            assert unit.doc_id == doc.doc_id
            for cell in unit.cells:
                assert doc.text[cell.start : cell.end] == cell.text, (unit.unit_id, cell)
            checked += 1
    assert checked > 2000


def test_sentences_are_trimmed_and_non_empty(corpus: dict[str, Document]) -> None:
    for doc in corpus.values():
        assert doc.sentences
        for s in doc.sentences:
            assert s.text, s.unit_id
            assert not s.text[0].isspace() and not s.text[-1].isspace(), s.unit_id
            assert "\n" not in s.text, s.unit_id


def test_indices_are_sequential_per_kind(corpus: dict[str, Document]) -> None:
    for doc in corpus.values():
        for units in (doc.sentences, doc.table_rows, doc.chunks):
            assert [u.index for u in units] == list(range(len(units)))
        assert [s.index for s in doc.sections] == list(range(len(doc.sections)))


def _disjoint(units: tuple[Unit, ...] | list[Unit]) -> bool:
    ordered = sorted(units, key=lambda u: u.start)
    return all(a.end <= b.start for a, b in zip(ordered, ordered[1:], strict=False))


def test_sentences_and_table_rows_never_overlap(corpus: dict[str, Document]) -> None:
    for doc in corpus.values():
        assert _disjoint(list(doc.sentences) + list(doc.table_rows)), doc.doc_id
        assert _disjoint(doc.chunks), doc.doc_id


def test_every_non_space_character_outside_tables_is_in_a_sentence(corpus: dict[str, Document]) -> None:
    for doc in corpus.values():
        covered = bytearray(len(doc.text))
        for u in list(doc.sentences) + list(doc.table_rows):
            covered[u.start : u.end] = b"\x01" * (u.end - u.start)
        for u in doc.table_rows:
            for c in u.cells:
                covered[c.start : c.end] = b"\x01" * (c.end - c.start)
        missed = {ch for i, ch in enumerate(doc.text) if not covered[i] and not ch.isspace() and ch != "|"}
        # What rows do not cover are the header labels (领域, 序号, ...), carried as cell labels.
        if doc.table_rows:
            header_chars = set("".join(c.label for r in doc.table_rows for c in r.cells))
            missed -= header_chars
        assert not missed, (doc.doc_id, sorted(missed)[:20])


def test_chunks_stay_in_one_section_and_hold_no_headings(corpus: dict[str, Document]) -> None:
    for doc in corpus.values():
        heading_starts = {s.start for s in doc.sections}
        for chunk in doc.chunks:
            inside = [s for s in doc.sections if s.start < chunk.end and chunk.start < s.end]
            top = {s.path[0] for s in inside}
            assert len(top) <= 1, chunk.unit_id
            assert not any(chunk.start <= h < chunk.end for h in heading_starts), chunk.unit_id
            assert chunk.section == doc.section_path_at(chunk.start)
            if chunk.section:
                assert chunk.context.startswith(chunk.section[0])
            else:
                assert chunk.context == doc.title


def test_chunk_sizes(corpus: dict[str, Document]) -> None:
    for doc in corpus.values():
        rows = [(r.start, r.end) for r in doc.table_rows]
        for chunk in doc.chunks:
            size = chunk.end - chunk.start
            if size <= MAX_CHARS or any(chunk.start <= s and e <= chunk.end for s, e in rows):
                continue
            # Over the limit only by a merged short tail, or because a long sentence followed a short start.
            inner = [s for s in doc.sentences if chunk.start <= s.start and s.end <= chunk.end]
            before_last = inner[-2].end - chunk.start if len(inner) > 1 else 0
            assert size <= MERGE_LIMIT or before_last < SOFT_MIN_CHARS, chunk.unit_id
        body = [c for c in doc.chunks if not any(c.start <= s and e <= c.end for s, e in rows)]
        sizes = sorted(c.end - c.start for c in body)
        assert 150 <= sizes[len(sizes) // 2] <= MAX_CHARS, doc.doc_id


def test_chunks_cover_every_body_sentence(corpus: dict[str, Document]) -> None:
    for doc in corpus.values():
        heading_spans = {(s.start, s.start + len(s.heading)) for s in doc.sections}
        for s in doc.sentences:
            if (s.start, s.end) in heading_spans:
                continue
            assert any(c.start <= s.start and s.end <= c.end for c in doc.chunks) or s.text.endswith(
                "工作任务表"
            ), s.unit_id


def test_unit_counts(corpus: dict[str, Document]) -> None:
    """Regression guard: a change here means the parse changed; check it was meant."""
    counts = {
        d: (len(x.sections), len(x.sentences), len(x.table_rows), len(x.chunks)) for d, x in corpus.items()
    }
    assert counts["changning-2023-health-development-action-plan"][2] == 19 + 26
    assert all(counts[d][2] == 0 for d in counts if not d.startswith("changning"))
    assert counts["baoshan-2025-health-work-plan"][0] == 5
    assert counts["jingan-sanming-reform-plan"][0] == 14
    assert counts["minhang-2023-2025-health-service-plan"][0] == 19
    assert counts["songjiang-14th-five-year-health-plan"][0] == 36


def _occurrences(text: str, quote: str) -> list[int]:
    out, pos = [], text.find(quote)
    while pos >= 0:
        out.append(pos)
        pos = text.find(quote, pos + 1)
    return out


def test_every_dev_evidence_quote_lies_in_one_or_two_adjacent_units(
    corpus: dict[str, Document], dev_items: list[dict]
) -> None:
    checked = 0
    for item in dev_items:
        for ev in item.get("evidence", []):
            doc = corpus[ev["doc"]]
            units = sorted(list(doc.sentences) + list(doc.table_rows), key=lambda u: u.start)
            positions = _occurrences(doc.text, ev["quote"])
            assert positions, (item["id"], ev["quote"])
            for qs in positions:
                qe = qs + len(ev["quote"])
                one = any(u.start <= qs and qe <= u.end for u in units)
                two = any(a.start <= qs and qe <= b.end for a, b in zip(units, units[1:], strict=False))
                assert one or two, (item["id"], ev["quote"])
                checked += 1
    assert checked >= 80
