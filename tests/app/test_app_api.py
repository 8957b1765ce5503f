"""The HTTP API against a live uvicorn server on loopback, with the real engine and index."""

from __future__ import annotations

import json
import time

import httpx
import pytest

pytestmark = pytest.mark.slow

ZH_QUESTION = "哪些区提出了2025年中医馆建设目标？"
EN_QUESTION = "What CMI target does Changning set for its district-level public hospitals for 2025?"

NEW_DOC_ID = "starlight-health-station-plan"
NEW_DOC_TEXT = """虚构区星光健康驿站建设实施方案
一、总体目标
到2027年,全区建成星光健康驿站18个,每个驿站配备智能血压计和远程问诊终端。
二、主要任务
(一)驿站布局
星光健康驿站设在社区文化活动中心内,由家庭医生团队每周坐诊两个半天。
(二)运营保障
驿站运营经费由区财政按每站每年15万元的标准保障。
"""


def ask(client: httpx.Client, question: str, **body: object) -> dict:
    response = client.post("/api/ask", json={"question": question, **body})
    assert response.status_code == 200, response.text
    return response.json()


def assert_answer_shape(answer: dict) -> None:
    for key in ("question", "answer", "refused", "citations", "passages", "timings_ms"):
        assert key in answer
    for c in answer["citations"]:
        assert set(c) >= {"doc_id", "start", "end", "quote", "district", "section"}
    for p in answer["passages"]:
        assert set(p) >= {"doc_id", "start", "end", "text", "score"}


def test_ask_chinese_cites_exact_sentences(client: httpx.Client) -> None:
    answer = ask(client, ZH_QUESTION)
    assert_answer_shape(answer)
    assert answer["question"] == ZH_QUESTION
    assert not answer["refused"]
    assert answer["citations"], answer
    assert "[1]" in answer["answer"]
    for c in answer["citations"]:  # quote == document text[start:end], checked through the span route
        span = client.get(f"/api/documents/{c['doc_id']}", params={"start": c["start"], "end": c["end"]}).json()
        assert span["text"] == c["quote"]


def test_ask_english_answers_in_english(client: httpx.Client) -> None:
    answer = ask(client, EN_QUESTION)
    assert_answer_shape(answer)
    assert answer["lang"] == "en"
    assert answer["passages"]


def test_ask_id_and_district_filter(client: httpx.Client) -> None:
    answer = ask(client, "中医馆建设目标是什么？", districts=["长宁区"], top_k=3, id="q-7")
    assert answer["id"] == "q-7"
    assert answer["passages"] and len(answer["passages"]) <= 3
    assert {p["doc_id"] for p in answer["passages"]} == {"changning-2023-health-development-action-plan"}


def test_documents_list(client: httpx.Client) -> None:
    response = client.get("/api/documents")
    assert response.status_code == 200
    docs = {d["doc_id"]: d for d in response.json()}
    changning = docs["changning-2023-health-development-action-plan"]
    assert changning["district"] == "长宁区"
    assert changning["chars"] > 10_000 and changning["sections"] > 0
    assert set(changning) == {"doc_id", "title", "district", "region", "chars", "sections"}
    assert changning["region"] == {"province": "上海市", "city": "上海市", "district": "长宁区"}


def test_span_with_context_and_section(client: httpx.Client) -> None:
    answer = ask(client, ZH_QUESTION)
    c = answer["citations"][0]
    span = client.get(f"/api/documents/{c['doc_id']}", params={"start": c["start"], "end": c["end"]}).json()
    assert span["text"] == c["quote"]
    assert span["section"] == c["section"]
    assert span["before"] or span["after"]
    whole = client.get(f"/api/documents/{c['doc_id']}", params={"context": 0}).json()
    text = whole["text"]
    assert len(text) == whole["chars"]
    assert text[c["start"] : c["end"]] == c["quote"]
    assert span["before"] == text[span["context_start"] : c["start"]]
    assert span["after"] == text[c["end"] : span["context_end"]]
    assert whole["sections"] and {"heading", "level", "path", "start", "end"} <= set(whole["sections"][0])


