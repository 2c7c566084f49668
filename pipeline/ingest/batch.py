"""A batch: every source page of a folder through read -> clean -> structure -> classify, then written.

One page's trouble never stops the others: it is rejected with a one-line reason and the batch goes on.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from pipeline.ingest import cache, classify, clean, fields, overrides, read, structure, write
from pipeline.ingest.decode import Rejected
from pipeline.ingest.rules import Rules, load
from pipeline.model import Article, Page, Role

SOURCE_SUFFIXES = read.TEXT_SUFFIXES | read.HTML_SUFFIXES
TAGS_FOLDER = "tags"
HASH_SIZE = 8  # bytes of a line hash
MIN_TASKS_PER_WORKER = 50  # fewer pages than this per process: work in this process, no pool
MAX_CHUNK = 32  # pages a worker takes at a time
MISSING = object()
T = TypeVar("T")
R = TypeVar("R")


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


@dataclass(frozen=True)
class Summary:
    """What the batch keeps of a page once it is written and reported: enough for the table and the status."""

    source: str
    error: str | None
    notes: tuple[str, ...]
    series: str
    confidence: float
    title: str
    cached: bool

    @property
    def ok(self) -> bool:
        return self.error is None

    @classmethod
    def of(cls, outcome: Outcome) -> Summary:
        a = outcome.article
        return cls(
            outcome.source,
            outcome.error,
            tuple(outcome.notes),
            a.series if a else "",
            a.confidence if a else 0.0,
            a.title if a else "",
            outcome.cached,
        )


@dataclass
class Result:
    pages: list[Summary]
    ignored: list[str]


@dataclass(frozen=True)
class Source:
    """One page of the batch as the main process knows it: where it is and a hash of its bytes."""

    path: Path
    name: str  # relative to the source folder, as in the report
    digest: bytes


def discover(folder: Path) -> tuple[list[Path], list[str]]:
    """The source pages in ``folder`` (recursively, in name order), and what is ignored, with why."""
    root = folder.resolve()
    pages, ignored = [], []
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        if any(part.startswith(".") for part in path.relative_to(folder).parts):
            continue
        if path.is_symlink() and not path.resolve().is_relative_to(root):
            ignored.append(f"{name}: a link that leaves the source folder")  # a file or a whole folder
        elif path.is_dir() or path.name == overrides.FILE_NAME:
            continue
        elif path.suffix.lower() not in SOURCE_SUFFIXES:
            ignored.append(f"{name}: not a page (.txt, .html or .htm)")
        else:
            pages.append(path)
    return pages, ignored


def _hash(key: str) -> bytes:
    return hashlib.blake2b(key.encode(), digest_size=HASH_SIZE).digest()


def _digest(path: Path) -> bytes:
    """A hash of the file's bytes (empty for a file that cannot be read: it is rejected later anyway)."""
    try:
        return hashlib.blake2b(path.read_bytes(), digest_size=16).digest()
    except OSError:
        return b""


def line_hashes(path: Path, config: Config) -> bytes | None:
    """The sorted hashes of the page's short lines, joined; None when the page cannot be read.

    One bytes object a page keeps the batch's memory small; ``split`` gives the hashes back.
    """
    rules = load(config.language)
    limit = rules.limits["recurring_max_words"]
    try:
        page = read.read_page(path, path.name, max_bytes=config.max_bytes)
    except (Rejected, OSError):
        return None
    short = {
        _hash(clean.recurrence_key(line.text)) for line in page.lines if fields.word_count(line.text) <= limit
    }
    return b"".join(sorted(short))


def split(hashes: bytes | None) -> list[bytes]:
    if not hashes:
        return []
    return [hashes[i : i + HASH_SIZE] for i in range(0, len(hashes), HASH_SIZE)]


def count_lines(sets: Iterable[bytes | None]) -> Counter[bytes]:
    """On how many pages each short line occurs (hashed, so memory stays small)."""
    counts: Counter[bytes] = Counter()
    for hashes in sets:
        counts.update(split(hashes))
    return counts


