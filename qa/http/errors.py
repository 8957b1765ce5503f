"""Every HTTP error is JSON ``{"error": {"code", "message"}}`` with a 4xx (or 500) status."""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ingest.errors import (
    DocumentNotFoundError,
    IndexUnavailableError,
    NotReadyError,
    PolicyQAError,
    QuestionError,
    UnsupportedDocumentError,
)

log = logging.getLogger("policyqa.http")

_STATUS_CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 413: "too_large", 422: "invalid",
                 503: "unavailable"}


class ApiError(Exception):
    """Raised by route handlers; turned into the contract's JSON error."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


OPENAI_PREFIX = "/v1/"
_OPENAI_TYPES = {401: "authentication_error", 403: "permission_error", 429: "rate_limit_error"}


def error_body(code: str, message: str, *, status: int = 400, path: str = "") -> dict[str, Any]:
    """The contract's ``{"error": {"code", "message"}}``; under ``/v1/`` also OpenAI's ``type`` and
    ``param``, so OpenAI clients raise their usual errors (``NotFoundError`` ...) with our message."""
    error: dict[str, Any] = {"code": code, "message": message}
    if path.startswith(OPENAI_PREFIX):
        kind = _OPENAI_TYPES.get(status, "server_error" if status >= 500 else "invalid_request_error")
        error |= {"type": kind, "param": "model" if code == "model_not_found" else None}
    return {"error": error}


def error_response(status: int, code: str, message: str, path: str = "", headers: dict[str, str] | None = None) -> JSONResponse:
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


async def _on_api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.code, exc.message, request.url.path)


async def _on_http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _STATUS_CODES.get(exc.status_code, "http_error")
    return error_response(exc.status_code, code, str(exc.detail), request.url.path, exc.headers)


async def _on_domain(request: Request, exc: Exception) -> JSONResponse:
    path = request.url.path
    if isinstance(exc, DocumentNotFoundError):
        return error_response(404, "document_not_found", str(exc), path)
    if isinstance(exc, QuestionError):
        return error_response(400, "bad_question", str(exc), path)
    if isinstance(exc, UnsupportedDocumentError):
        return error_response(400, "unsupported_document", str(exc), path)
    if isinstance(exc, NotReadyError):
        return error_response(503, "starting", str(exc), path, {"Retry-After": "2"})
    if isinstance(exc, IndexUnavailableError):
        return error_response(503, "index_unavailable", str(exc), path)
    # the rest (a failed verification, a corrupt index, ...) are the server's failures, not the client's
    log.error("engine error: %s", exc)
    return error_response(500, _snake(type(exc).__name__), str(exc), path)


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


async def _on_internal(request: Request, exc: Exception) -> JSONResponse:
    log.exception("internal error", exc_info=exc)
    return error_response(500, "internal_error", "internal server error", request.url.path)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(ApiError, _on_api_error)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(PolicyQAError, _on_domain)
    app.add_exception_handler(Exception, _on_internal)
