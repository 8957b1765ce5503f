"""Hybrid retrieval on the real corpus index with the real embedder."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from index import Filters, FusionConfig

pytestmark = pytest.mark.slow


def test_retrieve_returns_ranked_chunks_with_provenance(real_index):
    results = real_index.retrieve("社区卫生服务中心建成社区医院", top_k=7)
    assert len(results) == 7
    assert [r.score for r in results] == sorted((r.score for r in results), reverse=True)
    for r in results:
        doc = real_index.documents[r.unit.doc_id]
        assert r.unit.kind == "chunk"
        assert r.unit.text == doc.text[r.unit.start : r.unit.end]
        assert r.district == doc.district
        assert r.ranks and all(rank >= 1 for _, rank in r.ranks)


def test_english_question_finds_chinese_evidence(real_index):
    # no word in common with the text, so only the dense side can find these
    results = real_index.retrieve("family doctor contract signing rate target", top_k=3)
    assert all("签约" in r.unit.text for r in results)
    relocation = real_index.retrieve(
        "Where will Minhang relocate its hospital of integrated Chinese and Western medicine?"
    )
    assert "迁建闵行区中西医结合医院" in relocation[0].unit.text


def test_district_and_doc_filters(real_index):
    songjiang = real_index.retrieve("老年医学科", top_k=20, filters=Filters(districts=frozenset({"松江区"})))
    assert songjiang and {r.district for r in songjiang} == {"松江区"}
    doc_id = next(d for d in real_index.documents if d.startswith("baoshan"))
    baoshan = real_index.retrieve("老年医学科", top_k=20, filters=Filters(doc_ids=frozenset({doc_id})))
    assert baoshan and {r.unit.doc_id for r in baoshan} == {doc_id}
    both = Filters(doc_ids=frozenset({doc_id}), districts=frozenset({"松江区"}))
    assert real_index.retrieve("老年医学科", filters=both) == []


def test_per_district_mode_covers_every_district(real_index):
    per = real_index.retrieve_per_district("安宁疗护", per_district=3)
    assert set(per) == set(real_index.districts) and len(per) == 5
    for district, hits in per.items():
        assert 1 <= len(hits) <= 3
        assert {h.district for h in hits} == {district}
    only = real_index.retrieve_per_district("安宁疗护", filters=Filters(districts=frozenset({"宝山区"})))
    assert set(only) == {"宝山区"}


def test_sentence_and_table_row_kinds(real_index):
    rows = real_index.retrieve("家庭医生签约率", top_k=5, kinds=("table_row",))
    assert rows and {r.unit.kind for r in rows} == {"table_row"}
    mixed = real_index.retrieve("家庭医生签约率", top_k=30, kinds=("sentence", "chunk"))
    assert {r.unit.kind for r in mixed} == {"sentence", "chunk"}


def test_fusion_override_per_call(real_index):
    q = "区域性医疗中心"
    bm25_only = FusionConfig(weights={"dense:chunk": 0, "dense:units>chunk": 0})
    results = real_index.retrieve(q, fusion=bm25_only)
    assert len(results) == 10
    assert all(any(name.startswith("bm25") for name, _ in r.ranks) for r in results)
    assert any("区域性医疗中心" in r.unit.retrieval_text for r in results[:3])
    weighted = real_index.retrieve(q, fusion=FusionConfig(method="weighted"))
    assert len(weighted) == 10 and weighted != real_index.retrieve(q)


@pytest.mark.parametrize("query", ["", "   ", "\n\t"])
def test_empty_query_is_rejected(real_index, query):
    with pytest.raises(ValueError, match="query is empty"):
        real_index.retrieve(query)


@pytest.mark.parametrize("top_k", [0, -1, 1001, True, 2.5])
def test_bad_top_k_is_rejected(real_index, top_k):
    with pytest.raises(ValueError, match="top_k must be an integer from 1 to 1000"):
        real_index.retrieve("医院", top_k=top_k)
    with pytest.raises(ValueError, match="per_district"):
        real_index.retrieve_per_district("医院", per_district=top_k)


def test_unknown_filter_values_list_the_known_ones(real_index):
    with pytest.raises(ValueError, match=r"unknown district '浦东新区'.*长宁区"):
        real_index.retrieve("医院", filters=Filters(districts=frozenset({"浦东新区"})))
    with pytest.raises(ValueError, match=r"unknown doc_id 'nope'.*minhang-2023-2025-health-service-plan"):
        real_index.retrieve("医院", filters=Filters(doc_ids=frozenset({"nope"})))
    with pytest.raises(ValueError, match="single string"):
        Filters(districts="长宁区")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="kinds must be"):
        real_index.retrieve("医院", kinds=("section",))


def test_vectors_for_returns_the_stored_vectors(real_index):
    hits = real_index.retrieve("中医馆", top_k=3, kinds=("sentence",))
    vecs = real_index.vectors_for([h.unit for h in hits])
    assert vecs.shape == (3, real_index.dim)
    q = real_index.embed_query("中医馆")
    assert q.shape == (real_index.dim,) and abs(float(np.linalg.norm(q)) - 1) < 1e-4
    direct = [
        real_index._kinds["sentence"].dense.vectors[
            real_index._kinds["sentence"].row_of[(h.unit.doc_id, h.unit.index)]
        ]
        for h in hits
    ]
    np.testing.assert_array_equal(vecs, np.stack(direct))


def test_concurrent_retrieval_matches_sequential(real_index):
    queries = [
        "家庭医生签约率",
        "中医馆建设",
        "Which districts mention hospice care?",
        "五床联动",
        "医联体",
    ] * 4
    expected = [[(r.unit.unit_id, r.score) for r in real_index.retrieve(q)] for q in queries]
    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(lambda q: [(r.unit.unit_id, r.score) for r in real_index.retrieve(q)], queries))
    assert got == expected


@pytest.mark.slow
@pytest.mark.parametrize("kinds", [("sentence", "table_row"), ("chunk",)])
def test_per_district_is_a_search_within_each_district(real_index, kinds, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """One search across all districts, grouped, gives each district what a search within it gives."""
    from index import district_rankings

    for query in ("社区中医馆建设目标", "安宁疗护", "家庭医生签约率"):
        grouped = real_index.retrieve_per_district(query, per_district=20, kinds=kinds)
        assert list(grouped) == list(real_index.districts)
        for district, hits in grouped.items():
            alone = real_index.retrieve(query, top_k=20, filters=Filters(districts=frozenset({district})), kinds=kinds)
            assert [(h.unit.unit_id, h.score) for h in hits] == [(h.unit.unit_id, h.score) for h in alone]
    # Past FULL_RANK_ROWS every row is scored once and each district's best are taken from the
    # scores (KindIndex.rank_per_group): still what a search within each district gives.
    monkeypatch.setattr(district_rankings, "FULL_RANK_ROWS", 40)
    for query in ("社区中医馆建设目标", "安宁疗护"):
        grouped = real_index.retrieve_per_district(query, per_district=5, kinds=kinds)
        assert list(grouped) == list(real_index.districts)
        for district, hits in grouped.items():
            alone = real_index.retrieve(query, top_k=5, filters=Filters(districts=frozenset({district})), kinds=kinds)
            assert [h.unit.unit_id for h in hits] == [h.unit.unit_id for h in alone]
            assert [h.score for h in hits] == pytest.approx([h.score for h in alone], abs=1e-9)


@pytest.mark.slow
def test_rank_per_group_is_each_groups_own_search(real_index) -> None:  # type: ignore[no-untyped-def]
    """The fast path (score every row once, take each group's best) against a search per group."""
    from index.store_protocol import Scope

    kind = real_index._kinds["sentence"]
    codes, names = real_index._by_district.codes["sentence"]
    query = real_index._query("家庭医生签约率目标")
    for scope in (Scope(), Scope(districts=frozenset({"宝山区", "长宁区"}))):
        grouped = kind.rank_per_group(query, 30, scope, codes, len(names))
        for code, district in enumerate(names):
            if scope.districts is not None and district not in scope.districts:
                assert all(code not in grouped[m] for m in grouped)
                continue
            alone = kind.rank(query, 30, Scope(districts=frozenset({district})), real_index.config.fusion, {})
            for method in ("bm25", "dense"):
                got, want = grouped[method].get(code, []), alone[method]
                assert [s for _, s in got] == pytest.approx([s for _, s in want], abs=1e-6), (district, method)
                # the same rows at each score (a sentence the plan repeats ties with itself,
                # and FAISS's heap leaves ties in no particular order)
                assert _by_score(got) == _by_score(want), (district, method)


def _by_score(ranked: list[tuple[int, float]]) -> list[frozenset[int]]:
    out: list[tuple[float, set[int]]] = []
    for row, score in ranked:
        if out and abs(out[-1][0] - score) <= 1e-6:
            out[-1][1].add(row)
        else:
            out.append((score, {row}))
    return [frozenset(rows) for _, rows in out]


@pytest.mark.parametrize("positive", [False, True])
def test_best_per_group_is_each_groups_own_ranking(positive: bool) -> None:
    """The prefiltered, two-sort selection against ranking each group on its own, with ties,
    groups scoring low everywhere (kept whole by the prefilter) and groups with no rows."""
    from index.kind_index import _best_per_group

    rng = np.random.default_rng(11)
    n, n_groups, depth = 5000, 9, 40
    groups = rng.integers(0, n_groups - 1, n)  # the last group has no rows
    scores = np.round(rng.normal(0, 1, n), 1).astype(np.float32)  # many exact ties
    scores[groups == 2] -= 5  # a group far below the others: its best are below the overall cut
    rows = rng.permutation(n).astype(np.int64)  # scope order is not row order
    got = _best_per_group(scores, rows, groups, depth, n_groups, positive)
    for g in range(n_groups):
        mine = [i for i in range(n) if groups[i] == g and (scores[i] > 0 or not positive)]
        mine.sort(key=lambda i: -scores[i])  # stable: ties keep scope order
        want = [(int(rows[i]), float(scores[i])) for i in mine[:depth]]
        assert got.get(g, []) == want, g


def test_damping_stops_early_but_keeps_the_top_k(real_index) -> None:  # type: ignore[no-untyped-def]
    """Per-document damping with the early stop against damping the whole list."""
    rng = np.random.default_rng(5)
    units = real_index._kinds["sentence"].units
    for _ in range(30):
        rows = rng.choice(len(units), size=60, replace=False)
        scores = sorted(np.round(rng.random(60), 2).tolist(), reverse=True)  # ties included
        fused = [(("sentence", int(r)), s) for r, s in zip(rows, scores, strict=True)]
        seen: dict[str, int] = {}
        full = []
        for item, score in fused:
            n = seen.get(units[item[1]].doc_id, 0)
            seen[units[item[1]].doc_id] = n + 1
            full.append((item, score * real_index.config.diversity**n))
        full.sort(key=lambda kv: -kv[1])
        for k in (1, 3, 20):
            assert real_index._diversify(fused, k)[:k] == full[:k]


def test_a_repeated_search_is_remembered_and_equals_a_fresh_one(real_index) -> None:  # type: ignore[no-untyped-def]
    """An answer searches one kind with the same words more than once (sentences for evidence,
    then lifted to chunks): the second search reads the lists the first made, and they are
    what a fresh index (nothing remembered) ranks, in every scope."""
    from index import load_index

    fresh = load_index(real_index.location, real_index.embedder)
    district = real_index.districts[0]
    for kinds in (("chunk",), ("sentence", "table_row")):
        for filters in (None, Filters(districts=frozenset({district}))):
            first = real_index.retrieve("家庭医生签约率", top_k=10, kinds=kinds, filters=filters)
            searched = dict(real_index._searches)
            again = real_index.retrieve("家庭医生签约率", top_k=10, kinds=kinds, filters=filters)
            assert real_index._searches.keys() == searched.keys()  # nothing searched anew
            expected = fresh.retrieve("家庭医生签约率", top_k=10, kinds=kinds, filters=filters)
            fresh._searches.clear()
            for hits in (first, again):
                assert [(h.unit.unit_id, h.score, h.ranks) for h in hits] == [(h.unit.unit_id, h.score, h.ranks) for h in expected]
    assert any(k[:2] == ("chunk", "家庭医生签约率") for k in real_index._searches)
