"""A batch: every source page of a folder through read -> clean -> structure -> classify, then written.

One page's trouble never stops the others: it is rejected with a one-line reason and the batch goes on.

Memory does not grow with the pages, but for what recurrence needs (docs/ingest.md, "Memory"): the folder is
walked, read, worked on, written and reported one page at a time; what the second pass needs of each page lies
in a temporary file; results come back from the worker processes a few chunks at a time.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import pickle
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from multiprocessing.pool import AsyncResult
from pathlib import Path
from typing import Any, Generic, NamedTuple, TypeVar

from pipeline.ingest import cache, classify, clean, fields, overrides, read, structure, write
from pipeline.ingest.decode import Rejected
from pipeline.ingest.recurrence import HASH_SIZE, LineCounts
from pipeline.ingest.rules import Rules, load
from pipeline.ingest.spool import Spool
from pipeline.ingest.walk import walk
from pipeline.model import Article, Page, Role

SOURCE_SUFFIXES = read.TEXT_SUFFIXES | read.HTML_SUFFIXES
TAGS_FOLDER = "tags"
POOL_FROM = 100  # tasks a map works on in this process before it starts the worker processes
CHUNK = 16  # pages a worker process takes at a time (reading one takes a few milliseconds)
LINES_CHUNK = 64  # pages a worker process hashes the lines of at a time (each takes a fraction of that)
WINDOW = 3  # chunks per process given out at a time: the one it works on, and the next ones
MISSING = object()
T = TypeVar("T")
R = TypeVar("R")
C = TypeVar("C")


@dataclass(frozen=True)
class Config:
    """What an ingest run needs; the command line fills it (see README, "Ingest settings")."""

    source: Path
    out: Path
    max_bytes: int = 5_000_000
    fallback_date: str = "2000-01-01"
    language: str = "nl"


@dataclass
class Outcome:
    """What became of one source page; one entry of the report."""

    source: str
    article: Article | None = None
    error: str | None = None
    output: str | None = None
    removed: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    cached: bool = False  # taken from the ingest cache, not ingested again

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class Result:
    """What the batch keeps of its pages: how many there were, not the pages (`report` is handed each one)."""

    pages: int = 0
    rejected: int = 0
    cached: int = 0
    ignored: list[str] = field(default_factory=list)


class Source(NamedTuple):
    """One page as the first pass leaves it for the second: its name (relative to the source folder, as in the
    report), a hash of its bytes (only with a cache), the hashes of its short lines (None: unreadable) and the
    page as read, pickled (None where the first pass took its hashes from the cache), so that no page is read
    and parsed twice."""

    name: str
    digest: bytes
    hashes: bytes | None
    page: bytes | None = None


# path, name, config, counts, overrides, the page as the first pass read it (pickled) or None
PageTask = tuple[Path, str, Config, dict[bytes, int], dict[str, Any], bytes | None]


@dataclass(frozen=True)
class Ready(Generic[R]):
    """A task whose result is known already (taken from the cache): handed on in its turn, not worked on."""

    value: R


def candidates(folder: Path) -> Iterator[tuple[str, str | None]]:
    """Each file of ``folder`` (recursively, in name order, one at a time) that the ingest reads or ignores:
    (name relative to the folder, None) for a source page, (name, why) for what is ignored."""
    root = folder.resolve()
    for name in walk(folder):
        if any(part.startswith(".") for part in name.split("/")):
            continue
        path = folder / name
        if path.is_symlink() and not path.resolve().is_relative_to(root):
            yield name, "a link that leaves the source folder"  # a file or a whole folder
        elif path.is_dir() or path.name == overrides.FILE_NAME:
            continue
        elif path.suffix.lower() not in SOURCE_SUFFIXES:
            yield name, "not a page (.txt, .html or .htm)"
        else:
            yield name, None


def count_pages(folder: Path) -> int:
    """How many source pages the folder has (for a progress bar, before the batch)."""
    return sum(why is None for _, why in candidates(folder))


def _pages(folder: Path, ignored: list[str]) -> Iterator[str]:
    """The names of the source pages; what is ignored, with why, is added to `ignored` on the way."""
    for name, why in candidates(folder):
        if why is None:
            yield name
        else:
            ignored.append(f"{name}: {why}")


def _hash(key: str) -> bytes:
    return hashlib.blake2b(key.encode(), digest_size=HASH_SIZE).digest()


def _digest(path: Path) -> bytes:
    """A hash of the file's bytes (empty for a file that cannot be read: it is rejected later anyway)."""
    try:
        return hashlib.blake2b(path.read_bytes(), digest_size=16).digest()
    except OSError:
        return b""


