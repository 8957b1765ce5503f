"""The /api routes of CONTRACT.md plus document upload jobs."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from surfaces import service
from surfaces.errors import ApiError
from surfaces.http.jobs import JobStore
from surfaces.http.schemas import (
    ERROR_RESPONSES,
    UPLOAD_RESPONSES,
    AnswerOut,
    AskRequest,
    DocumentSummary,
    HealthOut,
    JobOut,
    SpanOut,
)
from surfaces.http.uploads import receive_files
from surfaces.runtime import Runtime
from surfaces.settings import ServerSettings

_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "region": {
                            "type": "string",
                            "description": "the region the files belong to, instead of the one detected from "
                                           "their text: 杭州市西湖区, Xihu District, Hangzhou, 浙江省杭州市, or national",
                        },
                    },
                }
            }
        },
    }
}


def api_router(runtime: Runtime, settings: ServerSettings, jobs: JobStore) -> APIRouter:
    router = APIRouter(prefix="/api", responses=ERROR_RESPONSES)

    @router.get("/health", tags=["meta"], response_model=HealthOut, response_model_exclude_unset=True,
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

    @router.post("/ask", response_model=AnswerOut, response_model_exclude_unset=True, tags=["qa"])
    def post_ask(body: AskRequest) -> dict[str, Any]:
        """Answer one question with citations (the Answer object of CONTRACT.md)."""
        history = [t.model_dump() for t in body.history] if body.history else None
        answer = service.ask(
            runtime.engine(), body.question, top_k=body.top_k, districts=body.districts, id=body.id, history=history
        )
        return answer.to_dict()

    @router.get("/documents", response_model=list[DocumentSummary], tags=["documents"])
    def list_documents() -> list[dict[str, Any]]:
        """Every indexed document: id, title, district, length in characters, number of sections."""
        return service.documents(runtime.engine())

    @router.get("/documents/{doc_id}", response_model=SpanOut, response_model_exclude_unset=True, tags=["documents"])
    def get_document(
        doc_id: str,
        start: int | None = Query(default=None, ge=0, description="span start (code point offset)"),
        end: int | None = Query(default=None, ge=0, description="span end (exclusive); start <= end"),
        context: int = Query(default=service.DEFAULT_CONTEXT_CHARS, ge=0, le=service.MAX_CONTEXT_CHARS,
                             description="characters either side"),
    ) -> dict[str, Any]:
        """A span of a document with its context and section path; the whole document without
        start/end. ``start`` after ``end``, or ``end`` past the document, is 400 ``bad_range``."""
        return service.document_span(runtime.engine(), doc_id, start, end, context)

    @router.post("/documents", status_code=202, response_model=JobOut, tags=["documents"], openapi_extra=_UPLOAD_BODY,
                 responses=UPLOAD_RESPONSES)
    async def upload_documents(request: Request) -> JSONResponse:
        """Upload .txt/.md/.docx/.pdf files (field ``file``, up to 50 MB); ingest + re-index run as a job."""
        runtime.engine()  # 503 while starting, before reading a byte of the upload
        tmp = Path(tempfile.mkdtemp(prefix="policyqa-upload-"))
        try:
            paths, fields = await receive_files(request, tmp, settings.limits.max_upload_bytes)
            region = service.upload_region(fields.get("region"))
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        job = jobs.submit(paths, cleanup=tmp, region=region)
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
