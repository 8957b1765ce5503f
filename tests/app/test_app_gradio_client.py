"""The UI's API through ``gradio_client``, as a program would use it: only the named endpoints
are offered (/ask, /upload, /document_span), asking returns the Answer with its citations, and
the page's own callbacks cannot be called."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from app_helpers import LiveServer
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError

pytestmark = pytest.mark.slow

QUESTION = "长宁区到2025年要建成几个达标中医馆？"


@pytest.fixture(scope="module")
def gradio(live_server: LiveServer) -> Client:
    return Client(f"{live_server.url}/ui/", verbose=False, download_files=False)


def test_only_the_named_endpoints_are_offered(gradio: Client) -> None:
    api = gradio.view_api(return_format="dict", print_info=False)
    assert set(api["named_endpoints"]) == {"/ask", "/upload", "/document_span"}
    assert api["unnamed_endpoints"] == {}
    ask = api["named_endpoints"]["/ask"]
    assert [p["parameter_name"] for p in ask["parameters"]] == ["question", "districts", "history"]
    assert "citations" in ask["description"]
    with pytest.raises(ValueError, match="ui_send"):
        gradio.predict("中医馆", api_name="/ui_send")  # the chat button's callback is private


def test_ask_returns_the_answer_with_citations(gradio: Client, client: httpx.Client) -> None:
    answer = gradio.predict(QUESTION, api_name="/ask")
    direct = client.post("/api/ask", json={"question": QUESTION}).json()
    assert not answer["refused"] and answer["citations"]
    assert answer["answer"] == direct["answer"] and answer["citations"] == direct["citations"]
    for c in answer["citations"]:
        span = gradio.predict(c["doc_id"], c["start"], c["end"], api_name="/document_span")
        assert span["text"] == c["quote"] and span["section"] == c["section"]
    history = [{"role": "user", "content": QUESTION}, {"role": "assistant", "content": answer["answer"]}]
    follow = gradio.predict(question="那宝山呢？", history=history, api_name="/ask")
    assert "宝山" in follow["standalone_question"]


def test_mistakes_come_back_with_the_http_apis_message(gradio: Client, client: httpx.Client) -> None:
    http = client.post("/api/ask", json={"question": "中医馆", "districts": ["火星区"]}).json()["error"]["message"]
    with pytest.raises(AppError) as info:
        gradio.predict("中医馆", ["火星区"], api_name="/ask")
    assert str(info.value) == http
    with pytest.raises(AppError, match=r"start \(10\) is after end \(5\)"):
        gradio.predict("changning-2023-health-development-action-plan", 10, 5, api_name="/document_span")


def test_upload_then_ask(gradio: Client, tmp_path: Path) -> None:
    plan = tmp_path / "moonbay-clinic-plan.txt"
    plan.write_text("虚构区月湾诊所方案\n一、目标\n到2029年建成月湾诊所7家,提供夜间门诊。\n", encoding="utf-8")
    status = gradio.predict([handle_file(str(plan))], api_name="/upload")
    assert "moonbay-clinic-plan" in status
    answer = gradio.predict("月湾诊所计划建成几家？", api_name="/ask")
    assert not answer["refused"] and {c["doc_id"] for c in answer["citations"]} == {"moonbay-clinic-plan"}
