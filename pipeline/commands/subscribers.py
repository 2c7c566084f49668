"""``python -m pipeline subscribers``: add, import, list, remove; export or erase one person's data."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pipeline.digest import subscribers as db
from pipeline.digest.config import load_config
from pipeline.digest.message import mailbox
from pipeline.errors import UserError
from pipeline.newsletter import store
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
    remove = actions.add_parser("remove", help="unsubscribe someone by address or unsubscribe token")
    remove.add_argument("who", metavar="EMAIL_OR_TOKEN")
    export = actions.add_parser("export", help="print everything stored about one address, as JSON (AVG)")
    export.add_argument("address")
    erase = actions.add_parser("erase", help="delete everything stored about one address (AVG)")
    erase.add_argument("address")


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
    for line in result.suppressed:
        print(f"suppressed {line}")
    print(
        f"imported {count(result.added, 'new subscriber', 'new subscribers')} from {args.csv} "
        f"({result.existing} already subscribed, {count(len(result.skipped), 'row', 'rows')} skipped, "
        f"{len(result.suppressed)} suppressed and not added back)"
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


def _export(conn, args: argparse.Namespace) -> int:
    address = mailbox("", args.address).addr_spec
    print(json.dumps(store.export(conn, db.secret_from_env(), address), ensure_ascii=False, indent=1))
    return 0


def _erase(conn, args: argparse.Namespace) -> int:
    address = mailbox("", args.address).addr_spec
    erased = store.erase(conn, db.secret_from_env(), address)
    print(f"erased {count(erased, 'record', 'records')} of {address}; kept: a suppression under its token")
    return 0


ACTIONS = {
    "add": _add,
    "import": _import,
    "list": _list,
    "remove": _remove,
    "export": _export,
    "erase": _erase,
}
