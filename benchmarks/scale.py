"""The scale benchmark (issue 16): 1×, 10× and 100× the five plans, on FAISS and on Milvus Lite.

    python benchmarks/scale.py [--scales 1 10 100] [--backends faiss milvus] [--embed 48] [--json OUT]

An N× corpus is the five real plans plus N-1 synthetic regions, each holding all five plans
rewritten under its name with perturbed figures (``synthetic_corpus``), generated into
``$POLICYQA_HOME/bench-scale``. For each corpus and store, three fresh processes:

* **build**: parse, then ``build_index`` into a new store. Embedding 180,000 unit texts takes
  about seven hours on this machine's 2 cores, so synthetic units take the vector of the real
  unit they were rewritten from (``vector_reuse``), the count of texts a real build would embed
  is kept, and the embedding time is derived from the throughput measured once here;
* **serve**: load the index, make the engine ready, answer the 60 dev questions (accuracy with
  ``eval.metrics``; an answer to a non-aggregation question citing a synthetic plan is wrong)
  and aggregation questions across all regions (dev's and generic ones), timing each;
* **add**: an incremental build adding one more plan (the largest, under a new region).

Peak RSS is each process's own. Every figure is marked measured (m) or derived (d).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(_HERE.parent))
sys.path.insert(0, str(_HERE))

from kernel.offline import go_offline  # noqa: E402

go_offline()

ADDED_SOURCE = "changning-2023-health-development-action-plan"  # the largest plan: the worst case
# Aggregation questions written for the benchmark, on topics every plan family shares.
GENERIC_AGGREGATION = (
    "哪些区提出要加强家庭医生签约服务？",
    "哪些区提到了互联网医院？",
    "哪些区提出了医养结合的举措？",
    "哪些区提出要提升公共卫生应急能力？",
    "哪些区提出要加强儿科服务？",
    "哪些区提到了智慧医疗或数字化转型？",
    "哪些区提出要培养卫生人才？",
    "Which districts mention mental health services?",
)
TARGETS = {
    "single_p50_ratio": 2.0,  # 100× warm single-region p50 / 1×
    "aggregation_p95_ms": 1500.0,
    "accuracy_drop": 0.03,
    "add_ratio": 0.05,  # incremental add of one plan / full 100× build
}


def _progress(message: str) -> None:
    """A timestamped line on stderr: a long run cut short still shows what it measured."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else float("nan")


