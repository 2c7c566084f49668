"""``python -m pipeline bounces``: read delivery status notifications; suppress addresses that bounce."""

from __future__ import annotations

import argparse
from pathlib import Path

from pipeline.digest import subscribers as db
from pipeline.newsletter.bounces import process
from pipeline.newsletter.config import load

HELP = "read bounces (RFC 3464 DSNs) from a Maildir or mbox and suppress hard-bouncing addresses"
ORDER = ("suppressed", "soft", "already suppressed", "unknown", "not a bounce", "unreadable")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("mailbox", type=Path, metavar="MAILDIR|MBOX", help="where the bounces are delivered")
    parser.add_argument("--settings", type=Path, default=Path("publishconf.py"), help="Pelican settings file")


def run(args: argparse.Namespace) -> int:
    config = load(args.settings)
    conn = db.connect(config.database)
    try:
        counts, lines = process(conn, args.mailbox, config.soft_bounces)
    finally:
        conn.close()
    for line in lines:
        print(line)
    summary = ", ".join(f"{counts[key]} {key}" for key in ORDER if counts[key])
    print(f"{args.mailbox}: {sum(counts.values())} read: {summary or 'nothing'}")
    return 0
