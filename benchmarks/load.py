"""Load benchmark: a bounded burst of concurrent ``POST /api/ask`` requests on loopback.

Starts ``python app.py`` on a free 127.0.0.1 port (``POLICYQA_HOME`` and the rest of the
environment are passed through), asks each question once alone to get its reference answer,
then sends ``--n`` requests (default 512) ``--concurrency`` at a time (default 16), mixed
Chinese and English, some of which the documents do not answer. Reports throughput,
p50/p95/p99 latency, errors, and whether every answer under load equals the answer to the same
question asked alone (answer text, refused flag and citation offsets).

With ``--upload`` (the default) the server runs on a private copy of the index, and a new
district plan is uploaded and re-indexed while the burst runs. Every answer must then equal
the same question asked alone either before the upload or after it: a reader sees the old
index or the new one, never a mix. The report counts the requests answered during the
re-index and how many of those already saw the new index.

    python benchmarks/load.py [--n 512] [--concurrency 16] [--no-upload] [--max-seconds 900] [--json OUT]

Bounded: at most ``--n`` requests, none started after ``--max-seconds``; loopback only.
Exit status 0 when there were no errors and no mismatches, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from server_utils import HOST, REPO, free_port, percentile, start_server, wait_ready  # noqa: E402,F401

# Generic questions written for this benchmark (not from the dev set): answerable ones about
# the district health plans, and five the documents cannot answer. The report counts how many
# of those the server actually refuses (refusal quality is the answer benchmark's business;
# this one checks that load changes no answer).
QUESTIONS: tuple[dict, ...] = (
    {"question": "哪些区提出要加强家庭医生签约服务？"},
    {"question": "社区卫生服务中心的建设目标是什么？"},
    {"question": "关于老年人健康管理有哪些措施？"},
    {"question": "哪些区提到了互联网医院？"},
    {"question": "公共卫生应急体系建设有什么要求？", "districts": ["宝山区"]},
    {"question": "上海迪士尼乐园的门票价格是多少？"},  # not in the documents
    {"question": "北京市对社区医院的床位有什么要求？"},  # a city the corpus does not cover
    {"question": "Which districts plan to strengthen mental health services?"},
    {"question": "What are the goals for community health service centres?"},
    {"question": "How do the plans support traditional Chinese medicine?"},
    {"question": "What measures are proposed for chronic disease management?"},
    {"question": "What is the exchange rate between the euro and the US dollar?"},  # not in the documents
    {"question": "Who won the football World Cup in 2018?"},  # not in the documents
    {"question": "How many hospital beds does Hangzhou plan for 2025?"},  # a city the corpus does not cover
)


UPLOAD_NAME = "jiading-2025-load-test-plan.txt"


def upload_text(extra_sentences: int = 40) -> str:
    """A fictitious district plan touching topics the questions ask about (so some answers
    change once it is indexed), long enough that its re-index takes several seconds."""
    lines = [
        "嘉定区2025年卫生健康工作要点",
        "一、主要目标",
        "到2025年，嘉定区每个街镇建成1个心理健康服务点，加强精神卫生服务能力建设。",
        "加强家庭医生签约服务，重点人群签约覆盖率达到80%以上。",
        "推进中医药传承创新，到2025年建成社区中医馆12个。",
        "二、重点任务",
    ]
    lines += [
        f"{i}. 嘉定区第{i}个村卫生室完成标准化改造，服务常住人口{1000 + 37 * i}人，配备全科医生{i % 7 + 2}名。"
        for i in range(1, extra_sentences + 1)
    ]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Result:
    question: int  # index into QUESTIONS
    status: int
    latency_ms: float
    key: tuple | None  # the comparable part of the answer, None on error
    error: str = ""
    started: float = 0.0  # time.monotonic() when sent
    finished: float = 0.0


@dataclass(frozen=True)
class UploadRun:
    status: str
    started: float
    finished: float
    error: str = ""


def answer_key(answer: dict) -> tuple:
    """What must not change under load: the text, the refusal and every citation's offsets."""
    cites = tuple((c["doc_id"], c["start"], c["end"]) for c in answer.get("citations", []))
    return (answer.get("answer"), bool(answer.get("refused")), cites)


def ask(client: httpx.Client, url: str, qi: int) -> Result:
    t, started = time.perf_counter(), time.monotonic()
    try:
        r = client.post(f"{url}/api/ask", json=QUESTIONS[qi])
    except httpx.HTTPError as exc:
        return Result(qi, 0, (time.perf_counter() - t) * 1000, None, f"{type(exc).__name__}: {exc}", started,
                      time.monotonic())
    elapsed = (time.perf_counter() - t) * 1000
    if r.status_code != 200:
        return Result(qi, r.status_code, elapsed, None, r.text[:200], started, time.monotonic())
    return Result(qi, 200, elapsed, answer_key(r.json()), "", started, time.monotonic())


