"""Start PolicyQA's server on loopback for a benchmark and wait until it answers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


def percentile(values: list[float], q: float) -> float:
    """Linear-interpolated percentile, ``q`` in [0, 1]."""
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def start_server(port: int, log: Path) -> subprocess.Popen:
    """``python app.py`` on loopback ``port``; its output (access log included) goes to ``log``."""
    cmd = [sys.executable, str(REPO / "app.py"), "--host", HOST, "--port", str(port)]
    with log.open("wb") as out:
        return subprocess.Popen(cmd, cwd=REPO, env=os.environ.copy(), stdout=out, stderr=subprocess.STDOUT)


def wait_ready(url: str, proc: subprocess.Popen | None, timeout: float) -> float:
    """Seconds until ``/api/health`` answers; exits if the server dies or never answers."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if proc is not None and proc.poll() is not None:
            raise SystemExit(f"server exited with status {proc.returncode} before it was ready")
        try:
            if httpx.get(f"{url}/api/health", timeout=2).status_code == 200:
                return time.perf_counter() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"server at {url} not ready after {timeout:.0f}s")
