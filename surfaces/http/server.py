"""Running the app under uvicorn: one configuration for ``app.py``, the tests and the benchmarks.

uvicorn answers a request it cannot parse (a broken request line or header, a bad
``Content-Length``) itself, before the app sees it, with a plain-text 400. The protocol class
here gives that answer the contract's JSON error shape instead.
"""

from __future__ import annotations

import json
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from surfaces.http.errors import error_body

BAD_HTTP_MESSAGE = "the request is not valid HTTP/1.1 (request line, headers or body framing)"


class JsonErrorsH11Protocol(H11Protocol):
    """uvicorn's h11 protocol; its own 400 for unparseable requests is ``{"error": {...}}``."""

    def send_400_response(self, msg: str) -> None:
        body = json.dumps(error_body("bad_http", BAD_HTTP_MESSAGE, status=400)).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ]
        for event in (h11.Response(status_code=400, headers=headers, reason=b"Bad Request"), h11.Data(data=body),
                      h11.EndOfMessage()):
            self.transport.write(self.conn.send(event))  # type: ignore[arg-type]
        self.transport.close()


def server_config(app: Any, host: str, port: int, log_level: str = "info") -> uvicorn.Config:
    """The uvicorn configuration PolicyQA runs with (lifespan on: it starts loading the engine)."""
    return uvicorn.Config(app, host=host, port=port, log_level=log_level, lifespan="on", http=JsonErrorsH11Protocol)
