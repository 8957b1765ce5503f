"""``POST /v1/chat/completions`` in the OpenAI format, so existing chat clients can use PolicyQA.

The last user message is the question. The reply text carries the [n] markers and a numbered
source list; the structured citations ride along in an extra top-level ``citations`` field.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from ingest.types import Answer
from qa.http.errors import ApiError
from qa.http.routes import ask
from qa.http.schemas import ERROR_RESPONSES, ChatMessage, ChatRequest
from qa.http.settings import ServerSettings

if TYPE_CHECKING:
    from qa import PolicyQA

STREAM_PIECE_CHARS = 24


def _text(message: ChatMessage) -> str:
    if isinstance(message.content, list):  # content parts: keep the text ones
        return "".join(str(p.get("text", "")) for p in message.content if p.get("type") == "text")
    return message.content or ""


def split_messages(messages: list[ChatMessage]) -> tuple[str, list[dict[str, str]]]:
    """(the last user message, the user and assistant turns before it as history)."""
    for i in range(len(messages) - 1, -1, -1):
        if messages[i].role == "user":
            history = [
                {"role": m.role, "content": _text(m)} for m in messages[:i] if m.role in ("user", "assistant")
            ]
            return _text(messages[i]), history
    raise ApiError(400, "no_user_message", "messages must contain at least one message with role 'user'")


def message_text(answer: Answer) -> str:
    """The answer with its [n] markers, then one line per cited source."""
    if not answer.citations:
        return answer.answer
    heading = "Sources:" if answer.lang == "en" else "来源："
    lines = [answer.answer, "", heading]
    for n, c in enumerate(answer.citations, start=1):
        where = " › ".join(c.section)
        place = " · ".join(x for x in (c.district or "", c.doc_id, where) if x)
        lines.append(f"[{n}] {place}: “{c.quote}”")
    return "\n".join(lines)


def _pieces(text: str, size: int = STREAM_PIECE_CHARS) -> Iterator[str]:
    for i in range(0, len(text), size):
        yield text[i : i + size]


def _sse(payload: dict[str, Any] | str) -> str:
    data = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
    return f"data: {data}\n\n"


def chat_router(qa: PolicyQA, settings: ServerSettings) -> APIRouter:
    router = APIRouter(prefix="/v1", responses=ERROR_RESPONSES, tags=["openai"])

    @router.post("/chat/completions", response_model=None)
    def chat_completions(body: ChatRequest) -> dict[str, Any] | StreamingResponse:
        """OpenAI-compatible chat completion (``stream: true`` for server-sent events)."""
        question, history = split_messages(body.messages)
        answer = ask(qa, settings, question, top_k=body.top_k, districts=body.districts, history=history or None)
        content = message_text(answer)
        citations = [c.to_dict() for c in answer.citations]
        base = {"id": f"chatcmpl-{uuid.uuid4().hex}", "created": int(time.time()), "model": body.model}
        if not body.stream:
            return base | {
                "object": "chat.completion",
                "choices": [
                    {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
                ],
                "usage": {"prompt_tokens": len(question), "completion_tokens": len(content),
                          "total_tokens": len(question) + len(content)},
                "citations": citations,
                "refused": answer.refused,
            } | ({"standalone_question": answer.standalone_question} if answer.standalone_question else {})

        def events() -> Iterator[str]:
            chunk = base | {"object": "chat.completion.chunk"}
            yield _sse(chunk | {"choices": [{"index": 0, "delta": {"role": "assistant", "content": ""},
                                              "finish_reason": None}]})
            for piece in _pieces(content):
                yield _sse(chunk | {"choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]})
            yield _sse(chunk | {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
                                "citations": citations, "refused": answer.refused})
            yield _sse("[DONE]")

        headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
        return StreamingResponse(events(), media_type="text/event-stream", headers=headers)

    return router
