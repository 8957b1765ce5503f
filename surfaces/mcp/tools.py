"""The MCP tools: ``ask``, ``search``, ``get_document_span`` and ``list_documents``.

Each tool calls the engine the way the HTTP API does and reports a bad argument as a tool
error (``isError: true``) carrying the HTTP API's message, so an agent can correct its call.
Descriptions are in Chinese and English and say what each tool returns.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult, TextContent, ToolAnnotations
from pydantic import BaseModel, Field

from qa.validation import MAX_TOP_K
from surfaces import service
from surfaces.citations import answer_text
from surfaces.errors import classify
from surfaces.http.schemas import AnswerOut, DocumentSummary, PassageOut, SpanOut, Turn

if TYPE_CHECKING:
    from qa import PolicyQA

INSTRUCTIONS = (
    "PolicyQA 回答关于上海各区卫生健康规划文件的问题，每个结论都带有可核对的原文引用。"
    "Use `ask` for a grounded answer with citations (doc_id, start, end, quote); `search` for raw passages; "
    "`get_document_span` to read the text around a citation; `list_documents` for what is indexed. "
    "When `refused` is true the documents do not state the answer: say so rather than guess."
)

ASK = (
    "向 PolicyQA 提问（中文或英文），返回基于规划文件原文的回答：answer（带 [n] 引用标记的文本）、"
    "refused（文件未提及时为 true）、citations（每个 [n] 对应一条：doc_id、start、end、quote 原文、district、section 章节路径）"
    "和 passages（检索到的段落）。可选 districts 限定区；可选 history 为之前的对话轮次，用于理解“那宝山呢？”这类追问。\n"
    "Ask PolicyQA a question (Chinese or English) about the health plans. Returns the answer text with [n] "
    "markers, `refused` (true when the documents do not say), `citations` (one per [n]: doc_id, start, end, "
    "the exact quote, district, section path) and the retrieved `passages`. Optional `districts` limits the "
    "search; optional `history` (earlier turns) lets a follow-up such as 'What about Minhang?' be resolved."
)
SEARCH = (
    "检索与查询最相关的原文段落（BM25 + 向量混合检索），不生成回答。返回 passages：doc_id、start、end、text、score（越大越相关）、"
    "district、section。\n"
    "Search the plans for the passages most relevant to `query` (hybrid BM25 + dense retrieval), without "
    "answering. Returns `passages`, best first: doc_id, start, end, text, score (higher is better), district, section."
)
SPAN = (
    "读取文件中 [start, end) 的原文及其上下文：text（== 文件原文[start:end]）、before / after（前后各约 context 个字符，按整行截断）、"
    "section（所在章节路径）、标题和所属区。用于核对 ask 返回的引用。\n"
    "Read document `doc_id` from `start` to `end` (code point offsets, as in citations) with its context. "
    "Returns `text` (== the document text[start:end]), `before`/`after` (up to `context` characters, whole "
    "lines), `section` (heading path), title and district. Use it to check or expand a citation."
)
DOCUMENTS = (
    "列出已建立索引的全部文件：doc_id、标题、所属区、字符数、章节数。\n"
    "List every indexed document. Returns `documents`: doc_id, title, district, length in characters and "
    "number of sections."
)
log = logging.getLogger("policyqa.mcp")
READ_ONLY = ToolAnnotations(read_only_hint=True, idempotent_hint=True, open_world_hint=False)


class SearchOut(BaseModel):
    passages: list[PassageOut]


class DocumentsOut(BaseModel):
    documents: list[DocumentSummary]


Question = Annotated[str, Field(description="问题 / the question, in Chinese or English")]
Districts = Annotated[
    list[str] | None, Field(description="只检索这些区，如 ['长宁区'] / only these districts, e.g. ['Changning']")
]
History = Annotated[
    list[Turn] | None,
    Field(description="之前的对话轮次 / earlier turns: [{'role': 'user'|'assistant', 'content': str}]", max_length=40),
]


T = TypeVar("T")


def _tool_call(call: Callable[[], T]) -> T:
    """``call()``; any failure becomes a tool error carrying the HTTP API's message for it (a bad
    argument, a server still loading), which the agent can read and act on."""
    try:
        return call()
    except Exception as exc:
        failure = classify(exc)
        if failure.code == "internal_error":
            log.exception("tool failed", exc_info=exc)
        raise ToolError(failure.message) from None


def build_mcp_server(engine: Callable[[], PolicyQA], lifespan: Any = None) -> MCPServer:
    """An ``MCPServer`` whose tools ask ``engine()`` (called per request, so a server can load
    its index after it starts listening)."""
    server = MCPServer(
        "policyqa", title="PolicyQA · 卫生健康规划问答", instructions=INSTRUCTIONS, version="0.1.0",
        log_level="WARNING", lifespan=lifespan,
    )

    @server.tool(name="ask", description=ASK, annotations=READ_ONLY)
    def ask(question: Question, districts: Districts = None, history: History = None) -> Annotated[CallToolResult, AnswerOut]:
        turns = [t.model_dump() for t in history] if history else None
        answer = _tool_call(lambda: service.ask(engine(), question, districts=districts, history=turns))
        return CallToolResult(  # text for the model to read (with offsets to look up), and the Answer as data
            content=[TextContent(type="text", text=answer_text(answer, offsets=True))],
            structured_content=answer.to_dict(),
        )

    @server.tool(name="search", description=SEARCH, annotations=READ_ONLY)
    def search(
        query: Annotated[str, Field(description="检索词或问题 / what to search for")],
        top_k: Annotated[int, Field(ge=1, le=MAX_TOP_K, description=f"返回段落数 / how many passages (1-{MAX_TOP_K})")] = 5,
        districts: Districts = None,
    ) -> SearchOut:
        passages = _tool_call(lambda: service.search(engine(), query, top_k=top_k, districts=districts))
        return SearchOut(passages=[PassageOut(**p.to_dict()) for p in passages])

    @server.tool(name="get_document_span", description=SPAN, annotations=READ_ONLY)
    def get_document_span(
        doc_id: Annotated[str, Field(description="文件 id（引用中的 doc_id）/ the citation's doc_id")],
        start: Annotated[int, Field(ge=0, description="起始偏移 / start offset (code points)")],
        end: Annotated[int, Field(ge=0, description="结束偏移（不含）/ end offset, exclusive")],
        context: Annotated[
            int, Field(ge=0, le=service.MAX_CONTEXT_CHARS, description="前后上下文字符数 / characters either side")
        ] = service.DEFAULT_CONTEXT_CHARS,
    ) -> SpanOut:
        return SpanOut(**_tool_call(lambda: service.document_span(engine(), doc_id, start, end, context)))

    @server.tool(name="list_documents", description=DOCUMENTS, annotations=READ_ONLY)
    def list_documents() -> DocumentsOut:
        return DocumentsOut(documents=[DocumentSummary(**d) for d in _tool_call(lambda: service.documents(engine()))])

    return server
