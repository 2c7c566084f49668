"""``python -m pipeline send``: send a rendered edition to every subscriber, resuming where a run stopped."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline.cli import UserError
from pipeline.digest import subscribers as db
from pipeline.digest.config import load_config
from pipeline.digest.publish import load_rendered
from pipeline.digest.send import Report, Sender, exclusive, pending, send_edition, send_test
from pipeline.plural import count

HELP = "send a rendered edition by SMTP, once per subscriber (safe to run again after a stop)"
EXIT_REJECTED = 1  # the run finished, but the server refused some recipients for good


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--edition", type=int, required=True, help="the edition number to send")
    parser.add_argument("--dir", type=Path, help="where `digest` wrote it (default: DIGEST_OUTPUT/<N>)")
    parser.add_argument("--dry-run", action="store_true", help="list who would get it; send nothing")
    parser.add_argument("--test-to", metavar="ADDRESS", help="send one [TEST] message to ADDRESS only")
    parser.add_argument("--settings", type=Path, default=Path("publishconf.py"), help="Pelican settings file")


def run(args: argparse.Namespace) -> int:
    config = load_config(args.settings)
    rendered = load_rendered(args.dir or config.output / str(args.edition), args.edition)
    sender = Sender(config, rendered)
    if args.test_to:
        print(f"sent a test of edition {args.edition} to {args.test_to}: {send_test(sender, args.test_to)}")
        return 0
    conn = db.connect(config.database)
    try:
        if args.dry_run:
            return _dry_run(conn, args.edition)
        with exclusive(config.database):
            return _send(conn, sender)
    finally:
        conn.close()


def _dry_run(conn, edition: int) -> int:
    todo = pending(conn, edition)
    for subscriber in todo:
        print(subscriber.email)
    who = count(len(todo), "subscriber", "subscribers")
    print(f"dry run: edition {edition} would go to {who}; nothing was sent")
    return 0


def _send(conn, sender: Sender) -> int:
    report = Report()
    try:
        send_edition(conn, sender, report)
    except UserError as exc:
        raise UserError(f"{exc} ({len(report.accepted)} accepted in this run)") from None
    finally:
        for email, code, detail in report.rejected:
            print(f"rejected {email}: {code} {detail}", file=sys.stderr)
    number = sender.rendered.number
    print(
        f"edition {number}: {len(report.accepted)} accepted now, {report.earlier} done before, "
        f"{len(report.rejected)} rejected"
    )
    return EXIT_REJECTED if report.rejected else 0
