"""The server a commission gets when its index is damaged: every route answers 503 with the
reason and the rebuild command, instead of the process dying with a traceback."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from qa.http.errors import error_response


def build_unavailable_app(message: str) -> Any:
    """A FastAPI app whose every request gets ``503 {"error": {"code": "index_unavailable", ...}}``."""
    app = FastAPI(title="PolicyQA (index unavailable)", docs_url=None, redoc_url=None)

    @app.api_route("/{path:path}", methods=["GET", "POST", "PUT", "DELETE", "PATCH"], include_in_schema=False)
    async def unavailable() -> Any:
        return error_response(503, "index_unavailable", message)

    return app
