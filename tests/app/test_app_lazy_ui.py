"""A server used through its API never imports gradio; the UI is built when first asked for,
and then serves as the mounted Gradio app always did (page, config, a question through it)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from app_helpers import free_port
from private_index import shared_index_dir

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]


def _imported(log: Path) -> set[str]:
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    return {line.rsplit("|", 1)[1].strip() for line in lines if line.startswith("import time:")}


def test_gradio_loads_only_when_the_ui_is_asked_for(tmp_path: Path) -> None:
    from gradio_client import Client

    shutil.copytree(shared_index_dir(), tmp_path / "index")
    env = os.environ | {"POLICYQA_INDEX": str(tmp_path / "index"), "POLICYQA_UPLOADS": str(tmp_path / "uploads"),
                        "PYTHONPATH": str(REPO)}
    port = free_port()
    log = tmp_path / "server.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-X", "importtime", "app.py", "--port", str(port)], cwd=REPO,
                                env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
            deadline = time.monotonic() + 600
            while True:
                assert proc.poll() is None and time.monotonic() < deadline, log.read_text(errors="replace")[-3000:]
                try:
                    if client.get("/api/health").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.1)
            answer = client.post("/api/ask", json={"question": "长宁区到2025年要建成几个达标中医馆?"})
            assert answer.status_code == 200 and "10" in answer.json()["answer"]
            assert client.get("/openapi.json").status_code == 200
            before = _imported(log)
            assert "fastapi" in before and "onnxruntime" in before  # the log is real
            assert not {m for m in before if m == "gradio" or m.startswith("gradio.")}, "gradio loaded for the API"

            page = client.get("/ui/")  # the first UI request builds it
            assert page.status_code == 200 and "gradio" in page.text.lower()
            assert client.get("/", follow_redirects=True).status_code == 200
            assert "gradio" in _imported(log)
        chat = Client(f"http://127.0.0.1:{port}/ui/", verbose=False, download_files=False)
        try:
            through_ui = chat.predict("长宁区到2025年要建成几个达标中医馆?", api_name="/ask")  # Gradio's queue runs
        finally:
            chat.close()  # its heartbeat connection would hold the server's shutdown
        assert through_ui["answer"] == answer.json()["answer"] and through_ui["citations"] == answer.json()["citations"]
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
