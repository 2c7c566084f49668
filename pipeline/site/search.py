"""Site search that works on a static host: Pagefind's index of the published articles, in `pagefind/`.

Pagefind runs beside Pelican instead of after it. As soon as the articles are read (before any page is
rendered), a thread hands each published article to `pagefind --service` as a small HTML record (title,
authors, body) and has it write the index, while Pelican renders and writes the pages; the build waits for
the index at the end and fails if Pagefind failed. On two cores that takes Pagefind's whole run (reading
thousands of pages back from disk, then writing a fragment per page) off the build's critical path.

Why our own few lines of client instead of the `pagefind` package's Python API: its reader polls for one
response every 0.1 s, which is 200 s for 2,000 articles. The service protocol (base64-encoded JSON messages
ended by a comma, one request at a time here) is the one that API and Pagefind's Node API speak.

What is indexed: published articles and their translations, not drafts or hidden articles (which the site
does not list either), in the language of each article, so Pagefind stems Dutch words and its UI speaks
Dutch. The pagefind binary comes from the `pagefind[bin]` wheel.

Determinism: records go in URL order, one at a time, so Pagefind writes byte-identical files run after run
(tests/test_site.py checks that two builds are identical). Filters are not used: Pagefind 1.5 writes their
file in a different order each run.
"""

from __future__ import annotations

import base64
import html
import json
import subprocess
import sys
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from pagefind_bin import get_executable
from pelican import signals
from pelican.generators import ArticlesGenerator

from pipeline.sanitize import plain

OUTPUT_FOLDER = "pagefind"
CLOSE_SECONDS = 30
_builds: dict[str, Future] = {}  # output path -> the index being written for it
_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pagefind")


class SearchIndexError(RuntimeError):
    """Pagefind failed; the build must fail with it, or the site would ship without a working search."""


def write_index(records: list[tuple[str, str]], output: Path) -> None:
    """Index (url, html) records and write Pagefind's files into `output`, in a process of its own.

    Pagefind numbers pages in the order it finishes them, so requests go one at a time (a batch sent at once
    came out in a different order on a busy machine); waiting for each answer in this process would wait for
    the GIL on every record while Pelican renders (13 s for 2,000 articles), so a child process does it.
    """
    command = [sys.executable, "-m", "pipeline.site.search", str(output)]
    child = subprocess.Popen(command, stdin=subprocess.PIPE, stderr=subprocess.PIPE)
    _, errors = child.communicate(json.dumps(records).encode())
    if child.returncode != 0:
        lines = errors.decode(errors="replace").strip().splitlines() or [f"status {child.returncode}"]
        raise SearchIndexError(lines[-1])


def serve(records: list[tuple[str, str]], output: Path) -> None:
    """Talk to `pagefind --service`: a new index, every record in order, then write the files."""
    service = subprocess.Popen(
        [str(get_executable()), "--service"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        index = _ask(service, 1, {"type": "NewIndex", "config": {}})["index_id"]
        for number, (url, page) in enumerate(records, 2):
            _ask(service, number, {"type": "AddFile", "index_id": index, "url": url, "file_contents": page})
        _ask(service, len(records) + 2, {"type": "WriteFiles", "index_id": index, "output_path": str(output)})
    finally:
        assert service.stdin is not None
        service.stdin.close()
        _end(service)


def _ask(service: subprocess.Popen, number: int, payload: dict[str, Any]) -> dict[str, Any]:
    """One request (base64 JSON ended by a comma) and its answer; an error answer raises."""
    assert service.stdin is not None and service.stdout is not None
    message = json.dumps({"message_id": number, "payload": payload}).encode()
    try:
        service.stdin.write(base64.b64encode(message) + b",")
        service.stdin.flush()
    except BrokenPipeError:
        raise SearchIndexError(f"pagefind stopped (status {service.wait()})") from None
    answer = bytearray()
    while not answer.endswith(b","):
        chunk = service.stdout.read1(1 << 16)
        if not chunk:
            raise SearchIndexError(f"pagefind stopped (status {service.wait()})")
        answer += chunk
    reply = json.loads(base64.b64decode(answer[:-1]))["payload"]
    if reply.get("type") == "Error":
        raise SearchIndexError(f"pagefind: {reply.get('message', 'unknown error')}")
    return reply


def _end(process: subprocess.Popen) -> None:
    """The service exits when its input closes; kill it if it has not after a while."""
    try:
        process.wait(timeout=CLOSE_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def record(article) -> str:
    """The HTML Pagefind indexes for an article: its title (the result's title), authors and body."""
    title = html.escape(plain(article.title))
    authors = ", ".join(html.escape(author.name) for author in getattr(article, "authors", []))
    byline = f"<p>{authors}</p>" if authors else ""
    return (
        f'<!DOCTYPE html><html lang="{html.escape(article.lang)}"><head><title>{title}</title></head>'
        f'<body><article data-pagefind-body><h1 data-pagefind-meta="title">{title}</h1>{byline}'
        f"{article.content}</article></body></html>"
    )


def start(generators: list) -> None:
    """Start indexing the published articles of this build while Pelican goes on to write the pages."""
    articles = next((g for g in generators if isinstance(g, ArticlesGenerator)), None)
    if articles is None:
        return
    published = [*articles.articles, *articles.translations]
    records = sorted((f"/{article.url}", record(article)) for article in published)
    output = Path(articles.output_path) / OUTPUT_FOLDER
    _builds[str(Path(articles.output_path).resolve())] = _executor.submit(write_index, records, output)


def finish(pelican) -> None:
    """Wait for this build's index; a failure fails the build."""
    build = _builds.pop(str(Path(pelican.output_path).resolve()), None)
    if build is not None:
        build.result()


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
