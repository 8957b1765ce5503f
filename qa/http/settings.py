"""Server settings: one frozen dataclass, defaults here, overrides from the command line or tests."""

from __future__ import annotations

from dataclasses import dataclass

MB = 1024 * 1024
UPLOAD_SUFFIXES: tuple[str, ...] = (".txt", ".md", ".docx", ".pdf")


@dataclass(frozen=True)
class ServerSettings:
    """How the HTTP server and UI behave. ``max_upload_bytes`` bounds one upload request."""

    host: str = "127.0.0.1"
    port: int = 7860
    ui_path: str = "/ui"
    max_upload_bytes: int = 50 * MB
    max_question_chars: int = 2000
    context_chars: int = 300  # text shown either side of a cited span
    model_name: str = "policyqa"

    def __post_init__(self) -> None:
        if not 0 < self.port < 65536:
            raise ValueError(f"port must be between 1 and 65535, got {self.port}")
        if not self.ui_path.startswith("/") or self.ui_path == "/":
            raise ValueError(f"ui_path must start with '/' and not be '/', got {self.ui_path!r}")
        if self.max_upload_bytes <= 0:
            raise ValueError(f"max_upload_bytes must be positive, got {self.max_upload_bytes}")
