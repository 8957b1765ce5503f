"""Retrieval benchmark on the dev set: does the evidence reach the top of the ranking?

For every answerable dev question, each gold evidence quote counts as *hit at k* when one
of the first k retrieved passages (from the quote's document) contains it, after the
CONTRACT.md normalisation. Reported for BM25 alone, dense alone, hybrid without lifting and
the default hybrid, overall and per question type and language; plus per-district recall
for aggregation questions, build / load seconds, warm query latency and peak RSS.

    python benchmarks/retrieval.py [--index DIR] [--rebuild] [--embedder SPEC] [--json OUT]

The index is built (incrementally) into ``--index`` (default: the configured index folder),
so after ``policyqa index`` this only measures. ``--rebuild`` times a full build.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kernel.offline import go_offline  # noqa: E402

go_offline()  # before any model library loads
from index import FusionConfig, HybridIndex, RetrieverConfig, build_index, load_index, make_embedder  # noqa: E402
from ingest.settings import corpus_dir, dev_bench_path, index_dir  # noqa: E402
from kernel.types import ScoredChunk  # noqa: E402

KS = (5, 10)


def norm(text: str) -> str:
    """CONTRACT.md: NFKC, curly -> straight quotes, whitespace removed, lower-cased."""
    text = unicodedata.normalize("NFKC", text)
    for a, b in (("“", '"'), ("”", '"'), ("‘", "'"), ("’", "'")):
        text = text.replace(a, b)
    return "".join(text.split()).lower()


def first_hit(quote: dict[str, str], passages: Sequence[ScoredChunk]) -> int | None:
    """1-based rank of the first passage that contains the quote, or None."""
    q = norm(quote["quote"])
    for rank, p in enumerate(passages, start=1):
        if p.unit.doc_id == quote["doc"] and q in norm(p.unit.text):
            return rank
    return None


def modes(index: HybridIndex) -> dict[str, tuple[RetrieverConfig, FusionConfig | None]]:
    """Settings isolating each retriever: weight 0 switches a ranked list off."""
    lists = [f"{m}:{k}" for m in ("bm25", "dense") for k in ("chunk", "units>chunk")]
    base = index.config
    plain = RetrieverConfig(fusion=base.fusion, depth=base.depth, lift=False, district_boost=0.0)

    def only(keep: set[str]) -> FusionConfig:
        weights = {n: (1.0 if n in keep else 0.0) for n in lists}
        return FusionConfig(method=base.fusion.method, k=base.fusion.k, weights=weights)

    return {
        "bm25": (plain, only({"bm25:chunk"})),
        "dense": (plain, only({"dense:chunk"})),
        "hybrid-chunks": (plain, only({"bm25:chunk", "dense:chunk"})),
        "hybrid": (base, None),
    }


def evaluate(
    index: HybridIndex, items: list[dict], fusion: FusionConfig | None
) -> dict[str, dict[str, float]]:
    groups: dict[str, list[int | None]] = defaultdict(list)
    for item in items:
        passages = index.retrieve(item["question"], top_k=max(KS), fusion=fusion)
        for quote in item["evidence"]:
            rank = first_hit(quote, passages)
            for g in ("all", f"type:{item['type']}", f"lang:{item['lang']}"):
                groups[g].append(rank)
    out = {}
    for g, ranks in groups.items():
        row = {f"hit@{k}": sum(1 for r in ranks if r and r <= k) / len(ranks) for k in KS}
        row["mrr"] = sum(1 / r for r in ranks if r) / len(ranks)
        row["n"] = len(ranks)
        out[g] = row
    return out


def per_district_recall(index: HybridIndex, items: list[dict]) -> tuple[float, float, list[str]]:
    """Quote recall and share of items with every qualifying district's quote in its top 10."""
    found = total = complete = 0
    misses = []
    aggregation = [i for i in items if i["type"] == "aggregation"]
    for item in aggregation:
        per = index.retrieve_per_district(item["question"], per_district=10)
        ok = True
        for quote in item["evidence"]:
            district = index.documents[quote["doc"]].district
            hit = first_hit(quote, per.get(district or "", []))
            total += 1
            found += hit is not None
            if hit is None:
                ok = False
                misses.append(f"{item['id']}:{district}")
        complete += ok
    return found / max(total, 1), complete / max(len(aggregation), 1), misses


def cold_load_seconds(folder: Path) -> float:
    """Load in a fresh interpreter, imports included: what a starting server pays."""
    code = (
        "import time; t=time.perf_counter(); from index import load_index; "
        f"load_index({str(folder)!r}); print(time.perf_counter()-t)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    return float(out.stdout.strip().splitlines()[-1])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, default=None)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--embedder", default=None)
    parser.add_argument("--json", type=Path, default=None, help="also write the numbers as JSON")
    args = parser.parse_args(argv)

    from ingest.pipeline import load_corpus

    folder = args.index or index_dir()
    items = [
        json.loads(line) for line in dev_bench_path().read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    answerable = [i for i in items if i["evidence"]]

    documents = load_corpus(corpus_dir())
    t0 = time.perf_counter()
    built = build_index(documents, folder, make_embedder(args.embedder), progress=True, rebuild=args.rebuild)
    build_s = time.perf_counter() - t0
    embedded = sum(built.build_report.embedded.values())
    del built

    t0 = time.perf_counter()
    index = load_index(folder)
    load_s = time.perf_counter() - t0
    cold_s = cold_load_seconds(folder)

    results = {
        name: evaluate(load_index(folder, index.embedder, config), answerable, fusion)
        for name, (config, fusion) in modes(index).items()
    }
    recall, complete, misses = per_district_recall(index, items)

    index.warm_up()  # jieba dictionary and embedder engine, as a server does at start-up
    times = []
    for item in items:
        t = time.perf_counter()
        index.retrieve(item["question"], top_k=10)
        times.append((time.perf_counter() - t) * 1000)
    p50 = statistics.median(times)
    p95 = statistics.quantiles(times, n=20)[18]
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    groups = ["all"] + sorted(g for g in results["hybrid"] if g != "all")
    header = f"{'group':<20}{'n':>4}" + "".join(f"{m:>22}" for m in results)
    print(f"retrieval on {dev_bench_path().name}: evidence hit@5 / hit@10 / MRR per mode")
    print(header)
    print("-" * len(header))
    for g in groups:
        row = f"{g:<20}{results['hybrid'][g]['n']:>4}"
        for m in results:
            r = results[m][g]
            row += f"{r['hit@5']:>10.2f}/{r['hit@10']:.2f}/{r['mrr']:.2f}"
        print(row)
    print("-" * len(header))
    summary = {
        "per-district recall (aggregation quotes in own district's top 10)": f"{recall:.2f}",
        "aggregation items with every district found": f"{complete:.2f}"
        + (f"  misses: {misses}" if misses else ""),
        "index build seconds": f"{build_s:.1f} ({embedded} units embedded; --rebuild for a full build)",
        "index load seconds (in process / cold incl. imports)": f"{load_s:.2f} / {cold_s:.2f}",
        "warm query ms p50 / p95": f"{p50:.1f} / {p95:.1f}",
        "peak RSS MB": f"{rss_mb:.0f}",
        "embedder": index.embedder_id,
    }
    for key, value in summary.items():
        print(f"{key:<58}{value}")
    if args.json:
        args.json.write_text(json.dumps({"modes": results, "summary": summary}, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
