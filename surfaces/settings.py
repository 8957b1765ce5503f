"""Server settings: one frozen dataclass; defaults here, overrides from the environment, the
command line or tests.

Environment variables (all optional)::

    POLICYQA_API_TOKEN   require "Authorization: Bearer <token>" on /api, /v1 and /mcp
                         (and the token as the password of the web UI)
    POLICYQA_MAX_*       the limits, read by ``kernel.limits`` (upload, body, question, document)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from kernel.limits import Limits

UPLOAD_SUFFIXES: tuple[str, ...] = (".txt", ".md", ".docx", ".pdf")
MIN_TOKEN_CHARS = 16


@dataclass(frozen=True)
class ServerSettings:
    """How the HTTP server and UI behave. The server enforces ``limits.max_upload_bytes`` (one
    upload request) and ``limits.max_body_bytes`` (every other request body); the engine the
    question and document limits. Reading them all here means a bad value stops the server
    at start, with one line naming the variable."""

    host: str = "127.0.0.1"
    port: int = 7860
    ui_path: str = "/ui"
    limits: Limits = field(default_factory=Limits)
    model_name: str = "policyqa"
    api_token: str | None = field(default=None, repr=False)  # never printed in logs or errors

    def __post_init__(self) -> None:
        if not 0 < self.port < 65536:
            raise ValueError(f"port must be between 1 and 65535, got {self.port}")
        if not self.ui_path.startswith("/") or self.ui_path == "/":
            raise ValueError(f"ui_path must start with '/' and not be '/', got {self.ui_path!r}")
        if self.api_token is not None and len(self.api_token) < MIN_TOKEN_CHARS:
            raise ValueError(f"the API token must be at least {MIN_TOKEN_CHARS} characters long")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> ServerSettings:
        """Settings from ``POLICYQA_*`` variables (see the module docstring), then ``overrides``."""
        env = os.environ if env is None else env
        values: dict[str, object] = {"limits": Limits.from_env(env)}
        token = env.get("POLICYQA_API_TOKEN", "").strip()
        if token:
            values["api_token"] = token
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]
