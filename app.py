"""PolicyQA server: the HTTP API and the Gradio UI on one FastAPI app, run with uvicorn.

``python app.py`` or ``policyqa serve [--host H] [--port P]``. Heavy imports (FastAPI, gradio,
the engine) happen inside the functions: ``policyqa`` imports this module to build its parser.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI

    from qa import PolicyQA
    from surfaces.settings import ServerSettings


def create_app(qa: PolicyQA | None = None, *, settings: ServerSettings | None = None) -> FastAPI:
    """The API (``/api``, ``/v1``, ``/mcp``, ``/openapi.json``) with the UI mounted at ``settings.ui_path``.

    Without ``qa``, the engine loads in the background once the server starts (building the index
    first if there is none): ``/api/health`` says ``starting`` (503) until it is loaded and warm,
    then ``ok``. A damaged index makes every route answer 503 with the reason.
    """
    from kernel.offline import go_offline

    go_offline()  # an entry point (also for ASGI servers): before gradio or a model library loads
    from fastapi.responses import RedirectResponse

    from surfaces.http import build_api
    from surfaces.runtime import Runtime
    from surfaces.settings import ServerSettings
    from surfaces.ui import mount_ui

    settings = settings or ServerSettings.from_env()
    if qa is None:
        from qa import PolicyQA

        runtime = Runtime(load=lambda: PolicyQA.load(progress=True))
    else:
        runtime = Runtime(qa)
    app = build_api(runtime, settings)

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse(url=f"{settings.ui_path}/")

    return mount_ui(app, runtime, settings)


def serve(host: str = "127.0.0.1", port: int = 7860) -> None:
    import uvicorn

    from surfaces.http.server import server_config
    from surfaces.settings import ServerSettings

    settings = ServerSettings.from_env(host=host, port=port)
    app = create_app(settings=settings)
    print(f"PolicyQA: UI http://{host}:{port}{settings.ui_path}/  API http://{host}:{port}/api", file=sys.stderr)
    if settings.api_token:
        print("PolicyQA: API token required (POLICYQA_API_TOKEN)", file=sys.stderr)
    elif host not in ("127.0.0.1", "localhost", "::1"):
        print(f"PolicyQA: warning: listening on {host} with no API token; set POLICYQA_API_TOKEN", file=sys.stderr)
    uvicorn.Server(server_config(app, host, port)).run()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=7860, help="port to listen on (default 7860)")


def run(args: argparse.Namespace) -> int:
    if not 0 < args.port < 65536:
        raise ValueError(f"--port must be between 1 and 65535, got {args.port}")
    serve(host=args.host, port=args.port)
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python app.py``: the same exit codes as ``policyqa serve`` (2 for bad input, one line)."""
    from kernel.errors import PolicyQAError

    parser = argparse.ArgumentParser(prog="app.py", description="start the PolicyQA web UI and HTTP API")
    add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        return run(args)
    except (PolicyQAError, ValueError, OSError) as exc:
        print(f"app.py: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
