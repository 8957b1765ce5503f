"""Faults done for real: the server SIGKILLed in the middle of an upload's re-index, a full
disk under the index, and an upload re-indexed while many questions are being answered.

What must hold every time: the previous index keeps serving, the uploads folder agrees with
the index, the failed upload can simply be retried, and no reader ever sees half of a swap.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from app_helpers import LiveServer, free_port, start_server
from private_index import shared_index_dir

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
NEW_DOC_ID = "jiading-2025-fault-test-plan"
NEW_DOC_QUESTION = "嘉定区到2025年建成多少个社区康复驿站？"


def plan_text(sentences: int = 150) -> str:
    """A fictitious district plan, long enough that embedding it takes a few seconds."""
    lines = ["嘉定区2025年卫生健康工作要点", "一、主要目标", "到2025年，嘉定区建成社区康复驿站27个。"]
    lines += [
        f"到2025年，嘉定区第{i}个村卫生室完成标准化改造，服务常住人口{1000 + 37 * i}人，配备全科医生{i % 7 + 2}名。"
        for i in range(1, sentences)
    ]
    return "\n".join(lines) + "\n"


def answer_key(answer: dict) -> tuple:
    """What a reader sees of an answer: the text, the refusal and every cited span."""
    cites = tuple((c["doc_id"], c["start"], c["end"]) for c in answer["citations"])
    return answer["answer"], answer["refused"], cites


def private_home(tmp_path: Path) -> dict[str, str]:
    """A copy of the shared test index in its own home; the model folder is shared (read-only)."""
    from ingest import settings

    home = tmp_path / "home"
    shutil.copytree(shared_index_dir(), home / "index")
    return {
        "POLICYQA_HOME": str(home),
        "POLICYQA_INDEX": str(home / "index"),
        "POLICYQA_UPLOADS": str(home / "uploads"),
        "POLICYQA_MODELS_DIR": str(settings.home_dir() / "models"),
    }


def wait_for_job(client: httpx.Client, job_id: str, timeout: float = 300) -> dict:
    deadline = time.monotonic() + timeout
    while (job := client.get(f"/api/jobs/{job_id}").json())["status"] not in ("done", "failed"):
        assert time.monotonic() < deadline, job
        time.sleep(0.05)
    return job


def upload(client: httpx.Client, text: str) -> str:
    response = client.post("/api/documents", files={"file": (f"{NEW_DOC_ID}.txt", text.encode())})
    assert response.status_code == 202, response.text
    return str(response.json()["job_id"])


# -- SIGKILL during an upload's re-index -------------------------------------------------------------

class ServerProcess:
    """``python app.py`` in its own process, so it can really be killed."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        with open(log, "ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "app.py", "--port", str(self.port)],
                cwd=REPO, env=os.environ | env, stdout=out, stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 180
        while True:
            assert self.proc.poll() is None, log.read_text(errors="replace")[-2000:]
            try:
                if httpx.get(f"{self.url}/api/health", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.2)

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


