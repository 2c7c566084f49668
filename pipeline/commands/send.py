"""``python -m pipeline send``: send a rendered edition to every subscriber, resuming where a run stopped."""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path

from pipeline.digest import subscribers as db
from pipeline.digest.config import load_config
from pipeline.digest.publish import load_rendered
from pipeline.digest.send import Ledger, Report, Sender, exclusive, send_edition, send_test, stop_on_signals
from pipeline.plural import count

HELP = "send a rendered edition by SMTP, never twice to anyone (safe to run again after a stop)"
EXIT_REJECTED = 1  # the run finished, but the server refused some recipients of the edition for good
EXIT_IN_DOUBT = 3  # the run finished, but some deliveries of this edition are in doubt (listed)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--edition", type=int, required=True, help="the edition number to send")
    parser.add_argument("--dir", type=Path, help="where `digest` wrote it (default: DIGEST_OUTPUT/<N>)")
    parser.add_argument("--dry-run", action="store_true", help="list who would get it; send nothing")
    parser.add_argument("--test-to", metavar="ADDRESS", help="send one [TEST] message to ADDRESS only")
    parser.add_argument(
        "--resend-in-doubt",
        action="store_true",
        help="also send again to the recipients whose delivery is in doubt (they may get it twice)",
    )
    parser.add_argument("--settings", type=Path, default=Path("publishconf.py"), help="Pelican settings file")


def run(args: argparse.Namespace) -> int:
    config = load_config(args.settings)
    rendered = load_rendered(args.dir or config.output / str(args.edition), args.edition)
    if args.test_to:
        message_id = send_test(Sender(config, rendered), args.test_to)
        print(f"sent a test of edition {args.edition} to {args.test_to}: {message_id}")
        return 0
    with db.database(config.database) as conn:
        if args.dry_run:
            return _dry_run(conn, args.edition, args.resend_in_doubt)
        with exclusive(config.database), stop_on_signals() as stop:
            return _send(conn, Sender(config, rendered, stop=stop), args.resend_in_doubt)


def _dry_run(conn: sqlite3.Connection, edition: int, resend_in_doubt: bool) -> int:
    todo = Ledger(conn, edition).pending(resend_in_doubt)
    for subscriber in todo:
        print(subscriber.email)
    who = count(len(todo), "subscriber", "subscribers")
    print(f"dry run: edition {edition} would go to {who}; nothing was sent")
    return 0


def _send(conn: sqlite3.Connection, sender: Sender, resend_in_doubt: bool) -> int:
    """Run, then say what happened in any case: each rejection and doubt on stderr, the summary on stdout."""
    report = Report()
    try:
        send_edition(conn, sender, report, resend_in_doubt=resend_in_doubt)
    finally:
        _tell(report, sender.rendered.number)
    if report.stopped_by is not None:
        print("stopped after the message in flight; run the same command again to resume", file=sys.stderr)
        return 128 + report.stopped_by
    if report.in_doubt:
        return EXIT_IN_DOUBT
    return EXIT_REJECTED if report.rejected else 0


def _tell(report: Report, number: int) -> None:
    for email, reply in report.rejected:
        print(f"rejected {email}: {reply}", file=sys.stderr)
    for email, why in report.in_doubt:
        print(f"in doubt {email}: {why}", file=sys.stderr)
    summary = (
        f"edition {number}: {len(report.accepted)} accepted now, {report.earlier} done before, "
        f"{len(report.rejected)} rejected, {len(report.in_doubt)} in doubt"
    )
    if report.in_doubt:
        summary += (
            " (they may or may not have it, and are not sent again; "
            f"`send --edition {number} --resend-in-doubt` sends it to them once more)"
        )
    print(summary)
