"""The MCP tools through the official ``mcp`` client SDK: over stdio (``policyqa mcp`` as a
subprocess, as Claude Desktop starts it) and over streamable HTTP at ``/mcp`` on a live server,
with and without the API token. Each transport lists the tools, calls each one, and gets a tool
error (``isError``), not a crash, for bad arguments."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import httpx2
import pytest
from app_helpers import LiveServer, free_port, start_server
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from private_index import shared_index_dir

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
TOOLS = {"ask", "search", "get_document_span", "list_documents"}
QUESTION = "长宁区到2025年要建成几个达标中医馆？"
DOC_ID = "changning-2023-health-development-action-plan"
TOKEN = "mcp-client-token-0123456789abcdef"


def run(session: Callable[[Client], Awaitable[Any]], server: Any) -> Any:
    async def main() -> Any:
        async with Client(server, read_timeout_seconds=300) as client:
            return await session(client)

    return asyncio.run(main())


async def exercise(client: Client) -> dict[str, Any]:
    """List the tools and call each one, good arguments and bad; what came back, by name."""
    out: dict[str, Any] = {"tools": {t.name: t for t in (await client.list_tools()).tools}}
    out["ask"] = await client.call_tool("ask", {"question": QUESTION})
    out["follow_up"] = await client.call_tool("ask", {
        "question": "那宝山呢？",
        "history": [{"role": "user", "content": QUESTION}, {"role": "assistant", "content": "长宁区10个[1]。"}],
    })
    out["search"] = await client.call_tool("search", {"query": "社区中医馆", "top_k": 3, "districts": ["长宁区"]})
    out["documents"] = await client.call_tool("list_documents", {})
    citation = out["ask"].structured_content["citations"][0]
    out["span"] = await client.call_tool(
        "get_document_span", {"doc_id": citation["doc_id"], "start": citation["start"], "end": citation["end"]}
    )
    out["bad"] = {
        "district": await client.call_tool("ask", {"question": "中医馆", "districts": ["火星区"]}),
        "empty": await client.call_tool("ask", {"question": "   "}),
        "type": await client.call_tool("search", {"query": "中医馆", "top_k": "many"}),
        "top_k": await client.call_tool("search", {"query": "中医馆", "top_k": 0}),
        "range": await client.call_tool("get_document_span", {"doc_id": DOC_ID, "start": 10, "end": 5}),
        "doc": await client.call_tool("get_document_span", {"doc_id": "no-such-plan", "start": 0, "end": 5}),
        "missing": await client.call_tool("get_document_span", {"doc_id": DOC_ID}),
    }
    out["after_errors"] = await client.call_tool("list_documents", {})  # the session survived them
    return out


def check(out: dict[str, Any]) -> None:
    tools = out["tools"]
    assert set(tools) == TOOLS
    for tool in tools.values():  # described in Chinese and in English, with a schema for the result
        assert re.search(r"[\u4e00-\u9fff]", tool.description) and "Returns" in tool.description
        assert tool.output_schema and tool.annotations.read_only_hint
    assert set(tools["ask"].input_schema["required"]) == {"question"}

    ask = out["ask"]
    assert not ask.is_error
    answer = ask.structured_content
    assert not answer["refused"] and answer["citations"] and "10" in answer["answer"]
    text = ask.content[0].text  # what a client that shows only text gets: the answer and its sources
    assert text.startswith(answer["answer"]) and answer["citations"][0]["quote"] in text
    follow = out["follow_up"].structured_content
    assert "宝山" in follow["standalone_question"] and not follow["refused"]

    passages = out["search"].structured_content["passages"]
    assert len(passages) == 3 and all(p["doc_id"] == DOC_ID for p in passages)
    assert [p["score"] for p in passages] == sorted((p["score"] for p in passages), reverse=True)
    documents = out["documents"].structured_content["documents"]
    assert DOC_ID in {d["doc_id"] for d in documents}

    span = out["span"].structured_content
    citation = answer["citations"][0]
    assert span["text"] == citation["quote"] and span["section"] == citation["section"]
    assert span["before"] or span["after"]

    bad = out["bad"]
    assert all(result.is_error for result in bad.values()), {k: r.is_error for k, r in bad.items()}
    messages = {k: r.content[0].text for k, r in bad.items()}
    assert "unknown district '火星区'" in messages["district"]  # the HTTP API's messages
    assert "the question is empty" in messages["empty"]
    assert "top_k" in messages["type"] and "top_k" in messages["top_k"]
    assert "start (10) is after end (5)" in messages["range"]
    assert "no document 'no-such-plan'" in messages["doc"]
    assert "start" in messages["missing"] and "end" in messages["missing"]
    assert not out["after_errors"].is_error


def test_stdio(tmp_path: Path) -> None:
    """``policyqa mcp`` started as a client starts it: a subprocess speaking MCP on stdin/stdout."""
    env = {
        "POLICYQA_HOME": os.environ["POLICYQA_HOME"],
        "POLICYQA_INDEX": str(shared_index_dir()),
        "POLICYQA_UPLOADS": str(tmp_path / "uploads"),
        "PYTHONPATH": str(REPO),
    }
    params = StdioServerParameters(command=sys.executable, args=["-m", "surfaces.cli", "mcp"], env=env, cwd=str(REPO))
    with open(tmp_path / "stderr.log", "w") as errlog:
        check(asyncio.run(_stdio(params, errlog)))


async def _stdio(params: StdioServerParameters, errlog: Any) -> dict[str, Any]:
    from mcp.client.stdio import stdio_client

    async with Client(stdio_client(params, errlog=errlog), read_timeout_seconds=300) as client:
        return await exercise(client)


def test_streamable_http(live_server: LiveServer) -> None:
    check(run(exercise, f"{live_server.url}/mcp"))


@pytest.fixture(scope="module")
def guarded(app_qa: object) -> Iterator[LiveServer]:
    from app import create_app
    from surfaces.settings import ServerSettings

    port = free_port()
    settings = ServerSettings.from_env({"POLICYQA_API_TOKEN": TOKEN}, port=port)
    server = start_server(create_app(app_qa, settings=settings), port)  # type: ignore[arg-type]
    yield server
    server.stop()


def test_streamable_http_needs_the_token(guarded: LiveServer) -> None:
    url = f"{guarded.url}/mcp"
    refused = httpx.post(url, json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
                         headers={"Accept": "application/json, text/event-stream"})
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "unauthorized"

    async def listed() -> set[str]:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        async with httpx2.AsyncClient(headers=headers, timeout=300) as http:
            async with Client(streamable_http_client(url, http_client=http)) as client:
                return {t.name for t in (await client.list_tools()).tools}

    assert asyncio.run(listed()) == TOOLS
