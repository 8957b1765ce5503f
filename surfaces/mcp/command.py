"""``policyqa mcp``: PolicyQA's tools over stdio, for Claude Desktop, Cherry Studio, Cursor ...

The client starts this command and speaks MCP on its stdin and stdout; anything else the
process prints goes to stderr. The index loads in the background once the client connects,
so the handshake is immediate; a tool called before loading finishes waits for it.
"""

from __future__ import annotations

import argparse
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

LOAD_WAIT_SECONDS = 600.0  # a first start may build the index


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--index", default=None, help="index folder (default: $POLICYQA_INDEX or the user cache)")


def run(args: argparse.Namespace) -> int:
    from qa import PolicyQA
    from surfaces.mcp.tools import build_mcp_server
    from surfaces.runtime import Runtime

    runtime = Runtime(load=lambda: PolicyQA.load(args.index, progress=False))

    @asynccontextmanager
    async def loading(_: Any) -> AsyncIterator[None]:
        runtime.start()  # only now: stdout belongs to the protocol from here on
        yield

    server = build_mcp_server(lambda: runtime.engine(wait=LOAD_WAIT_SECONDS), lifespan=loading)
    server.run("stdio")
    return 0