def _size_mb(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 2**20
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


# ----------------------------------------------------------------------------- corpus


def _dev_items() -> list[dict[str, Any]]:
    from ingest import settings

    return [json.loads(x) for x in settings.dev_bench_path().read_text(encoding="utf-8").splitlines() if x]


def _real_documents() -> list[Any]:
    from ingest import load_corpus, settings

    return load_corpus(settings.corpus_dir())


def _corpus_folder(scale: int, root: Path) -> Path:
    import synthetic_corpus

    avoid = [i["question"] for i in _dev_items()] + list(GENERIC_AGGREGATION)
    return synthetic_corpus.generate(scale, _real_documents(), root, avoid_texts=avoid)


def _documents(scale: int, root: Path) -> tuple[list[Any], list[Any], dict[str, str]]:
    """(real, synthetic, synthetic doc_id -> the real plan it was rewritten from)."""
    import synthetic_corpus

    folder = _corpus_folder(scale, root)
    source = {e.doc_id: e.source_doc for e in synthetic_corpus.synthetic_entries(folder)}
    return _real_documents(), synthetic_corpus.load_synthetic(folder), source


def _added_plan(scale: int, root: Path, real: list[Any]) -> Any:
    """One more plan, under a region the N× corpus does not hold."""
    from dataclasses import replace

    import synthetic_corpus

    from ingest.pipeline import parse_text

    taken = {e.code for e in synthetic_corpus.synthetic_entries(_corpus_folder(scale, root))}
    avoid = [d.text for d in real] + [i["question"] for i in _dev_items()] + list(GENERIC_AGGREGATION)
    region = next(r for r in synthetic_corpus.choose_regions(scale + 1, avoid) if r.code not in taken)
    doc = next(d for d in real if d.doc_id == ADDED_SOURCE)
    doc_id = f"added-{region.code}-{ADDED_SOURCE.split('-', 1)[1]}"
    text = synthetic_corpus.rewrite(doc.text, doc.district, region, seed=doc_id)
    return replace(parse_text(doc_id, text), district=region.name)


def _store(backend: str, scale: int, work: Path) -> tuple[Any, Path]:
    from index.backends import open_store

    if backend == "faiss":
        folder = work / f"x{scale}-faiss"
        return open_store("faiss", index_dir=folder), folder
    db = work / f"x{scale}-milvus.db"
    return open_store("milvus", uri=str(db), collection="scale"), db


def _reusing_embedder(real: list[Any], synthetic: list[Any], source: dict[str, str]) -> tuple[Any, int]:
    from vector_reuse import ReusingEmbedder, source_vectors

    from index import make_embedder
    from index.faiss_store import FaissStore
    from ingest import settings

    table, shifted = source_vectors(FaissStore(settings.index_dir()).read(), synthetic, source)
    return ReusingEmbedder(make_embedder(), table), shifted


# ----------------------------------------------------------------------------- phases


def phase_build(scale: int, backend: str, work: Path, root: Path) -> dict[str, Any]:
    from index import build_index

    t = time.perf_counter()
    real, synthetic, source = _documents(scale, root)
    ingest_s = time.perf_counter() - t
    _progress(f"build x{scale} {backend}: parsed {len(real) + len(synthetic)} documents in {ingest_s:.1f} s")
    embedder, shifted = _reusing_embedder(real, synthetic, source)
    store, where = _store(backend, scale, work)
    if where.exists():
        shutil.rmtree(where) if where.is_dir() else where.unlink()
    documents = [*real, *synthetic]
    t = time.perf_counter()
    index = build_index(documents, store, embedder, progress=False, rebuild=True)
    build_s = time.perf_counter() - t
    _progress(f"build x{scale} {backend}: built in {build_s:.1f} s ({embedder.seconds:.1f} s embedding)")
    return {
        "documents": len(documents),
        "regions": len(index.districts),
        "units": sum(index.build_report.unit_counts.values()),
        "ingest_s": ingest_s,
        "build_nonembed_s": build_s - embedder.seconds,
        "texts_to_embed": embedder.asked,
        "embedded_for_real": embedder.embedded,
        "units_matched_by_position": shifted,
        "size_mb": _size_mb(where),
        "build_rss_mb": _peak_rss_mb(),
    }


def _cites_synthetic(answer: dict[str, Any], real_ids: set[str]) -> bool:
    return any(c["doc_id"] not in real_ids for c in answer.get("citations", []))


def phase_serve(scale: int, backend: str, work: Path, root: Path) -> dict[str, Any]:
    from eval.metrics import evaluate_run
    from index import load_index, make_embedder
    from ingest import settings
    from qa import PolicyQA

    store, where = _store(backend, scale, work)
    load_before = os.getloadavg()[0]
    t = time.perf_counter()
    index = load_index(store, make_embedder())
    load_s = time.perf_counter() - t
    _progress(f"serve x{scale} {backend}: index loaded in {load_s:.1f} s")
    qa = PolicyQA(index, index_dir=where, corpus_dir=settings.corpus_dir())
    qa.warm_up()
    ready_s = time.perf_counter() - t
    _progress(f"serve x{scale} {backend}: ready to answer in {ready_s:.1f} s")
    real_ids = {d.doc_id for d in _real_documents()}
    items = _dev_items()
    answers, took = [], []
    for item in items:
        t = time.perf_counter()
        answers.append(qa.ask(item["question"], id=item["id"], history=item.get("history")).to_dict())
        took.append(time.perf_counter() - t)
        _progress(f"serve x{scale} {backend}: {item['id']} ({item['type']}) {took[-1] * 1000:.0f} ms")
    scores = evaluate_run(items, answers)
    correct, stolen = [], []
    for item, row, answer in zip(items, scores["items"], answers, strict=True):
        steals = item["type"] != "aggregation" and _cites_synthetic(answer, real_ids)
        stolen += [item["id"]] if steals else []
        correct.append(bool(row["correct"]) and not steals)
    single = [s for i, s in zip(items, took, strict=True) if i["type"] not in ("aggregation", "comparison")]
    agg = [s for i, s in zip(items, took, strict=True) if i["type"] == "aggregation"]
    named = []
    for question in GENERIC_AGGREGATION:
        t = time.perf_counter()
        answer = qa.ask(question)
        agg.append(time.perf_counter() - t)
        _progress(f"serve x{scale} {backend}: {question} (aggregation) {agg[-1] * 1000:.0f} ms")
        named.append(len({c.district for c in answer.citations}))
    named += [len({c["district"] for c in a["citations"]}) for i, a in zip(items, answers, strict=True)
              if i["type"] == "aggregation"]
    return {
        "load_s": load_s,
        "ready_s": ready_s,
        "single_p50_ms": _pct(single, 0.5) * 1000,
        "single_p95_ms": _pct(single, 0.95) * 1000,
        "aggregation_p50_ms": _pct(agg, 0.5) * 1000,
        "aggregation_p95_ms": _pct(agg, 0.95) * 1000,
        "aggregation_regions_named": statistics.median(named),
        "accuracy": sum(correct) / len(correct),
        "accuracy_metrics": scores["overall"]["accuracy"],
        "correct_ids": [i["id"] for i, c in zip(items, correct, strict=True) if c],
        "stolen": stolen,
        "serve_rss_mb": _peak_rss_mb(),
        "load_avg": (load_before + os.getloadavg()[0]) / 2,  # the machine's 1-minute load, before and after
    }


def phase_add(scale: int, backend: str, work: Path, root: Path) -> dict[str, Any]:
    from index import build_index

    real, synthetic, source = _documents(scale, root)
    added = _added_plan(scale, root, real)
    source[added.doc_id] = ADDED_SOURCE
    embedder, _ = _reusing_embedder(real, [*synthetic, added], source)
    store, _where = _store(backend, scale, work)
    t = time.perf_counter()
    build_index([*real, *synthetic, added], store, embedder, progress=False)
    took = time.perf_counter() - t
    _progress(f"add x{scale} {backend}: {took:.1f} s ({embedder.seconds:.1f} s embedding)")
    units = len(added.sentences) + len(added.table_rows) + len(added.chunks)
    return {"add_nonembed_s": took - embedder.seconds, "add_texts_to_embed": embedder.asked, "add_units": units}


PHASES = {"build": phase_build, "serve": phase_serve, "add": phase_add}


def run_phase(phase: str, scale: int, backend: str, work: Path, root: Path) -> dict[str, Any]:
    """One phase in a fresh process, so its time and peak RSS are its own."""
    cmd = [sys.executable, __file__, "--phase", phase, "--scales", str(scale), "--backends", backend,
           "--work", str(work), "--root", str(root)]
    # stderr is passed through: the phase's progress lines (and a failure's traceback) show as they come
    done = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, env=os.environ.copy())
    if done.returncode != 0:
        raise RuntimeError(f"{phase} x{scale} {backend} failed (its traceback is above)")
    return json.loads(done.stdout.strip().splitlines()[-1])


