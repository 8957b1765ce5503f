"""What one Milvus call costs on a scale index: the floor under a Milvus Lite answer.

    python benchmarks/scale_calls.py --scale 100 [--work DIR] [--repeat 5]

Opens the Milvus index ``benchmarks/scale.py`` built and times, each call ``--repeat`` times
(medians), on the sentences (the largest kind) of one question:

* a search within one region, reading its partition only and reading every partition (the
  collection has a partition per region above ``PARTITION_FROM_UNITS`` units): the same hits;
* searches across every region, per route (BM25, dense): plain with ``limit`` 10 to 4,000
  (what a search costs before it returns anything, and per hit returned), and grouped by
  district as ``MilvusKindRetriever.rank_grouped`` asks (``group_size`` 100 and smaller);
* a search within one region per region (the alternative the issue rules out), timed on a
  few regions and multiplied;
* reading 1,000 sentences' vectors back by primary key (``vectors_for``).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(_HERE.parent))
sys.path.insert(0, str(_HERE))

from kernel.offline import go_offline  # noqa: E402

go_offline()

QUESTION = "哪些区提出要加强家庭医生签约服务？"


def timed(label: str, call: Callable[[], Any], repeat: int) -> float:
    """Median seconds of ``call``; prints one line with the hits it returned."""
    took, hits = [], 0
    for _ in range(repeat):
        t = time.perf_counter()
        out = call()
        took.append(time.perf_counter() - t)
        hits = len(out)
    median = statistics.median(took)
    print(f"{label:<62} {median * 1000:8.0f} ms  {hits:6d} hits", flush=True)
    return median


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--work", type=Path, default=None, help="where scale.py wrote the indexes")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    import scale
    import synthetic_corpus

    from index import load_index, make_embedder
    from index.milvus.schema import normalise
    from index.store_protocol import Scope

    work = args.work or synthetic_corpus.default_root() / "indexes"
    store, _ = scale._store("milvus", args.scale, work)
    index = load_index(store, make_embedder())
    index.warm_up()
    r = index._kinds["sentence"]
    client, collection = r._client, r.collection
    n_rows = sum(len(k.units) for k in index._kinds.values())
    print(f"x{args.scale}: {n_rows:,} units, {len(index.districts)} regions, "
          f"{len(r.units):,} sentences; partitions: {'per region' if r._partitions else 'one'}")
    vector = index.embed_query(QUESTION).tolist()
    expr = 'kind == "sentence"'
    groups = len(index.districts) + 1
    district = index.districts[0]
    within = Scope(districts=frozenset({district}))
    partitions = r.partition_names(within)

    def search(data: Any, field: str, **kw: Any) -> Callable[[], Any]:
        params = {"filter": expr, "output_fields": ["pk"], **kw}
        return lambda: client.search(collection, data=[data], anns_field=field, **params)[0]

    for route, data, field in (("bm25", normalise(QUESTION), "sparse"), ("dense", vector, "dense")):
        one = f'{expr} and district == "{district}"'
        pruned = timed(f"{route}: within one region, its partition, limit 100",
                       search(data, field, filter=one, limit=100, partition_names=partitions), args.repeat)
        whole = timed(f"{route}: within one region, every partition, limit 100",
                      search(data, field, filter=one, limit=100), args.repeat)
        if partitions:
            a = search(data, field, filter=one, limit=100, partition_names=partitions)()
            b = search(data, field, filter=one, limit=100)()
            print(f"    same hits: {[h['pk'] for h in a] == [h['pk'] for h in b]}; pruning x{whole / pruned:.1f}")
        for limit in (10, 100, 1000, 4000):
            timed(f"{route}: across every region, plain, limit {limit}", search(data, field, limit=limit), args.repeat)
        for size in (100, 20, 5):
            timed(f"{route}: across every region, grouped, {groups} groups x {size}",
                  search(data, field, limit=groups, group_by_field="district", group_size=size,
                         output_fields=["pk", "district"]), max(1, args.repeat // 2))
        if partitions:
            sample = index.districts[:5]
            each = statistics.median(
                timed(f"{route}: within {d}, its partition, limit 100",
                      search(data, field, filter=f'{expr} and district == "{d}"', limit=100,
                             partition_names=r.partition_names(Scope(districts=frozenset({d})))), 1)
                for d in sample
            )
            print(f"    one search per region: {each * 1000:.0f} ms x {groups} regions = {each * groups:.1f} s (derived)")
    rows = list(range(0, len(r.units), max(1, len(r.units) // 1000)))[:1000]
    timed("vectors of 1,000 sentences by primary key", lambda: r.vectors(rows), args.repeat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
