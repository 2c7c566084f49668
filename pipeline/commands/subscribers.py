"""``python -m pipeline subscribers``: add, import, list and remove the digest's subscribers."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline.cli import UserError
from pipeline.digest import subscribers as db
from pipeline.digest.config import load_config
from pipeline.plural import count

HELP = "manage the digest's subscribers (SQLite database DIGEST_DATABASE)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--settings", type=Path, default=Path("publishconf.py"), help="Pelican settings file")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="add one subscriber")
    add.add_argument("email")
    add.add_argument("--name", default="", help="the name shown in the To header")
    imp = actions.add_parser(
        "import", help="add everyone in a CSV file with columns email[,name] (one transaction)"
    )
    imp.add_argument("csv", type=Path)
    actions.add_parser("list", help="list subscribers: email, name, unsubscribe token")
    remove = actions.add_parser("remove", help="remove a subscriber by address or unsubscribe token")
    remove.add_argument("who", metavar="EMAIL_OR_TOKEN")


def run(args: argparse.Namespace) -> int:
    config = load_config(args.settings)
    with db.database(config.database) as conn:
        return ACTIONS[args.action](conn, args)


def _add(conn, args: argparse.Namespace) -> int:
    new = db.add(conn, db.secret_from_env(), args.email, args.name)
    print(f"added {args.email}" if new else f"{args.email} was already subscribed")
    return 0


def _import(conn, args: argparse.Namespace) -> int:
    result = db.import_csv(conn, db.secret_from_env(), args.csv)
    for problem in result.skipped:
        print(f"skipped {problem}", file=sys.stderr)
    print(
        f"imported {count(result.added, 'new subscriber', 'new subscribers')} from {args.csv} "
        f"({result.existing} already subscribed, {count(len(result.skipped), 'row', 'rows')} skipped)"
    )
    return 1 if result.skipped else 0


def _list(conn, args: argparse.Namespace) -> int:
    for subscriber in db.all_subscribers(conn):
        print(f"{subscriber.email}\t{subscriber.name}\t{subscriber.token}")
    return 0


def _remove(conn, args: argparse.Namespace) -> int:
    if not db.remove(conn, args.who):
        raise UserError(f"no subscriber {args.who!r}")
    print(f"removed {args.who}")
    return 0


ACTIONS = {"add": _add, "import": _import, "list": _list, "remove": _remove}