def process(
    path: Path, source: str, config: Config, rules: Rules, counts: Mapping[bytes, int], fixed: dict[str, Any]
) -> Outcome:
    """One page from file to classified article; never raises. `counts`: on how many pages each short line
    of the batch occurs (by line hash; only this page's lines are needed)."""
    outcome = Outcome(source)
    try:
        page = read.read_page(path, source, max_bytes=config.max_bytes)
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
    the files and the report are the same for any `jobs`; only a small summary of each page stays in memory.
    With a `store`, a page whose result cannot have changed is taken from it instead.
    """
    paths, ignored = discover(config.source)
    fixed = overrides.load(config.source)
    sources = [
        Source(path, path.relative_to(config.source).as_posix(), _digest(path) if store else b"")
        for path in paths
    ]
    missing = sorted(set(fixed) - {source.name for source in sources})
    ignored += [f"{name}: named in {overrides.FILE_NAME} but not found" for name in missing]
    writer = Writer(config.out)
    summaries = []
    with Workers(jobs) as workers:
        hashes = _line_hashes(sources, config, workers, store)
        for outcome in _outcomes(sources, hashes, count_lines(hashes), config, fixed, workers, store):
            writer.write(outcome)
            if report:
                report(outcome)
            summaries.append(Summary.of(outcome))
            if progress:
                progress(outcome.source)
    return Result(summaries, ignored)


def _line_hashes(
    sources: list[Source], config: Config, workers: Workers, store: cache.Store | None
) -> list[bytes | None]:
    """Each page's short-line hashes, from the store where it has them, else read (in `jobs` processes)."""
    keys = [
        cache.key("lines", s.digest, s.path.suffix.lower(), str(config.max_bytes), config.language)
        for s in sources
    ]
    found = [store.get("lines", key, MISSING) if store else MISSING for key in keys]
    todo = [source.path for source, value in zip(sources, found, strict=True) if value is MISSING]
    computed = workers.map(partial(line_hashes, config=config), todo, len(todo))
    result = []
    for key, value in zip(keys, found, strict=True):
        if value is MISSING:
            value = next(computed)
            if store:
                store.put("lines", key, value)
        result.append(value)
    return result


def _outcomes(
    sources: list[Source],
    hashes: list[bytes | None],
    counts: Counter[bytes],
    config: Config,
    fixed: dict[str, dict[str, Any]],
    workers: Workers,
    store: cache.Store | None,
) -> Iterator[Outcome]:
    """Every page's outcome in name order: from the store when its key is there, else processed."""
    least = load(config.language).limits["recurring_min_pages"]
    keys = [
        page_key(source, config, fixed.get(source.name, {}), _counts_of(page, counts), least)
        if store
        else b""
        for source, page in zip(sources, hashes, strict=True)
    ]
    hits = [bool(store) and store.has("pages", key) for key in keys]
    tasks = (
        (source.path, source.name, config, _counts_of(page, counts), fixed.get(source.name, {}))
        for source, page, hit in zip(sources, hashes, hits, strict=True)
        if not hit
    )
    computed = workers.map(_process_task, tasks, hits.count(False))
    for key, page, hit in zip(keys, hashes, hits, strict=True):
        page_counts = _counts_of(page, counts)
        if hit:
            outcome, recurring = store.get("pages", key)
            for index, line in recurring:
                outcome.removed[index]["reason"] = clean.recurring_reason(page_counts[line])
            outcome.cached = True
        else:
            outcome = next(computed)
            if store:
                store.put("pages", key, (outcome, _recurring(outcome, page_counts)))
        yield outcome


def _counts_of(page: bytes | None, counts: Counter[bytes]) -> dict[bytes, int]:
    """The recurrence counts of one page's short lines (all a page needs of the batch's counts)."""
    return {line: counts[line] for line in split(page)}