def embedding_throughput(n: int) -> float:
    """Unit texts per second of the real embedder, on ``n`` texts of the real plans."""
    from index import make_embedder
    from index.faiss_store import FaissStore
    from ingest import settings

    stored = FaissStore(settings.index_dir()).read()
    texts = [u.retrieval_text for d in stored.documents for u in (*d.sentences, *d.chunks)][::7][:n]
    embedder = make_embedder()
    embedder.embed(texts[:2], role="passage")  # load the model outside the timing
    t = time.perf_counter()
    embedder.embed(texts, role="passage")
    return len(texts) / (time.perf_counter() - t)


# ----------------------------------------------------------------------------- table


def derive(row: dict[str, Any], per_s: float) -> dict[str, Any]:
    # Every unit, not just the distinct texts the build asked for: a synthetic plan repeats its
    # source's unchanged sentences word for word, a real library's plans do not.
    embed_s = row["units"] / per_s
    full = row["ingest_s"] + row["build_nonembed_s"] + embed_s
    out = {**row, "embed_s": embed_s, "build_s": full, "build_units_per_s": row["units"] / full}
    if "add_nonembed_s" in row:
        out["add_s"] = row["add_nonembed_s"] + row["add_units"] / per_s
    return out


ROWS = (  # key, label, format, measured (m) or derived (d)
    ("documents", "documents / regions", "{documents} / {regions}", "m"),
    ("units", "units indexed", "{units:,}", "m"),
    ("ingest_s", "parse (s)", "{ingest_s:.1f}", "m"),
    ("build_nonembed_s", "build without embedding (s)", "{build_nonembed_s:.1f}", "m"),
    ("embed_s", "embedding every unit (s) (distinct texts)", "{embed_s:,.0f} ({texts_to_embed:,})", "d"),
    ("build_s", "full build (s)", "{build_s:,.0f}", "d"),
    ("build_units_per_s", "build throughput (units/s)", "{build_units_per_s:.1f}", "d"),
    ("size_mb", "index on disk (MB)", "{size_mb:.0f}", "m"),
    ("load_s", "load index / ready to answer (s)", "{load_s:.1f} / {ready_s:.1f}", "m"),
    ("single_p50_ms", "single-region answer p50 / p95 (ms)", "{single_p50_ms:.0f} / {single_p95_ms:.0f}", "m"),
    ("aggregation_p50_ms", "aggregation answer p50 / p95 (ms)", "{aggregation_p50_ms:.0f} / {aggregation_p95_ms:.0f}", "m"),
    ("aggregation_regions_named", "regions cited per aggregation answer", "{aggregation_regions_named:.0f}", "m"),
    ("accuracy", "dev accuracy (stolen answers)", "{accuracy:.3f} ({n_stolen})", "m"),
    ("build_rss_mb", "peak RSS build / serve (MB)", "{build_rss_mb:.0f} / {serve_rss_mb:.0f}", "m"),
    ("load_avg", "machine load average while serving", "{load_avg:.1f}", "m"),
    ("add_s", "add one plan (s) = measured + embedding", "{add_s:.1f} ({add_nonembed_s:.1f} + {add_embed_s:.0f})", "d"),
)


