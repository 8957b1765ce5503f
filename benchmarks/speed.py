"""Start-up, build, latency and memory of PolicyQA next to the LangChain baseline, in one run.

    python benchmarks/speed.py [--asks 5] [--builds 3] [--questions 100] [--json OUT]

Prints one table, every figure with its goal (issue 14) and, where there is one, the
baseline it is compared with and the ratio:

* cold ``policyqa ask``: wall time and peak RSS of a new process (median of ``--asks``);
* server start to ready: ``policyqa serve`` on a free loopback port until ``/api/health``
  answers 200 ``ok``; then the first answer, and the server's RSS after ``--questions``;
* full build (``policyqa index --rebuild``) against the baseline's build (split, embed,
  FAISS, BM25 in ``eval.baseline``), each a new process, interleaved ``--builds`` times
  (medians); and an incremental build after one plan is edited;
* warm ``PolicyQA.ask`` p50/p95 against the baseline's retrieval-only p50 on the same questions.

The index, model and baseline live under ``POLICYQA_HOME``; builds go to a temporary folder.
Wall times on a shared machine are noisy: the interleaving and medians are there for that.
"""

from __future__ import annotations

import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))
sys.path.append(str(_HERE))

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass  # noqa: E402

import httpx  # noqa: E402
from server_utils import HOST, REPO, free_port, percentile  # noqa: E402

ASK_QUESTION = "长宁区到2025年要建成几个达标中医馆?"
EDITED_PLAN = "changning-2023-health-development-action-plan.txt"  # the largest plan: the worst case
EDIT = "\n\n（十）其他\n本计划由区卫生健康委负责解释，自印发之日起施行。\n"
TOPICS = ("家庭医生签约", "中医馆建设", "公共卫生应急", "医联体建设", "护理服务", "健康教育", "卫生人才培养",
          "智慧医疗")


@dataclass
class Run:
    seconds: float
    peak_rss_mb: float
    stdout: str


