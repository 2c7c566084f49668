"""Articles read on both cores: while Pelican reads the articles one by one from the first, a second
process reads them from the last, and Pelican takes its results where the two meet.

Reading (Markdown to HTML and metadata) is most of Pelican's context phase, about 1.2 ms an article, and
Pelican does it in one process. This plugin forks one worker when the articles generator is set up (it
inherits the readers and settings, nothing is sent but file names) and gives each reader a store to look in
first. The worker returns exactly what the reader returns, so the site is byte-identical to a serial read
(tests/test_prefetch.py builds both ways and compares).

- Pelican still does everything after `reader.read`: metadata defaults, signals, sanitizing, its caches.
- Files that Pelican's reader cache holds already are left to the cache; a handful of files is read in
  this process (forking costs more than it saves).
- A file the worker could not read, or read with a warning, is read again here, so errors and warnings
  (and `--fatal warnings`) are Pelican's own.
- Without `fork` (Windows) or with one CPU, nothing changes.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from functools import cache
from typing import Any

from pelican import signals
from pelican.generators import ArticlesGenerator
from pelican.utils import file_suffix

log = logging.getLogger(__name__)
CHUNK = 16  # files a request to the worker: fewer round trips, and at most one chunk's wait where they meet
SMALLEST = 64  # fewer files to read than this: read them all here
_readers: Any = None  # the worker's copy of the Readers (set after the fork, by _start_worker)


class Prefetched:
    """Mixin for a reader class: `read` takes the worker's result for a file when there is one."""

    store: Store | None = None

    def read(self, source_path: str):
        found = self.store.take(source_path) if self.store is not None else None
        return found if found is not None else super().read(source_path)


@cache
def prefetched(reader_class: type) -> type:
    """`reader_class` with the Prefetched mixin, under the same name (Pelican stores it as `reader`)."""
    return type(reader_class.__name__, (Prefetched, reader_class), {"__module__": reader_class.__module__})


class _Warned(logging.Handler):
    """Counts the warnings of one read in the worker; its records are dropped (the main process reads such a
    file again and logs them itself)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


def _start_worker(readers) -> None:
    global _readers
    _readers = readers
    logging.root.handlers = [_Warned()]


def _read(paths: list[str]) -> dict[str, Any]:
    """In the worker: each file's `reader.read` result, unless reading it failed or warned."""
    warned = logging.root.handlers[0]
    results = {}
    for path in paths:
        before = warned.count
        try:
            result = _readers.readers[file_suffix(path)].read(path)
        except Exception:  # the main process reads it again and reports the error
            continue
        if warned.count == before:
            results[path] = result
    return results


class Store:
    """The worker and its results: a request per CHUNK files, from the last file back. This process cancels
    the requests it reaches before the worker does, and reads those files itself."""

    def __init__(self, readers, paths: list[str]) -> None:
        self.total, self.taken = len(paths), 0
        context = multiprocessing.get_context("fork")
        self._pool = ProcessPoolExecutor(1, context, initializer=_start_worker, initargs=(readers,))
        self._requests: dict[str, Future] = {}
        backwards = paths[::-1]  # all of them: where the two meet depends only on their speeds
        for start in range(0, len(backwards), CHUNK):
            chunk = backwards[start : start + CHUNK]
            request = self._pool.submit(_read, chunk)
            self._requests.update(dict.fromkeys(chunk, request))

    def take(self, path: str):
        """The worker's result for `path`; None when the worker has not started on it (it is cancelled, and
        this process reads the file) or could not read it."""
        request = self._requests.pop(path, None)
        if request is None or request.cancel():
            return None
        try:
            result = request.result().get(path)
        except Exception:  # a broken worker: this process reads the file itself
            return None
        self.taken += result is not None
        return result

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def _to_read(generator: ArticlesGenerator) -> list[str]:
    """The articles' absolute paths, in Pelican's reading order, that no cache of Pelican's holds and that a
    Prefetched reader reads."""
    settings, readers = generator.settings, generator.readers
    paths = []
    for name in generator.get_files(settings["ARTICLE_PATHS"], exclude=settings["ARTICLE_EXCLUDES"]):
        path = os.path.abspath(os.path.join(generator.path, name))
        reader = readers.readers.get(file_suffix(path))
        if not isinstance(reader, Prefetched) or generator.get_cached_data(name, None) is not None:
            continue
        if readers.get_cached_data(path, (None, None))[0] is None:
            paths.append(path)
    return paths


def add_readers(readers) -> None:
    """Every enabled reader class gets the Prefetched mixin (Pelican's `readers_init`)."""
    for extension, reader_class in list(readers.reader_classes.items()):
        if reader_class and reader_class.enabled and not issubclass(reader_class, Prefetched):
            readers.reader_classes[extension] = prefetched(reader_class)


def start(generator: ArticlesGenerator) -> None:
    """Start the worker on the articles this build must read (`article_generator_init`)."""
    if (os.cpu_count() or 1) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return
    paths = _to_read(generator)
    if len(paths) < SMALLEST:
        return
    store = Store(generator.readers, paths)
    for reader in generator.readers.readers.values():
        if isinstance(reader, Prefetched):
            reader.store = store


def stop(generator: ArticlesGenerator) -> None:
    """The articles are read: stop the worker (`article_generator_finalized`)."""
    stores = set()
    for reader in generator.readers.readers.values():
        if isinstance(reader, Prefetched) and reader.store is not None:
            stores.add(reader.store)
            reader.store = None
    for store in stores:
        store.close()
        log.debug("%d of %d articles were read by the second process", store.taken, store.total)


def register() -> None:
    signals.readers_init.connect(add_readers)
    signals.article_generator_init.connect(start)
    signals.article_generator_finalized.connect(stop)
