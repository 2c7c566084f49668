"""Site search that works on a static host: Pagefind's index of the published articles, in `pagefind/`.

Pagefind runs beside Pelican instead of after it. As soon as the articles are read (before any page is
rendered), a child process gets each published article as a small HTML record (title, authors, body), writes
the records as pages of a temporary folder and runs Pagefind on that folder, while Pelican renders and writes
the site on the other core; the build waits for the index at the end and fails if Pagefind failed. Pagefind
used to read every built page back after Pelican had finished, half of the build's time.

Why not the `pagefind` package's Python API or `pagefind --service`: the API's reader polls for one answer
every 0.1 s (200 s for 2,000 articles); the service numbers pages in the order it finishes them (a different
index on a busy machine), answers WriteFiles before its files are all written, and stops at the end of its
input, so a build could ship a partial index. The command exits when its index is whole.

What is indexed: published articles and their translations, not drafts or hidden articles (which the site
does not list either), in the language of each article, so Pagefind stems Dutch words and its UI speaks
Dutch. The pagefind binary comes from the `pagefind[bin]` wheel.

Determinism: Pagefind's command writes byte-identical files run after run (tests/test_site.py checks that two
builds are identical), but it numbers pages in the order the file system lists them. In memory (tmpfs) that
follows the order the records were written, sorted by URL; on a disk file system (the fallback when memory
has no room) it is the folder's hash order, which is the same from run to run on one machine.
Filters are not used: Pagefind 1.5 writes their file in a different order each run.
"""

from __future__ import annotations

import html
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from pagefind_bin import get_executable
from pelican import signals
from pelican.generators import ArticlesGenerator

from pipeline import children
from pipeline.ingest.write import DATED_HERE
from pipeline.sanitize import plain
from pipeline.site.dates import nl_date

OUTPUT_FOLDER = "pagefind"
SCRATCH_IN_MEMORY = "/dev/shm"  # a RAM file system on Linux; see scratch_folder
_builds: dict[str, subprocess.Popen] = {}  # output path -> the child writing its index


class SearchIndexError(RuntimeError):
    """Pagefind failed; the build must fail with it, or the site would ship without a working search."""


def write_index(records: list[tuple[str, str]], output: Path) -> subprocess.Popen:
    """Start a process of its own that indexes (url, html) records and writes Pagefind's files into `output`
    (in this one, writing the records would wait for the GIL while Pelican renders). The records reach it
    through a temporary file, so this returns at once."""
    with tempfile.TemporaryFile() as spool:
        spool.write(json.dumps(records).encode())
        spool.seek(0)
        command = [sys.executable, "-m", "pipeline.site.search", str(output)]
        return children.popen(command, stdin=spool, stderr=subprocess.PIPE)


def serve(records: list[tuple[str, str]], output: Path) -> None:
    """Write each record as the page at its URL in a scratch folder, run Pagefind's command on it with its
    bundle in the scratch folder too, and copy the bundle into `output`."""
    size = sum(len(page) for _, page in records)
    with tempfile.TemporaryDirectory(prefix="pagefind-", dir=scratch_folder(size)) as folder:
        site, bundle = Path(folder, "site"), Path(folder, "bundle")
        for url, page in records:
            path = site / url.strip("/") / "index.html"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(page, encoding="utf-8")
        command = [str(get_executable()), "--site", str(site), "--output-path", str(bundle), "--silent"]
        done = subprocess.run(
            command, capture_output=True, text=True, check=False, preexec_fn=children.end_with_parent
        )
        if done.returncode != 0:
            raise SearchIndexError(f"pagefind failed ({done.returncode}): {done.stderr.strip()}")
        shutil.rmtree(output, ignore_errors=True)
        shutil.copytree(bundle, output, copy_function=shutil.copyfile)


def scratch_folder(size: int) -> str | None:
    """A folder in memory for Pagefind's input and bundle, when the system has one with room for them
    (`size`, the records' characters, and as much again for the bundle and slack); None: the system's
    temporary folder.

    Why: Pagefind writes its thousands of fragment files from many threads at once, and on a disk file
    system (ext4) those threads spin on the folder's lock: 3.3 s and 4.8 s of CPU for 2,000 articles,
    against 1.9 s and 2.4 s in memory. Copying the finished bundle to disk, from one thread, is cheap."""
    memory = Path(SCRATCH_IN_MEMORY)
    if memory.is_dir() and os.access(memory, os.W_OK) and shutil.disk_usage(memory).free > 4 * size:
        return str(memory)
    return None


def record(article) -> str:
    """The HTML Pagefind indexes for an article: its title (the result's title), authors and body, and as
    metadata (not searched) its series, its date and its lede, which a result shows as its excerpt (the
    search page's script), so a result never opens with the byline."""
    title = html.escape(plain(article.title))
    authors = ", ".join(html.escape(author.name) for author in getattr(article, "authors", []))
    byline = f"<p>{authors}</p>" if authors else ""
    day = ("geplaatst op " if getattr(article, "dated_by", "") == DATED_HERE else "") + nl_date(article.date)
    meta = {"reeks": article.category.name, "datum": day, "lede": plain(article.summary)}
    shown = "".join(f'<p data-pagefind-meta="{key}">{html.escape(value)}</p>' for key, value in meta.items())
    return (
        f'<!DOCTYPE html><html lang="{html.escape(article.lang)}"><head><title>{title}</title></head>'
        f'<body><article data-pagefind-body><h1 data-pagefind-meta="title">{title}</h1>'
        f"<div data-pagefind-ignore>{shown}</div>{byline}{article.content}</article></body></html>"
    )


def start(generators: list) -> None:
    """Start indexing the published articles of this build while Pelican goes on to write the pages."""
    articles = next((g for g in generators if isinstance(g, ArticlesGenerator)), None)
    if articles is None:
        return
    published = [*articles.articles, *articles.translations]
    records = sorted((f"/{article.url}", record(article)) for article in published)
    output = Path(articles.output_path) / OUTPUT_FOLDER
    _builds[str(Path(articles.output_path).resolve())] = write_index(records, output)


def finish(pelican) -> None:
    """Wait for this build's index; a failure fails the build."""
    child = _builds.pop(str(Path(pelican.output_path).resolve()), None)
    if child is None:
        return
    _, errors = child.communicate()
    if child.returncode != 0:
        lines = errors.decode(errors="replace").strip().splitlines() or [f"status {child.returncode}"]
        raise SearchIndexError(lines[-1])


def register() -> None:
    signals.all_generators_finalized.connect(start)
    signals.finalized.connect(finish)


if (
    __name__ == "__main__"
):  # the child process of write_index: records as JSON on stdin, the folder as argument
    try:
        serve(json.load(sys.stdin), Path(sys.argv[1]))
    except SearchIndexError as exc:
        sys.exit(str(exc))
