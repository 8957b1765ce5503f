"""A damaged index at start-up: the server still starts, says ``unavailable`` on its health check,
and answers 503 with the rebuild command everywhere else."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import httpx
import pytest
from app_helpers import free_port, start_server

from ingest import settings

pytestmark = pytest.mark.slow


def test_truncated_vectors_give_503_with_the_rebuild_command(
    app_qa: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app import create_app

    damaged = tmp_path / "index"
    shutil.copytree(settings.index_dir(), damaged)
    vectors = next((damaged / "vectors").glob("*.npy"))
    vectors.write_bytes(vectors.read_bytes()[:1000])
    monkeypatch.setenv("POLICYQA_INDEX", str(damaged))
    server = start_server(create_app(), free_port())
    try:
        deadline = time.monotonic() + 120
        while (health := httpx.get(server.url + "/api/health")).json()["status"] == "starting":
            assert time.monotonic() < deadline, "still starting after 120 s"
            time.sleep(0.1)
        assert health.status_code == 503 and health.json()["status"] == "unavailable"
        assert "policyqa index --rebuild" in health.json()["error"]["message"]
        for method, path in (("POST", "/api/ask"), ("GET", "/api/documents"), ("GET", "/ui/"), ("GET", "/v1/models")):
            r = httpx.request(method, server.url + path, json={"question": "中医馆"} if method == "POST" else None)
            assert r.status_code == 503
            error = r.json()["error"]
            assert error["code"] == "index_unavailable"
            assert "policyqa index --rebuild" in error["message"] and vectors.name in error["message"]
    finally:
        server.stop()
