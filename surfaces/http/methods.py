"""``OPTIONS`` and ``405`` name every method a path supports.

Starlette routes each method separately, so for a path served by two routes (``GET`` and
``POST /api/documents``) it answers ``OPTIONS`` with 405, and a 405 with only the first route's
methods. This middleware asks the app's own router which methods match the path, answers
``OPTIONS`` itself (204 with ``Allow``) and completes the ``Allow`` header of every 405.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.routing import BaseRoute, Match

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

PROBED = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def allowed_methods(routes: list[BaseRoute], scope: Scope) -> set[str]:
    """The methods some route fully matches at this path, plus OPTIONS; empty when no route does,
    or when every method does (a mounted app or a route that takes any method, such as /mcp)."""
    methods = {
        method for method in PROBED
        if any(route.matches({**scope, "method": method})[0] == Match.FULL for route in routes)
    }
    if not methods or methods == set(PROBED):
        return set()
    return methods | {"OPTIONS"}


class AllowedMethods:
    def __init__(self, app: ASGIApp, routes: list[BaseRoute]) -> None:
        self.app = app
        self.routes = routes  # the app's route list, read per request (routes may be added later)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") not in ("OPTIONS", *PROBED):
            await self.app(scope, receive, send)
            return
        methods = allowed_methods(self.routes, scope)
        if not methods:
            await self.app(scope, receive, send)
            return
        allow = ", ".join(sorted(methods)).encode()
        if scope["method"] == "OPTIONS":
            await send({"type": "http.response.start", "status": 204, "headers": [(b"allow", allow)]})
            await send({"type": "http.response.body", "body": b""})
            return

        async def send_with_allow(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 405:
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"allow"]
                message = {**message, "headers": [*headers, (b"allow", allow)]}
            await send(message)

        await self.app(scope, receive, send_with_allow)
