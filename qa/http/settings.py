"""Server settings: one frozen dataclass; defaults here, overrides from the environment, the
command line or tests.

Environment variables (all optional)::

    POLICYQA_API_TOKEN          require "Authorization: Bearer <token>" on /api and /v1
                                (and the token as the password of the web UI)
    POLICYQA_MAX_UPLOAD_MB      one upload request, default 50
    POLICYQA_MAX_QUESTION_CHARS one question, default 2000
    POLICYQA_MAX_BODY_KB        any other request body (JSON), default 256
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from qa.validation import max_question_chars

MB = 1024 * 1024
KB = 1024
UPLOAD_SUFFIXES: tuple[str, ...] = (".txt", ".md", ".docx", ".pdf")
MIN_TOKEN_CHARS = 16


@dataclass(frozen=True)
class ServerSettings:
    """How the HTTP server and UI behave. ``max_upload_bytes`` bounds one upload request,
    ``max_body_bytes`` every other request body."""

    host: str = "127.0.0.1"
    port: int = 7860
    ui_path: str = "/ui"
    max_upload_bytes: int = 50 * MB
    max_question_chars: int = field(default_factory=max_question_chars)
    max_body_bytes: int = 256 * KB
    context_chars: int = 300  # text shown either side of a cited span
    model_name: str = "policyqa"
    api_token: str | None = field(default=None, repr=False)  # never printed in logs or errors

    def __post_init__(self) -> None:
        if not 0 < self.port < 65536:
            raise ValueError(f"port must be between 1 and 65535, got {self.port}")
        if not self.ui_path.startswith("/") or self.ui_path == "/":
            raise ValueError(f"ui_path must start with '/' and not be '/', got {self.ui_path!r}")
        for name in ("max_upload_bytes", "max_question_chars", "max_body_bytes"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}")
        if self.api_token is not None and len(self.api_token) < MIN_TOKEN_CHARS:
            raise ValueError(f"the API token must be at least {MIN_TOKEN_CHARS} characters long")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> ServerSettings:
        """Settings from ``POLICYQA_*`` variables (see the module docstring), then ``overrides``."""
        env = os.environ if env is None else env
        values: dict[str, object] = {}
        token = env.get("POLICYQA_API_TOKEN", "").strip()
        if token:
            values["api_token"] = token
        for var, name, unit in (
            ("POLICYQA_MAX_UPLOAD_MB", "max_upload_bytes", MB),
            ("POLICYQA_MAX_QUESTION_CHARS", "max_question_chars", 1),
            ("POLICYQA_MAX_BODY_KB", "max_body_bytes", KB),
        ):
            raw = env.get(var, "").strip()
            if raw:
                values[name] = _positive_int(var, raw) * unit
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]


def _positive_int(var: str, raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{var} must be a whole number, got {raw!r}") from None
    if value <= 0:
        raise ValueError(f"{var} must be positive, got {value}")
    return value
