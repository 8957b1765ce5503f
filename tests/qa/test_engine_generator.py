"""PolicyQA with the optional generator: a scripted OpenAI-compatible server on loopback
stands in for the protocol; the real index and extractive evidence supply the sources."""

from __future__ import annotations

import pytest
from fake_openai import FakeOpenAI, Reply

from qa.engine import PolicyQA
from qa.generator import OpenAICompatibleGenerator

pytestmark = pytest.mark.slow
QUESTION = "长宁到2025年要建成几个达标中医馆?"


@pytest.fixture
def generating_qa(policyqa, server: FakeOpenAI) -> PolicyQA:  # type: ignore[no-untyped-def]
    generator = OpenAICompatibleGenerator(server.base_url, "fake-qwen", timeout=2.0, max_retries=0)
    return PolicyQA(policyqa.index, index_dir=policyqa._index_dir, corpus_dir=policyqa._corpus_dir, generator=generator)


def test_well_cited_generation_is_returned_with_verified_citations(generating_qa, server) -> None:  # type: ignore[no-untyped-def]
    server.script("长宁区到2025年完成达标中医馆10个，达标中医阁6个[1]。")
    answer = generating_qa.ask(QUESTION)
    assert answer.mode == "generated"
    assert answer.answer == "长宁区到2025年完成达标中医馆10个，达标中医阁6个[1]。"
    assert "中医馆10个" in answer.citations[0].quote
    assert "[1]" in server.requests[-1]["messages"][-1]["content"]


def test_miscited_generation_falls_back_to_the_extractive_answer(generating_qa, policyqa, server) -> None:  # type: ignore[no-untyped-def]
    server.script("长宁区到2025年完成达标中医馆99个[1]。")
    answer = generating_qa.ask(QUESTION)
    assert answer.mode == "extractive-fallback"
    assert answer.answer == policyqa.ask(QUESTION).answer
    assert any("kept 0/1" in note for note in answer.notes)


def test_endpoint_failure_falls_back_and_says_so(generating_qa, server) -> None:  # type: ignore[no-untyped-def]
    server.script(Reply(status=500))
    answer = generating_qa.ask(QUESTION)
    assert answer.mode == "extractive-fallback" and not answer.refused
    assert any("generator failed" in note for note in answer.notes)