def run_process(cmd: list[str], env: dict[str, str] | None = None, timeout: float = 3600) -> Run:
    """Run ``cmd`` to completion; wall seconds and the child's own peak RSS (``wait4``)."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, cwd=REPO, env=env or os.environ.copy(), stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(cmd[:4])} … failed ({proc.returncode}): {err.read().decode()[-2000:]}")
        return Run(seconds, usage.ru_maxrss / 1024, out.read().decode())


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "surfaces.cli", *args]


def ensure_index() -> None:
    """The configured index, built (incrementally) before anything is timed."""
    run_process(cli("index", "--quiet"))


# --------------------------------------------------------------------------- measurements
def cold_ask(n: int) -> dict[str, float]:
    runs = [run_process(cli("ask", ASK_QUESTION)) for _ in range(n)]
    return {"seconds": statistics.median(r.seconds for r in runs),
            "rss_mb": statistics.median(r.peak_rss_mb for r in runs)}


def serving_questions(n: int) -> list[str]:
    """Dev questions, then district x topic questions: ``n`` different ones."""
    from ingest import load_corpus
    from ingest.regions import scope_of
    from ingest.settings import corpus_dir

    # the corpus's districts and the other districts of their cities (asked about, not covered)
    districts = scope_of({d.district for d in load_corpus(corpus_dir()) if d.district}).districts
    dev = [json.loads(line)["question"] for line in (REPO / "data/bench/dev.jsonl").open(encoding="utf-8")
           if line.strip()]
    extra = [f"{d.name}在{t}方面的目标是什么？" for t in TOPICS for d in districts]
    return list(dict.fromkeys(dev + extra))[:n]


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def server(questions: list[str], timeout: float = 1800) -> dict[str, float]:
    """Start-to-ready, the first answer after ready, RSS after every question was asked."""
    port = free_port()
    url = f"http://{HOST}:{port}"
    log = Path(tempfile.gettempdir()) / f"policyqa-speed-server-{port}.log"
    started = time.perf_counter()
    with log.open("wb") as out:
        proc = subprocess.Popen(cli("serve", "--host", HOST, "--port", str(port)), cwd=REPO,
                                stdout=out, stderr=subprocess.STDOUT)
    try:
        with httpx.Client(timeout=300) as client:
            while True:
                if proc.poll() is not None:
                    raise SystemExit(f"the server exited ({proc.returncode}) before it was ready; see {log}")
                if time.perf_counter() - started > timeout:
                    raise SystemExit(f"the server was not ready after {timeout:.0f} s; see {log}")
                try:
                    health = client.get(f"{url}/api/health", timeout=2)
                    if health.status_code == 200 and health.json().get("status") == "ok":
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.05)
            ready = time.perf_counter() - started
            t = time.perf_counter()
            client.post(f"{url}/api/ask", json={"question": questions[0]}).raise_for_status()
            first = time.perf_counter() - t
            for q in questions[1:]:
                client.post(f"{url}/api/ask", json={"question": q}).raise_for_status()
            rss = _rss_mb(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    return {"ready_s": ready, "first_answer_s": first, "rss_mb": rss, "questions": len(questions)}


BASELINE_BUILD = (
    "import sys, time; t = time.perf_counter(); from kernel.offline import go_offline; go_offline(); from pathlib import Path;"
    "from eval.baseline import LangChainBaseline; from eval.questions import load_documents;"
    "from index.embedders import make_embedder;"
    "b = LangChainBaseline(load_documents(), make_embedder(), cache_root=Path(sys.argv[1]));"
    "print(len(b.chunks), 'chunks', b.embeddings.id, round(time.perf_counter() - t, 2))"
)


def builds(repeat: int, work: Path) -> dict[str, float]:
    """Full builds of ours and the baseline's, interleaved; then one edited plan re-indexed."""
    ours, theirs = [], []
    for r in range(repeat):
        shutil.rmtree(work / "index", ignore_errors=True)
        shutil.rmtree(work / "baseline", ignore_errors=True)
        pair = [("ours", cli("index", "--rebuild", "--quiet", "--index", str(work / "index"))),
                ("baseline", [sys.executable, "-c", BASELINE_BUILD, str(work / "baseline")])]
        for name, cmd in pair if r % 2 == 0 else pair[::-1]:
            took = run_process(cmd).seconds
            (ours if name == "ours" else theirs).append(took)
            print(f"  build {r + 1}/{repeat} {name:8s} {took:6.1f} s", file=sys.stderr, flush=True)
    from ingest.settings import corpus_dir

    corpus = work / "corpus"
    shutil.copytree(corpus_dir(), corpus)
    with (corpus / EDITED_PLAN).open("a", encoding="utf-8") as f:
        f.write(EDIT)
    inc = run_process(cli("index", "--corpus", str(corpus), "--index", str(work / "index")))
    embedded = sum(int(line.split("(")[1].split()[0]) for line in inc.stdout.splitlines()
                   if line.strip().startswith("embedded"))
    return {"full_s": statistics.median(ours), "baseline_s": statistics.median(theirs),
            "incremental_s": inc.seconds, "incremental_units": embedded}


def warm_latency(questions: list[str]) -> dict[str, float]:
    """Warm ``PolicyQA.ask`` and the baseline's retrieval alone, on the same questions."""
    from eval.baseline import LangChainBaseline
    from qa import PolicyQA

    qa = PolicyQA.load(progress=False)
    ours = []
    for q in questions:
        t = time.perf_counter()
        qa.ask(q)
        ours.append((time.perf_counter() - t) * 1000)
    baseline = LangChainBaseline.load()
    baseline.ask("预热")
    theirs = [baseline.ask(q)["timings_ms"]["retrieve"] for q in questions]
    return {"p50": percentile(ours, 0.5), "p95": percentile(ours, 0.95), "baseline_p50": percentile(theirs, 0.5)}


