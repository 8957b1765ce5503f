"""The Gradio UI, mounted on the API's FastAPI app so one server serves both.

Importing gradio and building the UI take seconds and some 150 MB: a server used only through
its API never pays for them. The UI path is served by ``LazyUI``, which imports gradio and
builds the UI on the first request under that path (that request waits for it), then hands
every request to the Gradio app exactly as ``gr.mount_gradio_app`` would have mounted it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI

    from surfaces.runtime import Runtime
    from surfaces.settings import ServerSettings

__all__ = ["LazyUI", "mount_ui"]


def mount_ui(app: FastAPI, runtime: Runtime, settings: ServerSettings) -> FastAPI:
    """Mount the UI at ``settings.ui_path``; gradio loads when the UI is first asked for."""
    lazy = LazyUI(lambda: _gradio_app(runtime, settings))
    serving = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(a: FastAPI) -> AsyncIterator[Any]:
        async with serving(a) as state:
            try:
                yield state
            finally:
                await lazy.close()

    app.router.lifespan_context = lifespan  # type: ignore[assignment]
    app.mount(settings.ui_path, lazy)
    return app


class LazyUI:
    """An ASGI app that builds the real one (``build() -> (app, holder)``) on its first request.

    ``holder`` is the FastAPI app ``gr.mount_gradio_app`` mounted the Gradio app on: its
    lifespan runs Gradio's startup events (the queue), so it is entered when the UI is built
    and left when the server stops.
    """

    def __init__(self, build: Callable[[], tuple[Any, Any]]) -> None:
        self._build = build
        self._app: Any = None
        self._lock: asyncio.Lock | None = None
        self._stack: AsyncExitStack | None = None

    @property
    def built(self) -> bool:
        return self._app is not None

    async def __call__(self, scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        app = self._app if self._app is not None else await self._start()
        await app(scope, receive, send)

    async def _start(self) -> Any:
        import anyio

        self._lock = self._lock or asyncio.Lock()
        async with self._lock:
            if self._app is None:
                app, holder = await anyio.to_thread.run_sync(self._build)  # imports: off the event loop
                stack = AsyncExitStack()
                await stack.enter_async_context(holder.router.lifespan_context(holder))
                self._stack, self._app = stack, app
        return self._app

    async def close(self) -> None:
        if self._stack is not None:
            await self._stack.aclose()
            self._stack = None


def _gradio_app(runtime: Runtime, settings: ServerSettings) -> tuple[Any, Any]:
    """(the Gradio app, the FastAPI app it is mounted on) for the UI, as ``mount_gradio_app`` makes it."""
    import gradio as gr
    from fastapi import FastAPI

    from surfaces.ui.assets import CSS, theme
    from surfaces.ui.blocks import build_ui

    blocks = build_ui(runtime, settings)
    holder = gr.mount_gradio_app(
        FastAPI(),
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
    mounted = next(r for r in holder.routes if getattr(r, "path", None) == settings.ui_path)
    return mounted.app, holder  # type: ignore[attr-defined]


def _token_check(token: str):  # type: ignore[no-untyped-def]
    import hmac

    def check(_username: str, password: str) -> bool:
        return hmac.compare_digest(str(password).encode(), token.encode())

    return check
