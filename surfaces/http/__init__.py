"""The HTTP API: CONTRACT.md routes, upload jobs, the OpenAI-compatible API and MCP at ``/mcp``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI

from surfaces.http.errors import install_error_handlers
from surfaces.http.guards import ReadinessGate, RequestGuard
from surfaces.http.jobs import JobStore
from surfaces.http.methods import AllowedMethods
from surfaces.http.routes import api_router
from surfaces.openai_compat import chat_router
from surfaces.runtime import Runtime
from surfaces.settings import ServerSettings

if TYPE_CHECKING:
    from qa import PolicyQA

__all__ = ["MCP_PATH", "build_api"]

MCP_PATH = "/mcp"


def _add_and_report(qa: PolicyQA, paths, progress, region=None):  # type: ignore[no-untyped-def]
    """Add the files; also say which doc_ids replaced a document that was already indexed."""
    before = {d.doc_id for d in qa.documents()}
    doc_ids = qa.add_documents(paths, progress=progress, region=region)
    return doc_ids, [d for d in doc_ids if d in before]


def build_api(runtime: Runtime, settings: ServerSettings) -> FastAPI:
    """A FastAPI app with every API route; the UI is mounted on it separately (see app.py).

    The app listens at once; ``runtime`` loads the engine in the background when the app starts,
    and until it is ready the routes answer 503 (``/api/health``: ``{"status": "starting"}``).
    """
    from surfaces.mcp import build_mcp_server

    mcp = build_mcp_server(runtime.engine)
    mcp_app = mcp.streamable_http_app(
        streamable_http_path=MCP_PATH, host=settings.host, max_request_body_size=settings.limits.max_body_bytes
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        runtime.start()  # load the index and the model while the server already answers
        async with mcp.session_manager.run():  # the MCP sessions live as long as the server
            yield

    app = FastAPI(
        lifespan=lifespan,
        title="PolicyQA",
        version="0.1.0",
        description="Grounded answers with sentence-level citations over Chinese health-plan documents.",
        docs_url=None,  # Swagger UI loads from a CDN, which this offline server cannot reach
        redoc_url=None,
    )
    install_error_handlers(app)
    app.add_middleware(RequestGuard, settings=settings)  # type: ignore[arg-type]
    app.add_middleware(AllowedMethods, routes=app.router.routes)  # type: ignore[arg-type]  (no token for OPTIONS)
    app.add_middleware(ReadinessGate, runtime=runtime)  # type: ignore[arg-type]  (outermost)
    from ingest.settings import uploads_dir

    jobs = JobStore(
        lambda paths, progress, region: _add_and_report(runtime.engine(), paths, progress, region),
        state_file=uploads_dir() / ".jobs.json",
    )
    app.state.runtime = runtime
    app.state.jobs = jobs
    app.state.settings = settings
    app.include_router(api_router(runtime, settings, jobs))
    app.include_router(chat_router(runtime, settings))
    app.router.routes.extend(mcp_app.routes)  # POST/GET/DELETE /mcp: streamable HTTP, not in the OpenAPI schema
    return app
