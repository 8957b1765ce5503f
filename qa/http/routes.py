"""The /api routes of CONTRACT.md plus document upload jobs."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from ingest.errors import QuestionError
from ingest.types import Answer
from qa.http import spans
from qa.http.errors import ApiError
from qa.http.jobs import JobStore
from qa.http.runtime import Runtime
from qa.http.schemas import ERROR_RESPONSES, AnswerOut, AskRequest, DocumentSummary, HealthOut, JobOut, SpanOut
from qa.http.settings import ServerSettings
from qa.http.uploads import receive_files

if TYPE_CHECKING:
    from qa import PolicyQA

_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            }
        },
    }
}


def ask(qa: PolicyQA, settings: ServerSettings, question: str, **options: Any) -> Answer:
    """Ask with the contract's error mapping: 413 for a long question, 400 for a bad one."""
    length = len(question.strip())  # as the engine counts it
    if length > settings.max_question_chars:
        raise ApiError(
            413, "question_too_long", f"question is {length} characters; the limit is {settings.max_question_chars}"
        )
    try:
        return qa.ask(question, **options)
    except QuestionError as exc:
        raise ApiError(400, "bad_question", str(exc)) from None
    except ValueError as exc:  # unknown district names
        raise ApiError(400, "bad_request", str(exc)) from None


def api_router(runtime: Runtime, settings: ServerSettings, jobs: JobStore) -> APIRouter:
    router = APIRouter(prefix="/api", responses=ERROR_RESPONSES)

    @router.get("/health", tags=["meta"], response_model=HealthOut, response_model_exclude_none=True,
                responses={503: {"model": HealthOut, "description": "still loading (starting) or the index failed to load"}})
    def health() -> JSONResponse:
        """``ok`` once the index and the model are loaded (the first answer is then warm);
        503 ``starting`` until then, 503 ``unavailable`` when loading failed."""
        status = runtime.status
        if status == "ok":
            return JSONResponse({"status": "ok", "documents": len(runtime.engine().documents())})
        body: dict[str, Any] = {"status": status}
        if status == "unavailable":
            body["error"] = {"code": "index_unavailable", "message": runtime.error}
        return JSONResponse(body, status_code=503, headers={"Retry-After": "2"} if status == "starting" else None)

    @router.post("/ask", response_model=AnswerOut, response_model_exclude_none=True, tags=["qa"])
    def post_ask(body: AskRequest) -> dict[str, Any]:
        """Answer one question with citations (the Answer object of CONTRACT.md)."""
        history = [t.model_dump() for t in body.history] if body.history else None
        answer = ask(
            runtime.engine(), settings, body.question, top_k=body.top_k, districts=body.districts, id=body.id, history=history
        )
        return answer.to_dict()

    @router.get("/documents", response_model=list[DocumentSummary], tags=["documents"])
    def list_documents() -> list[dict[str, Any]]:
        """Every indexed document: id, title, district, length in characters, number of sections."""
        return [spans.summary_of(doc) for doc in runtime.engine().documents()]

    @router.get("/documents/{doc_id}", response_model=SpanOut, response_model_exclude_none=True, tags=["documents"])
    def get_document(
        doc_id: str,
        start: int | None = Query(default=None, ge=0, description="span start (code point offset)"),
        end: int | None = Query(default=None, ge=0, description="span end (exclusive)"),
        context: int = Query(default=settings.context_chars, ge=0, le=5000, description="characters either side"),
    ) -> dict[str, Any]:
        """A span of a document with its context and section path; the whole document without start/end."""
        doc = runtime.engine().document(doc_id)
        try:
            lo, hi = spans.check_range(doc, start, end)
        except ValueError as exc:
            raise ApiError(400, "bad_range", str(exc)) from None
        out = spans.span_with_context(doc, lo, hi, context)
        if start is None and end is None:
            out["sections"] = spans.sections_of(doc)
        return out

    @router.post("/documents", status_code=202, response_model=JobOut, tags=["documents"], openapi_extra=_UPLOAD_BODY)
    async def upload_documents(request: Request) -> JSONResponse:
        """Upload .txt/.md/.docx/.pdf files (field ``file``, up to 50 MB); ingest + re-index run as a job."""
        runtime.engine()  # 503 while starting, before reading a byte of the upload
        tmp = Path(tempfile.mkdtemp(prefix="policyqa-upload-"))
        try:
            paths = await receive_files(request, tmp, settings.max_upload_bytes)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        job = jobs.submit(paths, cleanup=tmp)
        url = f"/api/jobs/{job.job_id}"
        return JSONResponse(job.to_dict() | {"status_url": url}, status_code=202, headers={"Location": url})

    @router.get("/jobs/{job_id}", response_model=JobOut, tags=["documents"])
    def get_job(job_id: str) -> dict[str, Any]:
        """Status of an upload job: queued, running, done or failed, with progress and any error."""
        job = jobs.get(job_id)
        if job is None:
            raise ApiError(404, "job_not_found", f"no such job: {job_id}")
        return job.to_dict()

    return router