def upload_during(url: str, delay: float, timeout: float) -> UploadRun:
    """Upload the test plan after ``delay`` seconds and wait for its re-index job to finish."""
    time.sleep(delay)
    started = time.monotonic()
    with httpx.Client(base_url=url, timeout=300) as client:
        r = client.post("/api/documents", files={"file": (UPLOAD_NAME, upload_text().encode("utf-8"))})
        if r.status_code != 202:
            return UploadRun("refused", started, time.monotonic(), f"{r.status_code} {r.text[:200]}")
        job_url = r.json()["status_url"]
        while time.monotonic() - started < timeout:
            job = client.get(job_url).json()
            if job["status"] in ("done", "failed"):
                return UploadRun(job["status"], started, time.monotonic(), str(job.get("error") or ""))
            time.sleep(0.1)
    return UploadRun("timeout", started, time.monotonic(), f"job not finished after {timeout:.0f}s")


def private_home() -> Path:
    """A temporary copy of the configured index: the upload must not change the real one."""
    sys.path.insert(0, str(REPO))
    from ingest.settings import home_dir, index_dir

    home = Path(tempfile.mkdtemp(prefix="policyqa-load-"))
    if index_dir().exists():
        shutil.copytree(index_dir(), home / "index")
    os.environ.update({
        "POLICYQA_INDEX": str(home / "index"),
        "POLICYQA_UPLOADS": str(home / "uploads"),
        "POLICYQA_MODELS_DIR": os.environ.get("POLICYQA_MODELS_DIR", str(home_dir() / "models")),
    })
    return home


def references(url: str) -> dict[int, tuple]:
    """Each question asked alone, one at a time: the answers the burst must reproduce."""
    out: dict[int, tuple] = {}
    with httpx.Client(timeout=300) as client:
        for qi in range(len(QUESTIONS)):
            res = ask(client, url, qi)
            if res.key is None:
                raise SystemExit(f"reference request failed for {QUESTIONS[qi]['question']!r}: {res.status} {res.error}")
            out[qi] = res.key
    return out


