"""Every HTTP error is JSON ``{"error": {"code", "message"}}`` with a 4xx (or 5xx) status; under
``/v1/`` also OpenAI's ``type`` and ``param``. Statuses and codes come from the one mapping in
``surfaces.errors``."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from kernel.errors import PolicyQAError
from surfaces.errors import ApiError, classify

log = logging.getLogger("policyqa.http")

_STATUS_CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 413: "too_large", 422: "invalid",
                 503: "unavailable"}
OPENAI_PREFIX = "/v1/"
_OPENAI_TYPES = {401: "authentication_error", 403: "permission_error", 429: "rate_limit_error"}

__all__ = ["ApiError", "error_body", "error_response", "install_error_handlers"]


def error_body(code: str, message: str, *, status: int = 400, path: str = "") -> dict[str, Any]:
    """The contract's ``{"error": {"code", "message"}}``; under ``/v1/`` also OpenAI's ``type`` and
    ``param``, so OpenAI clients raise their usual errors (``NotFoundError`` ...) with our message."""
    error: dict[str, Any] = {"code": code, "message": message}
    if path.startswith(OPENAI_PREFIX):
        kind = _OPENAI_TYPES.get(status, "server_error" if status >= 500 else "invalid_request_error")
        error |= {"type": kind, "param": "model" if code == "model_not_found" else None}
    return {"error": error}


def error_response(
    status: int, code: str, message: str, path: str = "", headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(error_body(code, message, status=status, path=path), status_code=status, headers=headers)


def _describe(errors: list[Any]) -> str:
    parts = []
    for err in errors[:5]:
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body"
        parts.append(f"{where}: {err.get('msg', 'invalid')}")
    return "; ".join(parts)


async def _on_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    if any(e.get("type") == "json_invalid" for e in errors):
        return error_response(400, "bad_json", "the request body is not valid JSON", request.url.path)
    return error_response(422, "validation_error", _describe(errors), request.url.path)


async def _on_http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _STATUS_CODES.get(exc.status_code, "http_error")
    return error_response(exc.status_code, code, str(exc.detail), request.url.path, exc.headers)


async def _on_error(request: Request, exc: Exception) -> JSONResponse:
    """Domain errors, ``ApiError`` and anything unexpected, through the one mapping."""
    failure = classify(exc)
    if failure.code == "internal_error":
        log.exception("internal error", exc_info=exc)
    elif failure.status >= 500 and failure.code != "starting":
        log.error("engine error: %s", exc)
    headers = {"Retry-After": "2"} if failure.code == "starting" else None
    return error_response(failure.status, failure.code, failure.message, request.url.path, headers)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(ApiError, _on_error)
    app.add_exception_handler(PolicyQAError, _on_error)
    app.add_exception_handler(Exception, _on_error)  # the rest: 500, logged with its traceback
