"""The OpenAI-compatible API, so existing chat clients and SDKs can use PolicyQA as a model.

``GET /v1/models`` and ``GET /v1/models/{id}`` (what chat front-ends call first to connect) list
the one model, ``policyqa``. ``POST /v1/chat/completions``: the last user message is the question.
The reply text carries the [n] markers and a numbered source list; the structured citations ride
along in an extra top-level ``citations`` field.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from surfaces import service
from surfaces.citations import answer_text
from surfaces.errors import ApiError
from surfaces.http.schemas import ERROR_RESPONSES, ChatMessage, ChatRequest, ModelList, ModelOut
from surfaces.runtime import Runtime
from surfaces.settings import ServerSettings

if TYPE_CHECKING:
    from qa import PolicyQA

STREAM_PIECE_CHARS = 24
CHAT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "a chat.completion, or with stream: true chat.completion.chunk events ending in [DONE]",
        "content": {
            "application/json": {"schema": {"type": "object"}},
            # OpenAPI 3.1: for an event stream, `schema` describes each event; `data` is a JSON chunk or [DONE]
            "text/event-stream": {"schema": {
                "type": "object", "required": ["data"],
                "properties": {"data": {"type": "string"}, "event": {"type": "string"}, "id": {"type": "string"}},
            }},
        },
    }
}


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


def _pieces(text: str, size: int = STREAM_PIECE_CHARS) -> Iterator[str]:
    for i in range(0, len(text), size):
        yield text[i : i + size]


def _sse(payload: dict[str, Any] | str) -> str:
    data = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
    return f"data: {data}\n\n"


def model_card(qa: PolicyQA, settings: ServerSettings, created: int) -> dict[str, Any]:
    """The one model this server offers, and whether an LLM phrases its answers (and which)."""
    generator = getattr(qa.generator, "model", None) if qa.generator is not None else None
    if generator:
        description = f"answers phrased by {generator} from the cited sentences; every citation verified"
    else:
        description = "extractive answers quoting the plans' own sentences; every citation verified"
    return {
        "id": settings.model_name, "object": "model", "created": created, "owned_by": "policyqa",
        "mode": "generative" if generator else "extractive", "generator": generator, "description": description,
    }


def chat_router(runtime: Runtime, settings: ServerSettings) -> APIRouter:
    router = APIRouter(prefix="/v1", responses=ERROR_RESPONSES, tags=["openai"])
    created = int(time.time())

    @router.get("/models", response_model=ModelList)
    def list_models() -> dict[str, Any]:
        """The models this server offers (one: ``policyqa``), as OpenAI clients list them to connect."""
        return {"object": "list", "data": [model_card(runtime.engine(), settings, created)]}

    @router.get("/models/{model_id}", response_model=ModelOut)
    def get_model(model_id: str) -> dict[str, Any]:
        """One model by id; an unknown id is OpenAI's 404 ``model_not_found``."""
        if model_id != settings.model_name:
            raise ApiError(404, "model_not_found", f"The model {model_id!r} does not exist; this server offers {settings.model_name!r}")
        return model_card(runtime.engine(), settings, created)

    @router.post("/chat/completions", response_model=None, responses=CHAT_RESPONSES)
    def chat_completions(body: ChatRequest) -> dict[str, Any] | StreamingResponse:
        """OpenAI-compatible chat completion (``stream: true`` for server-sent events)."""
        question, history = split_messages(body.messages)
        answer = service.ask(runtime.engine(), question, top_k=body.top_k, districts=body.districts, history=history or None)
        content = answer_text(answer)
        citations = [c.to_dict() for c in answer.citations]
        base = {"id": f"chatcmpl-{uuid.uuid4().hex}", "created": int(time.time()), "model": settings.model_name}
        usage = {"prompt_tokens": len(question), "completion_tokens": len(content),
                 "total_tokens": len(question) + len(content)}  # characters: there is no tokenizer to count with
        if not body.stream:
            return base | {
                "object": "chat.completion",
                "choices": [
                    {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
                ],
                "usage": usage,
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
            if body.stream_options is not None and body.stream_options.include_usage:
                yield _sse(chunk | {"choices": [], "usage": usage})
            yield _sse("[DONE]")

        headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
        return StreamingResponse(events(), media_type="text/event-stream", headers=headers)

    return router
