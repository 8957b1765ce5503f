"""Every size limit, read from the environment in this one place.

    POLICYQA_MAX_QUESTION_CHARS  one question, after stripping      (default 2000)
    POLICYQA_MAX_DOCUMENT_CHARS  the text of one document           (default 2000000)
    POLICYQA_MAX_UPLOAD_MB       one upload request                 (default 50)
    POLICYQA_MAX_BODY_KB         any other request body (JSON)      (default 256)

The engine checks questions and documents against them, the server request bodies. A bad value
is a ``ValueError`` naming the variable, so the server refuses to start with one line.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

KB = 1024
MB = 1024 * 1024

# (variable, field, unit)
_VARIABLES = (
    ("POLICYQA_MAX_QUESTION_CHARS", "max_question_chars", 1),
    ("POLICYQA_MAX_DOCUMENT_CHARS", "max_document_chars", 1),
    ("POLICYQA_MAX_UPLOAD_MB", "max_upload_bytes", MB),
    ("POLICYQA_MAX_BODY_KB", "max_body_bytes", KB),
)


@dataclass(frozen=True)
class Limits:
    """How big a question, a document, an upload and a request body may be."""

    max_question_chars: int = 2000
    # Embedding runs at about 3,000 characters a second on 2 cores: 2 million characters is some
    # 11 minutes of work for one upload, several times the largest plan (about 100,000).
    max_document_chars: int = 2_000_000
    max_upload_bytes: int = 50 * MB
    max_body_bytes: int = 256 * KB

    def __post_init__(self) -> None:
        for _, name, _ in _VARIABLES:
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"{name} must be a positive whole number, got {value!r}")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Limits:
        """The limits set by ``POLICYQA_MAX_*`` (``os.environ`` unless ``env`` is given)."""
        env = os.environ if env is None else env
        values: dict[str, int] = {}
        for var, name, unit in _VARIABLES:
            raw = env.get(var, "").strip()
            if raw:
                values[name] = _positive_int(var, raw) * unit
        return cls(**values)


def limits() -> Limits:
    """The limits in force now (read each time: a test or an operator may change them)."""
    return Limits.from_env()


def _positive_int(var: str, raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{var} must be a whole number, got {raw!r}") from None
    if value <= 0:
        raise ValueError(f"{var} must be positive, got {value}")
    return value
