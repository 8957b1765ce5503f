"""The upload's ``region`` field on a real server process: a region the uploader names is
accepted and shown by ``GET /api/documents``; one the gazetteer does not know, or one several
cities share, is a 400 ``bad_region`` that names the choices; and ``policyqa index --rebuild``
keeps the uploader's region (the text alone names no place, so detection would find none)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from app_helpers import free_port

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
XIHU = REPO / "tests" / "fixtures" / "regions" / "xihu-2025-health-work-plan.txt"
# No place named anywhere in it: its region can only come from the uploader.
PLAN = "社区健康驿站建设计划\n\n一、主要目标\n\n到2025年底建成社区健康驿站12个，覆盖全部街道。\n".encode()
DOC_ID = "station-plan-2025"


def _env(tmp: Path) -> dict[str, str]:
    return os.environ | {
        "POLICYQA_CORPUS": str(tmp / "corpus"),
        "POLICYQA_INDEX": str(tmp / "index"),
        "POLICYQA_UPLOADS": str(tmp / "uploads"),
    }


def _cli(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([sys.executable, "-m", "surfaces.cli", *args], cwd=REPO, env=_env(tmp),
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    return done


@contextmanager
def _server(tmp: Path) -> Iterator[httpx.Client]:
    port = free_port()
    with open(tmp / f"server-{port}.log", "wb") as log:
        proc = subprocess.Popen([sys.executable, "app.py", "--port", str(port)], cwd=REPO, env=_env(tmp),
                                stdout=log, stderr=subprocess.STDOUT)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
            deadline = time.monotonic() + 300
            while True:
                assert proc.poll() is None, (tmp / f"server-{port}.log").read_text(errors="replace")
                assert time.monotonic() < deadline, "the server never became ready"
                try:
                    if client.get("/api/health").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.2)
            yield client
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _regions(client: httpx.Client) -> dict[str, dict[str, str | None]]:
    response = client.get("/api/documents")
    assert response.status_code == 200, response.text
    return {d["doc_id"]: d["region"] | {"district_field": d["district"]} for d in response.json()}


def _upload(client: httpx.Client, region: str) -> httpx.Response:
    return client.post("/api/documents", files=[("file", (f"{DOC_ID}.txt", PLAN))], data={"region": region})


def test_an_uploaders_region_is_accepted_checked_and_kept_across_a_rebuild(tmp_path: Path) -> None:
    (tmp_path / "corpus").mkdir()
    shutil.copy(XIHU, tmp_path / "corpus")
    _cli(tmp_path, "index")
    shangcheng = {"province": "浙江省", "city": "杭州市", "district": "上城区", "district_field": "上城区"}

    with _server(tmp_path) as client:
        before = _regions(client)
        assert before["xihu-2025-health-work-plan"]["district"] == "西湖区"  # detected from its title

        ambiguous = _upload(client, "朝阳区")
        assert ambiguous.status_code == 400, ambiguous.text
        error = ambiguous.json()["error"]
        assert error["code"] == "bad_region" and "北京市" in error["message"] and "长春市" in error["message"]
        unknown = _upload(client, "火星区")
        assert unknown.status_code == 400 and unknown.json()["error"]["code"] == "bad_region", unknown.text
        assert "杭州市西湖区" in unknown.json()["error"]["message"]  # says how to name one
        assert _regions(client) == before  # nothing was queued

        accepted = _upload(client, "浙江省杭州市上城区")
        assert accepted.status_code == 202, accepted.text
        deadline = time.monotonic() + 300
        while (job := client.get(accepted.json()["status_url"]).json())["status"] not in ("done", "failed"):
            assert time.monotonic() < deadline, job
            time.sleep(0.2)
        assert job["status"] == "done", job
        assert _regions(client)[DOC_ID] == shangcheng

    rebuilt = _cli(tmp_path, "index", "--rebuild")
    assert DOC_ID in rebuilt.stdout, rebuilt.stdout  # the report names the kept upload
    with _server(tmp_path) as client:
        assert _regions(client)[DOC_ID] == shangcheng
        answer = client.post("/api/ask", json={"question": "上城区到2025年底要建成多少个社区健康驿站？"}).json()
        assert not answer["refused"] and "12" in answer["answer"], answer["answer"]
        assert {c["district"] for c in answer["citations"]} == {"上城区"}
