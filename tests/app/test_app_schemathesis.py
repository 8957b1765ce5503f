"""Schemathesis against a live server: no request the OpenAPI schema admits, or nearly admits,
may make the server fail (5xx), every refusal is the contract's JSON error, and the published
schema and the server agree (statuses, content types, bodies; schema-valid requests are not
validation errors, schema-invalid ones are refused).

The hand-written app tests cover the requests someone thought of; these generate them from
``GET /openapi.json`` (valid and invalid bodies, query values, path ids, multipart uploads) and
send them over loopback to a real uvicorn server, as a client would. Random text rarely gets
past the question checks or names a real document, so two variants steer generated cases into
the engine: plausible questions, and the ids of documents that exist. Uploads re-index, so the
server runs on its own engine, index copy and uploads folder: nothing fuzzed here leaks into
the index the other app tests use.

Schemathesis's pytest entry point (``from_fixture(...).parametrize()``) breaks under pytest 9
(it assigns ``Function._nodeid``), so each operation's strategy (``as_strategy``) drives a plain
Hypothesis test and ``case.validate_response`` runs the checks.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import requests
import schemathesis
from app_helpers import LiveServer, free_port, start_server
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from private_index import private_engine
from schemathesis import GenerationMode
from schemathesis.checks import CheckContext, not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = pytest.mark.slow

EXAMPLES_PER_OPERATION = 40  # per operation and variant
UPLOAD_EXAMPLES = 8  # each accepted upload re-indexes (about 2 s)
REQUEST_TIMEOUT = 120.0  # seconds; a request may wait while an upload job swaps the index
JOB_TIMEOUT = 300.0

FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,  # the same cases on every run, so a failure reproduces
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

# Every operation in the schema with the variants fuzzed for it (see test_every_operation_is_fuzzed).
# "questions": positive cases carrying a plausible question; "known-ids": the id of a real document,
# with valid and invalid query values. Health, the document list and job ids accept any input, so
# they have no negative variant (Hypothesis would find nothing to generate).
CASES = (
    ("GET", "/api/health", "positive"),
    ("GET", "/api/documents", "positive"),
    ("POST", "/api/ask", "positive"),
    ("POST", "/api/ask", "negative"),
    ("POST", "/api/ask", "questions"),
    ("POST", "/api/documents", "positive"),
    ("POST", "/api/documents", "negative"),
    ("GET", "/api/documents/{doc_id}", "positive"),
    ("GET", "/api/documents/{doc_id}", "negative"),
    ("GET", "/api/documents/{doc_id}", "known-ids"),
    ("GET", "/api/jobs/{job_id}", "positive"),
    ("POST", "/v1/chat/completions", "positive"),
    ("POST", "/v1/chat/completions", "negative"),
    ("POST", "/v1/chat/completions", "questions"),
    ("GET", "/v1/models", "positive"),
    ("GET", "/v1/models/{model_id}", "positive"),
)
STEERED = ("questions", "known-ids")  # these must reach the engine: at least one 2xx

WORDS = (
    "哪些区", "提出了", "中医馆", "建设目标", "2025年", "家庭医生", "签约率", "宝山区", "长宁区", "浦东新区",
    "社区卫生服务中心", "健康", "多少", "是什么", "？", "?", "，", " ", "what", "target", "hospital",
    "How many", "Changning", "in 2025", "的", "和", "不", "%", "1", "10个", "(二)", "三、",
)
PRINTABLE = st.characters(exclude_categories=("Cc", "Cs", "Co", "Cn"))  # what the question checks accept
DISTRICTS = ("长宁区", "宝山区", "浦东新区", "Changning", "Baoshan", "火星区", "")
HEADINGS = ("", "一、", "二、", "(一)", "（二）", "1.", "第一章 ", "# ", "## ", "- ", "|")
ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "gb18030")


@pytest.fixture(scope="module")
def fuzz_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """The real engine on its own copy of the shared test index, with its own uploads folder."""
    with private_engine(tmp_path_factory.mktemp("schemathesis-home")) as qa:
        yield qa


@pytest.fixture(scope="module")
def fuzz_server(fuzz_engine: object) -> Iterator[LiveServer]:
    from app import create_app
    from surfaces.settings import ServerSettings

    port = free_port()
    server = start_server(create_app(fuzz_engine, settings=ServerSettings(port=port)), port)  # type: ignore[arg-type]
    try:
        with httpx.Client(base_url=server.url, timeout=REQUEST_TIMEOUT, trust_env=False) as client:
            assert client.post("/api/ask", json={"question": "热身"}).status_code == 200  # loads the model once
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def openapi(fuzz_server: LiveServer) -> dict[str, Any]:
    """The schema as the server publishes it, fetched here so that schemathesis fetches nothing."""
    with httpx.Client(base_url=fuzz_server.url, timeout=30, trust_env=False) as client:
        response = client.get("/openapi.json")
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def api_schema(openapi: dict[str, Any], fuzz_server: LiveServer) -> schemathesis.BaseSchema:
    config = schemathesis.Config.from_dict({
        "base-url": fuzz_server.url,
        "checks": {"positive_data_acceptance": {"expected-statuses": BUSINESS_STATUSES}},
    })
    return schemathesis.openapi.from_dict(openapi, config=config)


@pytest.fixture(scope="module")
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        session.trust_env = False  # no proxy from the environment: loopback only
        yield session


def assert_error_body(content: bytes, path: str = "/api/") -> None:
    """``content`` is JSON ``{"error": {"code": str, "message": str}}`` and nothing else (under
    ``/v1/`` also OpenAI's ``type`` and ``param``, which OpenAI clients read)."""
    try:
        body = json.loads(content)
    except ValueError:
        raise AssertionError(f"error body is not JSON: {content[:200]!r}") from None
    assert isinstance(body, dict) and set(body) == {"error"}, f"error body has the wrong shape: {body!r}"
    error = body["error"]
    keys = {"code", "message"} | ({"type", "param"} if path.startswith("/v1/") else set())
    assert isinstance(error, dict) and set(error) == keys, f"error has the wrong keys: {error!r}"
    assert all(isinstance(error[k], str) and error[k] for k in ("code", "message")), f"error code/message not text: {error!r}"


def error_is_contract_json(ctx: CheckContext, response: schemathesis.Response, case: schemathesis.Case) -> None:
    """A schemathesis check: every 4xx/5xx answer is the contract's JSON error."""
    if response.status_code >= 400:
        assert_error_body(response.content, case.operation.path)


# The schema and the server agree: what the schema admits is never a validation error (422), what
# it refuses is refused, every status, content type and body is the one published. A
# schema-valid request may still be a 400 for a rule no schema states (a question without
# words, an unknown district, a span past its document's end) or a 404 for an unknown id.
CHECKS = [
    not_a_server_error, error_is_contract_json, status_code_conformance, content_type_conformance,
    response_schema_conformance, negative_data_rejection, positive_data_acceptance,
]
BUSINESS_STATUSES = ["2xx", "400", "404"]


def wait_for_jobs(base_url: str, job_ids: list[str]) -> list[dict[str, Any]]:
    """The final state of every job, polling until each is done or failed."""
    finished = []
    deadline = time.monotonic() + JOB_TIMEOUT
    with httpx.Client(base_url=base_url, timeout=30, trust_env=False) as client:
        for job_id in job_ids:
            while True:
                response = client.get(f"/api/jobs/{job_id}")
                assert response.status_code == 200, response.text
                job = response.json()
                if job["status"] in ("done", "failed"):
                    finished.append(job)
                    break
                assert time.monotonic() < deadline, f"job {job_id} still {job['status']} after {JOB_TIMEOUT}s"
                time.sleep(0.2)
    return finished


def assert_jobs_failed_cleanly(jobs: list[dict[str, Any]]) -> None:
    """An upload the engine cannot take fails with a domain error, never an internal one (a 500 in disguise)."""
    for job in jobs:
        if job["status"] == "failed":
            error = job["error"]
            assert set(error) == {"code", "message"} and error["message"], f"job {job['job_id']}: {error!r}"
            assert error["code"] != "internal_error", f"job {job['job_id']} {job['files']} failed: {error!r}"


def test_every_operation_is_fuzzed(openapi: dict[str, Any]) -> None:
    """A route added to the API must be added to CASES, or it would go unfuzzed without a word."""
    published = {f"{method.upper()} {path}" for path, ops in openapi["paths"].items() for method in ops}
    assert published == {f"{method} {path}" for method, path, _ in CASES}


def documents() -> st.SearchStrategy[tuple[str, bytes]]:
    """A file name and the bytes of a small plain-text or Markdown "policy" in an encoding real
    files arrive in; lines start like headings and list items so the section parser has work."""
    words = st.lists(st.sampled_from(WORDS) | st.text(PRINTABLE, max_size=4), max_size=8).map("".join)
    line = st.builds(lambda heading, rest: heading + rest, st.sampled_from(HEADINGS), words)
    text = st.lists(line, min_size=1, max_size=12).map("\n".join)
    stem = st.sampled_from(("plan", "计划", "a b", "..x", "草案(1)"))
    return st.builds(
        lambda s, suffix, t, encoding: (s + suffix, t.encode(encoding)),
        stem, st.sampled_from((".txt", ".md")), text, st.sampled_from(ENCODINGS),
    )


def test_uploaded_documents_never_break_the_server(fuzz_server: LiveServer) -> None:
    """Plausible uploads get past the upload checks (random bytes seldom do), so these reach
    ingest, re-indexing, the span route and retrieval over the new document. Run before the
    schema fuzzing, so that the index its questions search holds these documents too."""
    with httpx.Client(base_url=fuzz_server.url, timeout=REQUEST_TIMEOUT, trust_env=False) as client:

        @settings(FUZZ_SETTINGS, max_examples=UPLOAD_EXAMPLES)
        @given(doc=documents())
        def upload(doc: tuple[str, bytes]) -> None:
            name, data = doc
            response = client.post("/api/documents", files={"file": (name, data, "text/plain")})
            assert response.status_code < 500, response.text
            if response.status_code != 202:
                assert_error_body(response.content)
                return
            (job,) = wait_for_jobs(fuzz_server.url, [response.json()["job_id"]])
            assert_jobs_failed_cleanly([job])
            for doc_id in job["doc_ids"]:
                span = client.get(f"/api/documents/{doc_id}")
                assert span.status_code == 200, span.text
                answer = client.post("/api/ask", json={"question": span.json()["text"][:200] or "?"})
                assert answer.status_code < 500, answer.text

        upload()


def questions() -> st.SearchStrategy[str]:
    """Questions made of policy words, numbers and punctuation, with the odd random character."""
    piece = st.sampled_from(WORDS) | st.text(PRINTABLE, min_size=1, max_size=3)
    return st.lists(piece, min_size=1, max_size=12).map("".join)


def with_question(case: schemathesis.Case, question: str, districts: list[str]) -> schemathesis.Case:
    """``case`` asking ``question`` (as the ask body's question, or a last user message for chat),
    limited to ``districts`` when there are any."""
    body = dict(case.body)
    if "messages" in body:
        body["messages"] = [*body["messages"], {"role": "user", "content": question}]
    else:
        body["question"] = question
    if districts:
        body["districts"] = districts
    else:
        body.pop("districts", None)
    case.body = body
    return case


def steered(
    operation: schemathesis.APIOperation, variant: str, doc_ids: list[str]
) -> st.SearchStrategy[schemathesis.Case]:
    if variant == "questions":
        return st.builds(
            with_question,
            operation.as_strategy(GenerationMode.POSITIVE),
            questions(),
            st.lists(st.sampled_from(DISTRICTS), max_size=3),
        )
    assert variant == "known-ids", variant
    return st.sampled_from(doc_ids).flatmap(
        lambda doc_id: st.one_of(
            [operation.as_strategy(mode, path_parameters={"doc_id": doc_id}) for mode in GenerationMode]
        )
    )


def run_cases(strategy: st.SearchStrategy[schemathesis.Case], call: Callable[[schemathesis.Case], None]) -> None:
    @FUZZ_SETTINGS
    @given(case=strategy)
    def fuzz(case: schemathesis.Case) -> None:
        call(case)

    fuzz()


@pytest.mark.parametrize(("method", "path", "variant"), CASES, ids=[f"{m} {p} {v}" for m, p, v in CASES])
def test_no_server_errors(
    api_schema: schemathesis.BaseSchema,
    http: requests.Session,
    fuzz_server: LiveServer,
    method: str,
    path: str,
    variant: str,
) -> None:
    operation = api_schema[path][method]
    if variant in STEERED:
        doc_ids = [d["doc_id"] for d in http.get(f"{fuzz_server.url}/api/documents", timeout=30).json()]
        strategy = steered(operation, variant, doc_ids)
    else:
        strategy = operation.as_strategy(GenerationMode(variant))
    statuses: Counter[int] = Counter()
    job_ids: list[str] = []

    def call(case: schemathesis.Case) -> None:
        response = case.call(session=http, timeout=REQUEST_TIMEOUT)
        statuses[response.status_code] += 1
        if response.status_code == 202:
            job_ids.append(json.loads(response.content)["job_id"])
        case.validate_response(response, checks=CHECKS)

    run_cases(strategy, call)
    assert_jobs_failed_cleanly(wait_for_jobs(fuzz_server.url, job_ids))
    if variant in STEERED:
        assert any(200 <= s < 300 for s in statuses), f"never reached the engine: {dict(statuses)}"
