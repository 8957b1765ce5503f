"""Helpers for the app tests: a uvicorn server in a thread, free ports, the output folder."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

SMALL_UPLOAD_LIMIT = 64 * 1024


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LiveServer:
    url: str
    port: int
    server: object
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True  # type: ignore[attr-defined]
        self.thread.join(timeout=15)


def start_server(app: object, port: int) -> LiveServer:
    """Run ``app`` with uvicorn on 127.0.0.1:``port`` in a daemon thread; return once it listens."""
    import uvicorn

    from surfaces.http.server import server_config

    server = uvicorn.Server(server_config(app, "127.0.0.1", port, log_level="warning"))
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"uvicorn did not start on port {port}")
        time.sleep(0.05)
    return LiveServer(f"http://127.0.0.1:{port}", port, server, thread)


def output_dir(name: str) -> Path:
    """``test-output/app/<name>`` in the repository (ignored by git), kept after the run."""
    folder = Path(__file__).resolve().parents[2] / "test-output" / "app"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name
