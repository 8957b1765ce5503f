"""The Milvus store on Milvus Lite (run in-process by pymilvus), against the FAISS store.

The real corpus is written to Milvus once per session (``milvus_index``), reusing the FAISS
index's vectors (``seed``), so the build embeds nothing: what is tested is the store. The
dev set is answered over both stores; the Milvus answers must stay within 0.02 of FAISS in
accuracy and evidence hit@5, and retrieval hit@5 likewise.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.slow

pymilvus = pytest.importorskip("pymilvus", reason="the Milvus backend needs pymilvus: pip install 'policyqa[milvus]'")
pytest.importorskip("milvus_lite", reason="Milvus Lite needs milvus-lite: pip install 'policyqa[milvus]'")

NEW_PLAN = """# 测试区2026年卫生健康工作要点

一、基层服务
测试区到2026年建成智慧健康驿站18个，家庭医生签约率达到45%。
"""


@pytest.fixture(scope="session")
def lite_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("milvus")


@pytest.fixture(scope="session")
def milvus_index(lite_dir, corpus_documents, real_index_dir):
    """The corpus in a Milvus Lite collection, built once; skips if Milvus Lite cannot start here."""
    from index import build_index, make_embedder
    from index.faiss_store import FaissStore
    from index.milvus.store import MilvusStore
    from kernel.errors import StoreUnavailableError

    store = MilvusStore(str(lite_dir / "milvus.db"), "policyqa_test")
    try:
        store.client  # noqa: B018 - starts Milvus Lite
    except StoreUnavailableError as exc:
        pytest.skip(f"Milvus Lite cannot run on this platform: {exc}")
    index = build_index(corpus_documents, store, make_embedder(), progress=False, seed=FaissStore(real_index_dir))
    return index


def test_build_holds_the_faiss_index(milvus_index, real_index):
    report = milvus_index.build_report
    assert report.embedded == {}  # every vector came from the FAISS index
    assert report.previous.startswith("reused (from faiss at ")
    assert milvus_index.backend == "milvus"
    assert milvus_index.manifest["milvus"]["bm25"] == "milvus"  # Milvus Lite runs BM25 functions itself
    assert list(milvus_index.documents) == list(real_index.documents)
    assert milvus_index.districts == real_index.districts
    for kind in ("chunk", "sentence", "table_row"):
        units = real_index._kinds[kind].units
        assert milvus_index._kinds[kind].units == units
        sample = list(units[:: max(1, len(units) // 40)])
        np.testing.assert_allclose(milvus_index.vectors_for(sample), real_index.vectors_for(sample), atol=1e-6)


def test_reopened_from_the_alias_is_the_same_index(milvus_index, lite_dir):
    from index import load_index
    from index.milvus.store import MilvusStore

    again = load_index(MilvusStore(str(lite_dir / "milvus.db"), "policyqa_test"))
    assert again.location == milvus_index.location  # pinned to the collection the alias names
    q = "长宁区到2025年要建成几个达标中医馆?"
    assert [h.unit.unit_id for h in again.retrieve(q, top_k=10)] == [
        h.unit.unit_id for h in milvus_index.retrieve(q, top_k=10)
    ]


def test_hybrid_search_finds_what_faiss_finds(milvus_index, real_index):
    q = "长宁区到2025年要建成几个达标中医馆?"
    ours = milvus_index.retrieve(q, top_k=5, kinds=("sentence", "table_row"))
    theirs = real_index.retrieve(q, top_k=5, kinds=("sentence", "table_row"))
    assert "完成达标中医馆10个" in ours[0].unit.text
    assert len({h.unit.unit_id for h in ours} & {h.unit.unit_id for h in theirs}) >= 3
    assert all(dict(h.ranks).keys() <= {"hybrid:sentence", "hybrid:table_row"} for h in ours)


def test_district_and_document_filters_are_scalar_filters(milvus_index):
    from index import Filters

    hits = milvus_index.retrieve("家庭医生签约率", top_k=20, filters=Filters(districts=frozenset({"宝山区"})),
                                 kinds=("sentence", "table_row"))
    assert hits and {h.district for h in hits} == {"宝山区"}
    doc = "songjiang-14th-five-year-health-plan"
    hits = milvus_index.retrieve("中医", top_k=20, filters=Filters(doc_ids=frozenset({doc})))
    assert hits and {h.unit.doc_id for h in hits} == {doc}
    both = Filters(doc_ids=frozenset({doc}), districts=frozenset({"宝山区"}))
    assert milvus_index.retrieve("中医", top_k=5, filters=both) == []
    with pytest.raises(ValueError, match="unknown district '外滩区'"):
        milvus_index.retrieve("中医", filters=Filters(districts=frozenset({"外滩区"})))
    per = milvus_index.retrieve_per_district("安宁疗护", per_district=3)
    assert set(per) == set(milvus_index.districts)
    assert all(h.district == d for d, hits in per.items() for h in hits)


class _CountingClient:
    """The real Milvus client, counting the searches made through it."""

    def __init__(self, client):
        self._client, self.searches = client, 0

    def __getattr__(self, name):
        if name in ("search", "hybrid_search"):
            self.searches += 1
        return getattr(self._client, name)


@pytest.mark.parametrize("question", ["安宁疗护 哪些区有提到", "哪些区提出了社区中医馆的建设目标?",
                                      "Which districts plan to build chest pain centres?"])
@pytest.mark.parametrize(("kinds", "k"), [(("sentence", "table_row"), 40), (("chunk",), 8)])
def test_across_districts_is_one_grouped_search_per_route(milvus_index, question, kinds, k):
    """Each district's list from the grouped searches is the hybrid search filtered to that
    district, unit for unit and score for score; two searches per kind, not one per district."""
    from index import Filters

    retrievers = [milvus_index._kinds[kind] for kind in milvus_index._kinds]
    counting = _CountingClient(retrievers[0]._client)
    for r in retrievers:
        r._client = counting
    try:
        milvus_index._by_district.clear()
        grouped = milvus_index.retrieve_per_district(question, per_district=k, kinds=kinds)
        searched = counting.searches
        for district in milvus_index.districts:
            alone = milvus_index.retrieve(question, top_k=k, filters=Filters(districts=frozenset({district})), kinds=kinds)
            assert [h.unit.unit_id for h in grouped[district]] == [h.unit.unit_id for h in alone], district
            # Milvus hands its scores over as float32
            assert [h.score for h in grouped[district]] == pytest.approx([h.score for h in alone], rel=1e-6)
    finally:
        for r in retrievers:
            r._client = counting._client
    lifted = 2 if kinds == ("chunk",) else 0  # sentences and table rows lifted to their chunks
    assert searched == 2 * (len(kinds) + lifted)


def test_filter_expression_quotes_names():
    from index.milvus.search import scope_expression
    from index.store_protocol import Scope

    expr = scope_expression("sentence", Scope(doc_ids=frozenset({'a"b', "c\\d"}), districts=frozenset({"长宁区"})))
    assert expr == 'kind == "sentence" and doc_id in ["a\\"b", "c\\\\d"] and district in ["长宁区"]'


def test_incremental_add_and_alias_swap(lite_dir, corpus_documents, real_index_dir, tmp_path):
    """A plan added embeds only its own texts; the alias moves; a reader of the previous
    generation keeps working until the build after, which drops it."""
    from index import build_index, make_embedder
    from index.faiss_store import FaissStore
    from index.milvus.store import MilvusStore
    from ingest import load_document

    embedder = make_embedder()
    store = MilvusStore(str(lite_dir / "milvus.db"), "policyqa_swap")
    first = build_index(corpus_documents, store, embedder, progress=False, seed=FaissStore(real_index_dir))
    path = tmp_path / "test-district-2026-plan.md"
    path.write_text(NEW_PLAN, encoding="utf-8")
    new_doc = load_document(path)
    store.client.release_collection(first.manifest["milvus"]["collection"])  # as after a server restart
    second = build_index([*corpus_documents, new_doc], store, embedder, progress=False)
    assert set(second.build_report.embedded) == {new_doc.doc_id}
    assert second.build_report.previous == "reused"
    assert store.live_collection() == second.manifest["milvus"]["collection"] != first.manifest["milvus"]["collection"]
    hits = second.retrieve("智慧健康驿站建成多少个", top_k=3, kinds=("sentence",))
    assert hits[0].unit.doc_id == new_doc.doc_id
    # the first generation is still searchable by whoever holds it
    assert first.retrieve("智慧健康驿站建成多少个", top_k=3, kinds=("sentence",))[0].unit.doc_id != new_doc.doc_id
    third = build_index(list(corpus_documents), store, embedder, progress=False)
    assert third.build_report.removed == [new_doc.doc_id]
    generations = [c for c in store.client.list_collections() if c.startswith("policyqa_swap_g")]
    assert sorted(generations) == sorted([second.manifest["milvus"]["collection"], third.manifest["milvus"]["collection"]])
    assert store.count_documents() == len(corpus_documents)


def test_client_bm25_ranks_as_bm25s(lite_dir, real_index):
    """Where a server has no BM25 function, our own BM25 weights in a sparse field rank the
    units exactly as bm25s does (the reference)."""
    from index.fusion import FusionConfig
    from index.milvus.store import MilvusStore
    from index.store_protocol import Query, Scope
    from index.tokenize import tokenize

    store = MilvusStore(str(lite_dir / "milvus.db"), "policyqa_client", bm25="client")
    opened = store.write(store_input(real_index))
    assert opened.manifest["milvus"]["bm25"] == "client"
    retriever = opened.retrievers["sentence"]
    reference = real_index._kinds["sentence"]
    for text in ("家庭医生签约率达到多少", "社区中医馆建设", "安宁疗护床位"):
        tokens = tokenize(text)
        query = Query(text, tuple(tokens), real_index.embed_query(text))
        ours = retriever.rank(query, 10, Scope(), FusionConfig(), {"bm25": 1.0, "dense": 0.0})["hybrid"]
        theirs = reference.bm25_ranking(tokens, 10, None)
        scores = reference.lexical.scores(tokens)
        # same rows in the same order, up to ties in the BM25 score
        assert [round(float(scores[r]), 4) for r, _ in ours] == [round(s, 4) for _, s in theirs]


def store_input(index):
    from index.faiss_store import FaissStore

    return FaissStore(Path(index.location)).read()


def test_dev_answers_match_faiss(milvus_index, policyqa, corpus_documents):
    """The dev set over both stores: accuracy and evidence hit@5 within 0.02 of FAISS; retrieval
    hit@5 (benchmarks/retrieval.py's measure) within 0.02."""
    from benchmarks.retrieval import evaluate
    from eval.metrics import evaluate_run
    from ingest import settings
    from qa import PolicyQA

    items = [json.loads(line) for line in settings.dev_bench_path().read_text(encoding="utf-8").splitlines() if line]
    on_milvus = PolicyQA(milvus_index, index_dir=settings.index_dir(), corpus_dir=settings.corpus_dir())
    reports = {}
    for name, qa in (("faiss", policyqa), ("milvus", on_milvus)):
        answers = [qa.ask(i["question"], id=i["id"], history=i.get("history")).to_dict() for i in items]
        reports[name] = evaluate_run(items, answers)["overall"]
    for metric in ("accuracy", "evidence_hit@5"):
        assert reports["milvus"][metric] >= reports["faiss"][metric] - 0.02, (metric, reports)
    answerable = [i for i in items if i.get("evidence")]
    faiss_hit = evaluate(policyqa.index, answerable, None)["all"]["hit@5"]
    milvus_hit = evaluate(milvus_index, answerable, None)["all"]["hit@5"]
    assert milvus_hit >= faiss_hit - 0.02, (milvus_hit, faiss_hit)
    out = Path(__file__).resolve().parents[2] / "test-output" / "index"
    out.mkdir(parents=True, exist_ok=True)
    (out / "milvus_vs_faiss.json").write_text(
        json.dumps({"answers": reports, "retrieval_hit@5": {"faiss": faiss_hit, "milvus": milvus_hit}}, indent=1),
        encoding="utf-8",
    )


def test_index_command_on_milvus(tmp_path, capsys, monkeypatch):
    """``policyqa index --backend milvus``: builds, says so, reuses on the next run; the uri and
    alias come from the environment, and ``--index`` (a FAISS folder) is refused."""
    import argparse

    from index import commands, load_index

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "xuhui-test-plan.txt").write_text(
        "徐汇区卫生健康工作要点\n一、总体要求\n到2025年徐汇区家庭医生签约率达到50%。\n", encoding="utf-8"
    )
    monkeypatch.setenv("POLICYQA_MILVUS_URI", str(tmp_path / "cli.db"))
    monkeypatch.setenv("POLICYQA_MILVUS_COLLECTION", "cli_test")
    monkeypatch.setenv("POLICYQA_UPLOADS", str(tmp_path / "uploads"))
    monkeypatch.setenv("POLICYQA_INDEX", str(tmp_path / "no-faiss-here"))

    def run(*argv: str) -> int:
        parser = argparse.ArgumentParser()
        commands.add_arguments(parser)
        return commands.run(parser.parse_args(["--corpus", str(corpus), "--quiet", *argv]))

    assert run("--backend", "milvus") == 0
    out = capsys.readouterr().out
    assert f"index: {tmp_path / 'cli.db'}#cli_test_g" in out and "(Milvus)" in out
    assert "BM25: Milvus (jieba analyzer)" in out and "embedded  xuhui-test-plan" in out
    assert run("--backend", "milvus") == 0
    assert "reused    xuhui-test-plan" in capsys.readouterr().out
    monkeypatch.setenv("POLICYQA_BACKEND", "milvus")
    assert load_index().retrieve("家庭医生签约率", top_k=1)[0].unit.doc_id == "xuhui-test-plan"
    with pytest.raises(ValueError, match="--index names a FAISS folder"):
        run("--index", str(tmp_path / "i"))