def page_key(
    source: Source, config: Config, fixed: dict[str, Any], counts: dict[bytes, int], least: int
) -> bytes:
    """Everything a page's outcome depends on. Of the recurrence counts of its short lines only whether each
    reaches `least` (recurring_min_pages) changes what is removed; the exact count is only in the reason of
    a recurring line, which ``_outcomes`` fills in afresh. So a new page elsewhere does not invalidate it."""
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


def _process_task(task: tuple[Path, str, Config, dict[bytes, int], dict[str, Any]]) -> Outcome:
    path, source, config, counts, fixed = task
    return process(path, source, config, load(config.language), counts, fixed)


class Workers:
    """Maps a function over items in up to `jobs` processes, results in the order of the items.

    The processes are started once, on the first map with enough work for them (starting them costs more
    than a few pages take), from a fork server, which forks them clean of this process's threads.
    """

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs
        self.pool: Any = None

    def map(self, function: Callable[[T], R], items: Iterable[T], total: int) -> Iterator[R]:
        if min(self.jobs, total // MIN_TASKS_PER_WORKER) <= 1:
            return map(function, items)
        if self.pool is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload([__name__])
            self.pool = context.Pool(self.jobs)
        chunksize = max(1, min(MAX_CHUNK, total // (self.jobs * 8)))
        return self.pool.imap(function, items, chunksize=chunksize)

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *_: object) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()


class Writer:
    """Writes articles and theme descriptions, never over an editor's work; one outcome at a time, in order.

    Each article is written before the next outcome comes, its theme descriptions right after it: articles
    go into the content folder and descriptions into `tags/`, so no path is contested between the two.
    """

    def __init__(self, out: Path) -> None:
        self.out = out
        existing = write.scan(out)
        self.existing = {e.path: e for e in existing}
        self.by_source = {
            e.meta.get("source_file"): e for e in existing if e.generated and e.path.parent == out
        }
        mine = {e.path for e in self.by_source.values() if not e.edited}
        self.taken = set(self.existing) - mine  # our own untouched files may be rewritten or renamed
        self.tags_written: set[Path] = set()
        out.mkdir(parents=True, exist_ok=True)

    def write(self, outcome: Outcome) -> None:
        if outcome.article:
            self._article(outcome, outcome.article)
            self._tags(outcome, outcome.article)

    def _free_path(self, folder: Path, slug: str) -> Path:
        path, number = folder / f"{slug}.md", 2
        while path in self.taken:
            path, number = folder / f"{slug}-{number}.md", number + 1
        self.taken.add(path)
        return path

    def _article(self, outcome: Outcome, article: Article) -> None:
        previous = self.by_source.get(outcome.source)
        if previous and previous.edited:
            outcome.output = previous.path.as_posix()
            outcome.notes.append("kept the editor's changes: the file was edited after the last ingest")
            self.taken.add(previous.path)
            return
        path = self._free_path(self.out, write.slugify(article.title or Path(outcome.source).stem))
        article.slug = path.stem
        _save(path, write.render(article))
        if previous and previous.path != path and previous.path.exists():
            previous.path.unlink()
            outcome.notes.append(f"renamed from {previous.path.name}")
        outcome.output = path.as_posix()

    def _tags(self, outcome: Outcome, article: Article) -> None:
        folder = self.out / TAGS_FOLDER
        for name, description in article.tag_descriptions.items():
            slug = write.slugify(name)
            path = folder / f"{slug}.md"
            if path in self.tags_written:
                continue
            existing = self.existing.get(path)
            if path in self.taken and not (existing and existing.generated and not existing.edited):
                outcome.notes.append(f"theme description {path.name} kept as it is")
                continue
            self.taken.add(path)
            self.tags_written.add(path)
            folder.mkdir(parents=True, exist_ok=True)
            _save(path, write.render_tag(name, slug, description, outcome.source))


def _save(path: Path, text: str) -> None:
    """Write only when the text changed, so unchanged files keep their times (Pelican's cache uses them)."""
    data = text.encode("utf-8")
    if not path.exists() or path.read_bytes() != data:
        path.write_bytes(data)
