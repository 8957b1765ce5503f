"""Domain errors. Every failure a user can cause or fix subclasses ``PolicyQAError``.

The CLI turns these into one line on stderr with exit status 2, the HTTP layer into a JSON
error; anything else is an internal failure (exit status 1).
"""

from __future__ import annotations


class PolicyQAError(Exception):
    """Base class for errors a user can understand and act on."""


class UnsupportedDocumentError(PolicyQAError):
    """A file that cannot be ingested: wrong type, empty, binary, undecodable or too large."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class CorruptIndexError(PolicyQAError):
    """An index folder that is missing, damaged or built by another embedder."""

    REBUILD_HINT = "rebuild it with: policyqa index --rebuild"

    def __init__(self, message: str) -> None:
        super().__init__(f"{message}; {self.REBUILD_HINT}")


class IndexNotBuiltError(PolicyQAError):
    """No index exists yet at the configured location."""


class IndexWriteError(PolicyQAError):
    """The index could not be written (disk full, read-only folder, ...); the previous index is kept."""


class EmbedderUnavailableError(PolicyQAError):
    """An embedding backend could not be loaded (missing package or model files)."""


class QuestionError(PolicyQAError, ValueError):
    """A question that cannot be asked: empty, too long or made of control characters."""


class QuestionTooLongError(QuestionError):
    """A question over the length limit (HTTP 413 rather than 400: the size is the problem)."""

    def __init__(self, length: int, limit: int) -> None:
        super().__init__(f"the question is {length} characters long; the limit is {limit}")
        self.length = length
        self.limit = limit


class BadArgumentError(PolicyQAError, ValueError):
    """An argument the engine refused: an unknown district, ``top_k`` out of range."""


class BadRangeError(PolicyQAError, ValueError):
    """A document span that does not fit the document (start after end, or past its end)."""


class DocumentNotFoundError(PolicyQAError, KeyError):
    """A doc_id that is not in the index."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else "document not found"


class NotReadyError(PolicyQAError):
    """The server is still loading its index and model; ask again in a moment (HTTP 503 ``starting``)."""


class IndexUnavailableError(PolicyQAError):
    """The index could not be loaded when the server started; every request says why (HTTP 503)."""


class StoreUnavailableError(PolicyQAError):
    """The configured index store cannot be used: its package is missing or its server unreachable."""
