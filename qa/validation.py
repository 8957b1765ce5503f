"""Reject questions that cannot be asked, with a message that says why."""

from __future__ import annotations

import os
import unicodedata

from ingest.errors import QuestionError

MAX_QUESTION_CHARS = 2000


def max_question_chars() -> int:
    """The question length limit: ``POLICYQA_MAX_QUESTION_CHARS`` or 2000 (checked by ServerSettings)."""
    raw = os.environ.get("POLICYQA_MAX_QUESTION_CHARS", "").strip()
    return int(raw) if raw.isdigit() and int(raw) > 0 else MAX_QUESTION_CHARS


def validate_question(question: object, max_chars: int | None = None) -> str:
    """The question, stripped; ``QuestionError`` if it is not a usable question.

    Control characters other than ordinary whitespace are refused rather than silently
    dropped: they usually mean binary data or a broken client, not a question.
    """
    if not isinstance(question, str):
        raise QuestionError(f"the question must be text, not {type(question).__name__}")
    text = question.strip()
    max_chars = max_chars or max_question_chars()
    if not text:
        raise QuestionError("the question is empty")
    if len(text) > max_chars:
        raise QuestionError(f"the question is {len(text)} characters long; the limit is {max_chars}")
    bad = [ch for ch in text if unicodedata.category(ch) in ("Cc", "Cs", "Co") and ch not in "\t\n\r"]
    if bad:
        raise QuestionError(f"the question contains control characters (e.g. U+{ord(bad[0]):04X})")
    if not any(ch.isalnum() for ch in text):
        raise QuestionError("the question contains no words")
    return text