def line_hashes(path: Path, config: Config) -> tuple[bytes | None, bytes | None]:
    """The sorted hashes of the page's short lines, joined, and the page as read, pickled (or why it was
    rejected); (None, None) when the file cannot be read (the second pass tries again and says why).

    One bytes object a page keeps what the second pass needs of it small; ``recurrence.split`` gives the
    hashes back.
    """
    rules = load(config.language)
    limit = rules.limits["recurring_max_words"]
    try:
        page = read.read_page(path, path.name, max_bytes=config.max_bytes)
    except Rejected as exc:
        return None, pickle.dumps(str(exc))  # the second pass says why, without reading the page again
    except OSError:
        return None, None
    short = {
        _hash(clean.recurrence_key(line.text)) for line in page.lines if fields.word_count(line.text) <= limit
    }
    return b"".join(sorted(short)), pickle.dumps(page, protocol=pickle.HIGHEST_PROTOCOL)


def process(
    path: Path,
    source: str,
    config: Config,
    rules: Rules,
    counts: Mapping[bytes, int],
    fixed: dict[str, Any],
    page: Page | str | None = None,
) -> Outcome:
    """One page from file (or as the first pass read it, or why it rejected it) to classified article; never
    raises. `counts`: on how many
    pages each short line of the batch occurs (by line hash; only this page's lines are needed)."""
    outcome = Outcome(source)
    try:
        if isinstance(page, str):
            raise Rejected(page)
        if page is None:
            page = read.read_page(path, source, max_bytes=config.max_bytes)
        page.source = source
        clean.clean(page, rules, lambda key: counts.get(_hash(key), 0))
        outcome.removed = removed_lines(page)
        article = classify.classify(structure.structure(page, rules), rules)
        if not article.blocks:
            raise Rejected("no article text found: every line is site chrome or metadata")
        overrides.apply(article, fixed)
        _date_fallback(article, page, config, rules)
        outcome.article = article
    except Rejected as exc:
        outcome.error = str(exc)
    except OSError as exc:
        outcome.error = f"cannot read the file ({exc.strerror or exc})"
    except Exception as exc:  # a bug must cost one page, not the batch
        outcome.error = f"internal error ({type(exc).__name__}: {exc})".replace("\n", " ")
    return outcome


def removed_lines(page: Page) -> list[dict[str, Any]]:
    return [
        {"line": line.number, "text": line.text, "reason": line.reason, "role": line.role.value}
        for line in page.lines
        if line.role is not Role.BODY
    ]


def _date_fallback(article: Article, page: Page, config: Config, rules: Rules) -> None:
    """A page without a date: the latest date its text mentions, else the configured date; never the clock."""
    if article.date:
        return
    mentioned = [
        (date, line.number)
        for line in page.with_role(Role.BODY)
        for match in rules.date.finditer(line.text)
        if (date := fields.iso_date(match, rules))
    ]
    if mentioned:
        date, number = max(mentioned)
        article.date, article.date_source = (
            date,
            f"fallback: the latest date the text mentions (line {number})",
        )
    else:
        article.date, article.date_source = (
            config.fallback_date,
            "fallback: no date on the page (fallback_date)",
        )
    article.warnings.append(f"no date on the page; dated {article.date} ({article.date_source})")


def run(
    config: Config,
    progress: Callable[[str], None] | None = None,
    *,
    jobs: int = 1,
    store: cache.Store | None = None,
    report: Callable[[Outcome], None] | None = None,
) -> Result:
    """Ingest the folder: every page read, cleaned, structured, classified and written, in name order.

    Pages are worked on by `jobs` processes, but written and handed to `report` one by one in name order, so
    the files and the report are the same for any `jobs`. Two passes, both streamed: the first counts on how
    many pages each short line occurs and spools each page's line hashes to a temporary file, the second
    reads them back and ingests page after page; nothing of a page stays in memory once it is reported.
    With a `store`, a page whose result cannot have changed is taken from it instead.
    """
    fixed = overrides.load(config.source)
    writer = Writer(config.out)
    result = Result()
    with Workers(jobs) as workers, Spool[Source]() as sources:
        counts = _count_lines(_pages(config.source, result.ignored), config, workers, store, sources)
        result.ignored += _not_found(fixed, sources)
        for outcome in _outcomes(sources, counts, config, fixed, workers, store):
            writer.write(outcome)
            if report:
                report(outcome)
            result.pages += 1
            result.rejected += not outcome.ok
            result.cached += outcome.cached
            if progress:
                progress(outcome.source)
    return result


