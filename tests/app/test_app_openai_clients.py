"""The OpenAI-compatible API through the clients people really use: the official ``openai`` SDK
(what Open WebUI, Cherry Studio, LobeChat and Chatbox call to connect: models.list, then chat)
and LangChain's ``ChatOpenAI``, against live servers on loopback."""

from __future__ import annotations

import copy
from collections.abc import Iterator

import httpx
import openai
import pytest
from app_helpers import LiveServer, free_port, start_server
from langchain_openai import ChatOpenAI

pytestmark = pytest.mark.slow

QUESTION = "长宁区到2025年要建成几个达标中医馆？"
TOKEN = "openai-client-token-0123456789"


def _serve(qa: object, from_env: bool = True) -> LiveServer:
    from app import create_app
    from surfaces.settings import ServerSettings

    port = free_port()
    settings = ServerSettings.from_env(port=port) if from_env else ServerSettings(port=port)
    return start_server(create_app(qa, settings=settings), port)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def guarded(app_qa: object) -> Iterator[LiveServer]:
    """A token and a 40-character question limit, set in the environment as an operator would."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("POLICYQA_API_TOKEN", TOKEN)
        patch.setenv("POLICYQA_MAX_QUESTION_CHARS", "40")
        server = _serve(app_qa)
        yield server
        server.stop()


@pytest.fixture()
def sdk(guarded: LiveServer) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{guarded.url}/v1", api_key=TOKEN, max_retries=0, timeout=120)


def test_models_list_and_retrieve(sdk: openai.OpenAI) -> None:
    models = sdk.models.list()
    assert [m.id for m in models.data] == ["policyqa"]
    model = sdk.models.retrieve("policyqa")
    assert model.id == "policyqa" and model.object == "model" and model.owned_by == "policyqa"
    assert model.model_extra["mode"] == "extractive" and model.model_extra["generator"] is None


def test_unknown_model_is_openais_404(sdk: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as info:
        sdk.models.retrieve("gpt-4o")
    assert info.value.code == "model_not_found" and info.value.type == "invalid_request_error"
    assert "gpt-4o" in info.value.message and "policyqa" in info.value.message


def test_the_model_card_names_a_configured_generator(app_qa: object) -> None:
    from qa.generator import OpenAICompatibleGenerator

    engine = copy.copy(app_qa)  # the same index; only this copy has a generator (never called here)
    engine.generator = OpenAICompatibleGenerator("http://127.0.0.1:9/v1", "qwen2.5:7b-instruct")  # type: ignore[attr-defined]
    server = _serve(engine, from_env=False)  # no token
    try:
        model = openai.OpenAI(base_url=f"{server.url}/v1", api_key="unused", max_retries=0).models.retrieve("policyqa")
    finally:
        server.stop()
    assert model.model_extra["mode"] == "generative" and model.model_extra["generator"] == "qwen2.5:7b-instruct"
    assert "qwen2.5:7b-instruct" in model.model_extra["description"]


def test_chat_plain_carries_citations_as_text_and_as_data(sdk: openai.OpenAI, guarded: LiveServer) -> None:
    reply = sdk.chat.completions.create(model="policyqa", messages=[{"role": "user", "content": QUESTION}])
    content = reply.choices[0].message.content or ""
    citations = reply.model_extra["citations"]
    assert reply.model == "policyqa" and reply.choices[0].finish_reason == "stop"
    assert citations and reply.model_extra["refused"] is False
    with httpx.Client(base_url=guarded.url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=120) as c:
        direct = c.post("/api/ask", json={"question": QUESTION}).json()
    assert citations == direct["citations"] and content.startswith(direct["answer"])
    for n, c in enumerate(citations, start=1):  # the numbered source list, for clients that only show text
        assert f"[{n}]" in content and c["quote"] in content


def test_chat_stream_with_usage(sdk: openai.OpenAI) -> None:
    stream = sdk.chat.completions.create(
        model="policyqa", messages=[{"role": "user", "content": QUESTION}], stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    finals = [c for c in chunks if c.choices and c.choices[0].finish_reason == "stop"]
    assert len(finals) == 1 and finals[0].model_extra["citations"]
    assert chunks[-1].choices == [] and chunks[-1].usage.total_tokens > 0
    plain = sdk.chat.completions.create(model="policyqa", messages=[{"role": "user", "content": QUESTION}])
    assert text == plain.choices[0].message.content


def test_token_and_limits_as_on_the_api(guarded: LiveServer, sdk: openai.OpenAI) -> None:
    wrong = openai.OpenAI(base_url=f"{guarded.url}/v1", api_key="wrong-token-wrong-token", max_retries=0)
    for call in (wrong.models.list, lambda: wrong.chat.completions.create(
            model="policyqa", messages=[{"role": "user", "content": QUESTION}])):
        with pytest.raises(openai.AuthenticationError) as info:
            call()
        assert info.value.code == "unauthorized"
    with pytest.raises(openai.APIStatusError) as too_long:
        sdk.chat.completions.create(model="policyqa", messages=[{"role": "user", "content": "中医馆" * 15}])
    assert too_long.value.status_code == 413 and too_long.value.code == "question_too_long"
    with pytest.raises(openai.BadRequestError) as no_user:
        sdk.chat.completions.create(model="policyqa", messages=[{"role": "system", "content": "be brief"}])
    assert no_user.value.code == "no_user_message"


def test_langchain_chat_openai(guarded: LiveServer) -> None:
    llm = ChatOpenAI(base_url=f"{guarded.url}/v1", api_key=TOKEN, model="policyqa", max_retries=0, timeout=120)
    message = llm.invoke(QUESTION)
    assert "[1]" in message.content and "来源" in message.content
    streamed = "".join(str(chunk.content) for chunk in llm.stream(QUESTION))
    assert streamed == message.content
