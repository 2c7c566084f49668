"""``python -m pipeline digest``: render an edition (email, text, .eml) and, with --web, the web archive."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from pipeline import fsio
from pipeline.digest.config import DigestConfig, load_config
from pipeline.digest.editions import Window, edition_window, explicit_window
from pipeline.digest.publish import current_window, edition_for, read_content, write_edition, write_web
from pipeline.digest.render import EmptyEdition
from pipeline.errors import UserError
from pipeline.plural import count
from pipeline.site import fingerprint

HELP = "render an edition of the email digest (and, with --web, its web version and the archive)"
EXIT_EMPTY = 3  # no article in the window: no edition was made


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--content", type=Path, default=Path("content"), help="content folder (default: content)"
    )
    parser.add_argument("--out", type=Path, help="where to write the edition (default: DIGEST_OUTPUT/<N>)")
    parser.add_argument("--since", type=_day, help="first day of the window, YYYY-MM-DD (with --until)")
    parser.add_argument("--until", type=_day, help="last day of the window, YYYY-MM-DD (with --since)")
    parser.add_argument("--edition", type=int, help="edition number (default: the current edition)")
    parser.add_argument(
        "--web", type=Path, help="also write every edition's web version and the archive here"
    )
    parser.add_argument("--settings", type=Path, default=Path("publishconf.py"), help="Pelican settings file")
    parser.add_argument(
        "--cache",
        type=Path,
        metavar="DIR",
        help="keep what was read of each article in DIR and read only changed files again (default: none)",
    )


def _window(args: argparse.Namespace, config, content) -> Window:
    if (args.since is None) != (args.until is None):
        raise UserError("give --since and --until together")
    if args.since is not None:
        return explicit_window(config.cadence, config.first_edition, args.since, args.until, args.edition)
    if args.edition is not None:
        return edition_window(config.cadence, config.first_edition, args.edition)
    return current_window(config, content)


def run(args: argparse.Namespace) -> int:
    config = load_config(args.settings)
    # what it writes: the edition (in DIGEST_OUTPUT when no --out is given), the web version, its cache
    written = [args.out or config.output, *(path for path in (args.web, args.cache) if path)]
    with fsio.locked(written, "digest"):
        fsio.sweep(*written)
        return _digest(args, config)


def _digest(args: argparse.Namespace, config: DigestConfig) -> int:
    cache = fingerprint.cache_folder(args.cache, args.settings, []) if args.cache else None
    content = read_content(config, args.content, cache)
    window = _window(args, config, content)
    try:
        edition = edition_for(config, content, window)
    except EmptyEdition as exc:
        print(f"no edition: {exc}", file=sys.stderr)
        return EXIT_EMPTY
    out = args.out or config.output / str(window.number)
    rendered = write_edition(out, config, edition)
    size = len(rendered.html.encode()) / 1024
    period = f"{window.since} to {window.until}"
    counted = count(edition.count, "article", "articles")
    print(f"edition {window.number}, {edition.edition_line} ({period}): {counted}, {size:.1f} KB -> {out}")
    if edition.count == 1:
        print(
            f"note: edition {window.number} holds one article only; check it is worth sending "
            "(a wider window: --since/--until)",
            file=sys.stderr,
        )
    if args.web:
        published = write_web(args.web, config, content)
        editions = count(len(published), "edition", "editions")
        print(f"web: {editions} and the archive -> {args.web / config.web_path}")
    return 0