def _not_found(fixed: dict[str, dict[str, Any]], sources: Iterable[Source]) -> list[str]:
    """The pages `overrides.toml` names that are not in the batch."""
    found = {source.name for source in sources if source.name in fixed} if fixed else set()
    return [f"{name}: named in {overrides.FILE_NAME} but not found" for name in sorted(set(fixed) - found)]


def _count_lines(
    names: Iterable[str], config: Config, workers: Workers, store: cache.Store | None, sources: Spool[Source]
) -> LineCounts:
    """The first pass: each page's short-line hashes, from the store where it has them, else read (in `jobs`
    processes), appended to `sources` and counted."""
    counts = LineCounts()
    tasks = _line_tasks(names, config, store)
    for (name, digest, key), (hashes, page) in workers.map(
        partial(line_hashes, config=config), tasks, LINES_CHUNK
    ):
        if store and key:
            store.put("lines", key, hashes)
        sources.append(Source(name, digest, hashes, page))
        counts.add(hashes)
    return counts


def _line_tasks(
    names: Iterable[str], config: Config, store: cache.Store | None
) -> Iterator[tuple[tuple[str, bytes, bytes | None], Path | Ready[tuple[bytes | None, None]]]]:
    """For each page: (its name, digest and the key to store its hashes under), and its path to read, or its
    hashes as the store has them (then there is nothing to store)."""
    for name in names:
        path = config.source / name
        if store is None:
            yield (name, b"", None), path
            continue
        digest = _digest(path)
        key = cache.key("lines", digest, path.suffix.lower(), str(config.max_bytes), config.language)
        found = store.get("lines", key, MISSING)
        yield (
            ((name, digest, key), path) if found is MISSING else ((name, digest, None), Ready((found, None)))
        )


def _outcomes(
    sources: Iterable[Source],
    counts: LineCounts,
    config: Config,
    fixed: dict[str, dict[str, Any]],
    workers: Workers,
    store: cache.Store | None,
) -> Iterator[Outcome]:
    """The second pass: every page's outcome in name order, from the store when its key is there, else
    processed."""
    for (page_counts, key), outcome in workers.map(
        _process_task, _page_tasks(sources, counts, config, fixed, store)
    ):
        if store and key:
            store.put("pages", key, (outcome, _recurring(outcome, page_counts)))
        yield outcome


def _page_tasks(
    sources: Iterable[Source],
    counts: LineCounts,
    config: Config,
    fixed: dict[str, dict[str, Any]],
    store: cache.Store | None,
) -> Iterator[tuple[tuple[dict[bytes, int], bytes | None], PageTask | Ready[Outcome]]]:
    """For each page: (the recurrence counts of its lines, the key to store its outcome under), and the task
    of ingesting it, or its outcome from the store (then there is nothing to store)."""
    least = load(config.language).limits["recurring_min_pages"]
    for source in sources:
        page_counts = counts.of(source.hashes)
        entry = fixed.get(source.name, {})
        task = (config.source / source.name, source.name, config, page_counts, entry, source.page)
        if store is None:
            yield (page_counts, None), task
            continue
        key = page_key(source, config, entry, page_counts, least)
        found = store.get("pages", key, MISSING)
        if found is MISSING:
            yield (page_counts, key), task
        else:
            yield (page_counts, None), Ready(_cached(found, page_counts))


def _cached(found: tuple[Outcome, list[tuple[int, bytes]]], counts: dict[bytes, int]) -> Outcome:
    """A stored outcome, with the counts of its recurring lines as they are in this batch."""
    outcome, recurring = found
    for index, line in recurring:
        outcome.removed[index]["reason"] = clean.recurring_reason(counts[line])
    outcome.cached = True
    return outcome


