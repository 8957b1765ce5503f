"""The last gate before an answer leaves the system: every claim must be a checkable citation.

It runs on every answer, extractive or generated, because a citation whose quote does not match
its offsets, or a sentence with no citation at all, is exactly the failure a reader cannot see.
The clause and marker helpers here are shared with ``qa.grounding`` so that what the grounding
step keeps is, by construction, what this verifier accepts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

from kernel.errors import PolicyQAError
from kernel.types import Answer, Document

MARKER_RE = re.compile(r"\[(\d+)\]")
_MARKER_RUN_RE = re.compile(r"(?:[ \t]*\[\d+\])+")
_CLOSERS = "\"'”’」』）)》】"
_OPENERS = "“「『《（(【"
_PAIR_CLOSERS = "”」』》）)】"
# Hard clause ends. "." only ends a clause when it is not inside a number ("2.5") and is
# followed by a space, a newline, a marker or the end of the text.
_TERMINATORS = frozenset("。；;!?！？\n")
_ENUMERATOR_RE = re.compile(r"^\s*(?:\d{1,2}[.、)）]|[（(]\d{1,2}[)）]|[-*•·]|[一二三四五六七八九十]+[、.])\s*")
_CONTENT_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaffA-Za-z]")
_CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_WORD_RE = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")
_REFUSAL_RE = re.compile(
    r"未提及|没有提及|并未提及|未提到|没有提到|未说明|没有说明|未明确|没有明确|未涉及|没有涉及|没有相关|无相关|"
    r"未作(?:出)?(?:规定|说明)|未提出|没有提出|未设定|未规定|未列出|未包含|未见|均未|并未|无此类|没有此类|"
    r"\b(?:do(?:es)?|did)\s+not\s+(?:say|state|mention|specify|cover|address|contain)|"
    r"\b(?:do(?:es)?|did)\s+not\s+(?:set|include|propose|list)\b|\bno\s+such\b|"
    r"\b(?:don't|doesn't)\s+(?:say|state|mention|specify)|\bno\s+(?:information|mention)\b|\bnot\s+(?:stated|mentioned|specified)\b",
    re.IGNORECASE,
)
# A leading summary ("两个区：", "Two districts did so.") states nothing a citation could hold.
_SUMMARY_MAX_UNITS = 12


@dataclass(frozen=True)
class Clause:
    """A span of answer text that makes at most one claim; ``text == source[start:end]``."""

    text: str
    start: int
    end: int
    markers: tuple[int, ...]

    @property
    def body(self) -> str:
        """The clause without its markers or list enumerator: what the claim says."""
        return _ENUMERATOR_RE.sub("", MARKER_RE.sub("", self.text), count=1).strip()


def find_markers(text: str) -> list[int]:
    """Every ``[n]`` in ``text`` in order, repeats included (``[1][3]`` gives ``[1, 3]``)."""
    return [int(m.group(1)) for m in MARKER_RE.finditer(text)]


def _is_clause_end(text: str, i: int) -> bool:
    ch = text[i]
    if ch in _TERMINATORS:
        return True
    if ch != ".":
        return False
    nxt = text[i + 1] if i + 1 < len(text) else ""
    prev = text[i - 1] if i > 0 else ""
    if prev.isdigit() and nxt.isdigit():
        return False
    if text[text.rfind("\n", 0, i) + 1 : i].strip().isdigit():  # "1. " list enumerator
        return False
    return nxt == "" or nxt.isspace() or nxt == "["


def split_clauses(text: str) -> list[Clause]:
    """Cut ``text`` into clauses at 。；;.!? and newlines, but not inside quotes or brackets.

    Markers written after the punctuation ("…10个。[1]") and closing quotes belong to the
    clause they follow, so they are absorbed before the cut. Spans are contiguous: joining
    every clause's text gives back ``text`` (whitespace joins the clause after it).
    """
    clauses: list[Clause] = []
    start = 0
    i = 0
    n = len(text)
    depth = 0  # inside “quotes”, 《titles》 or (parentheses) a ；or 。 does not end the clause
    in_ascii_quote = False
    while i < n:
        ch = text[i]
        if ch == "\n":
            depth, in_ascii_quote = 0, False
        elif ch in _OPENERS:
            depth += 1
        elif ch in _PAIR_CLOSERS:
            depth = max(depth - 1, 0)
        elif ch == '"':
            in_ascii_quote = not in_ascii_quote
        if (depth or in_ascii_quote) and ch != "\n" or not _is_clause_end(text, i):
            i += 1
            continue
        j = i + 1
        while j < n and (text[j] in _CLOSERS or (text[j] in _TERMINATORS and text[j] != "\n")):
            j += 1
        run = _MARKER_RUN_RE.match(text, j)
        if run:
            j = run.end()
            if j < n and text[j] in "。.;；":  # "…10个[1]。" after an earlier terminator
                j += 1
        if text[start:j].strip():  # whitespace alone joins the clause that follows it
            clauses.append(_clause(text, start, j))
            start = j
        i = j
    if text[start:].strip():
        clauses.append(_clause(text, start, n))
    elif clauses:  # trailing whitespace stays with the last clause
        clauses[-1] = _clause(text, clauses[-1].start, n)
    return clauses


def _clause(text: str, start: int, end: int) -> Clause:
    span = text[start:end]
    return Clause(span, start, end, tuple(find_markers(span)))


def has_content(text: str) -> bool:
    """Whether text holds words (CJK or Latin), not just punctuation, numbers and markers."""
    return bool(_CONTENT_RE.search(MARKER_RE.sub("", text)))


def is_refusal(text: str) -> bool:
    """Whether the clause says the documents do not state something (文件中未提及… / do not say)."""
    return bool(_REFUSAL_RE.search(text))


def is_lead_in(clause: Clause) -> bool:
    """A clause that only introduces what follows: it ends with a colon."""
    return clause.body.rstrip().endswith(("：", ":"))


def content_units(text: str) -> int:
    """A rough length in meaning: CJK characters plus Latin words."""
    plain = MARKER_RE.sub("", text)
    return len(_CJK_RE.findall(plain)) + len(_WORD_RE.findall(plain))


def needs_citation(clause: Clause, index: int, clauses: list[Clause]) -> bool:
    """Whether this clause states something from the documents and so must carry a marker.

    Exempt: fragments without words, colon lead-ins, refusal sentences and 未提及 notes, and a
    short leading summary ("两个区。") when the clauses after it are cited.
    """
    if clause.markers:
        return True
    if not has_content(clause.text) or is_lead_in(clause) or is_refusal(clause.text):
        return False
    if index == 0 and len(clauses) > 1 and content_units(clause.body) <= _SUMMARY_MAX_UNITS:
        return not any(c.markers for c in clauses[1:])
    return True


def _check_span(kind: str, label: str, doc_id: str, start: int, end: int, text: str,
                documents: Mapping[str, Document]) -> list[str]:
    doc = documents.get(doc_id)
    if doc is None:
        return [f"{kind} {label}: unknown doc_id {doc_id!r}"]
    if not (0 <= start < end <= len(doc.text)):
        return [f"{kind} {label}: offsets {start}:{end} outside {doc_id} (length {len(doc.text)})"]
    actual = doc.text[start:end]
    if actual != text:
        at = next((k for k, (a, b) in enumerate(zip(text, actual, strict=False)) if a != b), min(len(text), len(actual)))
        return [f"{kind} {label}: text does not match {doc_id}[{start}:{end}] from character {at} "
                f"(has {_short(text[at:])!r}, document has {_short(actual[at:])!r})"]
    return []


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def verify_answer(answer: Answer, documents: Mapping[str, Document]) -> list[str]:
    """Every problem that makes ``answer`` unprovable; an empty list means it may be returned.

    Checks: each [n] resolves to ``citations[n-1]``; each citation is referenced; markers are
    numbered by first appearance; every quote and passage equals the document text at its
    offsets; every clause that states something carries a marker.
    """
    problems: list[str] = []
    if not answer.answer.strip():
        problems.append("answer text is empty")
    count = len(answer.citations)
    markers = find_markers(answer.answer)
    for n in sorted(set(markers)):
        if not 1 <= n <= count:
            problems.append(f"marker [{n}] has no citation (answer has {count})")
    referenced = set(markers)
    for i in range(1, count + 1):
        if i not in referenced:
            problems.append(f"citation {i} is never referenced by a [{i}] marker")
    first_seen = [n for k, n in enumerate(markers) if n not in markers[:k] and 1 <= n <= count]
    if first_seen != sorted(first_seen):
        problems.append(f"markers are not numbered by first appearance: {first_seen}")
    for i, c in enumerate(answer.citations, start=1):
        problems += _check_span("citation", str(i), c.doc_id, c.start, c.end, c.quote, documents)
    for i, p in enumerate(answer.passages, start=1):
        problems += _check_span("passage", str(i), p.doc_id, p.start, p.end, p.text, documents)
    clauses = split_clauses(answer.answer)
    for k, clause in enumerate(clauses):
        if needs_citation(clause, k, clauses) and not clause.markers:
            problems.append(f"clause without a citation: {_short(clause.text.strip())!r}")
    return problems


class VerificationError(PolicyQAError):
    """An answer failed verification; ``problems`` lists every reason."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = tuple(problems)
        head = "; ".join(problems[:3]) + (f"; and {len(problems) - 3} more" if len(problems) > 3 else "")
        super().__init__(f"answer failed verification: {head}")


