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
import contextlib
import fcntl
import html
import json
import subprocess
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from pagefind_bin import get_executable
from pelican import signals
from pelican.generators import ArticlesGenerator

from pipeline.sanitize import plain

OUTPUT_FOLDER = "pagefind"
CLOSE_SECONDS = 30
PIPE_BYTES = 1 << 20
_builds: dict[str, Future] = {}  # output path -> the index being written for it
_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pagefind")


class SearchIndexError(RuntimeError):
    """Pagefind failed; the build must fail with it, or the site would ship without a working search."""


def write_index(records: list[tuple[str, str]], output: Path) -> None:
    """Index (url, html) records with `pagefind --service` and have it write its files into `output`.

    All requests go out at once and a second thread collects the responses (so neither pipe can fill up and
    stall the other); one request at a time would wait up to 5 ms for the GIL per record while Pelican
    renders, which is 10 s for 2,000 articles. The service stops at the end of its input even with requests
    still pending, so its input stays open until the response to the last request (WriteFiles) is in.
    """
    index = 0  # the first index of a new service
    requests = [{"type": "NewIndex", "config": {}}]
    requests += [{"type": "AddFile", "index_id": index, "url": u, "file_contents": p} for u, p in records]
    requests.append({"type": "WriteFiles", "index_id": index, "output_path": str(output)})
    process = subprocess.Popen(
        [str(get_executable()), "--service"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert process.stdin is not None and process.stdout is not None
    _widen(process.stdin)
    responses: list[bytes] = []
    reader = threading.Thread(target=_collect, args=(process.stdout, len(requests), responses), daemon=True)
    reader.start()
    try:
        process.stdin.write(b"".join(_message(i, request) for i, request in enumerate(requests, 1)))
        process.stdin.flush()
        reader.join()
    except BrokenPipeError:
        pass  # it stopped early; the responses say why
    finally:
        process.stdin.close()
        _end(process)
    _check(responses, len(requests), process.returncode)


def _message(number: int, payload: dict[str, Any]) -> bytes:
    return base64.b64encode(json.dumps({"message_id": number, "payload": payload}).encode()) + b","


def _widen(pipe) -> None:
    """A 1 MiB pipe (Linux): fewer, larger writes, so fewer waits for the GIL."""
    with contextlib.suppress(AttributeError, OSError):
        fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)


def _collect(stdout, count: int, responses: list[bytes]) -> None:
    """Read responses until there are `count` of them or the service stopped."""
    buffer = b""
    while len(responses) < count:
        chunk = stdout.read1(PIPE_BYTES)
        if not chunk:
            return
        *done, buffer = (buffer + chunk).split(b",")
        responses.extend(done)


def _end(process: subprocess.Popen) -> None:
    """The service exits when its input closes; kill it if it has not after a while."""
    try:
        process.wait(timeout=CLOSE_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _check(responses: list[bytes], count: int, status: int) -> None:
    """Every request answered, none with an error."""
    for response in responses:
        payload = json.loads(base64.b64decode(response))["payload"]
        if payload.get("type") == "Error":
            raise SearchIndexError(f"pagefind: {payload.get('message', 'unknown error')}")
    if len(responses) < count:
        answered = f"{len(responses)} of {count} requests"
        raise SearchIndexError(f"pagefind stopped after {answered} (status {status})")


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
