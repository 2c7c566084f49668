"""``python -m pipeline publish``: what `make publish` runs; see README ("The site") and docs/settings.md.

0. Take the locks of the folders it writes (sources: the records of first publications and addresses;
   content, output, reports, cache): one publish at a time.
1. Nothing changed (the inputs' fingerprint equals the last publish's, the output holds that build, by the
   stamp inside it, and the report is there): say so in one line and stop.
2. Ingest the sources into the content folder, unchanged pages from the ingest cache. Rejected pages are
   left out; the rest is published, and the last line and the exit status (1) say how many were rejected.
3. Build the site with Pelican into a new numbered build beside the output (any error fails the build), with
   Pelican's content cache; meanwhile the digest hook writes the digest's web version beside it.
4. Move the digest's files into the build, write the redirect pages of articles that moved, stamp the build,
   flip the output link to it in one rename, save the fingerprint: its parts were each taken before they
   were read (the pipeline's own records in the sources after it wrote them), so an edit saved during the
   build is published next time.
A failure at any step stops before the flip: the last good site stays, and the next run builds again.
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

from pipeline import children, fsio
from pipeline.cli import UserError, build_parser
from pipeline.commands import ingest as ingest_command
from pipeline.ingest import published
from pipeline.ingest import report as ingest_report
from pipeline.plural import count
from pipeline.site import fingerprint, publish, redirects

HELP = "Ingest, build the site and the digest's web version, and swap them into place (nothing if unchanged)."
FINGERPRINT = "publish.fingerprint"
# what the pipeline itself writes into the sources (first publications, earlier addresses): in the
# fingerprint as the run left them, not as it found them
RECORDS = (published.FILE_NAME, redirects.FILE_NAME)
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
    if not args.settings.is_file():
        raise UserError(f"settings file not found: {args.settings}")
    # the output's builds, not the output: a link whose target changes with every publish
    written = [args.sources, args.content, publish.builds(args.output), args.reports, args.cache]
    with fsio.locked(written, "publish") as held:
        fsio.sweep(args.reports, args.cache)  # the ingest sweeps the content folder
        fsio.sweep_beside(args.sources / redirects.FILE_NAME)
        return _publish(args, held)


def _publish(args: argparse.Namespace, held: list[int]) -> int:
    # the folders as given: not where the output link points, which changes with every publish
    parameters = [os.path.abspath(p) for p in (args.sources, args.content, args.output)]
    parameters += [args.pelican_opts, args.digest_web]
    stamp, report = args.cache / FINGERPRINT, args.reports / "ingest.json"
    parts = _parts(args, parameters)  # before anything reads the inputs
    last = _last(stamp)
    if last and last[0] == fingerprint.combine(parts) and _built(args.output, report, last[0]):
        print(f"Nothing changed since the last publish: {args.output}/ is up to date.")
        return _rejected(last[1], report)
    rejected = _ingest(args, report)
    parts["content"] = fingerprint.folder_part(args.content)  # as the ingest left it, before Pelican reads it
    build = publish.new_build(args.output)
    try:
        siteurl, moved = _build(args, parameters, build, held, parts)
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        raise
    fsio.atomic_write_text(stamp, f"{fingerprint.combine(parts)}\n{rejected}\n")
    print(publish.summary(args.output, siteurl))
    if moved:
        print(f"  {count(moved, 'redirect page', 'redirect pages')} at earlier addresses of articles")
    if text := ingest_report.undated(report, args.sources):
        print(text)
    return _rejected(rejected, report)


def _build(
    args: argparse.Namespace, parameters: list[str], build: Path, held: list[int], parts: dict[str, str]
) -> tuple[str, int]:
    """Pelican into `build` while the digest hook writes beside it; the two joined, the redirect pages added,
    the build stamped and flipped live. The SITEURL and the number of redirect pages."""
    digest_dir = build.with_name(build.name + ".digest")
    try:
        digest = _start_digest(args.digest_web, digest_dir, held)
        built = children.run(_pelican_argv(args, build, parameters), pass_fds=held)
        if digest and digest.wait() != 0:
            raise UserError(
                f"the digest hook failed (status {digest.returncode}); {args.output} left as it was"
            )
        if built.returncode != 0:
            raise UserError(f"Pelican failed (status {built.returncode}); {args.output} left as it was")
        _move_into(digest_dir, build)
    finally:
        shutil.rmtree(digest_dir, ignore_errors=True)
    settings = _settings(args)
    moved = redirects.update(args.sources, args.content, build, settings)
    parts["records"] = fingerprint.files_part(args.sources, RECORDS)  # as this run left them
    siteurl = str(settings["SITEURL"])
    publish.stamp(build, fingerprint.combine(parts), siteurl)
    publish.swap(build, args.output)
    return siteurl, moved


def _settings(args: argparse.Namespace) -> dict:
    """Pelican's settings (PATH given: the content folder may not be there before the first ingest)."""
    return read_settings(str(args.settings), override={"PATH": os.getcwd()})


