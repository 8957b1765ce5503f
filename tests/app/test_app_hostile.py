"""Hostile input over HTTP: path traversal, poisoned file names, random bytes, a zip bomb,
and Chinese text in GBK and UTF-16. Nothing is leaked, nothing lands outside the upload
folder, every refusal is a clear JSON error or a failed job, and the server keeps serving.
"""

from __future__ import annotations

import io
import json
import os
import random
import socket
import time
import tracemalloc
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from app_helpers import LiveServer

from ingest.decode import MAX_DOCX_UNCOMPRESSED, docx_text, read_document_text
from kernel.errors import UnsupportedDocumentError

pytestmark = pytest.mark.slow

SECRET_MARKERS = (b"root:x:0:0", b"[boot loader]", b"[fonts]")  # /etc/passwd, win.ini
BOMB_MB = 200


def wait_for_job(client: httpx.Client, job_id: str, timeout: float = 300) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        job = client.get(f"/api/jobs/{job_id}").json()
        if job["status"] in ("done", "failed"):
            return job
        assert time.monotonic() < deadline, f"job still {job['status']} after {timeout}s"
        time.sleep(0.2)


def assert_json_error(response: httpx.Response, statuses: tuple[int, ...]) -> dict:
    assert response.status_code in statuses, (response.status_code, response.text[:300])
    assert not any(m in response.content for m in SECRET_MARKERS)
    body = response.json()
    assert set(body) == {"error"} and body["error"]["code"] and body["error"]["message"]
    return body["error"]


