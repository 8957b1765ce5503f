"""Which organisation a later part of a question means when it leaves it out or points back
("这家医院", "它", "负责全区危急重症的那家医院"): pure functions over the question's parts and
the names the evidence gives (``qa.evidence.bridge_entities``)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from qa.evidence import bridge_key, organisations_named

POINTER_NOUN = re.compile(r"(?:这家|这所|那家|那所|该|此|这个|那个)(医院|中心|机构|站|馆|院)")


def referent(part: str, bridges: Sequence[str], evidence: str = "") -> str:
    """The organisation a later part points back to: of the kind its pronoun names
    ("这家医院" → …医院; the one ``evidence`` says what the part describes), else the first
    the evidence names."""
    return referents(part, bridges, evidence=evidence)[0]


def referents(part: str, bridges: Sequence[str], named: Sequence[str] = (), evidence: str = "") -> list[str]:
    """The organisations a later part may point back to, likeliest first: those of the kind
    its pronoun names ("这家医院" → …医院), then those the question itself names (``named``:
    "闵行中西医结合医院搬到哪？它主打哪些专科？" — 它 is the hospital asked about, not the
    park it moves to), then the rest in the evidence's order. Of those of the kind, the one
    the words before the pronoun describe comes first ("负责全区危急重症的那家医院": the
    hospital whose clause in the ``evidence`` says so)."""
    m = POINTER_NOUN.search(part)
    kind = [name for name in bridges if m and name.endswith(m.group(1))]
    if m and evidence and len(kind) > 1:
        described = _shingles(re.sub(r"^(?:其中|里面|当中)|的$", "", part[: m.start()]))
        kind.sort(key=lambda name: -max((len(described & _shingles(c)) for c in _clauses_naming(evidence, name)), default=0))
    asked = [name for name in bridges if name in named and name not in kind]
    return [*kind, *asked, *(name for name in bridges if name not in kind and name not in asked)]


def _shingles(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def _clauses_naming(text: str, name: str) -> list[str]:
    return [c for c in re.split(r"[，,；;。]", text) if name in c]


def named_in(question: str, bridge: str, districts: Sequence[str]) -> bool:
    """Whether the question names the organisation, with or without its district's name
    before it (闵行区中西医结合医院 is named by "闵行中西医结合医院")."""
    forms = {bridge, bridge_key(bridge)}
    for name in (n for d in districts for n in (d, d.removesuffix("区"))):
        forms |= {f[len(name) :] for f in list(forms) if f.startswith(name)}
    return any(len(f) >= 3 and f in question for f in forms)


def resolved(part: str, bridges: Sequence[str], evidence: str = "") -> str:
    """A later part with the organisation it points back at named: "这家医院…" → the bridge
    of that kind in place of the pointer; a bare pronoun ("它", "it") gets the first bridge
    put before it. Unchanged when the evidence names no organisation."""
    if not bridges:
        return part
    m = POINTER_NOUN.search(part)
    if m:
        return part[: m.start()] + referent(part, bridges, evidence) + part[m.end() :]
    return f"{bridges[0]} {part}"


_BARE_POINTER = re.compile(r"^(?:那么?|那)?\s*(?:它们?的?|其)|^(?:and\s+)?(?:what\s+(?:does|do|did|will)\s+)?(?:it|its|they|their)\b", re.I)


def without_pointer(part: str) -> str | None:
    """A later part that opens with a bare pronoun ("那它对…有啥硬指标", "its …"), without it:
    the pronoun may point at the district or its plan, so the part can be asked on its own.
    None when it points at an organisation by name ("这家医院…"), or nowhere at the start."""
    if POINTER_NOUN.search(part):
        return None
    m = _BARE_POINTER.match(part.strip())
    return part.strip()[m.end() :].strip() if m and m.end() > 0 else None


# Words that say what kind of body something is, not which one (分中心, 社区医院, 服务站).
_KIND_OF_BODY = re.compile(r"社区卫生服务中心|卫生服务中心|服务中心|服务站|社区|医院|中心|小组|委员会|机构|单位|[区市县新分大该这那]")


def specific(name: str) -> bool:
    """Whether a name says which body (中西医结合医院, 医改领导小组), not only what kind of
    body it is (分中心, 社区医院): the subject a later part leaves out is a particular one."""
    return len(_KIND_OF_BODY.sub("", name)) >= 2


def carried_subject(first: str, attested: Callable[[str], bool]) -> str:
    """The organisation or body a question's first part names that its later parts may leave
    out (Chinese drops a subject while it stays the same): the longest name the plans use
    that says which one; "" when it names none."""
    named = [n for n in organisations_named(first, attested, bodies=True) if attested(n) and specific(n)]
    return max(named, key=len) if named else ""


# a body named by its kind alone, which a part may use for a subject of its own
_BODY_KIND = re.compile(r"医院|中心|机构|单位|小组")


def names_a_body(part: str) -> bool:
    """Whether a part names an organisation or body of its own, by name or by kind."""
    return bool(organisations_named(part, bodies=True) or _BODY_KIND.search(part))
