"""Job states survive a restart: finished jobs keep their result, unfinished ones are reported
as interrupted, and a damaged state file never stops the server from starting."""

from __future__ import annotations

import threading
from pathlib import Path

from surfaces.http.jobs import JobStore


def _wait(store: JobStore, job_id: str) -> dict:
    for _ in range(200):
        job = store.get(job_id)
        if job is not None and job.status in ("done", "failed"):
            return job.to_dict()
        threading.Event().wait(0.02)
    raise AssertionError("job did not finish")


def test_finished_and_unfinished_jobs_are_remembered_across_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "uploads" / ".jobs.json"
    gate = threading.Event()

    def add(paths, progress, region):  # type: ignore[no-untyped-def]
        if paths[0].name == "slow.txt":
            gate.wait(10)  # still running when the "server" stops
        return [p.stem for p in paths], []

    first = JobStore(add, state_file=state)
    done = first.submit([tmp_path / "plan.txt"])
    assert _wait(first, done.job_id)["status"] == "done"
    running = first.submit([tmp_path / "slow.txt"])

    restarted = JobStore(add, state_file=state)  # reads what the first one wrote
    assert restarted.get(done.job_id).to_dict()["doc_ids"] == ["plan"]  # type: ignore[union-attr]
    interrupted = restarted.get(running.job_id)
    assert interrupted is not None and interrupted.status == "failed"
    assert interrupted.error is not None and interrupted.error["code"] == "interrupted"
    gate.set()
    first.shutdown()


def test_a_damaged_state_file_means_no_history_not_a_failed_start(tmp_path: Path) -> None:
    state = tmp_path / ".jobs.json"
    state.write_text("{not json", encoding="utf-8")
    store = JobStore(lambda paths, progress, region: ([], []), state_file=state)
    assert store.get("anything") is None
    job = store.submit([tmp_path / "a.txt"])
    assert _wait(store, job.job_id)["status"] == "done"
    assert job.job_id in state.read_text(encoding="utf-8")  # rewritten whole and valid
