"""Near-copy families (index/families.py) and the statistics that count them once.

The real plans are five different plans (five families of one); a plan rewritten under
other regions' names with other figures (the scale benchmark's generator) joins its
source's family, and what word statistics count of a family is what they count of one plan.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from benchmarks import synthetic_corpus as sc
from index.families import find_families, region_names, skeleton
from index.lexical import LexicalIndex
from kernel.types import Document

REGIONS = (
    sc.Region("江苏省", "苏州市", "苏州", "吴中区", "吴中", "320506"),
    sc.Region("四川省", "成都市", "成都", "郫都区", "郫都", "510117"),
)


def _copies(documents: list[Document]) -> list[Document]:
    """Every real plan rewritten under each of ``REGIONS`` (as ``synthetic_corpus.generate``)."""
    from ingest.pipeline import parse_text

    out = []
    for region in REGIONS:
        for doc in documents:
            doc_id = f"{region.short}-{doc.doc_id}"
            text = sc.rewrite(doc.text, doc.district, region, seed=doc_id)
            out.append(replace(parse_text(doc_id, text), district=region.name))
    return out


@pytest.fixture(scope="module")
def three_fold(corpus_documents) -> list[Document]:  # type: ignore[no-untyped-def]
    return [*corpus_documents, *_copies(list(corpus_documents))]


def test_skeleton_masks_digits_and_the_documents_own_region() -> None:
    doc = Document("d", "t", "宝山区", "", "", province="上海市", city="上海市")
    assert set(region_names(doc)) >= {"宝山区", "宝山", "上海市", "上海"}
    assert skeleton(doc, "上海市宝山区2025年签约率提至46%,长宁区12.5个") == "@@#年签约率提至#%,长宁区#个"


def test_the_five_plans_are_five_families(corpus_documents) -> None:  # type: ignore[no-untyped-def]
    families = find_families(corpus_documents)
    assert families.family_of == {d.doc_id: d.doc_id for d in corpus_documents}
    assert not families.has_copies
    units = [u for d in corpus_documents for u in (*d.sentences, *d.table_rows)]
    assert families.distinct_units(corpus_documents) == units
    assert list(families.groups(corpus_documents, "sentence")) == list(range(sum(len(d.sentences) for d in corpus_documents)))
    assert families.once(units, lambda u: u) is units  # nothing to drop: the same list


def test_rewritten_plans_join_their_sources_family(three_fold: list[Document]) -> None:
    families = find_families(three_fold)
    for doc in three_fold[5:]:
        source = doc.doc_id.split("-", 1)[1]
        assert families.family_of[doc.doc_id] == source
    assert families.representatives == [d.doc_id for d in three_fold[:5]]
    # the copies add almost nothing of their own: a sentence whose rewrite is not a pure
    # rename and refigure (a place list that named the region's province, say) at most
    real = [u for d in three_fold[:5] for u in (*d.sentences, *d.table_rows)]
    distinct = families.distinct_units(three_fold)
    assert distinct[: len(real)] == real
    assert len(distinct) - len(real) <= 0.01 * len(real)


def test_groups_and_once_count_a_unit_and_its_copies_once(three_fold: list[Document]) -> None:
    families = find_families(three_fold)
    groups = families.groups(three_fold, "sentence")
    rows = [u for d in three_fold for u in d.sentences]
    assert len(groups) == len(rows)
    n_real = sum(len(d.sentences) for d in three_fold[:5])
    assert len(np.unique(groups)) <= n_real * 1.01  # one group per real sentence, copies inside
    first = three_fold[0].sentences[3]
    copies = [r for r, g in zip(rows, groups, strict=True) if g == groups[rows.index(first)]]
    assert len(copies) == 3 and {u.doc_id for u in copies} == {d.doc_id for d in three_fold[::5]}
    assert families.copy_group(copies[1]) == families.copy_group(first)
    # ``once``: the first of each group stays, later copies from other documents go
    pool = [copies[2], rows[0], copies[0], copies[1], rows[1]]
    assert list(families.once(pool, lambda u: u)) == [copies[2], rows[0], rows[1]]
    assert families.once(pool, lambda u: u)[:2] == [copies[2], rows[0]]


def _bm25_over(texts: list[list[str]]) -> LexicalIndex:
    import bm25s

    from index.lexical import BM25Config

    model = bm25s.BM25(k1=1.2, b=0.75, method="lucene")
    model.index(texts, show_progress=False)
    return LexicalIndex(model, len(texts), BM25Config())


def test_bm25_counting_groups_once_is_bm25_over_the_distinct_texts() -> None:
    # every text four tokens long, so the average length is the same with or without copies
    distinct = [["家庭", "医生", "签约", "服务"], ["社区", "医院", "建设", "目标"], ["家庭", "病床", "建设", "服务"]]
    rows = [distinct[0], distinct[1], distinct[0], distinct[0], distinct[2], distinct[1]]
    groups = np.asarray([0, 1, 0, 0, 2, 1])
    counted = _bm25_over(rows).counting_groups_once(groups)
    reference = _bm25_over(distinct)
    for token in ("家庭", "医生", "建设", "病床", "服务"):
        got = counted.scores([token])
        want = reference.scores([token])
        assert got == pytest.approx(want[[0, 1, 0, 0, 2, 1]], rel=1e-6)
    plain = _bm25_over(rows)
    assert plain.counting_groups_once(np.arange(6)) is plain  # every row its own group: unchanged
    with pytest.raises(ValueError, match="groups has 2 entries"):
        plain.counting_groups_once(np.arange(2))


def test_scoring_within_spans_is_the_full_scoring_restricted(real_index) -> None:  # type: ignore[no-untyped-def]
    kind = real_index._kinds["sentence"]
    lexical = kind.lexical
    tokens = ["家庭", "医生", "签约", "家庭", "2025", "中医馆", "不在词表里的词"]
    full = lexical.scores(tokens)
    rng = np.random.default_rng(7)
    for _ in range(20):
        cuts = sorted(rng.choice(lexical.size, size=6, replace=False).tolist())
        spans = [(cuts[0], cuts[1]), (cuts[4], cuts[5]), (cuts[2], cuts[3])]
        rows = np.concatenate([np.arange(a, b) for a, b in spans])
        assert np.array_equal(lexical.scores_within(tokens, spans), full[rows])  # bit for bit
    # a loaded index reads bm25s's files without bm25s (tests/index/test_index_lexical.py holds
    # that reading equal to bm25s); a built one is the bm25s model itself
    model = lexical._model
    reference = model.scores(tokens) if hasattr(model, "vocab") else model.get_scores_from_ids(model.get_tokens_ids(tokens))
    assert np.array_equal(full, np.asarray(reference, dtype=np.float32)[: lexical.size])
    assert len(lexical.scores_within(tokens, [(5, 5)])) == 0


def test_dense_range_search_is_the_batch_selector_search(real_index) -> None:  # type: ignore[no-untyped-def]
    dense = real_index._kinds["sentence"].dense
    rng = np.random.default_rng(3)
    for _ in range(10):
        q = dense.vectors[rng.integers(dense.size)] + rng.normal(0, 0.05, dense.dim).astype(np.float32)
        a = int(rng.integers(0, dense.size - 300))
        b = a + int(rng.integers(1, 300))
        s1, r1 = dense.search_range(q, 50, a, b)
        s2, r2 = dense.search(q, 50, np.arange(a, b))
        assert np.array_equal(s1, s2) and np.array_equal(r1, r2)
        s3, r3 = dense.brute_force(q, 50, np.arange(a, b))
        assert np.array_equal(r1[:5], r3[:5]) and s1 == pytest.approx(s3, abs=1e-5)
    with pytest.raises(ValueError, match="outside"):
        dense.search_range(dense.vectors[0], 5, 10, dense.size + 1)

