"""One error mapping for every surface: what went wrong, as (HTTP status, code, message).

The HTTP API answers with it, the OpenAI API adds OpenAI's fields, MCP tools and the Gradio API
raise their own kind of error with the same message, so a mistake reads the same everywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kernel.errors import (
    BadArgumentError,
    BadRangeError,
    DocumentNotFoundError,
    IndexUnavailableError,
    IndexWriteError,
    NotReadyError,
    PolicyQAError,
    QuestionError,
    QuestionTooLongError,
    UnsupportedDocumentError,
)

INTERNAL_MESSAGE = "internal server error"


class ApiError(Exception):
    """A request a surface refuses itself (an upload that is not multipart, an unknown job or
    model, a chat without a user message), with its status and code."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Failure:
    status: int
    code: str
    message: str

    @property
    def is_clients(self) -> bool:
        """A mistake in the request (or a server still starting), not a fault of the server."""
        return self.status < 500 or self.code == "starting"


# Most specific first: QuestionTooLongError is a QuestionError, which is a ValueError.
_DOMAIN: tuple[tuple[type[Exception], int, str], ...] = (
    (QuestionTooLongError, 413, "question_too_long"),
    (QuestionError, 400, "bad_question"),
    (DocumentNotFoundError, 404, "document_not_found"),
    (BadRangeError, 400, "bad_range"),
    (BadArgumentError, 400, "bad_request"),
    (UnsupportedDocumentError, 400, "unsupported_document"),
    (IndexWriteError, 500, "index_write_failed"),
    (NotReadyError, 503, "starting"),
    (IndexUnavailableError, 503, "index_unavailable"),
)


def classify(exc: BaseException) -> Failure:
    """The status, code and message a surface reports for ``exc``."""
    if isinstance(exc, ApiError):
        return Failure(exc.status, exc.code, exc.message)
    for kind, status, code in _DOMAIN:
        if isinstance(exc, kind):
            return Failure(status, code, str(exc))
    if isinstance(exc, PolicyQAError):  # a failed verification, a corrupt index: the server's failure
        return Failure(500, _snake(type(exc).__name__), str(exc))
    return Failure(500, "internal_error", INTERNAL_MESSAGE)


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
