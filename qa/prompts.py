"""Prompt templates: text files in the ``prompts`` package with declared variables.

Prompts live in files so that wording can be reviewed and changed without touching code, and
each declares its variables so a template and the code that fills it cannot drift apart
silently: a placeholder that is not declared, a declared variable that is never used, a
missing value or an unexpected one is an error that lists what was expected.

File format::

    # comment lines describe the prompt
    variables: question, sources
    ---
    body with {{ question }} and {{ sources }} placeholders

Values are substituted in a single pass, so a value that itself contains ``{{ x }}`` (text from
a document, say) is inserted literally and never expanded.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources

PLACEHOLDER_RE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_NAME_RE = re.compile(r"^[A-Za-z0-9_]+$")
PROMPTS_PACKAGE = "prompts"


@dataclass(frozen=True)
class PromptTemplate:
    """A parsed prompt file: its name, declared variables and body."""

    name: str
    variables: tuple[str, ...]
    body: str

    def __post_init__(self) -> None:
        used = set(PLACEHOLDER_RE.findall(self.body))
        declared = set(self.variables)
        if len(declared) != len(self.variables):
            raise ValueError(f"prompt {self.name!r} declares a variable twice: {', '.join(self.variables)}")
        if used - declared:
            raise ValueError(
                f"prompt {self.name!r} uses undeclared variables: {', '.join(sorted(used - declared))}; "
                f"declared: {_list(self.variables)}"
            )
        if declared - used:
            raise ValueError(
                f"prompt {self.name!r} declares variables its body never uses: {', '.join(sorted(declared - used))}"
            )

    @classmethod
    def parse(cls, name: str, text: str) -> PromptTemplate:
        """Parse the header (comments, ``variables:`` line, ``---``) and the body."""
        header, sep, body = text.replace("\r\n", "\n").partition("\n---\n")
        if not sep:
            raise ValueError(f"prompt {name!r} has no '---' line ending its header")
        variables: tuple[str, ...] | None = None
        for line in header.splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            key, colon, value = line.partition(":")
            if not colon or key.strip() != "variables":
                raise ValueError(f"prompt {name!r}: unexpected header line {line!r}; allowed: 'variables: a, b'")
            variables = tuple(v.strip() for v in value.split(",") if v.strip())
        if variables is None:
            raise ValueError(f"prompt {name!r} does not declare its variables ('variables: a, b' header line)")
        return cls(name=name, variables=variables, body=body.strip("\n") + "\n")

    @classmethod
    def load(cls, name: str) -> PromptTemplate:
        """Load ``prompts/<name>.txt`` from the installed ``prompts`` package."""
        if not _NAME_RE.match(name):
            raise ValueError(f"prompt name {name!r} must be letters, digits and underscores; available: "
                             f"{', '.join(available_prompts())}")
        resource = resources.files(PROMPTS_PACKAGE).joinpath(f"{name}.txt")
        if not resource.is_file():
            raise ValueError(f"no prompt named {name!r}; available: {', '.join(available_prompts())}")
        return cls.parse(name, resource.read_text(encoding="utf-8"))

    def check(self, values: Mapping[str, object]) -> None:
        """Raise ValueError naming expected, missing and unknown variables if ``values`` do not fit."""
        missing = [v for v in self.variables if v not in values]
        unknown = sorted(k for k in values if k not in self.variables)
        if missing or unknown:
            parts = [f"prompt {self.name!r} expects variables: {_list(self.variables)}"]
            if missing:
                parts.append(f"missing: {', '.join(missing)}")
            if unknown:
                parts.append(f"unknown: {', '.join(unknown)}")
            raise ValueError("; ".join(parts))
        for key in self.variables:
            if not isinstance(values[key], str):
                raise TypeError(f"prompt {self.name!r}: variable {key!r} must be str, got {type(values[key]).__name__}")

    def render(self, **values: str) -> str:
        """Fill every placeholder after checking the values; never expands text inside values."""
        self.check(values)
        return PLACEHOLDER_RE.sub(lambda m: values[m.group(1)], self.body)


def available_prompts() -> list[str]:
    """Names of the prompt files shipped in the ``prompts`` package."""
    root = resources.files(PROMPTS_PACKAGE)
    return sorted(p.name[: -len(".txt")] for p in root.iterdir() if p.name.endswith(".txt"))


def _list(names: tuple[str, ...]) -> str:
    return ", ".join(names) if names else "(none)"
