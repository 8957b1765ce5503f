"""The Gradio UI, mounted on the API's FastAPI app so one server serves both."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI

    from surfaces.runtime import Runtime
    from surfaces.settings import ServerSettings

__all__ = ["mount_ui"]


def mount_ui(app: FastAPI, runtime: Runtime, settings: ServerSettings) -> FastAPI:
    import gradio as gr

    from surfaces.ui.assets import CSS, theme
    from surfaces.ui.blocks import build_ui

    blocks = build_ui(runtime, settings)
    return gr.mount_gradio_app(
        app,
        blocks,
        path=settings.ui_path,
        server_name=settings.host,
        server_port=settings.port,
        footer_links=[],
        run_history=False,
        max_file_size=settings.limits.max_upload_bytes,
        ssr_mode=False,
        mcp_server=False,
        theme=theme(),
        css=CSS,
        # With an API token set, the UI asks for it too (any user name): it can upload documents.
        auth=_token_check(settings.api_token) if settings.api_token else None,
        auth_message="PolicyQA: 请输入访问令牌 (enter the access token as the password)",
    )


def _token_check(token: str):  # type: ignore[no-untyped-def]
    import hmac

    def check(_username: str, password: str) -> bool:
        return hmac.compare_digest(str(password).encode(), token.encode())

    return check