def _kill_when(server: ServerProcess, client: httpx.Client, job_id: str, moment: str, home: Path) -> None:
    """SIGKILL the server at ``moment``: while it embeds, or while the new index folder is written."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if moment == "embedding":
            if client.get(f"/api/jobs/{job_id}").json()["stage"] == "indexing":
                time.sleep(0.3)
                break
            time.sleep(0.02)
        else:
            if any(home.glob(".index.tmp-*")):
                break
            time.sleep(0.001)
    else:
        pytest.fail(f"the job never reached {moment}")
    server.kill()


@pytest.mark.parametrize("moment", ["embedding", "writing"])
def test_sigkill_during_an_upload_keeps_the_previous_index_and_the_upload_can_be_retried(
    app_qa: object, tmp_path: Path, moment: str
) -> None:
    env = private_home(tmp_path)
    home, uploads = Path(env["POLICYQA_HOME"]), Path(env["POLICYQA_UPLOADS"])
    log = tmp_path / "server.log"
    question = "哪些区提出了2025年中医馆建设目标？"

    server = ServerProcess(env, log)
    try:
        with httpx.Client(base_url=server.url, timeout=120) as client:
            before_docs = [d["doc_id"] for d in client.get("/api/documents").json()]
            before = answer_key(client.post("/api/ask", json={"question": question}).json())
            job_id = upload(client, plan_text())
            _kill_when(server, client, job_id, moment, home)
    finally:
        server.stop()
    assert [p.name for p in (uploads / ".staging").iterdir()] == [f"{NEW_DOC_ID}.txt"]  # killed mid-upload

    server = ServerProcess(env, log)
    try:
        assert f"discarded {NEW_DOC_ID}.txt: interrupted before it was indexed" in log.read_text()
        assert not any((uploads / ".staging").iterdir()) and not (uploads / f"{NEW_DOC_ID}.txt").exists()
        with httpx.Client(base_url=server.url, timeout=120) as client:
            interrupted = client.get(f"/api/jobs/{job_id}").json()  # the client polling on still hears
            assert interrupted["status"] == "failed" and interrupted["error"]["code"] == "interrupted", interrupted
            assert [d["doc_id"] for d in client.get("/api/documents").json()] == before_docs
            assert answer_key(client.post("/api/ask", json={"question": question}).json()) == before

            job = wait_for_job(client, upload(client, plan_text()))  # the retry
            assert job["status"] == "done", job
            answer = client.post("/api/ask", json={"question": NEW_DOC_QUESTION}).json()
            assert not answer["refused"] and "27" in answer["answer"]
            assert answer["citations"][0]["doc_id"] == NEW_DOC_ID
    finally:
        server.stop()
    assert (uploads / f"{NEW_DOC_ID}.txt").is_file() and not any((uploads / ".staging").iterdir())
    from index.store import read_store

    assert NEW_DOC_ID in {d.doc_id for d in read_store(home / "index").documents}
    assert not any(home.glob(".index.tmp-*"))


# -- a full disk ------------------------------------------------------------------------------------------

@pytest.fixture()
def private_engine(app_qa: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    from qa import PolicyQA

    env = private_home(tmp_path)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    yield PolicyQA.load(env["POLICYQA_INDEX"], build_if_missing=False, progress=False)


@pytest.fixture()
def private_server(private_engine: object) -> Iterator[LiveServer]:
    from app import create_app
    from surfaces.settings import ServerSettings

    port = free_port()
    server = start_server(create_app(private_engine, settings=ServerSettings(port=port)), port)  # type: ignore[arg-type]
    yield server
    server.stop()


def test_a_full_disk_during_the_index_write_fails_the_job_clearly_and_keeps_the_old_index(
    private_server: LiveServer, private_engine: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    import index.store as store

    real_write = store._write_contents

    def write_until_the_disk_is_full(tmp: Path, stored: object) -> None:
        real_write(tmp, stored)  # the files land, then the manifest would not fit
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(store, "_write_contents", write_until_the_disk_is_full)
    folder = Path(os.environ["POLICYQA_INDEX"])
    manifest_before = (folder / "manifest.json").read_bytes()
    with httpx.Client(base_url=private_server.url, timeout=120) as client:
        docs_before = client.get("/api/documents").json()
        job = wait_for_job(client, upload(client, plan_text(20)))
        assert job["status"] == "failed" and job["error"]["code"] == "index_write_failed", job
        message = job["error"]["message"]
        assert "No space left on device (the disk is full" in message and str(folder) in message
        assert message.endswith("the previous index is kept")
        assert client.get("/api/documents").json() == docs_before
        assert client.post("/api/ask", json={"question": NEW_DOC_QUESTION}).json()["refused"]
    assert (folder / "manifest.json").read_bytes() == manifest_before
    assert not any(folder.parent.glob(".index.tmp-*"))
    uploads = Path(os.environ["POLICYQA_UPLOADS"])
    kept = [p for p in uploads.rglob("*") if p.is_file() and p.name != ".jobs.json"]
    assert not kept  # nothing half-kept for a later rebuild

    monkeypatch.setattr(store, "_write_contents", real_write)  # space again: the same upload now works
    with httpx.Client(base_url=private_server.url, timeout=120) as client:
        assert wait_for_job(client, upload(client, plan_text(20)))["status"] == "done"


@pytest.fixture()
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 6 MB tmpfs: room for a ~4 MB index, not for the new copy an update writes beside it."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", str(mount)], capture_output=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {result.stderr.decode(errors='replace').strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_really_full_disk_keeps_the_old_index(
    app_qa: object, tiny_disk: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from index.store import read_store
    from kernel.errors import IndexWriteError
    from qa import PolicyQA

    folder = tiny_disk / "index"
    shutil.copytree(shared_index_dir(), folder)
    monkeypatch.setenv("POLICYQA_UPLOADS", str(tmp_path / "uploads"))
    engine = PolicyQA.load(folder, build_if_missing=False, progress=False)
    docs_before = [d.doc_id for d in engine.documents()]
    path = tmp_path / f"{NEW_DOC_ID}.txt"
    path.write_text(plan_text(20), encoding="utf-8")
    with pytest.raises(IndexWriteError, match=r"\(the disk is full: \d+\.\d MB free\); the previous index is kept"):
        engine.add_documents([path])
    assert [d.doc_id for d in engine.documents()] == docs_before
    assert [d.doc_id for d in read_store(folder).documents] == docs_before
    assert not any(tiny_disk.glob(".index.tmp-*"))  # the partial copy is gone, the space is back
    assert not engine.ask(NEW_DOC_QUESTION).citations or engine.ask(NEW_DOC_QUESTION).refused


# -- an upload while questions are being answered ---------------------------------------------------------

def test_readers_see_the_old_or_the_new_index_never_a_mix(private_server: LiveServer) -> None:
    items = [json.loads(line) for line in (REPO / "data" / "bench" / "dev.jsonl").read_text("utf-8").splitlines()]
    questions = [i["question"] for i in items[::6]] + ["哪些区提出了2025年中医馆建设目标？", NEW_DOC_QUESTION]
    with httpx.Client(base_url=private_server.url, timeout=120) as client:
        before = {q: answer_key(client.post("/api/ask", json={"question": q}).json()) for q in questions}

    seen: list[tuple[str, tuple, float, float, int]] = []
    stop = threading.Event()

    def reader(offset: int) -> None:
        with httpx.Client(base_url=private_server.url, timeout=120) as c:
            n = offset
            while not stop.is_set():
                q = questions[n % len(questions)]
                started = time.monotonic()
                r = c.post("/api/ask", json={"question": q})
                key = answer_key(r.json()) if r.status_code == 200 else ()
                seen.append((q, key, started, time.monotonic(), r.status_code))
                n += 1

    threads = [threading.Thread(target=reader, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    with httpx.Client(base_url=private_server.url, timeout=120) as client:
        time.sleep(0.5)
        job_started = time.monotonic()
        job = wait_for_job(client, upload(client, plan_text()))
        job_finished = time.monotonic()
        time.sleep(0.5)
    stop.set()
    for t in threads:
        t.join(timeout=120)
    assert job["status"] == "done", job

    with httpx.Client(base_url=private_server.url, timeout=120) as client:
        after = {q: answer_key(client.post("/api/ask", json={"question": q}).json()) for q in questions}
    assert before[NEW_DOC_QUESTION] != after[NEW_DOC_QUESTION]  # the upload really changed answers
    assert all(status == 200 for *_, status in seen)
    during = [s for s in seen if s[2] < job_finished and s[3] > job_started]
    assert len(during) >= 8, f"only {len(during)} requests overlapped the re-index"
    mixed = [(q, key) for q, key, *_ in seen if key not in (before[q], after[q])]
    assert not mixed, mixed[:2]
