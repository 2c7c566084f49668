"""``python -m pipeline serve``: the newsletter service (sign-up, confirmation, unsubscribe) under uvicorn."""

from __future__ import annotations

import argparse
import os
import sqlite3
from pathlib import Path

from pipeline.digest import subscribers as db
from pipeline.digest.subscribers import secret_from_env
from pipeline.errors import UserError
from pipeline.newsletter import store
from pipeline.newsletter.config import NewsletterConfig, load

HELP = "run the newsletter's web service (sign-up, confirmation, one-click unsubscribe) with uvicorn"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8001, help="port to listen on (default 8001)")
    parser.add_argument("--settings", type=Path, default=Path("publishconf.py"), help="Pelican settings file")
    parser.add_argument(
        "--site",
        type=Path,
        metavar="DIR",
        help="also serve this built site (to try locally)",
    )
    parser.add_argument(
        "--access-log", action="store_true", help="log every request (off: the URLs hold tokens)"
    )


def _open_database(config: NewsletterConfig) -> None:
    """Create or upgrade the database and forget expired sign-ups now, so a problem is one line at start."""
    try:
        conn = db.connect(config.database)
        try:
            store.purge_signups(conn, config.confirm_for)
        finally:
            conn.close()
    except (sqlite3.Error, OSError) as exc:
        raise UserError(f"cannot open the database {config.database}: {exc}") from None


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from pipeline.newsletter.app import create_app

    if args.site is not None and not (args.site / "index.html").is_file():
        raise UserError(f"--site {args.site}: no built site there (run `make publish` first)")
    config = load(args.settings)
    secret = secret_from_env()
    _open_database(config)
    app = create_app(config, secret, args.site)
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        proxy_headers=True,  # the client's address from X-Forwarded-For, trusted from these proxies only:
        forwarded_allow_ips=os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
        access_log=args.access_log,
        server_header=False,
        log_level="info",
    )
    return 0
