"""Questions that ask the same thing of two or more coordinated things, one question each.

"闵行的中医医院和中西医结合医院分别搬到哪儿去？" asks where each hospital moves to. Judged as
one question, a single sentence naming both hospitals (but the move of only one) covers its
words, and the other hospital's move is never looked for. Asked one conjunct at a time
("闵行的中医医院…搬到哪儿去？", "闵行的中西医结合医院…搬到哪儿去？") each finds its own
sentence, and one the plans leave open is named as such while the other is answered.

Only when the question says it asks each of them (分别, 各自, 都, 均): "X和Y" without it is
as often one thing ("医疗和养老结合"). Conjuncts are noun phrases found with jieba's
part-of-speech tags and the corpus's own compounds; places are not conjuncts (questions
about several districts are answered district by district already).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

# The question asks each conjunct: 分别 / 各自 / 都 / 均 ("是不是都要搬", "分别落在哪里").
_DISTRIBUTIVE = re.compile(r"分别|各自|都|均")
_CONJUNCTIONS = frozenset({"和", "与", "及", "以及", "跟", "同", "、"})
# Tags of words that make up a noun phrase: nouns, verbal and adjectival nouns, abbreviations.
_PHRASE_TAGS = frozenset("n nr ns nt nz ng nrt nrfg vn an j nl".split())
# A question word that opens a conjunct ("哪家医院、哪家社区卫生服务中心").
_WH_DETERMINERS = frozenset({"哪家", "哪个", "哪所", "哪些", "哪几家", "哪几个", "什么"})
_LONGEST_COMPOUND = 5  # tokens of a corpus compound a conjunct may span (中西医|结合|医院)


def asks_each(question: str) -> bool:
    """Whether the question says it asks each of several things (分别, 各自, 都, 均)."""
    return bool(_DISTRIBUTIVE.search(question))


def coordinated_questions(
    question: str,
    tokens: Sequence[str],
    tag: Callable[[str], str | None],
    attested: Callable[[str], bool],
    is_place: Callable[[str], bool],
) -> list[str]:
    """One question per conjunct of the first coordination of noun phrases, when the
    question asks each of them; [] otherwise.

    ``tokens`` is the question cut by jieba (joined, they give ``question``), ``tag`` a word's
    part of speech (None for words jieba's dictionary does not know, which count as nouns),
    ``attested`` whether the plans use a word, ``is_place`` whether a word names a region.
    """
    if not asks_each(question) or "".join(tokens) != question:
        return []
    for i, token in enumerate(tokens):
        if token not in _CONJUNCTIONS or i == 0:
            continue
        chain = _chain(tokens, i, tag, attested)
        if chain is None:
            continue
        spans = chain
        if any(all(is_place(t) for t in tokens[s:e]) for s, e in spans):
            return []  # districts: answered district by district elsewhere
        if not all(_named_in_plans(tokens[s:e], attested, is_place) for s, e in spans):
            continue  # a conjunct the plans never speak of joins clauses, not things ("模式、名字")
        first, last = spans[0][0], spans[-1][1]
        head, tail = "".join(tokens[:first]), "".join(tokens[last:])
        return [head + "".join(tokens[s:e]) + tail for s, e in spans]
    return []


def _chain(
    tokens: Sequence[str], i: int, tag: Callable[[str], str | None], attested: Callable[[str], bool]
) -> list[tuple[int, int]] | None:
    """The conjuncts around the conjunction at ``i`` ("A、B和C"), as token spans, or None
    when either side is no noun phrase."""
    left = _phrase_start(tokens, i, tag, attested)
    if left == i:
        return None
    spans = [(left, i)]
    j = i
    while j < len(tokens) and tokens[j] in _CONJUNCTIONS:
        end = _phrase_end(tokens, j + 1, tag, attested)
        if end == j + 1:
            return None
        spans.append((j + 1, end))
        j = end
    return spans


def _named_in_plans(
    tokens: Sequence[str], attested: Callable[[str], bool], is_place: Callable[[str], bool]
) -> bool:
    """Whether the plans use the conjunct, or a word of it that is no place name."""
    return attested("".join(tokens)) or any(len(t) >= 2 and not is_place(t) and attested(t) for t in tokens)


def _material(token: str, tag: Callable[[str], str | None], attested: Callable[[str], bool]) -> bool:
    """Whether a word can be part of a noun phrase: a noun by its tag, or a word jieba's
    dictionary does not know but the plans use (疗护)."""
    if not re.search(r"[\u4e00-\u9fff]", token):
        return False
    found = tag(token)
    return found in _PHRASE_TAGS or (found is None and attested(token))


def _compound(tokens: Sequence[str], attested: Callable[[str], bool]) -> bool:
    """Whether the plans use these tokens joined as one word (中西医|结合|医院), a conjunction
    not among them."""
    return not any(t in _CONJUNCTIONS for t in tokens) and attested("".join(tokens))


def _phrase_end(
    tokens: Sequence[str], start: int, tag: Callable[[str], str | None], attested: Callable[[str], bool]
) -> int:
    """Where the noun phrase starting at ``start`` ends (``start`` when there is none)."""
    p = start
    if p < len(tokens) and tokens[p] in _WH_DETERMINERS:
        p += 1
    while p < len(tokens):
        compound = next(
            (
                q
                for q in range(min(len(tokens), p + _LONGEST_COMPOUND), p + 1, -1)
                if _material(tokens[q - 1], tag, attested) and _compound(tokens[p:q], attested)
            ),
            None,
        )
        if compound is not None:
            p = compound
        elif _material(tokens[p], tag, attested):
            p += 1
        else:
            break
    return p if any(_material(t, tag, attested) for t in tokens[start:p]) else start


def _phrase_start(
    tokens: Sequence[str], end: int, tag: Callable[[str], str | None], attested: Callable[[str], bool]
) -> int:
    """Where the noun phrase ending just before ``end`` starts (``end`` when there is none)."""
    p = end
    while p > 0:
        compound = next(
            (
                q
                for q in range(max(0, p - _LONGEST_COMPOUND), p - 1)
                if _material(tokens[p - 1], tag, attested) and _compound(tokens[q:p], attested)
            ),
            None,
        )
        if compound is not None:
            p = compound
        elif _material(tokens[p - 1], tag, attested):
            p -= 1
        else:
            break
    if p > 0 and tokens[p - 1] in _WH_DETERMINERS:
        p -= 1
    return p