def raw_get(url: str, target: bytes) -> bytes:
    """A GET with the request target sent exactly as given (no client-side normalising)."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        sock.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def multipart(parts: list[tuple[bytes, bytes]], boundary: bytes = b"hostile-boundary") -> tuple[bytes, dict]:
    """A multipart body built by hand, so file names reach the server byte for byte (NUL too)."""
    body = b""
    for filename, content in parts:
        body += (b"--" + boundary + b'\r\nContent-Disposition: form-data; name="file"; filename="' + filename
                 + b'"\r\nContent-Type: application/octet-stream\r\n\r\n' + content + b"\r\n")
    body += b"--" + boundary + b"--\r\n"
    return body, {"content-type": "multipart/form-data; boundary=" + boundary.decode()}


def zip_bomb(megabytes: int = BOMB_MB) -> bytes:
    """A real .docx whose document part is padded with ``megabytes`` MB of whitespace: valid XML
    that inflates from a few hundred KB; unguarded, python-docx would read and parse all of it."""
    import docx

    template = io.BytesIO()
    docx.Document().save(template)
    buffer = io.BytesIO()
    with zipfile.ZipFile(template) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            if info.filename != "word/document.xml":
                archive.writestr(info.filename, source.read(info))
                continue
            declaration, _, rest = source.read(info).partition(b"?>")
            with archive.open("word/document.xml", "w", force_zip64=True) as member:
                member.write(declaration + b"?>")
                block = b" " * (1 << 20)
                for _ in range(megabytes):
                    member.write(block)
                member.write(rest)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def bomb() -> bytes:
    data = zip_bomb()
    assert len(data) < 1 << 20  # under 1 MB on the wire
    return data


# -- path traversal in doc_id ----------------------------------------------------------------

@pytest.mark.parametrize(
    "doc_id",
    [
        "..%2F..%2F..%2F..%2Fetc%2Fpasswd",
        "..%2f..%2f..%2f..%2fetc%2fpasswd",
        "%2Fetc%2Fpasswd",
        "%2F%2Fetc%2Fpasswd",
        "..%5C..%5C..%5Cwindows%5Cwin.ini",
        "C:%5CWindows%5Cwin.ini",
        "..%2F..%2Fetc%2Fpasswd%00",
        "%00",
        "changning-2023-health-development-action-plan%2F..%2F..%2F..%2Fetc%2Fpasswd",
        "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    ],
)
def test_doc_id_traversal_is_a_json_404(client: httpx.Client, doc_id: str) -> None:
    assert_json_error(client.get(f"/api/documents/{doc_id}"), (400, 404))
    assert_json_error(client.get(f"/api/documents/{doc_id}", params={"start": 0, "end": 10}), (400, 404))


@pytest.mark.parametrize(
    "target",
    [b"/api/documents/../../../../etc/passwd", b"/api/documents/..%2f..%2f/etc/passwd", b"/api/../../etc/passwd"],
)
def test_unnormalised_traversal_never_returns_file_contents(live_server: LiveServer, target: bytes) -> None:
    reply = raw_get(live_server.url, target)
    status_line = reply.partition(b"\r\n")[0]
    assert b" 200 " not in status_line and b" 5" not in status_line[8:11], reply[:300]
    assert not any(m in reply for m in SECRET_MARKERS)


# -- poisoned upload file names --------------------------------------------------------------

def test_upload_names_with_traversal_nul_and_absolute_paths_are_sanitised(client: httpx.Client) -> None:
    names = [b"../../../../tmp/policyqa-escape.txt", b"/etc/cron.d/policyqa-escape.txt",
             b"C:\\Windows\\policyqa-escape.txt", b"evil\x00.txt", b"..\\..\\.hidden.md", b"...txt"]
    body, headers = multipart([(name, b"   \n\t \n") for name in names])  # whitespace only: ingest refuses it
    response = client.post("/api/documents", content=body, headers=headers)
    if response.status_code == 400:  # refusing outright is fine too
        assert_json_error(response, (400,))
        return
    assert response.status_code == 202, response.text
    job = wait_for_job(client, response.json()["job_id"])
    assert len(job["files"]) == len(names)
    for saved in job["files"]:
        assert "/" not in saved and "\\" not in saved and "\x00" not in saved and ":" not in saved
        assert not saved.startswith(".") and saved.endswith((".txt", ".md"))
    assert job["status"] == "failed" and "whitespace" in job["error"]["message"]
    assert not Path("/tmp/policyqa-escape.txt").exists() and not Path("/etc/cron.d/policyqa-escape.txt").exists()
    uploads = Path(os.environ["POLICYQA_UPLOADS"])
    assert not (uploads.parent / "policyqa-escape.txt").exists()
    assert not uploads.exists() or not any("escape" in p.name for p in uploads.iterdir())


def test_nul_in_a_field_name_or_bad_suffix_after_nul_is_refused(client: httpx.Client) -> None:
    body, headers = multipart([(b"report.txt\x00.exe", b"text")])
    response = client.post("/api/documents", content=body, headers=headers)
    assert_json_error(response, (400,))  # NUL dropped: 'report.txt.exe' is not an allowed type


# -- random bytes and zip bombs --------------------------------------------------------------

@pytest.mark.parametrize("suffix", [".txt", ".md", ".docx", ".pdf"])
def test_random_bytes_fail_the_job_cleanly_and_the_server_keeps_serving(client: httpx.Client, suffix: str) -> None:
    noise = random.Random(f"hostile{suffix}").randbytes(8192)
    response = client.post("/api/documents", files={"file": (f"noise{suffix}", noise, "application/octet-stream")})
    if response.status_code == 202:
        job = wait_for_job(client, response.json()["job_id"])
        assert job["status"] == "failed", job
        assert job["error"]["code"] == "unsupported_document" and job["error"]["message"]
    else:  # the content check at the door: random bytes are not text, a PDF or a Word file
        assert assert_json_error(response, (415,))["code"] == "unsupported_document"
    assert client.get("/api/health").status_code == 200
    assert client.post("/api/ask", json={"question": "中医馆"}).status_code == 200


def test_zip_bomb_docx_is_refused_by_decode_without_inflating_it(bomb: bytes) -> None:
    tracemalloc.start()
    try:
        with pytest.raises(UnsupportedDocumentError, match="zip bomb") as info:
            docx_text(bomb, "bomb.docx")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20 * 1024 * 1024, f"peak {peak / 1e6:.0f} MB while refusing"
    assert f"{MAX_DOCX_UNCOMPRESSED // (1024 * 1024)} MB" in str(info.value) and "bomb.docx" in str(info.value)


def test_docx_under_the_limit_still_reads(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("虚构区健身步道建设方案")
    path = tmp_path / "small.docx"
    document.save(str(path))
    assert read_document_text(path) == "虚构区健身步道建设方案"


def test_zip_bomb_upload_fails_the_job_with_a_clear_error(client: httpx.Client, bomb: bytes) -> None:
    response = client.post("/api/documents", files={"file": ("annual-report.docx", bomb, "application/octet-stream")})
    assert response.status_code == 202, response.text
    job = wait_for_job(client, response.json()["job_id"])
    assert job["status"] == "failed", job
    assert job["error"]["code"] == "unsupported_document" and "zip bomb" in job["error"]["message"]
    assert client.get("/api/health").status_code == 200


def test_lone_surrogate_in_a_question_is_not_a_server_error(client: httpx.Client) -> None:
    raw = b'{"question": "\\ud800\\u4e2d\\u533b\\u9986"}'  # JSON allows a lone surrogate escape
    response = client.post("/api/ask", content=raw, headers={"content-type": "application/json"})
    assert response.status_code in (200, 400, 422), response.text[:300]
    json.loads(response.text)


# -- GBK and UTF-16 text ---------------------------------------------------------------------

GBK_ID, UTF16_ID = "hostile-gbk-fitness-trail-plan", "hostile-utf16-fitness-trail-plan"
GBK_TEXT = "虚构区萤火健身步道建设方案\n一、总体目标\n到2028年,建成萤火健身步道7条,总长21公里。\n"
UTF16_TEXT = "虚构区晨曦健身步道建设方案\n一、总体目标\n到2028年,建成晨曦健身步道5条,总长12公里。\n"


def test_gbk_and_utf16_uploads_ingest_with_the_same_text(client: httpx.Client) -> None:
    parts = [(f"{GBK_ID}.txt".encode(), GBK_TEXT.encode("gbk")),
             (f"{UTF16_ID}.txt".encode(), UTF16_TEXT.encode("utf-16"))]  # with BOM, as Windows writes it
    body, headers = multipart(parts)
    response = client.post("/api/documents", content=body, headers=headers)
    assert response.status_code == 202, response.text
    job = wait_for_job(client, response.json()["job_id"])
    assert job["status"] == "done", job
    assert sorted(job["doc_ids"]) == sorted([GBK_ID, UTF16_ID])
    for doc_id, text in ((GBK_ID, GBK_TEXT), (UTF16_ID, UTF16_TEXT)):
        whole = client.get(f"/api/documents/{doc_id}", params={"context": 0}).json()
        assert whole["text"] == text


# -- huge single lines ---------------------------------------------------------------------------

def _one_line(chars: int, seed: int) -> str:
    """Chinese text with no punctuation and no line end: one 'sentence' as long as the file."""
    rng = random.Random(seed)
    words = ("社区", "卫生", "服务", "中心", "建设", "家庭", "医生", "签约", "健康", "管理", "慢性病", "筛查")
    out: list[str] = []
    size = 0
    while size < chars:
        out.append(rng.choice(words))
        size += len(out[-1])
    return "".join(out)[:chars]


def test_a_huge_single_line_over_the_document_limit_fails_fast(
    client: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POLICYQA_MAX_DOCUMENT_CHARS", "100000")  # read by the ingest job, in this process
    started = time.monotonic()
    response = client.post("/api/documents", files={"file": ("one-line-huge.txt", _one_line(500_000, 1).encode())})
    assert response.status_code == 202, response.text
    job = wait_for_job(client, response.json()["job_id"], timeout=60)
    assert job["status"] == "failed" and job["error"]["code"] == "unsupported_document", job
    assert job["error"]["message"] == (
        "one-line-huge.txt: the text has 500,000 characters; the limit is 100,000 (POLICYQA_MAX_DOCUMENT_CHARS)"
    )
    assert time.monotonic() - started < 30  # refused before any embedding
    assert client.get("/api/health").status_code == 200


def test_a_long_single_line_is_indexed_as_bounded_sentences(client: httpx.Client) -> None:
    from ingest.sentences import MAX_SENTENCE_CHARS

    line = "虚构区" + _one_line(12_000, 2)
    response = client.post("/api/documents", files={"file": ("xugou-one-line-plan.txt", line.encode())})
    job = wait_for_job(client, response.json()["job_id"])
    assert job["status"] == "done", job
    answer = client.post("/api/ask", json={"question": "虚构区慢性病筛查家庭医生签约"}).json()
    assert answer["citations"], answer
    assert all(len(c["quote"]) <= MAX_SENTENCE_CHARS for c in answer["citations"])
    assert all(c["quote"] in line for c in answer["citations"] if c["doc_id"] == "xugou-one-line-plan")
