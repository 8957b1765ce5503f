"""What an upload job tells its client: which documents it replaced, why it failed in terms
of the files the client sent (never the server's temporary folder), and no silent winner when
two files of one upload claim the same doc_id."""

from __future__ import annotations

import time

import httpx
import pytest

pytestmark = pytest.mark.slow

PLAN = "嘉定区测试计划\n一、主要目标\n到2025年建成社区康复驿站{n}个。\n"


def _job(client: httpx.Client, files: list[tuple[str, tuple[str, bytes]]]) -> dict:
    response = client.post("/api/documents", files=files)
    assert response.status_code == 202, response.text
    url = response.json()["status_url"]
    deadline = time.monotonic() + 300
    while (job := client.get(url).json())["status"] not in ("done", "failed"):
        assert time.monotonic() < deadline, job
        time.sleep(0.1)
    return job


def test_a_second_upload_of_a_document_says_it_replaced_it(client: httpx.Client) -> None:
    name = "jiading-upload-report-plan.txt"
    first = _job(client, [("file", (name, PLAN.format(n=3).encode()))])
    assert first["status"] == "done" and first["replaced"] == [], first
    second = _job(client, [("file", (name, PLAN.format(n=4).encode()))])
    assert second["status"] == "done" and second["replaced"] == ["jiading-upload-report-plan"], second
    span = client.get("/api/documents/jiading-upload-report-plan").json()
    assert "驿站4个" in span["text"]


def test_two_files_with_one_doc_id_fail_the_job_naming_both(client: httpx.Client) -> None:
    files = [("file", ("twin-plan.txt", PLAN.format(n=5).encode())), ("file", ("twin-plan.md", PLAN.format(n=6).encode()))]
    job = _job(client, files)
    assert job["status"] == "failed" and job["error"]["code"] == "unsupported_document", job
    message = job["error"]["message"]
    assert "twin-plan.md" in message and "twin-plan.txt" in message and "rename one" in message
    assert "twin-plan" not in [d["doc_id"] for d in client.get("/api/documents").json()]


def test_failed_job_messages_do_not_show_the_servers_temporary_folder(client: httpx.Client) -> None:
    job = _job(client, [("file", ("blank-plan.txt", b" \n\t\n"))])
    assert job["status"] == "failed"
    assert job["error"]["message"] == "blank-plan.txt: no text in file (only whitespace)"
