"""The two stores side by side on one corpus: write, open, retrieve and answer times.

    python benchmarks/stores.py [--runs 3] [--embed 256] [--json OUT]

Both stores are written from the same vectors (the FAISS index of the configured home, built
first if needed), so "write" is the store's own cost: FAISS + bm25s files swapped in by
rename, or a Milvus collection (units, BM25 by Milvus, payload) behind a moved alias. The
Milvus store is a Milvus Lite file in a temporary folder (``--uri`` for a server). Retrieval
is timed on the dev questions with their vectors cached (the store's search alone) and
answering with ``PolicyQA.ask``; embedding throughput is measured once on unit texts, since
a full build is that plus the write.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kernel.offline import go_offline  # noqa: E402

go_offline()


def _ms(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[int(0.95 * (len(ordered) - 1))] * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3, help="writes and opens per store (median)")
    parser.add_argument("--embed", type=int, default=256, help="unit texts embedded to time the model")
    parser.add_argument("--uri", default=None, help="Milvus URI (default: a Milvus Lite file in a temp folder)")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()

    from index import build_index, make_embedder
    from index.faiss_store import FaissStore
    from index.milvus.store import MilvusStore
    from index.retriever import HybridIndex
    from ingest import load_corpus, settings
    from qa import PolicyQA

    embedder = make_embedder()
    documents = load_corpus(settings.corpus_dir())
    build_index(documents, FaissStore(settings.index_dir()), embedder, progress=False)
    stored = FaissStore(settings.index_dir()).read()
    texts = [u.retrieval_text for d in stored.documents for u in (*d.sentences, *d.chunks)][: args.embed]
    t = time.perf_counter()
    embedder.embed(texts, role="passage")
    per_text = (time.perf_counter() - t) / len(texts)
    units = sum(len(v) for v in stored.vectors.values())

    items = [json.loads(x) for x in settings.dev_bench_path().read_text(encoding="utf-8").splitlines() if x]
    tmp = Path(tempfile.mkdtemp(prefix="policyqa-stores-"))
    stores = {"faiss": FaissStore(tmp / "index"), "milvus": MilvusStore(args.uri or str(tmp / "milvus.db"), "bench")}
    rows: dict[str, dict[str, float]] = {}
    for name, store in stores.items():
        writes, opens = [], []
        for _ in range(args.runs):
            t = time.perf_counter()
            store.write(stored)
            writes.append(time.perf_counter() - t)
            t = time.perf_counter()
            opened = store.open()
            opens.append(time.perf_counter() - t)
        index = HybridIndex(opened, embedder)
        for item in items:  # embed every question once: what follows times the store's search
            index.embed_query(item["question"])
        searches = []
        for item in items:
            t = time.perf_counter()
            index.retrieve(item["question"], top_k=10)
            searches.append(time.perf_counter() - t)
        qa = PolicyQA(index, index_dir=tmp / "index", corpus_dir=settings.corpus_dir())
        qa.warm_up()
        asks = []
        for item in items:
            t = time.perf_counter()
            qa.ask(item["question"], history=item.get("history"))
            asks.append(time.perf_counter() - t)
        rows[name] = {
            "write_s": statistics.median(writes), "open_s": statistics.median(opens),
            "retrieve_p50_ms": _ms(searches)[0], "retrieve_p95_ms": _ms(searches)[1],
            "ask_p50_ms": _ms(asks)[0], "ask_p95_ms": _ms(asks)[1],
        }
    print(f"{len(stored.documents)} documents, {units} units; embedding {1 / per_text:.1f} unit texts/s "
          f"({embedder.id}, {len(texts)} texts) -> a full embed of this corpus ~{units * per_text:.0f} s")
    print(f"{'figure':<34}" + "".join(f"{n:>12}" for n in rows))
    for key in rows["faiss"]:
        print(f"{key:<34}" + "".join(f"{rows[n][key]:>12.2f}" for n in rows))
    if args.json:
        args.json.write_text(json.dumps({"units": units, "embed_texts_per_s": 1 / per_text, "stores": rows}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