def ensure_verified(answer: Answer, documents: Mapping[str, Document]) -> Answer:
    """Return ``answer`` unchanged if it verifies, else raise ``VerificationError``."""
    problems = verify_answer(answer, documents)
    if problems:
        raise VerificationError(problems)
    return answer


def single_clause(text: str, lang: str = "zh") -> str:
    """``text`` as one clause of an answer: its own sentence and clause ends (“…；…分别是多少”)
    become commas, so the verifier does not read its pieces as uncited statements."""
    sep = "," if lang == "en" else "，"
    flat = re.sub(r"[。；;！!？?]+|\.(?=\s|$)", sep, text.rstrip("?？。.；;"))
    return re.sub(r"\s+", " ", flat).strip("，, ")


def quoted_fallback(answer: Answer, documents: Mapping[str, Document]) -> Answer:
    """What to return when a composed answer fails verification (a composing bug, which the
    caller should not pay for with an error): the citations that check out, quoted as the
    answer, each with its marker; with none, a refusal that keeps the passages. The notes
    say the answer was replaced, and why."""
    problems = verify_answer(answer, documents)
    if not problems:
        return answer
    cited = [c for c in answer.citations if not _check_span("citation", "", c.doc_id, c.start, c.end, c.quote, documents)]
    passages = tuple(p for p in answer.passages if not _check_span("passage", "", p.doc_id, p.start, p.end, p.text, documents))
    note = "verification failed, answer replaced by its quotes: " + "; ".join(problems[:3])
    en = answer.lang == "en"
    if cited:
        flat = [single_clause(c.quote, answer.lang) for c in cited]
        if en:
            text = "The plans state: " + "; ".join(f"“{q}” [{i}]" for i, q in enumerate(flat, start=1)) + "."
        else:
            text = "文件原文：" + "；".join(f"{q}[{i}]" for i, q in enumerate(flat, start=1)) + "。"
        replaced = replace(answer, answer=text, citations=tuple(cited), passages=passages, notes=(*answer.notes, note))
    else:
        text = ("The documents do not say this in a form that could be checked, and the closest passages are listed below."
                if en else "文件中未提及可核验的回答，下列相关段落仅供参考。")
        replaced = replace(answer, answer=text, refused=True, citations=(), passages=passages, notes=(*answer.notes, note))
    return ensure_verified(replaced, documents)
