"""Where an aggregation answer's seconds go on a Milvus (or FAISS) scale index.

    python benchmarks/scale_profile.py --scale 10 [--backend milvus] [--work DIR] [--repeat 3]

Opens the index ``benchmarks/scale.py`` built (``--work``: its folder), makes the engine ready,
then asks the benchmark's aggregation questions, each once after a warm-up, with a timer
around every Milvus client call (search, hybrid_search, query: count and seconds per call),
around reading candidate vectors back (``HybridIndex.vectors_for``), embedding the question,
the per-district retrieval, and the rest of the answer (scoring and verifying candidates,
the judge, composing). Prints one line per question and the medians.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(_HERE.parent))
sys.path.insert(0, str(_HERE))

from kernel.offline import go_offline  # noqa: E402

go_offline()


class Timers:
    """Seconds and calls per label, for the question in progress."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)

    def wrap(self, owner: Any, name: str, label: str) -> None:
        original: Callable[..., Any] = getattr(owner, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            t = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[label] += time.perf_counter() - t
                self.calls[label] += 1

        setattr(owner, name, timed)

    def reset(self) -> None:
        self.seconds.clear()
        self.calls.clear()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--backend", choices=("milvus", "faiss"), default="milvus")
    parser.add_argument("--work", type=Path, default=None, help="where scale.py wrote the indexes")
    parser.add_argument("--repeat", type=int, default=1, help="passes over the questions (new caches each pass)")
    args = parser.parse_args()

    import scale
    import synthetic_corpus

    from index import load_index, make_embedder
    from ingest import settings
    from qa import PolicyQA

    work = args.work or synthetic_corpus.default_root() / "indexes"
    store, where = scale._store(args.backend, args.scale, work)
    index = load_index(store, make_embedder())
    qa = PolicyQA(index, index_dir=where, corpus_dir=settings.corpus_dir())
    qa.warm_up()
    questions = [i["question"] for i in scale._dev_items() if i["type"] == "aggregation"] + list(scale.GENERIC_AGGREGATION)

    timers = Timers()
    if args.backend == "milvus":
        client = store.client
        for name in ("search", "hybrid_search", "query"):
            timers.wrap(client, name, f"milvus.{name}")
    timers.wrap(index, "vectors_for", "vectors_for")
    timers.wrap(index, "embed_query", "embed_query")
    timers.wrap(index, "retrieve_per_district", "retrieve_per_district")
    timers.wrap(index, "retrieve", "retrieve")

    totals: dict[str, list[float]] = defaultdict(list)
    for p in range(args.repeat):
        for q in questions:
            timers.reset()
            t = time.perf_counter()
            qa.ask(q)
            total = time.perf_counter() - t
            # embedding the question happens inside the first search or outside it, whichever asks first
            inside = timers.seconds["retrieve_per_district"] + timers.seconds["retrieve"] + timers.seconds["vectors_for"]
            row = {"total": total, **dict(timers.seconds), "outside_retrieval": total - inside}
            for k, v in row.items():
                totals[k].append(v)
            calls = " ".join(f"{k}={timers.calls[k]}x{timers.seconds[k] / max(1, timers.calls[k]) * 1000:.0f}ms"
                             for k in sorted(timers.calls))
            print(f"[{p}] {total * 1000:6.0f} ms  {q[:28]:<28}  {calls}", flush=True)
    print("median ms: " + "  ".join(f"{k} {statistics.median(v) * 1000:.0f}" for k, v in sorted(totals.items())))
    print("p95 total ms:", f"{scale._pct(totals['total'], 0.95) * 1000:.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
