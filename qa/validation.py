"""Reject questions that cannot be asked, with a message that says why."""

from __future__ import annotations

import unicodedata

from kernel.errors import QuestionError, QuestionTooLongError
from kernel.limits import limits

MAX_TOP_K = 50  # passages one answer or search may return


def validate_top_k(top_k: object) -> int:
    """``top_k`` as an int in [1, MAX_TOP_K]; ``ValueError`` saying the range otherwise."""
    if not 1 <= int(top_k) <= MAX_TOP_K:  # type: ignore[call-overload]
        raise ValueError(f"top_k must be between 1 and {MAX_TOP_K}, got {top_k}")
    return int(top_k)  # type: ignore[call-overload]


def validate_question(question: object, max_chars: int | None = None) -> str:
    """The question, stripped; ``QuestionError`` if it is not a usable question.

    Control characters other than ordinary whitespace are refused rather than silently
    dropped: they usually mean binary data or a broken client, not a question.
    """
    if not isinstance(question, str):
        raise QuestionError(f"the question must be text, not {type(question).__name__}")
    text = question.strip()
    max_chars = max_chars or limits().max_question_chars
    if not text:
        raise QuestionError("the question is empty")
    if len(text) > max_chars:
        raise QuestionTooLongError(len(text), max_chars)
    bad = [ch for ch in text if unicodedata.category(ch) in ("Cc", "Cs", "Co") and ch not in "\t\n\r"]
    if bad:
        raise QuestionError(f"the question contains control characters (e.g. U+{ord(bad[0]):04X})")
    if not any(ch.isalnum() for ch in text):
        raise QuestionError("the question contains no words")
    return text
