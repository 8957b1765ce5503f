"""The ``policyqa`` command (the console script): one sub-command per stage, each owned by its
package; the surfaces' own (ask, answer, serve, mcp) live in ``surfaces``.

Exit status 0 on success, 2 on bad usage or bad input (one line on stderr), 1 on an
internal failure. User errors never print a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

# sub-command -> module exposing ``add_arguments(parser)`` and ``run(args) -> int``
COMMANDS: dict[str, tuple[str, str]] = {
    "ask": ("surfaces.commands.ask", "answer one question"),
    "answer": ("surfaces.commands.answer", "answer a JSONL file of questions"),
    "ingest": ("ingest.commands", "parse documents and report their units"),
    "index": ("index.commands", "build or update the search index"),
    "eval": ("eval.commands", "evaluate a question set and write a report"),
    "serve": ("app", "start the web UI and HTTP API"),
    "mcp": ("surfaces.mcp.command", "serve the MCP tools over stdio (for Claude Desktop, Cherry Studio, ...)"),
    "models": ("index.models.commands", "build the local sentence-transformers model"),
}


class _Parser(argparse.ArgumentParser):
    """argparse exits 2 on bad usage already; keep its one-line message."""


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser; only the chosen sub-command's module is imported (the others may load
    heavy libraries, such as gradio for ``serve``, that ``ask`` must not pay for)."""
    words = list(sys.argv[1:] if argv is None else argv)
    chosen = next((w for w in words if not w.startswith("-")), None)
    parser = _Parser(prog="policyqa", description="Grounded QA over Chinese health-plan documents.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name, (module_name, help_text) in COMMANDS.items():
        sub_parser = sub.add_parser(name, help=help_text, description=help_text)
        sub_parser.set_defaults(_module=module_name)
        if name == chosen:
            importlib.import_module(module_name).add_arguments(sub_parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from kernel.errors import PolicyQAError
    from kernel.offline import go_offline

    go_offline()  # before any sub-command imports a model library

    parser = build_parser(argv)
    args = parser.parse_args(argv)
    module = importlib.import_module(args._module)
    try:
        return int(module.run(args) or 0)
    except PolicyQAError as exc:
        print(f"policyqa {args.command}: {exc}", file=sys.stderr)
        return 2
    except (ValueError, FileNotFoundError) as exc:
        print(f"policyqa {args.command}: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into head/less that closed early
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (silence the flush at exit)
        return 0
    except KeyboardInterrupt:
        print("policyqa: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
