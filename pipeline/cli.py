"""The command line: ``python -m pipeline COMMAND``.

Each command is a module in ``pipeline/commands/`` with ``HELP`` (one line), ``add_arguments(parser)``
and ``run(args) -> int`` (the exit status). Errors a user can act on are raised as ``UserError`` and shown as
one line; no traceback reaches a user: whatever else goes wrong is one line too, and ``--debug`` (before or
after the command) shows the traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback

from pipeline.errors import UserError

DESCRIPTION = (
    "Ingest scraped pages, publish the blog, render and send the Movisies-style digest, serve its sign-up."
)
COMMANDS = ("ingest", "digest", "subscribers", "send", "bounces", "serve", "bench", "publish", "preview")
EXIT_USER = 2  # a UserError: bad input, a folder that cannot be written, a lock not to be had
EXIT_INTERNAL = 70  # a fault of the pipeline itself (EX_SOFTWARE)
EXIT_INTERRUPTED = 130


def build_parser(commands: tuple[str, ...] = COMMANDS) -> argparse.ArgumentParser:
    """The parser of `commands` (all by default); each command's module is imported only when asked for."""
    parser = argparse.ArgumentParser(prog="python -m pipeline", description=DESCRIPTION)
    parser.add_argument("--debug", action="store_true", help="show the traceback of an unexpected error")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in commands:
        module = importlib.import_module(f"pipeline.commands.{name}")
        command = sub.add_parser(name, help=module.HELP, description=module.HELP)
        # SUPPRESS: a --debug before the command is not reset by the subcommand's default
        command.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="as above")
        module.add_arguments(command)
        command.set_defaults(run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    if os.environ.get("PIPELINE_END_WITH", "").isdigit():  # a child of a run: it ends with that run
        from pipeline.children import end_with_parent

        end_with_parent(int(os.environ["PIPELINE_END_WITH"]))
    argv = sys.argv[1:] if argv is None else argv
    # A named command needs only its own module (the others import Pelican, MJML, rich ...: a third of a
    # second); help and unknown commands get the whole parser.
    first = next((arg for arg in argv if arg != "--debug"), None)
    named = (first,) if first in COMMANDS else COMMANDS
    try:
        parser = build_parser(named)
    except ImportError as exc:  # a package the command needs is missing
        hint = " (the installation is incomplete: run `make install`)"
        return _unexpected(exc, "--debug" in argv, hint)
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USER
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:
        return _unexpected(exc, args.debug)


def _unexpected(exc: Exception, debug: bool, hint: str = " (run again with --debug to see where)") -> int:
    """One line for what no command expected; the traceback only with --debug."""
    if debug:
        traceback.print_exc()
    what = f"{exc.strerror}: {exc.filename}" if isinstance(exc, OSError) and exc.filename else str(exc)
    line = f"error: {type(exc).__name__}: {what}".replace("\n", " ")
    print(f"{line}{'' if debug else hint}", file=sys.stderr)
    return EXIT_INTERNAL