def test_a_lite_file_held_by_another_process_is_one_clear_line(tmp_path):
    import os
    import subprocess
    import sys

    repo = Path(__file__).resolve().parents[2]
    db = tmp_path / "held.db"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pymilvus import MilvusClient; "
         f"MilvusClient({str(db)!r}); print('ready', flush=True); sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        env = dict(os.environ, POLICYQA_BACKEND="milvus", POLICYQA_MILVUS_URI=str(db), PYTHONPATH=str(repo))
        done = subprocess.run([sys.executable, "-m", "surfaces.cli", "ask", "长宁区中医馆"], env=env, cwd=repo,
                              capture_output=True, text=True, timeout=300)
    finally:
        holder.communicate("", timeout=60)
    assert done.returncode == 2
    assert "another process has this Milvus Lite file open" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_partition_per_region_prunes_without_changing_hits(lite_dir, real_index):
    """A collection with a partition per region (forced here at 1x; built so above
    ``PARTITION_FROM_UNITS`` units): a search within regions or documents names their
    partitions, and returns the hits the same search returns reading every partition."""
    from index import Filters
    from index.milvus.search import MilvusKindRetriever
    from index.milvus.store import MilvusStore
    from index.retriever import HybridIndex
    from index.store_protocol import Scope

    store = MilvusStore(str(lite_dir / "milvus.db"), "policyqa_parts", partition_from_units=0)
    opened = store.write(store_input(real_index))
    partitions = opened.manifest["milvus"]["partitions"]
    assert sorted(partitions) == sorted(real_index.districts)
    collection = opened.manifest["milvus"]["collection"]
    assert set(store.client.list_partitions(collection)) == {"_default", *partitions.values()}
    for district, partition in partitions.items():  # every unit of the region is in its partition
        got = store.client.query(collection, filter=f'district == "{district}"', output_fields=["count(*)"],
                                 partition_names=[partition])
        units = sum(1 for r in opened.retrievers.values() for u in r.units
                    if real_index.documents[u.doc_id].district == district)
        assert int(got[0]["count(*)"]) == units > 0
    pruned = HybridIndex(opened)
    sentence = opened.retrievers["sentence"]
    doc = "songjiang-14th-five-year-health-plan"
    assert sentence.partition_names(Scope(districts=frozenset({"宝山区"}))) == [partitions["宝山区"]]
    assert sentence.partition_names(Scope(doc_ids=frozenset({doc}))) == [partitions[real_index.documents[doc].district]]
    assert sentence.partition_names(Scope()) is None
    whole = {  # the same collection, searched without naming partitions
        k: MilvusKindRetriever(k, r.units, r._client, r.collection, r.mode, None, "FLAT")
        for k, r in opened.retrievers.items()
    }
    unpruned = HybridIndex(type(opened)(opened.manifest, opened.documents, whole, opened.location))
    cases = [("家庭医生签约率", Filters(districts=frozenset({"宝山区"}))),
             ("中医馆建设目标", Filters(districts=frozenset({"长宁区", "闵行区"}))),
             ("中医", Filters(doc_ids=frozenset({doc})))]
    for question, filters in cases:
        for kinds in (("sentence", "table_row"), ("chunk",)):
            a = pruned.retrieve(question, top_k=20, filters=filters, kinds=kinds)
            b = unpruned.retrieve(question, top_k=20, filters=filters, kinds=kinds)
            assert a and [(h.unit.unit_id, h.score) for h in a] == [(h.unit.unit_id, h.score) for h in b]
    # vectors read back from the rows' partitions only: one region's, or several regions'
    for units in ([u for u in real_index._kinds["sentence"].units if u.doc_id == doc][:30],
                  list(real_index._kinds["sentence"].units[::50]) + list(real_index._kinds["chunk"].units[::40])):
        np.testing.assert_allclose(pruned.vectors_for(units), real_index.vectors_for(units), atol=1e-6)


def test_an_answers_repeated_searches_are_asked_once(milvus_index):
    """An answer searches sentences and table rows for its evidence, then again lifted to
    chunks: Milvus is asked once per kind, and the chunks are those of an index asking anew."""
    from index.retriever import HybridIndex
    from index.store_protocol import OpenIndex

    q = "长宁区到2025年要建成几个达标中医馆?"
    retrievers = list(milvus_index._kinds.values())
    counting = _CountingClient(retrievers[0]._client)
    for r in retrievers:
        r._client = counting
    try:
        milvus_index._searches.clear()
        milvus_index.retrieve(q, top_k=40, kinds=("sentence", "table_row"))
        chunks = milvus_index.retrieve(q, top_k=8, kinds=("chunk",))
        assert counting.searches == 3  # sentences, table rows, chunks
    finally:
        for r in retrievers:
            r._client = counting._client
    fresh = HybridIndex(OpenIndex(dict(milvus_index.manifest), tuple(milvus_index.documents.values()),
                                  milvus_index._kinds, milvus_index.location))
    again = fresh.retrieve(q, top_k=8, kinds=("chunk",))
    assert [(h.unit.unit_id, h.score) for h in chunks] == [(h.unit.unit_id, h.score) for h in again]
