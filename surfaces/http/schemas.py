"""Request and response bodies, strict so a wrong type is a 422 rather than a silent coercion.

What the published schema says is what the validation layer accepts (a schema-valid body is
never a 422); rules no schema can state (a question made of words, a district that exists, a
span inside its document) are the engine's, answered with a clear 400.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, StrictStr

from qa.validation import MAX_TOP_K


def _whole_number(value: object) -> object:
    """JSON Schema's ``integer``: 7 and 7.0 (a JSON number with no fraction) are the same value;
    7.5, "7" and true are not integers. (Pydantic's strict int refuses 7.0; its lax int takes "7".)"""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be a whole number")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(f"must be a whole number, got {value}")
        return int(value)
    return value


TopK = Annotated[int, Field(ge=1, le=MAX_TOP_K), BeforeValidator(_whole_number)]  # how many passages to return
# Published so a schema-valid question is not blank; whether it has words is the engine's 400.
QUESTION_SCHEMA: dict[str, Any] = {"minLength": 1, "pattern": "\\S"}
OPENAI_ROLES = Literal["system", "developer", "user", "assistant", "tool", "function"]


class Turn(BaseModel):
    """One earlier turn of a conversation."""

    model_config = ConfigDict(extra="forbid")

    role: Literal["user", "assistant", "system"]
    content: StrictStr


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: StrictStr = Field(json_schema_extra=QUESTION_SCHEMA)
    top_k: TopK | None = None
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


class RegionOut(BaseModel):
    """Where a document belongs (CONTRACT.md "Regions"): any part may be null."""

    province: str | None = None
    city: str | None = None
    district: str | None = None


class DocumentSummary(BaseModel):
    doc_id: str
    title: str
    district: str | None
    region: RegionOut
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

    role: OPENAI_ROLES
    content: StrictStr | list[dict[str, Any]] | None = None


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="allow")

    include_usage: StrictBool = False


class ChatRequest(BaseModel):
    """OpenAI chat-completions request; unknown OpenAI options are accepted and ignored."""

    model_config = ConfigDict(extra="allow")

    model: StrictStr = "policyqa"
    messages: list[ChatMessage] = Field(
        min_length=1,
        description="the conversation; the last user message is the question (400 no_user_message without one)",
        json_schema_extra={"contains": {"type": "object", "properties": {"role": {"const": "user"}}, "required": ["role"]}},
    )
    stream: StrictBool = False
    stream_options: StreamOptions | None = None
    top_k: TopK | None = None
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
    400: {"model": ErrorOut, "description": "bad JSON, a question without words, an unknown district, a bad span"},
    401: {"model": ErrorOut, "description": "the API token is required (POLICYQA_API_TOKEN) and missing or wrong"},
    404: {"model": ErrorOut, "description": "unknown document, job, model or route"},
    413: {"model": ErrorOut, "description": "question over the limit (2,000 characters) or body over its limit"},
    422: {"model": ErrorOut, "description": "a field has the wrong type or value"},
    503: {"model": ErrorOut, "description": "still loading the index and model (starting), or the index is unavailable"},
}
UPLOAD_RESPONSES: dict[int | str, dict[str, Any]] = {
    415: {"model": ErrorOut, "description": "the file's content is not .txt, .md, .docx or .pdf"},
}
