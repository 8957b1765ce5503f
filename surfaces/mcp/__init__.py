"""PolicyQA as Model Context Protocol tools, on the official ``mcp`` SDK: over stdio
(``policyqa mcp``) and over streamable HTTP at ``/mcp`` on the server."""

from __future__ import annotations

from surfaces.mcp.tools import build_mcp_server

__all__ = ["build_mcp_server"]
