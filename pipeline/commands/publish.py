"""``python -m pipeline publish``: what `make publish` runs; see README ("The site") and docs/settings.md.

1. Nothing changed (the inputs' fingerprint equals the last publish's, the output folder holds that build,
   by the stamp inside it, and the report is there): say so in one line and stop.
2. Ingest the sources into the content folder, unchanged pages from the ingest cache.
3. Build the site with Pelican into `OUTPUT.staging` (any error fails the build), with Pelican's content
   cache; meanwhile the digest hook writes the digest's web version into `OUTPUT.digest`.
4. Move the digest's files into the staging folder, swap it into `OUTPUT`, save the fingerprint.
A failure at any step stops before the swap: the last good site stays, and the next run builds again.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from pelican.settings import read_settings

from pipeline.cli import UserError, main
from pipeline.ingest import report as ingest_report
from pipeline.plural import count
from pipeline.site import fingerprint, publish, redirects

HELP = "Ingest, build the site and the digest's web version, and swap them into place (nothing if unchanged)."
FINGERPRINT = "publish.fingerprint"
PELICAN_CACHE = "pelican"
INGEST_CACHE = "ingest"
IMAGES_CACHE = "images"
# Pelican's content cache: the Markdown of an unchanged file is not read again (stamped by content hash).
PELICAN_CACHING = [
    "CACHE_CONTENT=true",
    "LOAD_CONTENT_CACHE=true",
    'CHECK_MODIFIED_METHOD="sha256"',
    "GZIP_CACHE=false",  # loads faster; the cache is small
]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sources", type=Path, default=Path("seeds"), help="scraped pages (default: seeds)")
    parser.add_argument("--content", type=Path, default=Path("content"), help="Pelican content folder")
    parser.add_argument("--output", type=Path, default=Path("output"), help="the published site")
    parser.add_argument("--reports", type=Path, default=Path("reports"), help="where ingest.json goes")
    parser.add_argument("--cache", type=Path, default=Path("cache"), help="the cache folder (default: cache)")
    parser.add_argument("--settings", type=Path, default=Path("publishconf.py"), help="Pelican settings")
    parser.add_argument("--jobs", default=str(os.cpu_count() or 1), help="ingest processes (default: CPUs)")
    parser.add_argument("--pelican-opts", default="", help="more options for Pelican (PELICANOPTS)")
    parser.add_argument(
        "--digest-web",
        default="",
        metavar="COMMAND",
        help="shell command that writes the digest's web version into {site} (DIGEST_WEB); none if empty",
    )


def run(args: argparse.Namespace) -> int:
    parameters = [str(p.resolve()) for p in (args.sources, args.content, args.output)]
    parameters += [args.pelican_opts, args.digest_web]
    stamp = args.cache / FINGERPRINT
    report = args.reports / "ingest.json"
    if _unchanged(args, parameters, stamp, report):
        print(f"Nothing changed since the last publish: {args.output}/ is up to date.")
        return 0
    stamp.unlink(missing_ok=True)
    status = main(_ingest_argv(args, report))
    if status != 0:
        return status
    staging = args.output.with_name(args.output.name + ".staging")
    digest_dir = args.output.with_name(args.output.name + ".digest")
    for folder in (staging, digest_dir):
        shutil.rmtree(folder, ignore_errors=True)
    digest = _start_digest(args.digest_web, digest_dir)
    built = subprocess.run(_pelican_argv(args, staging, parameters), check=False)
    if digest and digest.wait() != 0:
        raise UserError(f"the digest hook failed (status {digest.returncode}); {args.output} left as it was")
    if built.returncode != 0:
        raise UserError(f"Pelican failed (status {built.returncode}); {args.output} left as it was")
    _move_into(digest_dir, staging)
    settings = read_settings(str(args.settings))
    moved = redirects.update(args.sources, args.content, staging, settings)
    built_from = _fingerprint(args, parameters)
    siteurl = str(settings["SITEURL"])
    publish.stamp(staging, built_from, siteurl)
    publish.swap(staging, args.output)
    args.cache.mkdir(parents=True, exist_ok=True)
    stamp.write_text(built_from + "\n", encoding="utf-8")
    print(publish.summary(args.output, siteurl))
    if moved:
        print(f"  {count(moved, 'redirect page', 'redirect pages')} at earlier addresses of articles")
    _say_undated(report, args.sources)
    return 0


def _say_undated(report: Path, sources: Path) -> None:
    if text := ingest_report.undated(report, sources):
        print(text)


def _fingerprint(args: argparse.Namespace, parameters: list[str]) -> str:
    theme = Path(read_settings(str(args.settings))["THEME"])  # the theme Pelican will use
    return fingerprint.inputs(args.sources, args.content, theme, args.settings, parameters)


def _unchanged(args: argparse.Namespace, parameters: list[str], stamp: Path, report: Path) -> bool:
    """The last publish's fingerprint equals this one's, and what it made is still there: the output folder
    holds that very build (its stamp; `make html` writes another site there) and the report exists."""
    if not (stamp.is_file() and report.is_file()):
        return False
    fingerprint = stamp.read_text(encoding="utf-8").strip()
    built = publish.stamped(args.output).get("fingerprint")
    return fingerprint == built == _fingerprint(args, parameters)


def _ingest_argv(args: argparse.Namespace, report: Path) -> list[str]:
    cache = str(args.cache / INGEST_CACHE)
    out = ["ingest", str(args.sources), "--out", str(args.content), "--report", str(report)]
    return [*out, "--cache", cache, "--jobs", args.jobs]


def _pelican_argv(args: argparse.Namespace, staging: Path, parameters: list[str]) -> list[str]:
    """Pelican with our settings, `--fatal errors`, and its content cache in a folder named after the
    settings, code and packages (any change there starts a fresh cache; older folders are removed)."""
    cache = fingerprint.cache_folder(args.cache / PELICAN_CACHE, args.settings, parameters)
    command = [
        sys.executable,
        "-m",
        "pelican",
        str(args.content),
        "-o",
        str(staging),
        "-s",
        str(args.settings),
    ]
    command += ["--fatal", "errors", "--cache-path", str(cache), *shlex.split(args.pelican_opts)]
    images = json.dumps(str(args.cache / IMAGES_CACHE))  # kept whatever the code: keyed by content
    return [*command, "-e", *PELICAN_CACHING, f"IMAGES_CACHE_PATH={images}"]


def _start_digest(command: str, folder: Path) -> subprocess.Popen | None:
    """Start the digest hook writing into `folder`; it runs beside Pelican, on the other core."""
    if not command.strip():
        return None
    folder.mkdir(parents=True)
    return subprocess.Popen(command.replace("{site}", shlex.quote(str(folder))), shell=True)


def _move_into(folder: Path, staging: Path) -> None:
    """Move what the digest hook wrote into the built site; it may not replace a page of the site."""
    if not folder.is_dir():
        return
    for item in sorted(folder.iterdir()):
        target = staging / item.name
        if target.exists():
            raise UserError(f"the digest hook wrote {item.name}, which the site already has")
        item.rename(target)
    folder.rmdir()
