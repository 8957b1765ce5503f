"""Gates in front of every route: readiness (an index that failed to load), the optional API
token and the request body limit.

A plain ASGI middleware rather than a FastAPI dependency, so the limit holds for every API
route (including ones added later) and a body is cut off while it streams in. Uploads have
their own, larger limit and stream to disk (see ``uploads.py``); the UI's routes are gradio's.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from surfaces.http.errors import error_body
from surfaces.runtime import Runtime
from surfaces.settings import ServerSettings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

PROTECTED_PREFIXES = ("/api/", "/v1/", "/mcp")
OPEN_PATHS = frozenset({"/api/health"})  # for load balancers and monitoring: says nothing secret
UPLOAD_PATH = "/api/documents"


class ReadinessGate:
    """When the index failed to load, every request but the health check gets 503 with the
    reason and the rebuild command (the UI too: it would have nothing to show). While it is
    still loading, the routes themselves answer 503 ``starting``; the UI page may load."""

    def __init__(self, app: ASGIApp, runtime: Runtime) -> None:
        self.app = app
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] == "http" and self.runtime.status == "unavailable" and path not in OPEN_PATHS:
            await _reply(send, path, 503, "index_unavailable", self.runtime.error or "the index is unavailable")
            return
        await self.app(scope, receive, send)


class RequestGuard:
    """Refuses requests without the token (401) and bodies over the limit (413), as JSON errors."""

    def __init__(self, app: ASGIApp, settings: ServerSettings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        if self.settings.api_token and self._needs_token(path) and not self._has_token(scope):
            await _reply(send, path, 401, "unauthorized", "send the API token as 'Authorization: Bearer <token>'",
                         {"www-authenticate": 'Bearer realm="policyqa"'})
            return
        if not path.startswith(PROTECTED_PREFIXES) or (scope.get("method") == "POST" and path == UPLOAD_PATH):
            await self.app(scope, receive, send)  # the UI (gradio's own limits) and uploads (their own)
            return
        limit = self.settings.limits.max_body_bytes
        declared = _header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _reply(send, path, 413, "body_too_large", f"request body is {int(declared)} bytes; the limit is {limit}")
            return
        # Read the (small) body here, counting, so one sent without a true Content-Length is
        # cut off at the limit too; the app then reads it from the buffer.
        chunks: list[bytes] = []
        received = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunks.append(message.get("body", b""))
            received += len(chunks[-1])
            if received > limit:
                await _reply(send, path, 413, "body_too_large", f"request body is over the limit of {limit} bytes")
                return
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    @staticmethod
    def _needs_token(path: str) -> bool:
        return path.startswith(PROTECTED_PREFIXES) and path not in OPEN_PATHS

    def _has_token(self, scope: Scope) -> bool:
        value = _header(scope, b"authorization") or ""
        scheme, _, given = value.partition(" ")
        if scheme.lower() != "bearer":
            given = _header(scope, b"x-api-key") or ""
        expected = self.settings.api_token or ""
        return bool(given) and hmac.compare_digest(given.strip().encode(), expected.encode())


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


async def _reply(
    send: Send, path: str, status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> None:
    body = json.dumps(error_body(code, message, status=status, path=path)).encode()
    raw_headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw_headers += [(k.encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body})
