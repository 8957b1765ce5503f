"""Request and response bodies, strict so a wrong type is a 422 rather than a silent coercion."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr


class Turn(BaseModel):
    """One earlier turn of a conversation."""

    model_config = ConfigDict(extra="forbid")

    role: Literal["user", "assistant", "system"]
    content: StrictStr


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: StrictStr
    top_k: StrictInt | None = Field(default=None, ge=1, le=50)
    districts: list[StrictStr] | None = None
    id: StrictStr | None = None
    history: list[Turn] | None = Field(default=None, max_length=40)


class CitationOut(BaseModel):
    doc_id: str
    start: int
    end: int
    quote: str
    district: str | None = None
    section: list[str] = []


class PassageOut(BaseModel):
    doc_id: str
    start: int
    end: int
    text: str
    score: float
    district: str | None = None
    section: list[str] = []


class AnswerOut(BaseModel):
    """The Answer object of CONTRACT.md."""

    id: str | None = None
    question: str
    answer: str
    refused: bool
    citations: list[CitationOut]
    passages: list[PassageOut]
    timings_ms: dict[str, float]
    lang: str = "zh"
    mode: str = "extractive"
    notes: list[str] = []
    standalone_question: str | None = None


class DocumentSummary(BaseModel):
    doc_id: str
    title: str
    district: str | None
    chars: int
    sections: int


class SectionOut(BaseModel):
    heading: str
    level: int
    path: list[str]
    start: int
    end: int


class SpanOut(BaseModel):
    """A span of a document with the text around it; ``text == document.text[start:end]``."""

    doc_id: str
    title: str
    district: str | None
    chars: int
    start: int
    end: int
    text: str
    before: str
    after: str
    context_start: int
    context_end: int
    section: list[str]
    sections: list[SectionOut] | None = None


class JobOut(BaseModel):
    job_id: str
    status: Literal["queued", "running", "done", "failed"]
    progress: float
    stage: str
    files: list[str]
    doc_ids: list[str]
    replaced: list[str] = Field(default_factory=list, description="doc_ids that replaced an indexed document")
    error: dict[str, str] | None = None
    created: float
    finished: float | None = None


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: StrictStr
    content: StrictStr | list[dict[str, Any]] | None = None


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="allow")

    include_usage: StrictBool = False


class ChatRequest(BaseModel):
    """OpenAI chat-completions request; unknown OpenAI options are accepted and ignored."""

    model_config = ConfigDict(extra="allow")

    model: StrictStr = "policyqa"
    messages: list[ChatMessage] = Field(min_length=1)
    stream: StrictBool = False
    stream_options: StreamOptions | None = None
    top_k: StrictInt | None = Field(default=None, ge=1, le=50)
    districts: list[StrictStr] | None = None


class ModelOut(BaseModel):
    """An OpenAI model object; ``mode`` and ``generator`` say how answers are written."""

    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str
    mode: Literal["extractive", "generative"]
    generator: str | None = Field(description="the LLM that phrases answers, when one is configured")
    description: str


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelOut]


class ErrorDetail(BaseModel):
    code: str
    message: str


class HealthOut(BaseModel):
    status: Literal["ok", "starting", "unavailable"]
    documents: int | None = Field(default=None, description="indexed documents, once ok")
    error: ErrorDetail | None = Field(default=None, description="why loading failed, when unavailable")


class ErrorOut(BaseModel):
    error: ErrorDetail


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "bad JSON, empty question or unknown district"},
    404: {"model": ErrorOut, "description": "unknown document or job"},
    413: {"model": ErrorOut, "description": "question over 2,000 characters or upload over the limit"},
    422: {"model": ErrorOut, "description": "a field has the wrong type or value"},
}
