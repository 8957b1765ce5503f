"""HTTP latency benchmark: warm p50/p95 of ``POST /api/ask`` over ~50 mixed questions.

Starts ``python app.py`` on a free loopback port (unless ``--url`` points at a running
server), waits until it answers, warms it up, then asks the dev-set questions (Chinese and
English, every question type) one at a time and reports client-side latency percentiles,
plus the server-side ``timings_ms.total`` for comparison.

    python benchmarks/http_latency.py [--n 50] [--concurrency 1] [--url http://127.0.0.1:7860] [--json OUT]
"""

from __future__ import annotations

import sys
from pathlib import Path

# Keep this folder off the front of the path so no benchmark module shadows a library
# module (an http.py here once shadowed the standard library for httpx and uvicorn).
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from concurrent.futures import ThreadPoolExecutor  # noqa: E402

import httpx  # noqa: E402

sys.path.append(str(_HERE))
from server_utils import REPO, free_port, percentile, start_server, wait_ready  # noqa: E402,F401

EXTRA_QUESTIONS = [  # a few filtered and English ad-hoc questions on top of the dev set
    {"question": "哪些区提出了2025年中医馆建设目标？"},
    {"question": "Which districts mention hospice care?"},
    {"question": "家庭医生签约服务有哪些要求？", "districts": ["长宁区"]},
]


def questions(n: int) -> list[dict]:
    rows = [json.loads(line) for line in (REPO / "data" / "bench" / "dev.jsonl").open(encoding="utf-8")]
    mixed = sorted(rows, key=lambda r: (r["lang"] != "en", r["id"]))  # English ones first, then Chinese
    picked = [{"question": r["question"]} for r in mixed[: max(0, n - len(EXTRA_QUESTIONS))]]
    return (EXTRA_QUESTIONS + picked)[:n]






def run(url: str, items: list[dict], concurrency: int) -> dict:
    def one(client: httpx.Client, body: dict) -> tuple[float, float, int, bool]:
        t = time.perf_counter()
        r = client.post(f"{url}/api/ask", json=body)
        elapsed = (time.perf_counter() - t) * 1000
        data = r.json() if r.status_code == 200 else {}
        return elapsed, float(data.get("timings_ms", {}).get("total", 0.0)), r.status_code, bool(data.get("refused"))

    with httpx.Client(timeout=300) as client:
        for body in items[:3]:  # warm-up: model, caches, first-request costs
            client.post(f"{url}/api/ask", json=body)
        wall = time.perf_counter()
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            results = list(pool.map(lambda b: one(client, b), items))
        wall = time.perf_counter() - wall
    latencies = [r[0] for r in results]
    server = [r[1] for r in results if r[1]]
    return {
        "questions": len(items),
        "concurrency": concurrency,
        "errors": sum(1 for r in results if r[2] != 200),
        "refused": sum(1 for r in results if r[3]),
        "p50_ms": round(percentile(latencies, 0.50), 1),
        "p95_ms": round(percentile(latencies, 0.95), 1),
        "mean_ms": round(statistics.fmean(latencies), 1),
        "max_ms": round(max(latencies), 1),
        "server_total_p50_ms": round(percentile(server, 0.50), 1) if server else None,
        "throughput_qps": round(len(items) / wall, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=50, help="number of questions (default 50)")
    parser.add_argument("--concurrency", type=int, default=1, help="parallel clients (default 1)")
    parser.add_argument("--url", help="benchmark a running server instead of starting one")
    parser.add_argument("--startup-timeout", type=float, default=1800, help="seconds to wait for the server")
    parser.add_argument("--json", type=Path, help="also write the report as JSON here")
    args = parser.parse_args(argv)
    if args.n < 1 or args.concurrency < 1:
        parser.error("--n and --concurrency must be at least 1")

    proc = None
    url = args.url.rstrip("/") if args.url else None
    if url is None:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        log = Path(tempfile.gettempdir()) / f"policyqa-bench-server-{port}.log"
        print(f"starting the server on {url} (log: {log})", file=sys.stderr)
        proc = start_server(port, log)
    try:
        ready_s = wait_ready(url, proc, args.startup_timeout)
        report = {"url": url, "startup_s": round(ready_s, 1)} | run(url, questions(args.n), args.concurrency)
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)
    print(f"POST /api/ask  n={report['questions']}  concurrency={report['concurrency']}  errors={report['errors']}")
    print(f"  warm p50 {report['p50_ms']} ms   p95 {report['p95_ms']} ms   mean {report['mean_ms']} ms   "
          f"max {report['max_ms']} ms   ({report['throughput_qps']} q/s)")
    print(f"  server-side total p50 {report['server_total_p50_ms']} ms; server ready after {report['startup_s']} s")
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0 if report["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