# --------------------------------------------------------------------------- report
def table(m: dict[str, dict[str, float]]) -> list[tuple[str, str, str, str, str, bool | None]]:
    """(figure, ours, baseline, ratio, goal, met) rows."""
    a, s, b, w = m["cold_ask"], m["server"], m["build"], m["warm"]
    return [
        (f"cold `policyqa ask`, wall (median of {m['asks']})", f"{a['seconds']:.2f} s", "", "", "<= 2.5 s",
         a["seconds"] <= 2.5),
        ("cold `policyqa ask`, peak RSS", f"{a['rss_mb']:.0f} MB", "", "", "", None),
        ("server start to /api/health ok", f"{s['ready_s']:.2f} s", "", "", "", None),
        ("first answer after ready", f"{s['first_answer_s']:.2f} s", "", "", "<= 0.5 s", s["first_answer_s"] <= 0.5),
        (f"serving RSS after {s['questions']:.0f} questions", f"{s['rss_mb']:.0f} MB", "", "", "<= 600 MB",
         s["rss_mb"] <= 600),
        (f"full build (new process, median of {m['builds']})", f"{b['full_s']:.1f} s", f"{b['baseline_s']:.1f} s",
         f"{b['full_s'] / b['baseline_s']:.2f}x", "<= 1.0x baseline", b["full_s"] <= b["baseline_s"]),
        (f"incremental build, one plan edited ({b['incremental_units']:.0f} units embedded)",
         f"{b['incremental_s']:.1f} s", f"{b['full_s']:.1f} s (full)", f"{b['incremental_s'] / b['full_s']:.2f}x",
         "<= 0.3x full", b["incremental_s"] <= 0.3 * b["full_s"]),
        (f"warm answer p50 ({m['questions']} questions)", f"{w['p50']:.1f} ms", f"{w['baseline_p50']:.1f} ms",
         f"{w['p50'] / w['baseline_p50']:.2f}x", "<= 1.5x baseline retrieval", w["p50"] <= 1.5 * w["baseline_p50"]),
        ("warm answer p50, absolute", f"{w['p50']:.1f} ms", "", "", "<= 60 ms (issue 15)", w["p50"] <= 60),
        ("warm answer p95", f"{w['p95']:.1f} ms", "", "", "", None),
    ]


def print_table(rows: list[tuple[str, str, str, str, str, bool | None]]) -> None:
    head = ("figure", "PolicyQA", "baseline / reference", "ratio", "goal", "met")
    cells = [head, *[(f, o, b, r, g, "" if ok is None else ("yes" if ok else "NO")) for f, o, b, r, g, ok in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(head))]
    for n, row in enumerate(cells):
        print("  ".join(c.ljust(widths[i]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(row)))
        if n == 0:
            print("  ".join("-" * w for w in widths))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--asks", type=int, default=5, help="cold ask processes (median)")
    parser.add_argument("--builds", type=int, default=3, help="full builds of each side (median)")
    parser.add_argument("--questions", type=int, default=100, help="questions for warm latency and serving RSS")
    parser.add_argument("--json", type=Path, help="also write the measurements as JSON")
    args = parser.parse_args(argv)
    if min(args.asks, args.builds, args.questions) < 1:
        parser.error("--asks, --builds and --questions must be at least 1")

    from kernel.offline import go_offline

    go_offline()  # for this process and its children

    ensure_index()
    questions = serving_questions(args.questions)
    m: dict = {"asks": args.asks, "builds": args.builds, "questions": len(questions)}
    print("cold ask ...", file=sys.stderr, flush=True)
    m["cold_ask"] = cold_ask(args.asks)
    print("server ...", file=sys.stderr, flush=True)
    m["server"] = server(questions)
    print("builds ...", file=sys.stderr, flush=True)
    work = Path(tempfile.mkdtemp(prefix="policyqa-speed-"))
    try:
        m["build"] = builds(args.builds, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("warm latency ...", file=sys.stderr, flush=True)
    m["warm"] = warm_latency(questions)
    print_table(table(m))
    if args.json:
        args.json.write_text(json.dumps(m, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
