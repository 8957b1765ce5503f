"""Limits and the API token, on live servers: configured from the environment, enforced on
every route, refused with the contract's JSON errors, and checked by content for uploads."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from app_helpers import LiveServer, free_port, start_server
from sample_files import zip_bytes

from kernel.limits import KB, MB
from surfaces.settings import ServerSettings

pytestmark = pytest.mark.slow

TOKEN = "s3cret-token-for-tests-0123456789"


def _serve(app_qa: object, settings: ServerSettings) -> LiveServer:
    from app import create_app

    port = free_port()
    return start_server(create_app(app_qa, settings=settings), port)  # type: ignore[arg-type]


def _error(response: httpx.Response, status: int) -> dict[str, str]:
    assert response.status_code == status, (response.status_code, response.text[:300])
    body = response.json()
    assert set(body) == {"error"} and body["error"]["code"] and body["error"]["message"]
    return body["error"]


@pytest.fixture(scope="module")
def guarded(app_qa: object) -> Iterator[LiveServer]:
    """Token required, small limits: 1 KB JSON bodies, 40-character questions (set in the
    environment, as an operator would: the engine reads the question limit there too)."""
    env = {"POLICYQA_API_TOKEN": TOKEN, "POLICYQA_MAX_BODY_KB": "1", "POLICYQA_MAX_QUESTION_CHARS": "40"}
    with pytest.MonkeyPatch.context() as patch:
        for key, value in env.items():
            patch.setenv(key, value)
        server = _serve(app_qa, ServerSettings.from_env(port=free_port()))
        yield server
        server.stop()


# -- settings from the environment ------------------------------------------------------------

def test_settings_come_from_the_environment() -> None:
    settings = ServerSettings.from_env(
        {"POLICYQA_MAX_UPLOAD_MB": "3", "POLICYQA_MAX_QUESTION_CHARS": "120", "POLICYQA_MAX_BODY_KB": "8",
         "POLICYQA_API_TOKEN": f"  {TOKEN} "}
    )
    limits = settings.limits
    assert (limits.max_upload_bytes, limits.max_question_chars, limits.max_body_bytes) == (3 * MB, 120, 8 * KB)
    assert settings.api_token == TOKEN and TOKEN not in repr(settings)
    defaults = ServerSettings.from_env({})
    assert defaults.host == "127.0.0.1" and defaults.api_token is None  # loopback unless told otherwise
    assert (defaults.limits.max_upload_bytes, defaults.limits.max_body_bytes) == (50 * MB, 256 * KB)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"POLICYQA_MAX_UPLOAD_MB": "lots"}, "POLICYQA_MAX_UPLOAD_MB must be a whole number, got 'lots'"),
        ({"POLICYQA_MAX_BODY_KB": "-1"}, "POLICYQA_MAX_BODY_KB must be positive, got -1"),
        ({"POLICYQA_MAX_QUESTION_CHARS": "0"}, "POLICYQA_MAX_QUESTION_CHARS must be positive, got 0"),
        ({"POLICYQA_API_TOKEN": "short"}, "the API token must be at least 16 characters long"),
    ],
)
def test_bad_settings_are_refused_with_the_variable_named(env: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError) as info:
        ServerSettings.from_env(env)
    assert str(info.value) == message


def test_app_py_exits_2_with_one_line_for_a_bad_setting(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    import app

    monkeypatch.setenv("POLICYQA_MAX_UPLOAD_MB", "lots")
    assert app.main(["--port", str(free_port())]) == 2
    assert capsys.readouterr().err.strip() == "app.py: POLICYQA_MAX_UPLOAD_MB must be a whole number, got 'lots'"


# -- the token ----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong-token-wrong-token"}, {"Authorization": TOKEN}, {"X-API-Key": "nope"}],
    ids=["none", "wrong", "no-scheme", "wrong-key"],
)
def test_api_routes_need_the_token(guarded: LiveServer, headers: dict[str, str]) -> None:
    with httpx.Client(base_url=guarded.url, timeout=60, headers=headers) as c:
        for method, path, kwargs in (
            ("POST", "/api/ask", {"json": {"question": "中医馆"}}),
            ("GET", "/api/documents", {}),
            ("GET", "/api/jobs/abc", {}),
            ("POST", "/api/documents", {"files": {"file": ("a.txt", "一、目标".encode())}}),
            ("POST", "/v1/chat/completions", {"json": {"messages": [{"role": "user", "content": "中医馆"}]}}),
            ("GET", "/v1/models", {}),
        ):
            response = c.request(method, path, **kwargs)
            assert _error(response, 401)["code"] == "unauthorized", path
            assert response.headers["www-authenticate"].startswith("Bearer")


def test_the_token_opens_the_api_and_health_stays_open(guarded: LiveServer) -> None:
    with httpx.Client(base_url=guarded.url, timeout=120) as c:
        assert c.get("/api/health").status_code == 200
        assert c.get("/openapi.json").status_code == 200
        for headers in ({"Authorization": f"Bearer {TOKEN}"}, {"X-API-Key": TOKEN}):
            response = c.post("/api/ask", json={"question": "长宁区中医馆建设目标"}, headers=headers)
            assert response.status_code == 200 and response.json()["citations"], response.text[:300]
            assert c.get("/api/documents", headers=headers).status_code == 200


def test_the_ui_asks_for_the_token_as_its_password(guarded: LiveServer) -> None:
    with httpx.Client(base_url=guarded.url, timeout=60) as c:
        assert c.get("/ui/config").status_code == 401
        assert c.post("/ui/login", data={"username": "staff", "password": "wrong"}).status_code in (400, 401)
        assert c.get("/ui/config").status_code == 401
        assert c.post("/ui/login", data={"username": "staff", "password": TOKEN}).status_code == 200
        assert c.get("/ui/config").status_code == 200  # the session cookie now lets the UI load


# -- limits ---------------------------------------------------------------------------------------

def test_a_body_over_the_limit_is_refused_before_it_is_parsed(guarded: LiveServer) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    big = b'{"question": "' + "中".encode() * 800 + b'"}'
    with httpx.Client(base_url=guarded.url, timeout=60, headers=headers) as c:
        declared = _error(c.post("/api/ask", content=big), 413)
        assert declared["code"] == "body_too_large" and "1024" in declared["message"]

        def chunks() -> Iterator[bytes]:  # no Content-Length: the server must count as it reads
            for i in range(0, len(big), 256):
                yield big[i : i + 256]

        streamed = _error(c.post("/api/ask", content=chunks()), 413)
        assert streamed["code"] == "body_too_large"
        assert c.post("/api/ask", json={"question": "中医馆"}).status_code == 200  # small bodies still pass


def test_the_question_limit_is_configurable(guarded: LiveServer) -> None:
    with httpx.Client(base_url=guarded.url, timeout=60, headers={"Authorization": f"Bearer {TOKEN}"}) as c:
        error = _error(c.post("/api/ask", json={"question": "中医馆" * 15}), 413)
        assert error["code"] == "question_too_long" and "45" in error["message"] and "40" in error["message"]


# -- upload type by content --------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("plan.txt", b"%PDF-1.7\n" + b"x" * 100, "looks like a PDF file"),
        ("plan.pdf", "一、目标\n建设社区中医馆。".encode(), "not a PDF"),
        ("plan.docx", zip_bytes({"payload.exe": b"MZ"}), "without word/document.xml"),
        ("plan.md", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "looks like a PNG image"),
    ],
)
def test_uploads_are_judged_by_content_at_the_door(
    client: httpx.Client, name: str, data: bytes, says: str
) -> None:
    before = [d["doc_id"] for d in client.get("/api/documents").json()]
    error = _error(client.post("/api/documents", files={"file": (name, data)}), 415)
    assert error["code"] == "unsupported_document" and says in error["message"] and name in error["message"]
    assert [d["doc_id"] for d in client.get("/api/documents").json()] == before