def _parts(args: argparse.Namespace, parameters: list[str]) -> dict[str, str]:
    theme = Path(_settings(args)["THEME"])  # the theme Pelican will use
    parts = fingerprint.inputs(args.sources, args.content, theme, args.settings, parameters, skip=RECORDS)
    return parts | {"records": fingerprint.files_part(args.sources, RECORDS)}


def _last(stamp: Path) -> tuple[str, int] | None:
    """The last publish's fingerprint and how many pages it rejected; None when there is none, or when the
    file is not one (then it is said in one line, and the site is built again)."""
    try:
        lines = stamp.read_bytes().decode("ascii").split("\n")
        return lines[0], int(lines[1] or 0)
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, ValueError, IndexError):
        print(f"the publish fingerprint {stamp} is unreadable; building again", file=sys.stderr)
        return None


def _built(output: Path, report: Path, last: str) -> bool:
    """What the last publish made is still there: the output holds that very build (its stamp; `make html`
    writes another site there), and the report."""
    return report.is_file() and publish.stamped(output).get("fingerprint") == last


def _ingest(args: argparse.Namespace, report: Path) -> int:
    """Ingest the sources; how many pages were rejected (they are left out, the others published)."""
    ingest_args = build_parser(("ingest",)).parse_args(_ingest_argv(args, report))
    return ingest_command.ingest(ingest_args).rejected


def _rejected(count: int, report: Path) -> int:
    """The last line when pages were rejected, and the exit status: 1 when any were, else 0."""
    if count:
        pages = "1 page was rejected and is" if count == 1 else f"{count} pages were rejected and are"
        print(f"{pages} not on the site; see {report}", file=sys.stderr)
    return 1 if count else 0


def _ingest_argv(args: argparse.Namespace, report: Path) -> list[str]:
    cache = str(args.cache / INGEST_CACHE)
    out = ["ingest", str(args.sources), "--out", str(args.content), "--report", str(report)]
    return [*out, "--cache", cache, "--jobs", args.jobs]


def _pelican_argv(args: argparse.Namespace, build: Path, parameters: list[str]) -> list[str]:
    """Pelican with our settings, `--fatal errors`, and its content cache in a folder named after the
    settings, code and packages (any change there starts a fresh cache; older folders are removed)."""
    cache = fingerprint.cache_folder(args.cache / PELICAN_CACHE, args.settings, parameters)
    command = [
        sys.executable,
        "-m",
        "pelican",
        str(args.content),
        "-o",
        str(build),
        "-s",
        str(args.settings),
    ]
    command += ["--fatal", "errors", "--cache-path", str(cache), *shlex.split(args.pelican_opts)]
    images = json.dumps(str(args.cache / IMAGES_CACHE))  # kept whatever the code: keyed by content
    return [*command, "-e", *PELICAN_CACHING, f"IMAGES_CACHE_PATH={images}"]


def _start_digest(command: str, folder: Path, held: list[int]) -> subprocess.Popen | None:
    """Start the digest hook writing into `folder`; it runs beside Pelican, on the other core, and holds the
    locks as long as it runs."""
    if not command.strip():
        return None
    folder.mkdir(parents=True)
    return children.popen(command.replace("{site}", shlex.quote(str(folder))), shell=True, pass_fds=held)


def _move_into(folder: Path, build: Path) -> None:
    """Move what the digest hook wrote into the built site; it may not replace a page of the site."""
    if not folder.is_dir():
        return
    for item in sorted(folder.iterdir()):
        target = build / item.name
        if target.exists():
            raise UserError(f"the digest hook wrote {item.name}, which the site already has")
        item.rename(target)
    folder.rmdir()