def page_key(
    source: Source, config: Config, fixed: dict[str, Any], counts: dict[bytes, int], least: int
) -> bytes:
    """Everything a page's outcome depends on. Of the recurrence counts of its short lines only whether each
    reaches `least` (recurring_min_pages) changes what is removed; the exact count is only in the reason of
    a recurring line, which ``_cached`` fills in afresh. So a new page elsewhere does not invalidate it."""
    capped = b"".join(line + min(count, least).to_bytes(4, "big") for line, count in sorted(counts.items()))
    settings = f"{config.max_bytes}\0{config.fallback_date}\0{config.language}"
    entry = json.dumps(fixed, sort_keys=True, default=str)
    return cache.key("page", source.digest, source.name, settings, entry, capped)


def _recurring(outcome: Outcome, counts: dict[bytes, int]) -> list[tuple[int, bytes]]:
    """The removed lines whose reason is their recurrence count: (index in `removed`, line hash)."""
    found = []
    for index, entry in enumerate(outcome.removed):
        line = _hash(clean.recurrence_key(entry["text"]))
        if line in counts and entry["reason"] == clean.recurring_reason(counts[line]):
            found.append((index, line))
    return found


def _process_task(task: PageTask) -> Outcome:
    path, source, config, counts, fixed, page = task
    read_already = pickle.loads(page) if page is not None else None
    return process(path, source, config, load(config.language), counts, fixed, read_already)


def _work(function: Callable[[T], R], tasks: list[T]) -> list[R]:
    """What a worker process does with a chunk of tasks."""
    return [function(task) for task in tasks]


class Workers:
    """Maps a function over tasks in up to `jobs` processes, results in the order of the tasks, with only a
    few of either in memory at a time.

    Each item is (context, task): the task goes to a process, or is `Ready` with its result; the context stays
    in this process and comes back with the result. Items are taken from their iterator only as results are
    handed on: at most WINDOW chunks per process are out at a time, and at most twice as many items as they
    hold wait here for their turn (``Pool.imap`` would keep every result the caller has not taken yet, and
    take in tasks as fast as its pipe does). A map works in this process until it has had POOL_FROM tasks;
    then the processes are started (starting them costs more than a few pages take), once, from a fork server,
    which forks them clean of this process's threads.
    """

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs
        self.pool: Any = None

    def map(
        self, function: Callable[[T], R], items: Iterable[tuple[C, T | Ready[R]]], chunk: int = CHUNK
    ) -> Iterator[tuple[C, R]]:
        """(context, result) for each item, in order; `chunk`: tasks a process takes at a time."""
        items = iter(items)
        if self.pool is None:
            yield from self._here(function, items)
        if self.pool is not None:
            yield from self._spread(function, items, chunk)

    def _here(
        self, function: Callable[[T], R], items: Iterator[tuple[C, T | Ready[R]]]
    ) -> Iterator[tuple[C, R]]:
        """In this process: to the end with one job, else until there is work enough to start processes."""
        tasks = 0
        for context, task in items:
            if isinstance(task, Ready):
                yield context, task.value
                continue
            yield context, function(task)
            tasks += 1
            if self.jobs > 1 and tasks == POOL_FROM:
                self._start()
                return

    def _start(self) -> None:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__])
        self.pool = context.Pool(self.jobs)

    def _spread(
        self, function: Callable[[T], R], items: Iterator[tuple[C, T | Ready[R]]], chunk: int
    ) -> Iterator[tuple[C, R]]:
        """Over the processes, a chunk of tasks at a time, results handed on in order."""
        window = _Window(self.pool, function, chunk, WINDOW * self.jobs)
        for context, task in items:
            window.add(context, task)
            if window.full:
                yield from window.hand_on()
        while window.waiting:
            yield from window.hand_on()

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *_: object) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()


class _Window(Generic[C, T, R]):
    """What a map has taken from its items and not handed on yet, in order: results known already, tasks in
    the chunk being filled, chunks given to the pool.

    Kept full: a chunk's results are handed on only when `most_out` chunks are out, and then one chunk's worth
    before the window is filled again, so the processes always have the next chunks while this one writes.
    """

    def __init__(self, pool: Any, function: Callable[[T], R], size: int, most_out: int) -> None:
        self.pool, self.function, self.size, self.most_out = pool, function, size, most_out
        self.waiting: deque[tuple[C, Ready[R] | None]] = deque()  # None: the result comes from a chunk
        self.chunk: list[T] = []  # tasks not given out yet
        self.out: deque[AsyncResult] = deque()  # chunks given out, oldest first

    @property
    def full(self) -> bool:
        return len(self.out) >= self.most_out or len(self.waiting) >= 2 * self.most_out * self.size

    def add(self, context: C, task: T | Ready[R]) -> None:
        if isinstance(task, Ready):
            self.waiting.append((context, task))
            return
        self.waiting.append((context, None))
        self.chunk.append(task)
        if len(self.chunk) == self.size:
            self._give_out()

    def hand_on(self) -> Iterator[tuple[C, R]]:
        """In order: the `Ready` items at the front, then the oldest chunk's results (waiting for them), with
        the `Ready` items among them."""
        while self.waiting:
            context, ready = self.waiting[0]
            if ready is None:
                break
            self.waiting.popleft()
            yield context, ready.value
        if not self.waiting:
            return
        if not self.out:  # the task at the front is in the chunk being filled
            self._give_out()
        done = deque(self.out.popleft().get())
        while done:
            context, ready = self.waiting.popleft()
            yield context, done.popleft() if ready is None else ready.value

    def _give_out(self) -> None:
        self.out.append(self.pool.apply_async(_work, (self.function, self.chunk)))
        self.chunk = []


