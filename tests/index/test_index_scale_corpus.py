"""The scale benchmark's synthetic corpus: deterministic, and its distractors steal no answer.

A 2× corpus (the five plans plus the five rewritten under one other region, vectors reused from
the real index as the benchmark does) is indexed for real and the dev questions are answered
on it: no answer to a question about the real plans may cite a synthetic plan.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import synthetic_corpus as sc

pytestmark = pytest.mark.slow


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_rewrite_replaces_names_and_figures_and_keeps_years() -> None:
    region = sc.Region("江苏省", "苏州市", "苏州", "吴中区", "吴中", "320506")
    text = "上海市宝山区2025年家庭医生签约率提至46%,建设15个中医馆;宝山区中医医院于6月1日挂牌。"
    out = sc.rewrite(text, "宝山区", region, seed="s")
    assert "宝山" not in out and "上海" not in out
    assert out.startswith("苏州市吴中区2025年") and "吴中区中医医院于6月1日挂牌" in out
    assert "46%" not in out and "15个" not in out
    assert out == sc.rewrite(text, "宝山区", region, seed="s")
    assert sc.rewrite(text, "宝山区", region, seed="t") != out  # the seed decides the figures


def test_the_regions_chosen_are_districts_the_engine_knows(corpus_documents) -> None:  # type: ignore[no-untyped-def]
    """At 100× the raw gazetteer offered economic-development zones (吉林经济开发区), which
    ingest's gazetteer drops: an index holding one failed the engine's warm-up."""
    from ingest.regions import names_a_district

    regions = sc.choose_regions(99, [d.text for d in corpus_documents])
    assert len(regions) == 99
    assert [r.name for r in regions if not names_a_district(r.name)] == []


def test_generator_is_deterministic(tmp_path: Path, corpus_documents) -> None:  # type: ignore[no-untyped-def]
    a = sc.generate(3, corpus_documents, tmp_path / "a")
    b = sc.generate(3, corpus_documents, tmp_path / "b")
    assert _files(a) == _files(b)
    entries = sc.synthetic_entries(a)
    assert len(entries) == 10 and len({e.district for e in entries}) == 2
    shanghai = {d.district for d in corpus_documents}
    assert not {e.district for e in entries} & shanghai


@pytest.fixture(scope="module")
def two_fold(tmp_path_factory, corpus_documents, real_index_dir):  # type: ignore[no-untyped-def]
    """The five plans plus the five rewritten under one other region, indexed for real with
    the vectors the real index holds (as the benchmark does); and the dev items."""
    from benchmarks.vector_reuse import ReusingEmbedder, source_vectors
    from index import build_index, load_index, make_embedder
    from index.faiss_store import FaissStore
    from ingest import settings
    from qa import PolicyQA

    tmp_path = tmp_path_factory.mktemp("two-fold")
    items = [json.loads(x) for x in settings.dev_bench_path().read_text(encoding="utf-8").splitlines() if x]
    folder = sc.generate(2, corpus_documents, tmp_path / "corpus", avoid_texts=[i["question"] for i in items])
    synthetic = sc.load_synthetic(folder)
    source = {e.doc_id: e.source_doc for e in sc.synthetic_entries(folder)}
    table, _ = source_vectors(FaissStore(real_index_dir).read(), synthetic, source)
    embedder = make_embedder()
    reusing = ReusingEmbedder(embedder, table)
    build_index([*corpus_documents, *synthetic], tmp_path / "index", reusing, progress=False)
    assert reusing.embedded == 0  # every synthetic unit took its source's vector
    qa = PolicyQA(load_index(tmp_path / "index", embedder), index_dir=tmp_path / "index", corpus_dir=settings.corpus_dir())
    return qa, items


def test_two_fold_corpus_steals_no_dev_answer(two_fold, corpus_documents) -> None:  # type: ignore[no-untyped-def]
    from eval.metrics import evaluate_run

    qa, items = two_fold
    real = {d.doc_id for d in corpus_documents}
    asked = [i for i in items if i["type"] != "aggregation"]
    answers = [qa.ask(i["question"], id=i["id"], history=i.get("history")).to_dict() for i in asked]
    stolen = [i["id"] for i, a in zip(asked, answers, strict=True) if any(c["doc_id"] not in real for c in a["citations"])]
    assert stolen == []
    assert evaluate_run(asked, answers)["overall"]["accuracy"] >= 0.85


def _said(answer) -> str:  # type: ignore[no-untyped-def]
    """What an answer says and cites (passage scores aside: BM25's length normalisation
    still counts the copies' lengths, so fused scores move in the third decimal)."""
    said = {k: answer.to_dict()[k] for k in ("answer", "refused", "citations")}
    return json.dumps(said, ensure_ascii=False, sort_keys=True)


def test_near_copies_change_no_answer_about_the_real_plans(two_fold, policyqa, corpus_documents) -> None:  # type: ignore[no-untyped-def]
    """Word statistics, BM25's IDF and the judge's margin count a plan's near-copies once
    (``index.families``), so a question about one of the real districts gets, word for word
    and citation for citation, the answer the five plans alone give; a question across districts judges each real
    district as the five plans alone do."""
    qa, items = two_fold
    real = {d.district for d in corpus_documents}
    for item in items:
        if item["type"] == "unanswerable":
            continue  # a refusal lists the districts the corpus holds: more of them here
        asked = dict(id=item["id"], history=item.get("history"))
        alone, with_copies = policyqa.ask(item["question"], **asked), qa.ask(item["question"], **asked)
        if item["type"] != "aggregation":
            assert _said(with_copies) == _said(alone), item["id"]
        else:
            cited = {c.district for c in with_copies.citations} & real
            assert cited == {c.district for c in alone.citations}, item["id"]