def burst(
    url: str, n: int, concurrency: int, max_seconds: float, seed: int,
    keep_going: Callable[[], bool] | None = None,
) -> tuple[list[Result], float, int]:
    """``n`` requests in a shuffled mix, ``concurrency`` in flight; none started after the
    deadline. With ``keep_going``, more requests (cycling the mix) follow while it says so:
    the burst outlasts an upload's re-index, so requests straddle the index swap."""
    order = [i % len(QUESTIONS) for i in range(n)]
    random.Random(seed).shuffle(order)
    deadline = time.monotonic() + max_seconds
    skipped = 0
    sent = 0
    lock = threading.Lock()
    results: list[Result] = []
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    def next_question() -> int | None:
        nonlocal sent, skipped
        with lock:
            if sent >= len(order) and not (keep_going and keep_going()):
                return None
            if time.monotonic() > deadline:
                skipped += max(len(order) - sent, 0)
                sent = max(sent, len(order))
                return None
            qi = order[sent % len(order)]
            sent += 1
            return qi

    with httpx.Client(timeout=300, limits=limits) as client:

        def worker() -> None:
            while (qi := next_question()) is not None:
                result = ask(client, url, qi)
                with lock:
                    results.append(result)

        wall = time.perf_counter()
        threads = [threading.Thread(target=worker) for _ in range(concurrency)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - wall
    return results, wall, skipped


def report(
    results: list[Result], wall: float, skipped: int, refs: dict[int, tuple], concurrency: int,
    after: dict[int, tuple] | None = None, upload: UploadRun | None = None,
) -> dict:
    """The numbers; with an upload, an answer may equal the one asked alone before or after it."""
    after = after or refs
    ok = [r for r in results if r.key is not None]
    latencies = [r.latency_ms for r in results]
    mismatched = sorted(
        {QUESTIONS[r.question]["question"] for r in ok if r.key not in (refs[r.question], after[r.question])}
    )
    errors = [r for r in results if r.key is None]
    upload_stats = {}
    if upload is not None:
        during = [r for r in ok if r.started < upload.finished and r.finished > upload.started]
        changed = {qi for qi in refs if refs[qi] != after[qi]}
        after_swap = [r for r in ok if r.started > upload.finished]
        upload_stats = {
            "answered_after_swap": len(after_swap),
            "after_swap_saw_new_index": all(r.key == after[r.question] for r in after_swap),
            "upload": upload.status,
            "upload_error": upload.error,
            "reindex_s": round(upload.finished - upload.started, 1),
            "answered_during_reindex": len(during),
            "questions_changed_by_upload": len(changed),
            "during_reindex_saw_new_index": sum(1 for r in during if r.question in changed and r.key == after[r.question]),
            "during_reindex_saw_old_index": sum(1 for r in during if r.question in changed and r.key == refs[r.question]),
        }
    return upload_stats | {
        "requests": len(results),
        "skipped_after_deadline": skipped,
        "concurrency": concurrency,
        "distinct_questions": len(QUESTIONS),
        "refused_questions": sum(1 for k in refs.values() if k[1]),
        "errors": len(errors),
        "error_samples": [f"{r.status} {r.error}" for r in errors[:5]],
        "wall_s": round(wall, 2),
        "throughput_rps": round(len(results) / wall, 2) if wall else None,
        "p50_ms": round(percentile(latencies, 0.50), 1),
        "p95_ms": round(percentile(latencies, 0.95), 1),
        "p99_ms": round(percentile(latencies, 0.99), 1),
        "max_ms": round(max(latencies), 1),
        "identical_to_alone": not mismatched and len(ok) == len(results),
        "mismatched_questions": mismatched,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--n", type=int, default=512, help="requests in the burst (default 512)")
    parser.add_argument("--concurrency", type=int, default=16, help="requests in flight (default 16)")
    parser.add_argument("--max-seconds", type=float, default=900, help="start no request after this (default 900)")
    parser.add_argument("--startup-timeout", type=float, default=900, help="seconds to wait for the server")
    parser.add_argument("--seed", type=int, default=8, help="shuffle seed for the request order")
    parser.add_argument("--json", type=Path, help="also write the report as JSON here")
    parser.add_argument("--upload", action=argparse.BooleanOptionalAction, default=True,
                        help="upload and re-index a document during the burst (default: yes)")
    parser.add_argument("--upload-after", type=float, default=0.3, help="seconds into the burst (default 0.3)")
    args = parser.parse_args(argv)
    if args.n < 1 or not 1 <= args.concurrency <= 256 or args.max_seconds <= 0:
        parser.error("--n must be >= 1, --concurrency 1..256, --max-seconds > 0")

    home = private_home() if args.upload else None
    port = free_port()
    url = f"http://{HOST}:{port}"
    log = Path(tempfile.gettempdir()) / f"policyqa-load-server-{port}.log"
    print(f"starting the server on {url} (log: {log})", file=sys.stderr)
    proc = start_server(port, log)
    upload: UploadRun | None = None
    try:
        ready_s = wait_ready(url, proc, args.startup_timeout)
        refs = references(url)
        after = refs
        if args.upload:
            with ThreadPoolExecutor(max_workers=1) as side:
                pending = side.submit(upload_during, url, args.upload_after, args.max_seconds)
                uploaded_at: list[float] = []

                def until_after_the_swap() -> bool:
                    """Keep asking until 2 s after the upload's job is done."""
                    if pending.done() and not uploaded_at:
                        uploaded_at.append(time.monotonic())
                    return not uploaded_at or time.monotonic() - uploaded_at[0] < 2.0

                results, wall, skipped = burst(
                    url, args.n, args.concurrency, args.max_seconds, args.seed, until_after_the_swap
                )
                upload = pending.result()
            after = references(url)
        else:
            results, wall, skipped = burst(url, args.n, args.concurrency, args.max_seconds, args.seed)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=30)
        if home is not None:
            shutil.rmtree(home, ignore_errors=True)
    out = {"url": url, "startup_s": round(ready_s, 1)} | report(
        results, wall, skipped, refs, args.concurrency, after, upload
    )
    print(f"POST /api/ask  requests={out['requests']}  concurrency={out['concurrency']}  "
          f"questions={out['distinct_questions']} ({out['refused_questions']} refused)  errors={out['errors']}")
    print(f"  throughput {out['throughput_rps']} req/s over {out['wall_s']} s   p50 {out['p50_ms']} ms   "
          f"p95 {out['p95_ms']} ms   p99 {out['p99_ms']} ms   max {out['max_ms']} ms")
    alone = "asked alone (before or after the upload)" if upload else "asked alone"
    print(f"  identical to the same question {alone}: {'yes' if out['identical_to_alone'] else 'NO'}"
          + (f"  (differs: {out['mismatched_questions']})" if out["mismatched_questions"] else ""))
    if upload is not None:
        print(f"  upload + re-index during the burst: {out['upload']} in {out['reindex_s']} s; "
              f"{out['answered_during_reindex']} requests answered meanwhile; "
              f"{out['questions_changed_by_upload']} questions' answers changed by it "
              f"(answered during the re-index from the old index {out['during_reindex_saw_old_index']}, "
              f"from the new {out['during_reindex_saw_new_index']}); {out['answered_after_swap']} after it, "
              f"all from the new index: {'yes' if out['after_swap_saw_new_index'] else 'NO'}"
              + (f"  {out['upload_error']}" if out["upload_error"] else ""))
    if skipped:
        print(f"  {skipped} requests not sent: the --max-seconds deadline passed")
    for sample in out["error_samples"]:
        print(f"  error: {sample}")
    print(f"  server ready after {out['startup_s']} s")
    if args.json:
        args.json.write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    upload_ok = upload is None or (upload.status == "done" and out["after_swap_saw_new_index"])
    return 0 if out["errors"] == 0 and out["identical_to_alone"] and not skipped and upload_ok else 1


if __name__ == "__main__":
    sys.exit(main())
