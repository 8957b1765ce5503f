"""Every error the API promises: JSON ``{"error": {"code", "message"}}`` with 400/404/413/422, where
the published schema and the server agree, and for requests uvicorn refuses before the app."""

from __future__ import annotations

import json
import socket
from urllib.parse import urlsplit

import httpx
import pytest
from app_helpers import SMALL_UPLOAD_LIMIT, LiveServer

pytestmark = pytest.mark.slow


def assert_error(response: httpx.Response, status: int) -> dict:
    """The contract's JSON error (under /v1/ with OpenAI's ``type`` and ``param`` as well)."""
    assert response.status_code == status, response.text
    body = response.json()
    openai = {"type", "param"} if response.request.url.path.startswith("/v1/") else set()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"} | openai
    assert body["error"]["code"] and body["error"]["message"]
    return body["error"]


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"question": ""}, 400),
        ({"question": "   "}, 400),
        ({"question": "\x00\x01\x02"}, 400),
        ({"question": "中医馆", "districts": ["火星区"]}, 400),
        ({"question": "问" * 2001}, 413),
        ({"question": 5}, 422),
        ({"question": "中医馆", "top_k": "five"}, 422),
        ({"question": "中医馆", "top_k": 0}, 422),
        ({"question": "中医馆", "districts": "长宁区"}, 422),
        ({}, 422),
        (["not", "an", "object"], 422),
    ],
)
def test_ask_errors(client: httpx.Client, payload: object, status: int) -> None:
    assert_error(client.post("/api/ask", json=payload), status)


def test_ask_bad_json_is_400(client: httpx.Client) -> None:
    response = client.post("/api/ask", content=b'{"question": "unterminated', headers={"content-type": "application/json"})
    assert assert_error(response, 400)["code"] == "bad_json"


def test_question_at_the_limit_is_accepted(client: httpx.Client) -> None:
    question = "中医馆" + " " * 1996 + "?"  # 2,000 characters after stripping (spaces keep it quick)
    assert len(question.strip()) == 2000
    assert client.post("/api/ask", json={"question": question}).status_code == 200


def test_unknown_document_and_job_are_404(client: httpx.Client) -> None:
    assert_error(client.get("/api/documents/no-such-document"), 404)
    assert_error(client.get("/api/jobs/no-such-job"), 404)
    assert_error(client.get("/api/no-such-route"), 404)


def test_bad_spans(client: httpx.Client) -> None:
    doc_id = client.get("/api/documents").json()[0]["doc_id"]
    assert_error(client.get(f"/api/documents/{doc_id}", params={"start": 10, "end": 5}), 400)
    assert_error(client.get(f"/api/documents/{doc_id}", params={"start": 0, "end": 10**9}), 400)
    assert_error(client.get(f"/api/documents/{doc_id}", params={"start": "abc"}), 422)
    assert_error(client.get(f"/api/documents/{doc_id}", params={"start": -1}), 422)


