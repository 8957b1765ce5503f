"""The optional LLM generator: numbered source sentences in, a cited draft answer out.

The generator only drafts. Whatever it returns is grounded (``qa.grounding``) and verified
(``qa.verify``) before a reader sees it, and the engine falls back to the extractive answer when
the endpoint fails or too little of the draft survives. So this module's job is narrow: speak
the OpenAI chat-completions protocol that vLLM, Ollama, llama.cpp's server, Qwen and DeepSeek
all serve, keep document text fenced off as data, and turn every transport failure into one
``GeneratorError`` the engine can catch.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol, runtime_checkable
from urllib.parse import urlsplit, urlunsplit

from kernel.errors import PolicyQAError
from kernel.types import Citation, Unit
from qa.prompts import PromptTemplate

Lang = Literal["zh", "en"]
LANGS: tuple[str, ...] = ("zh", "en")

ENV_BASE_URL = "POLICYQA_LLM_BASE_URL"
ENV_MODEL = "POLICYQA_LLM_MODEL"
ENV_API_KEY = "POLICYQA_LLM_API_KEY"
ENV_TIMEOUT = "POLICYQA_LLM_TIMEOUT"
ENV_MAX_TOKENS = "POLICYQA_LLM_MAX_TOKENS"

# Local servers ignore the key, but the OpenAI client refuses to start without one.
_PLACEHOLDER_KEY = "not-needed"
_THINK_RE = re.compile(r"<think>.*?</think>", re.DOTALL | re.IGNORECASE)


class GeneratorError(PolicyQAError):
    """The LLM endpoint failed: unreachable, timed out, an HTTP error or an empty reply."""


class GeneratorUnavailableError(GeneratorError, ImportError):
    """The optional ``langchain-openai`` package is not installed."""


@dataclass(frozen=True)
class SourceSentence:
    """One numbered sentence the model may cite as ``[number]``; ``text == doc.text[start:end]``."""

    number: int
    doc_id: str
    start: int
    end: int
    text: str
    district: str | None
    section: tuple[str, ...] = ()

    @classmethod
    def from_unit(cls, number: int, unit: Unit, district: str | None) -> SourceSentence:
        """A source from a sentence or table-row unit (its ``context`` is never shown as quote)."""
        return cls(number, unit.doc_id, unit.start, unit.end, unit.text, district, unit.section)

    def to_citation(self) -> Citation:
        return Citation(self.doc_id, self.start, self.end, self.text, self.district, self.section)


@runtime_checkable
class Generator(Protocol):
    """Anything that drafts an answer citing the numbered sources as [n]."""

    def generate(self, question: str, lang: str, sources: Sequence[SourceSentence]) -> str: ...


def _fence(text: str) -> str:
    """One line, with angle brackets made harmless so no text can close the <sources> block."""
    return " ".join(text.split()).replace("<", "＜").replace(">", "＞")


def format_sources(sources: Sequence[SourceSentence]) -> str:
    """``[n] 长宁区 | 三、… › （二）… | sentence`` lines, one per source, in the given order."""
    lines = []
    for s in sources:
        section = " › ".join(_fence(h) for h in s.section) or "-"
        lines.append(f"[{s.number}] {_fence(s.district or '-')} | {section} | {_fence(s.text)}")
    return "\n".join(lines)


def check_lang(lang: str) -> Lang:
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}; got {lang!r}")
    return lang  # type: ignore[return-value]


def build_messages(question: str, lang: str, sources: Sequence[SourceSentence]) -> list[tuple[str, str]]:
    """The (role, content) chat messages for a question: system rules, then question + sources."""
    lang = check_lang(lang)
    if not sources:
        raise ValueError("the generator needs at least one source sentence")
    numbers = [s.number for s in sources]
    if len(set(numbers)) != len(numbers) or min(numbers) < 1:
        raise ValueError(f"source numbers must be distinct and >= 1; got {numbers}")
    system = PromptTemplate.load(f"system_{lang}").render()
    user = PromptTemplate.load(f"answer_{lang}").render(question=_fence(question), sources=format_sources(sources))
    return [("system", system), ("user", user)]


def clean_reply(text: str) -> str:
    """Drop reasoning blocks (``<think>…</think>``) that Qwen3 / DeepSeek-R1 style servers leave in."""
    text = _THINK_RE.sub("", text)
    if "</think>" in text.lower():
        text = text[text.lower().rindex("</think>") + len("</think>") :]
    return text.strip()


def normalise_base_url(base_url: str) -> str:
    """Validate the URL; a bare host ("http://localhost:8000") gets the usual ``/v1`` path."""
    parts = urlsplit(base_url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"LLM base URL must be http(s)://host[:port][/path]; got {base_url!r}")
    path = parts.path.rstrip("/") or "/v1"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


class OpenAICompatibleGenerator:
    """A chat-completions endpoint through langchain's ``ChatOpenAI``, imported on first use.

    ``max_tokens`` is sent as the classic ``max_tokens`` body field: ChatOpenAI would rename it
    ``max_completion_tokens``, which older vLLM, Ollama and llama.cpp servers ignore or reject.
    """

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | None = None,
        *,
        timeout: float = 30.0,
        temperature: float = 0.0,
        max_tokens: int = 512,
        max_retries: int = 1,
    ) -> None:
        if not model or not model.strip():
            raise ValueError("model must be a non-empty model name (e.g. qwen2.5:7b-instruct)")
        if timeout <= 0:
            raise ValueError(f"timeout must be > 0 seconds; got {timeout}")
        if not 0.0 <= temperature <= 2.0:
            raise ValueError(f"temperature must be within 0..2; got {temperature}")
        if max_tokens < 1:
            raise ValueError(f"max_tokens must be >= 1; got {max_tokens}")
        if max_retries < 0:
            raise ValueError(f"max_retries must be >= 0; got {max_retries}")
        self.base_url = normalise_base_url(base_url)
        self.model = model.strip()
        self.api_key = api_key or None
        self.timeout = float(timeout)
        self.temperature = float(temperature)
        self.max_tokens = int(max_tokens)
        self.max_retries = int(max_retries)
        self._chat: Any = None

    def __repr__(self) -> str:  # never show the key
        return f"OpenAICompatibleGenerator(base_url={self.base_url!r}, model={self.model!r}, timeout={self.timeout})"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> OpenAICompatibleGenerator | None:
        """Configure from POLICYQA_LLM_* variables; None when no base URL is set (generator off)."""
        env = os.environ if environ is None else environ
        base_url = env.get(ENV_BASE_URL, "").strip()
        if not base_url:
            return None
        model = env.get(ENV_MODEL, "").strip()
        if not model:
            raise GeneratorError(f"{ENV_BASE_URL} is set but {ENV_MODEL} is not; set it to the served model name")
        try:
            timeout = float(env.get(ENV_TIMEOUT, "") or 30.0)
            max_tokens = int(env.get(ENV_MAX_TOKENS, "") or 512)
            return cls(base_url, model, env.get(ENV_API_KEY) or None, timeout=timeout, max_tokens=max_tokens)
        except ValueError as exc:
            raise GeneratorError(f"bad LLM configuration in POLICYQA_LLM_* variables: {exc}") from exc

    def _client(self) -> Any:
        if self._chat is None:
            try:
                from langchain_openai import ChatOpenAI
            except ImportError as exc:
                raise GeneratorUnavailableError(
                    "the LLM generator needs langchain-openai: pip install langchain-openai"
                ) from exc
            self._chat = ChatOpenAI(
                model=self.model,
                base_url=self.base_url,
                api_key=self.api_key or _PLACEHOLDER_KEY,
                timeout=self.timeout,
                max_retries=self.max_retries,
                temperature=self.temperature,
                extra_body={"max_tokens": self.max_tokens},
                use_responses_api=False,
                streaming=False,
            )
        return self._chat

    def generate(self, question: str, lang: str, sources: Sequence[SourceSentence]) -> str:
        """The model's reply text, or GeneratorError when the endpoint fails or says nothing."""
        messages = build_messages(question, lang, sources)
        chat = self._client()
        where = f"LLM endpoint {self.base_url} (model {self.model})"
        try:
            reply = chat.invoke(messages)
        except Exception as exc:  # the transport raises openai/httpx errors; all mean "no draft"
            raise GeneratorError(f"{where} failed: {_describe(exc, self.timeout)}") from exc
        text = clean_reply(_text_of(reply.content))
        if not text:
            raise GeneratorError(f"{where} returned an empty reply")
        return text


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content blocks
        return "".join(b if isinstance(b, str) else str(b.get("text", "")) for b in content)
    return str(content or "")


def _describe(exc: Exception, timeout: float) -> str:
    name = type(exc).__name__
    if "Timeout" in name:
        return f"timed out after {timeout:g} s"
    status = getattr(exc, "status_code", None)
    if status is not None:
        return f"HTTP {status}: {_one_line(str(exc))}"
    if "Connection" in name:
        return f"could not connect ({_one_line(str(exc))})"
    return f"{name}: {_one_line(str(exc))}"


def _one_line(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
