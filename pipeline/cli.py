"""The command line: ``python -m pipeline COMMAND``.

Each command is a module in ``pipeline/commands/`` with ``HELP`` (one line), ``add_arguments(parser)``
and ``run(args) -> int`` (the exit status). Errors a user can act on are raised as ``UserError`` and shown as
one line; no traceback reaches a user.
"""

from __future__ import annotations

import argparse
import importlib
import sys

DESCRIPTION = "Ingest scraped pages, publish the blog, render and send the Movisies-style digest."
COMMANDS = ("ingest", "digest", "subscribers", "send", "bench", "publish", "serve")


class UserError(Exception):
    """A problem the user can fix; shown as one line, exit status 2."""


def build_parser(commands: tuple[str, ...] = COMMANDS) -> argparse.ArgumentParser:
    """The parser of `commands` (all by default); each command's module is imported only when asked for."""
    parser = argparse.ArgumentParser(prog="python -m pipeline", description=DESCRIPTION)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in commands:
        module = importlib.import_module(f"pipeline.commands.{name}")
        command = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(command)
        command.set_defaults(run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    # A named command needs only its own module (the others import Pelican, MJML, rich ...: a third of a
    # second); help and unknown commands get the whole parser.
    named = tuple(argv[:1]) if argv[:1] and argv[0] in COMMANDS else COMMANDS
    args = build_parser(named).parse_args(argv)
    try:
        return args.run(args)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
