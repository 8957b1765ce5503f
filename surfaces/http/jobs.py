"""Background ingest jobs: one worker thread, so index updates never race each other.

Job states are also written to a small JSON file (atomically, on every change) when a
``state_file`` is given, so a client polling a job still gets an answer after the server
restarts: a job that was queued or running when the server stopped is reported as failed
with ``interrupted``, and the upload can be sent again.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from kernel.errors import PolicyQAError
from surfaces.errors import classify

JobStatus = Literal["queued", "running", "done", "failed"]
# Returns (doc_ids added or updated, those of them that replaced a document already indexed).
AddDocuments = Callable[[Sequence[Path], Callable[[str, float], None], Any], tuple[list[str], list[str]]]


@dataclass(frozen=True)
class Job:
    job_id: str
    files: tuple[str, ...]
    status: JobStatus = "queued"
    progress: float = 0.0
    stage: str = "queued"
    doc_ids: tuple[str, ...] = ()
    replaced: tuple[str, ...] = ()
    error: dict[str, str] | None = None
    created: float = field(default_factory=time.time)
    finished: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "job_id": self.job_id,
            "status": self.status,
            "progress": round(self.progress, 4),
            "stage": self.stage,
            "files": list(self.files),
            "doc_ids": list(self.doc_ids),
            "replaced": list(self.replaced),
            "error": self.error,
            "created": self.created,
            "finished": self.finished,
        }


INTERRUPTED = {
    "code": "interrupted",
    "message": "the server stopped before this upload was indexed; nothing of it was kept, upload it again",
}


def _read_state(state_file: Path | None) -> dict[str, Job]:
    """Jobs saved by an earlier run; unfinished ones failed with ``interrupted``. A missing or
    unreadable file means no history, never a server that cannot start."""
    if state_file is None or not state_file.is_file():
        return {}
    try:
        rows = json.loads(state_file.read_text(encoding="utf-8"))
        jobs = {}
        for row in rows:
            job = Job(
                job_id=str(row["job_id"]), files=tuple(row["files"]), status=row["status"],
                progress=float(row["progress"]), stage=str(row["stage"]), doc_ids=tuple(row["doc_ids"]),
                replaced=tuple(row.get("replaced", ())), error=row.get("error"), created=float(row["created"]),
                finished=row.get("finished"),
            )
            if job.status in ("queued", "running"):
                job = replace(job, status="failed", stage="failed", error=dict(INTERRUPTED), finished=time.time())
            jobs[job.job_id] = job
        return jobs
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def _job_error(exc: Exception, upload_dir: Path | None) -> dict[str, str]:
    """The job's error: the code of the one error mapping, a message naming files as the client
    sent them (the server's temporary folder is nobody's business)."""
    code = classify(exc).code
    message = str(exc) if isinstance(exc, PolicyQAError) else f"{type(exc).__name__}: {exc}"
    if upload_dir is not None:
        message = message.replace(f"{upload_dir}{os.sep}", "").replace(str(upload_dir), "(upload)")
    return {"code": code, "message": message}


class JobStore:
    """Runs ``add_documents`` for each upload in order and keeps every job's latest state."""

    def __init__(self, add_documents: AddDocuments, max_jobs: int = 1000, state_file: Path | None = None) -> None:
        self._add = add_documents
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="policyqa-ingest")
        self._max_jobs = max_jobs
        self._state_file = state_file
        self._jobs.update(_read_state(state_file))

    def _save(self) -> None:
        """Write every job's state (caller holds the lock); a failed write never fails a job."""
        if self._state_file is None:
            return
        try:
            self._state_file.parent.mkdir(parents=True, exist_ok=True)
            tmp = self._state_file.with_name(f".{self._state_file.name}.tmp")
            tmp.write_text(json.dumps([j.to_dict() for j in self._jobs.values()]), encoding="utf-8")
            os.replace(tmp, self._state_file)
        except OSError:
            pass  # a full disk must not stop uploads; the states stay in memory

    def submit(self, paths: Sequence[Path], cleanup: Path | None = None, region: Any = None) -> Job:
        """Queue an upload; ``region`` (a ``DocumentRegion``, or None to detect) goes with it."""
        job = Job(job_id=uuid.uuid4().hex, files=tuple(p.name for p in paths))
        with self._lock:
            self._jobs[job.job_id] = job
            while len(self._jobs) > self._max_jobs:  # forget the oldest finished jobs
                oldest = next(iter(self._jobs))
                self._jobs.pop(oldest)
            self._save()
        self._pool.submit(self._run, job.job_id, list(paths), cleanup, region)
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def _update(self, job_id: str, **changes: Any) -> None:
        with self._lock:
            self._jobs[job_id] = replace(self._jobs[job_id], **changes)
            self._save()

    def _run(self, job_id: str, paths: list[Path], cleanup: Path | None, region: Any = None) -> None:
        self._update(job_id, status="running", stage="starting")

        def progress(stage: str, fraction: float) -> None:
            self._update(job_id, stage=str(stage), progress=min(max(float(fraction), 0.0), 1.0))

        try:
            doc_ids, replaced = self._add(paths, progress, region)
        except Exception as exc:  # report, never kill the worker thread
            error = _job_error(exc, cleanup)
            self._update(job_id, status="failed", stage="failed", error=error, finished=time.time())
        else:
            self._update(
                job_id, status="done", stage="done", progress=1.0, doc_ids=tuple(doc_ids), replaced=tuple(replaced),
                finished=time.time(),
            )
        finally:
            if cleanup is not None:
                shutil.rmtree(cleanup, ignore_errors=True)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
