"""``python -m pipeline ingest SRC --out CONTENT --report REPORT.json``."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable
from pathlib import Path

from pipeline import fsio
from pipeline.errors import UserError
from pipeline.ingest import batch, cache, published, report
from pipeline.ingest.overrides import OverrideError

HELP = "Turn scraped pages (.txt, .html) into Pelican Markdown articles, with a report of every removed line."
PROGRESS_FROM = 20  # batches at least this large show a progress bar


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", type=Path, metavar="SRC", help="folder of scraped pages")
    parser.add_argument("--out", type=Path, required=True, metavar="CONTENT", help="Pelican content folder")
    parser.add_argument("--report", type=Path, metavar="REPORT.json", help="where to write the JSON report")
    parser.add_argument(
        "--max-bytes",
        type=int,
        default=batch.Config.max_bytes,
        help="reject files larger than this (default: %(default)s)",
    )
    parser.add_argument(
        "--jobs",
        type=_positive,
        default=os.cpu_count() or 1,
        metavar="N",
        help="work on pages in N processes; 1 works in this process (default: %(default)s, the CPUs)",
    )
    parser.add_argument(
        "--cache",
        type=Path,
        metavar="DIR",
        help="keep each page's result in DIR and take unchanged pages from it (default: no cache)",
    )
    parser.add_argument("--quiet", action="store_true", help="no table, only rejections")


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"not a number of processes (1 or more): {text!r}")
    return int(text)


def run(args: argparse.Namespace) -> int:
    """Exit status 0 when every page became an article, 1 when some were rejected."""
    return 0 if ingest(args).rejected == 0 else 1


def ingest(args: argparse.Namespace) -> batch.Result:
    """The ingest, holding the locks of what it writes (content and source folders, cache, report); what it
    did."""
    if not args.source.is_dir():
        raise UserError(f"{args.source} is not a folder")
    pages = [name for name, why in batch.candidates(args.source) if why is None]
    # what it writes: the content folder, the cache, the report, and the record of first publications
    written = [args.out, args.source, *(path for path in (args.cache, args.report) if path)]
    with fsio.locked(written, "ingest"):
        fsio.sweep(args.out, args.cache)
        fsio.sweep_beside(args.source / published.FILE_NAME)
        if args.report:
            fsio.sweep_beside(args.report)
        return _ingest(args, pages)


def _ingest(args: argparse.Namespace, pages: list[str]) -> batch.Result:
    config = batch.Config(args.source, args.out, max_bytes=args.max_bytes)
    try:
        published.record(args.source, pages, published.today())
    except published.StateError as exc:
        raise UserError(str(exc)) from None
    total = len(pages)
    with report.Shown(table=not args.quiet) as shown:
        try:
            with contextlib.ExitStack() as stack:
                store = stack.enter_context(cache.Store(args.cache)) if args.cache else None
                stream = report.Stream(args.report) if args.report else None
                if stream:
                    stack.callback(stream.discard)  # a no-op once it is closed
                result = batch.run(
                    config,
                    progress=_progress_bar(stack, total),
                    jobs=args.jobs,
                    store=store,
                    report=_both(stream.add, shown.add) if stream else shown.add,
                )
                if stream:
                    stream.close(result.ignored)
        except OverrideError as exc:
            raise UserError(str(exc)) from None
        report.show(result, shown, quiet=args.quiet)
    return result


def _progress_bar(stack: contextlib.ExitStack, total: int) -> Callable[[str], None] | None:
    """A transient bar on the terminal for a batch of PROGRESS_FROM pages or more, advanced a page at a time.

    None where stderr is no terminal (a pipe, a file): a bar would show nothing there, and its thread is
    not started (the worker processes are then forked, see workers._context); nor is rich imported."""
    if total < PROGRESS_FROM or not sys.stderr.isatty():
        return None
    from rich.console import Console
    from rich.progress import Progress

    errors = Console(stderr=True)
    if not errors.is_interactive:
        return None
    progress = stack.enter_context(Progress(console=errors, transient=True))
    task = progress.add_task("ingest", total=total)
    return lambda _source: progress.advance(task)


def _both(
    first: Callable[[batch.Outcome], None], second: Callable[[batch.Outcome], None]
) -> Callable[[batch.Outcome], None]:
    def both(outcome: batch.Outcome) -> None:
        first(outcome)
        second(outcome)

    return both