def test_chat_errors(client: httpx.Client) -> None:
    assert_error(client.post("/v1/chat/completions", json={"messages": [{"role": "system", "content": "x"}]}), 400)
    assert_error(client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": ""}]}), 400)
    long = {"messages": [{"role": "user", "content": "问" * 2001}]}
    assert_error(client.post("/v1/chat/completions", json=long), 413)
    assert_error(client.post("/v1/chat/completions", json={"messages": "hello"}), 422)
    assert_error(client.post("/v1/chat/completions", json={"messages": []}), 422)
    assert_error(client.post("/v1/chat/completions", content=b"{", headers={"content-type": "application/json"}), 400)


def test_upload_errors(client: httpx.Client) -> None:
    assert_error(client.post("/api/documents", files={"file": ("tool.exe", b"MZ\x90\x00", "application/octet-stream")}), 400)
    assert_error(client.post("/api/documents", files={"file": ("empty.txt", b"", "text/plain")}), 400)
    assert_error(client.post("/api/documents", files={"other": ("a.txt", b"text", "text/plain")}), 400)
    assert_error(client.post("/api/documents", json={"file": "not multipart"}), 400)


def _raw_request(url: str, head: bytes, body_part: bytes) -> bytes:
    """Send headers and only part of the body, then read whatever the server answers."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        sock.sendall(head + body_part)
        sock.shutdown(socket.SHUT_WR)  # the rest of the promised body never comes
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_oversized_upload_refused_from_content_length(live_server: LiveServer) -> None:
    """A declared 60 MB body is refused with 413 before the server waits for any of it."""
    boundary = "policyqa-test-boundary"
    first = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.txt"\r\n'
             "Content-Type: text/plain\r\n\r\n").encode() + b"x" * 1000
    head = (f"POST /api/documents HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
            f"Content-Length: {60 * 1024 * 1024}\r\nConnection: close\r\n\r\n").encode()
    reply = _raw_request(live_server.url, head, first)
    status_line, _, rest = reply.partition(b"\r\n")
    assert b" 413 " in status_line, reply[:300]
    assert b'"upload_too_large"' in rest


def test_oversized_upload_without_length_is_cut_off_while_streaming(small_limit_server: LiveServer) -> None:
    """No Content-Length (chunked): the server counts as it streams and stops at the limit."""

    def body():
        yield b'--b0undary\r\nContent-Disposition: form-data; name="file"; filename="big.txt"\r\n\r\n'
        for _ in range(4):  # 4 x 32 KB = twice the 64 KB limit
            yield b"y" * 32 * 1024
        yield b"\r\n--b0undary--\r\n"

    with httpx.Client(base_url=small_limit_server.url, timeout=60) as c:
        response = c.post("/api/documents", content=body(),
                          headers={"content-type": "multipart/form-data; boundary=b0undary"})
    error = assert_error(response, 413)
    assert str(SMALL_UPLOAD_LIMIT) in error["message"]


# -- the published schema and the server agree ----------------------------------------------------

def test_top_k_is_a_json_schema_integer(client: httpx.Client) -> None:
    """The schema says ``integer``: 7.0 is that integer (as JSON Schema counts), 7.5, "7" and true are not."""
    as_int = client.post("/api/ask", json={"question": "中医馆建设目标", "top_k": 7})
    as_float = client.post("/api/ask", json={"question": "中医馆建设目标", "top_k": 7.0})
    assert as_int.status_code == as_float.status_code == 200, as_float.text
    assert as_float.json()["passages"] == as_int.json()["passages"] and len(as_int.json()["passages"]) <= 7
    for bad in (7.5, "7", True):
        error = assert_error(client.post("/api/ask", json={"question": "中医馆", "top_k": bad}), 422)
        assert "top_k" in error["message"] and "whole number" in error["message"]
    chat = {"messages": [{"role": "user", "content": "中医馆建设目标"}], "top_k": 3.0}
    assert client.post("/v1/chat/completions", json=chat).status_code == 200


def test_start_after_end_and_chat_without_a_user_message_say_so(client: httpx.Client) -> None:
    doc_id = client.get("/api/documents").json()[0]["doc_id"]
    error = assert_error(client.get(f"/api/documents/{doc_id}", params={"start": 10, "end": 5}), 400)
    assert error == {"code": "bad_range", "message": "start (10) is after end (5): a span runs from start to end, start <= end"}
    for messages in ([{"role": "system", "content": "be brief"}], [{"role": "assistant", "content": "Hi."}]):
        error = assert_error(client.post("/v1/chat/completions", json={"messages": messages}), 400)
        assert error["code"] == "no_user_message" and "role 'user'" in error["message"]
    spec = client.get("/openapi.json").json()
    messages_schema = spec["components"]["schemas"]["ChatRequest"]["properties"]["messages"]
    assert messages_schema["contains"]["properties"]["role"] == {"const": "user"}  # published, too


def test_options_and_405_list_every_method(client: httpx.Client) -> None:
    spec = client.get("/openapi.json").json()
    for path, operations in spec["paths"].items():
        concrete = path.replace("{doc_id}", "some-doc").replace("{job_id}", "some-job").replace("{model_id}", "x")
        declared = {method.upper() for method in operations}
        options = client.options(concrete)
        assert options.status_code == 204, (path, options.status_code)
        assert set(options.headers["allow"].split(", ")) == declared | {"OPTIONS"}, path
        unused = next(m for m in ("DELETE", "PUT", "PATCH") if m not in declared)
        refused = client.request(unused, concrete)
        assert_error(refused, 405)
        assert set(refused.headers["allow"].split(", ")) == declared | {"OPTIONS"}, path


MALFORMED = {
    "not HTTP": b"HELLO THERE\r\n\r\n",
    "bad Content-Length": b"POST /api/ask HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
    "header without colon": b"GET /api/health HTTP/1.1\r\nHost: x\r\nBadHeader\r\n\r\n",
    "bad chunk size": (b"POST /api/ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                       b"Transfer-Encoding: chunked\r\n\r\nZZZ\r\nabc\r\n0\r\n\r\n"),
    "two lengths": b"POST /api/ask HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nabcdef",
    "no Host": b"GET /api/health HTTP/1.1\r\n\r\n",
    "raw UTF-8 in the target": "GET /api/documents/中 HTTP/1.1\r\nHost: x\r\n\r\n".encode(),
}


@pytest.mark.parametrize("name", list(MALFORMED))
def test_malformed_http_gets_the_json_error(live_server: LiveServer, name: str) -> None:
    """Requests uvicorn itself refuses, before the app sees them, still get the JSON error shape."""
    parts = urlsplit(live_server.url)
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        sock.sendall(MALFORMED[name])
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 "), reply[:200]
    assert b"content-type: application/json" in head.lower()
    assert json.loads(body)["error"]["code"] == "bad_http"
