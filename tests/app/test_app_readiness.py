"""Readiness on a real server process: ``python app.py`` listens at once and says ``starting``
(503) while it loads the index and the model, then ``ok``; the first question after ``ok`` is
answered warm, in a small fraction of the loading time (no model loading on the first question)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from app_helpers import free_port, output_dir
from private_index import shared_index_dir

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
QUESTION = "哪些区提出了2025年中医馆建设目标？"
POLL_SECONDS = 0.02


def test_starting_until_loaded_then_the_first_answer_is_warm(tmp_path: Path) -> None:
    shutil.copytree(shared_index_dir(), tmp_path / "index")
    env = os.environ | {"POLICYQA_INDEX": str(tmp_path / "index"), "POLICYQA_UPLOADS": str(tmp_path / "uploads")}
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path / "server.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "app.py", "--port", str(port)], cwd=REPO, env=env,
                                stdout=out, stderr=subprocess.STDOUT)
    spawned = time.monotonic()
    try:
        listening = ok = None
        starting: list[httpx.Response] = []
        refused_while_starting = None
        with httpx.Client(base_url=url, timeout=10) as client:
            while ok is None:
                assert proc.poll() is None, log.read_text(errors="replace")[-3000:]
                assert time.monotonic() - spawned < 600, "not ready after 600 s"
                try:
                    health = client.get("/api/health")
                except httpx.TransportError:  # not listening yet
                    time.sleep(POLL_SECONDS)
                    continue
                now = time.monotonic()
                listening = listening or now
                if health.status_code == 503:
                    starting.append(health)
                    if refused_while_starting is None:
                        refused_while_starting = client.post("/api/ask", json={"question": QUESTION})
                    time.sleep(POLL_SECONDS)
                    continue
                assert health.status_code == 200, health.text
                ok = now
            assert health.json()["status"] == "ok" and health.json()["documents"] >= 5
            assert starting, "the server never said it was starting: it must listen before it loads"
            assert all(r.json() == {"status": "starting"} and r.headers["retry-after"] for r in starting)
            assert refused_while_starting is not None and refused_while_starting.status_code == 503
            assert refused_while_starting.json()["error"]["code"] == "starting"

            started = time.perf_counter()
            first = client.post("/api/ask", json={"question": QUESTION}, timeout=120)
            first_s = time.perf_counter() - started
            assert first.status_code == 200 and first.json()["citations"], first.text[:300]
            started = time.perf_counter()
            client.post("/api/ask", json={"question": "家庭医生签约服务有哪些要求？"}, timeout=120)
            second_s = time.perf_counter() - started
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    loading_s = ok - listening
    figures = {"spawn_to_listening_s": listening - spawned, "listening_to_ok_s": loading_s,
               "first_answer_s": first_s, "second_answer_s": second_s, "health_checks_starting": len(starting)}
    output_dir("readiness.json").write_text(json.dumps(figures, indent=2))
    assert first_s < loading_s / 3, figures  # a model loaded on the first question would take about loading_s