def wait_for_job(client: httpx.Client, job_id: str, timeout: float = 600) -> dict:
    deadline = time.monotonic() + timeout
    seen = set()
    while True:
        job = client.get(f"/api/jobs/{job_id}").json()
        seen.add(job["status"])
        if job["status"] in ("done", "failed"):
            job["_seen"] = seen
            return job
        assert time.monotonic() < deadline, f"job still {job['status']} after {timeout}s"
        time.sleep(0.5)


def test_upload_then_ask_about_the_new_document(client: httpx.Client) -> None:
    files = {"file": (f"../../{NEW_DOC_ID}.txt", NEW_DOC_TEXT.encode("utf-8"), "text/plain")}
    response = client.post("/api/documents", files=files)
    assert response.status_code == 202, response.text
    job = response.json()
    assert job["status"] in ("queued", "running")
    assert job["files"] == [f"{NEW_DOC_ID}.txt"]  # the ../ is gone
    assert response.headers["location"] == f"/api/jobs/{job['job_id']}"
    job = wait_for_job(client, job["job_id"])
    assert job["status"] == "done", job
    assert job["doc_ids"] == [NEW_DOC_ID] and job["progress"] == 1.0
    assert NEW_DOC_ID in {d["doc_id"] for d in client.get("/api/documents").json()}

    answer = ask(client, "星光健康驿站计划建成多少个？")
    assert not answer["refused"], answer
    assert NEW_DOC_ID in {c["doc_id"] for c in answer["citations"]}
    assert "18" in answer["answer"]


def test_failed_ingest_is_reported_by_the_job(client: httpx.Client) -> None:
    files = {"file": ("broken.pdf", b"%PDF-1.4 this is not really a pdf", "application/pdf")}
    response = client.post("/api/documents", files=files)
    assert response.status_code == 202
    job = wait_for_job(client, response.json()["job_id"], timeout=120)
    assert job["status"] == "failed"
    assert job["error"]["code"] and job["error"]["message"]


def test_chat_completions_non_streaming(client: httpx.Client) -> None:
    body = {"model": "policyqa", "messages": [
        {"role": "system", "content": "You are helpful."},
        {"role": "user", "content": "hello"},
        {"role": "assistant", "content": "Hi."},
        {"role": "user", "content": ZH_QUESTION},
    ]}
    response = client.post("/v1/chat/completions", json=body)
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["object"] == "chat.completion"
    message = data["choices"][0]["message"]
    assert message["role"] == "assistant" and data["choices"][0]["finish_reason"] == "stop"
    direct = ask(client, ZH_QUESTION)
    assert message["content"].startswith(direct["answer"])
    assert "来源" in message["content"] and "[1]" in message["content"]
    assert data["citations"] == direct["citations"]
    for n, c in enumerate(data["citations"], start=1):
        assert f"[{n}]" in message["content"] and c["quote"] in message["content"]


def test_chat_completions_streaming(client: httpx.Client) -> None:
    body = {"messages": [{"role": "user", "content": [{"type": "text", "text": ZH_QUESTION}]}], "stream": True}
    events = []
    with client.stream("POST", "/v1/chat/completions", json=body) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        for line in response.iter_lines():
            if line:
                assert line.startswith("data: ")
                events.append(line[len("data: "):])
    assert events[-1] == "[DONE]"
    chunks = [json.loads(e) for e in events[:-1]]
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    assert len({c["id"] for c in chunks}) == 1
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    content = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
    plain = client.post("/v1/chat/completions", json=body | {"stream": False}).json()
    assert content == plain["choices"][0]["message"]["content"]
    assert chunks[-1]["citations"] == plain["citations"] and plain["citations"]


def test_openapi_lists_the_routes(client: httpx.Client) -> None:
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    for route in ("/api/ask", "/api/documents", "/api/documents/{doc_id}", "/api/jobs/{job_id}",
                  "/v1/chat/completions"):
        assert route in paths
    assert "multipart/form-data" in paths["/api/documents"]["post"]["requestBody"]["content"]


def test_root_redirects_to_the_ui(client: httpx.Client) -> None:
    response = client.get("/", follow_redirects=False)
    assert response.status_code in (302, 307) and response.headers["location"] == "/ui/"
    page = client.get("/ui/")
    assert page.status_code == 200 and "<html" in page.text.lower()
    assert "fonts.googleapis" not in page.text