class Previous(NamedTuple):
    """The article an earlier run wrote for a source."""

    path: str
    edited: bool  # changed by an editor since


class Writer:
    """Writes articles and theme descriptions, never over an editor's work; one outcome at a time, in order.

    Each article is written before the next outcome comes, its theme descriptions right after it: articles
    go into the content folder and descriptions into `tags/`, so no path is contested between the two.

    A path is taken when a file is there, except one of our own untouched articles from an earlier run
    (`mine`): that one may be rewritten or renamed, so it is taken only once a page of this run got it. Asking
    the folder instead of keeping every path written keeps nothing in memory for the pages of this run; of
    the articles already there only their path by source is kept (``write.scan`` reads them one at a time).
    """

    def __init__(self, out: Path) -> None:
        self.out = out
        self.by_source: dict[str | None, Previous] = {}
        for existing in write.scan(out):
            if existing.generated and existing.path.parent == out:
                self.by_source[existing.meta.get("source_file")] = Previous(
                    str(existing.path), existing.edited
                )
        # our untouched articles, by path: whether a page of this run got the path
        self.mine = {previous.path: False for previous in self.by_source.values() if not previous.edited}
        self.tags_written: set[Path] = set()
        out.mkdir(parents=True, exist_ok=True)

    def write(self, outcome: Outcome) -> None:
        if outcome.article:
            self._article(outcome, outcome.article)
            self._tags(outcome, outcome.article)

    def _taken(self, path: Path) -> bool:
        given = self.mine.get(str(path))
        return path.exists() if given is None else given

    def _free_path(self, folder: Path, slug: str) -> Path:
        path, number = folder / f"{slug}.md", 2
        while self._taken(path):
            path, number = folder / f"{slug}-{number}.md", number + 1
        if str(path) in self.mine:
            self.mine[str(path)] = True
        return path

    def _article(self, outcome: Outcome, article: Article) -> None:
        previous = self.by_source.get(outcome.source)
        if previous and previous.edited:
            outcome.output = Path(previous.path).as_posix()
            outcome.notes.append("kept the editor's changes: the file was edited after the last ingest")
            return
        path = self._free_path(self.out, write.slugify(article.title or Path(outcome.source).stem))
        article.slug = path.stem
        _save(path, write.render(article))
        old = Path(previous.path) if previous else None
        if old and old != path and old.exists():
            old.unlink()
            outcome.notes.append(f"renamed from {old.name}")
        outcome.output = path.as_posix()

    def _tags(self, outcome: Outcome, article: Article) -> None:
        folder = self.out / TAGS_FOLDER
        for name, description in article.tag_descriptions.items():
            slug = write.slugify(name)
            path = folder / f"{slug}.md"
            if path in self.tags_written:
                continue
            if path.exists() and not _untouched(path):
                outcome.notes.append(f"theme description {path.name} kept as it is")
                continue
            self.tags_written.add(path)
            folder.mkdir(parents=True, exist_ok=True)
            _save(path, write.render_tag(name, slug, description, outcome.source))


def _untouched(path: Path) -> bool:
    """Whether the file is one we wrote and nobody changed since."""
    existing = write.read_existing(path)
    return existing.generated and not existing.edited


def _save(path: Path, text: str) -> None:
    """Write only when the text changed, so unchanged files keep their times (Pelican's cache uses them)."""
    data = text.encode("utf-8")
    if not path.exists() or path.read_bytes() != data:
        path.write_bytes(data)