def print_table(results: dict[str, dict[int, dict[str, Any]]], per_s: float) -> list[str]:
    cols = [(b, s) for b in results for s in sorted(results[b])]
    lines = [f"embedding: {per_s:.1f} unit texts/s (measured once); m = measured, d = derived",
             "| figure | | " + " | ".join(f"{b} {s}×" for b, s in cols) + " |",
             "|---|---|" + "---|" * len(cols)]
    for key, label, fmt, how in ROWS:
        cells = []
        for b, s in cols:
            row = results[b][s]
            if key not in row:
                cells.append("–")
                continue
            extra = {"n_stolen": len(row.get("stolen", [])), "add_embed_s": row.get("add_units", 0) / per_s}
            cells.append(fmt.format(**row, **extra))
        lines.append(f"| {label} | {how} | " + " | ".join(cells) + " |")
    lines.append("")
    for b in results:
        if 1 not in results[b] or not any(s >= 100 for s in results[b]):
            continue
        one, top = results[b][1], results[b][max(results[b])]
        checks = [
            ("single-region p50 ≤ 2× the 1× figure", top["single_p50_ms"] / one["single_p50_ms"], TARGETS["single_p50_ratio"], "×"),
            ("aggregation p95 ≤ 1.5 s", top["aggregation_p95_ms"], TARGETS["aggregation_p95_ms"], " ms"),
            ("dev accuracy within 0.03 of 1×", one["accuracy"] - top["accuracy"], TARGETS["accuracy_drop"], ""),
            ("add one plan ≤ 0.05× full build", top.get("add_s", float("nan")) / top["build_s"], TARGETS["add_ratio"], "×"),
        ]
        for label, value, goal, unit in checks:
            lines.append(f"{b} {max(results[b])}×: {label}: {value:.3g}{unit} (goal {goal:g}) {'MET' if value <= goal else 'NOT MET'}")
    lines.append("LangChain baseline: not run at scale: it embeds its own text-splitter chunks, which share no text "
                 "with our units, so a 100× baseline needs ~7 hours of real embedding here (1× figures: benchmarks/speed.py).")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument("--backends", nargs="+", default=["faiss", "milvus"], choices=["faiss", "milvus"])
    parser.add_argument("--embed", type=int, default=48, help="unit texts embedded once to time the model")
    parser.add_argument("--work", type=Path, default=None, help="where the indexes are written")
    parser.add_argument("--root", type=Path, default=None, help="where the corpora are generated")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--phase", choices=sorted(PHASES), help=argparse.SUPPRESS)
    args = parser.parse_args()

    import synthetic_corpus

    from index import build_index, make_embedder
    from ingest import settings

    root = args.root or synthetic_corpus.default_root()
    work = args.work or root / "indexes"
    if args.phase:
        print(json.dumps(PHASES[args.phase](args.scales[0], args.backends[0], work, root)))
        return 0
    work.mkdir(parents=True, exist_ok=True)
    build_index(_real_documents(), settings.index_dir(), make_embedder(), progress=True)  # the vectors reused
    per_s = embedding_throughput(args.embed)
    print(f"embedding throughput: {per_s:.1f} unit texts/s", file=sys.stderr)
    results: dict[str, dict[int, dict[str, Any]]] = {}
    for backend in args.backends:
        for scale in args.scales:
            row: dict[str, Any] = {}
            for phase in ("build", "serve", "add"):
                t = time.perf_counter()
                row.update(run_phase(phase, scale, backend, work, root))
                print(f"{backend} x{scale} {phase}: {time.perf_counter() - t:.0f} s", file=sys.stderr)
            results.setdefault(backend, {})[scale] = derive(row, per_s)
            if args.json:  # after every run: a long benchmark interrupted keeps what it measured
                args.json.write_text(json.dumps({"embed_texts_per_s": per_s, "results": results}, indent=1))
    print("\n".join(print_table(results, per_s)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
