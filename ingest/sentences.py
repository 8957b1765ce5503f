"""Sentence spans: split on 。！？； and line ends, never inside brackets or quotes.

A 。 inside （…） or “…” belongs to the bracketed text, so splitting there would cut a
citation in half. Nesting is tracked per line and reset at every line end, so one
unbalanced bracket can swallow at most the rest of its own line.

A line with no terminator at all (an unpunctuated paste, a PDF text layer, a file whose only
line end is a lone CR) would otherwise be one sentence of any length, quoted whole as a
citation and packed whole into a chunk. Such runs are cut at MAX_SENTENCE_CHARS, after the
last comma-like break in the second half of the window when there is one.
"""

from __future__ import annotations

from collections.abc import Sequence

from ingest.spans import Span, in_regions, line_spans, trim

TERMINATORS = frozenset("。！？；")
ASCII_TERMINATORS = frozenset("!?;")
OPENERS: dict[str, str] = {
    "（": "）",
    "(": ")",
    "【": "】",
    "《": "》",
    "“": "”",
    "‘": "’",
    "「": "」",
    "『": "』",
    "〔": "〕",
    "[": "]",
    "〈": "〉",
}
CLOSERS = frozenset(OPENERS.values())
MAX_DEPTH = 16
# Longer than any sentence in the bundled plans (under 300), no longer than a chunk's MAX_CHARS.
MAX_SENTENCE_CHARS = 400
SOFT_BREAKS: tuple[str, ...] = ("，", "、", "：", ",", ":", " ", "\u3000", "\t", "\r")


def split_sentences(text: str, skip: Sequence[Span] = ()) -> list[Span]:
    """Trimmed, non-empty sentence spans in order; lines starting inside ``skip`` are left out."""
    starts = [s for s, _ in skip]
    spans: list[Span] = []
    for ls, le in line_spans(text):
        s, e = trim(text, ls, le)
        if s == e or in_regions(skip, starts, s):
            continue
        spans.extend(split_line(text, s, e))
    return spans


def split_line(text: str, start: int, end: int) -> list[Span]:
    """Sentence spans within one line ``text[start:end]`` (which holds no newline)."""
    spans: list[Span] = []
    stack: list[str] = []
    sentence_start = start
    i = start
    while i < end:
        ch = text[i]
        if ch == '"':
            if stack and stack[-1] == '"':
                stack.pop()
            elif len(stack) < MAX_DEPTH:
                stack.append('"')
        elif ch in OPENERS:
            if len(stack) < MAX_DEPTH:
                stack.append(OPENERS[ch])
        elif ch in CLOSERS:
            if ch in stack:  # close it and anything left open inside it
                while stack.pop() != ch:
                    pass
        elif not stack and _ends_sentence(text, i, end):
            j = i + 1
            while j < end and (text[j] in TERMINATORS or text[j] in ASCII_TERMINATORS):
                j += 1
            spans.extend(bounded(text, sentence_start, j))
            sentence_start = j
            i = j
            continue
        i += 1
    spans.extend(bounded(text, sentence_start, end))
    return spans


def bounded(text: str, start: int, end: int, limit: int = MAX_SENTENCE_CHARS) -> list[Span]:
    """``text[start:end]`` trimmed, as one span, or as pieces of at most ``limit`` characters."""
    if limit < 2:
        raise ValueError(f"limit must be >= 2 characters; got {limit}")
    pieces: list[Span] = []
    start, end = trim(text, start, end)
    while end - start > limit:
        window_end = start + limit
        soft = max(text.rfind(ch, start + limit // 2, window_end) for ch in SOFT_BREAKS)
        cut = soft + 1 if soft >= 0 else window_end
        s, e = trim(text, start, cut)
        if s < e:
            pieces.append((s, e))
        start, _ = trim(text, cut, end)
    if start < end:
        pieces.append((start, end))
    return pieces


def _ends_sentence(text: str, i: int, end: int) -> bool:
    ch = text[i]
    if ch in TERMINATORS:
        return True
    if ch in ASCII_TERMINATORS:
        # "a?b=1" or "x;y" inside a URL or code is not a sentence end.
        nxt = text[i + 1] if i + 1 < end else " "
        return nxt.isspace() or not nxt.isascii()
    return False
