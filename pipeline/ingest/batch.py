"""A batch: every source page of a folder through read -> clean -> structure -> classify, then written.

One page's trouble never stops the others: it is rejected with a one-line reason and the batch goes on.

Memory does not grow with the pages, but for what recurrence needs (docs/ingest.md, "Memory"): the folder is
walked, read, worked on, written and reported one page at a time; what the second pass needs of each page lies
in a temporary file; results come back from the worker processes a few chunks at a time.
"""

from __future__ import annotations

import hashlib
import json
import pickle
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from functools import partial
from operator import attrgetter
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from pipeline.ingest import cache, classify, clean, fields, images, overrides, read, structure
from pipeline.ingest.decode import Rejected
from pipeline.ingest.outcome import Outcome
from pipeline.ingest.recurrence import HASH_SIZE, LineCounts
from pipeline.ingest.rules import Rules, load
from pipeline.ingest.spool import Spool
from pipeline.ingest.walk import not_a_file, walk
from pipeline.ingest.workers import Ready, Workers
from pipeline.ingest.writer import Writer
from pipeline.model import ImageRef, Line, Page, Role

SOURCE_SUFFIXES = read.TEXT_SUFFIXES | read.HTML_SUFFIXES
LINES_CHUNK = 64  # pages a worker process hashes the lines of at a time (each takes a fraction of that)
MISSING = object()
_IMAGE_FIELDS = attrgetter(*(each.name for each in dataclass_fields(ImageRef)))  # ImageRef -> tuple
T = TypeVar("T")
R = TypeVar("R")
C = TypeVar("C")


@dataclass(frozen=True)
class Config:
    """What an ingest run needs; the command line fills it (see README, "Ingest settings")."""

    source: Path
    out: Path
    max_bytes: int = 5_000_000
    language: str = "nl"


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


def candidates(folder: Path) -> Iterator[tuple[str, str | None]]:
    """Each file of ``folder`` (recursively, in name order, one at a time) that the ingest reads or ignores:
    (name relative to the folder, None) for a source page, (name, why) for what is ignored."""
    root = folder.resolve()
    listed: set[str] = set()
    for name in walk(folder):
        if any(part.startswith(".") for part in name.split("/")):
            continue
        if resource := images.is_resource(name):
            if resource not in listed:  # one line for the folder, not one for every picture in it
                listed.add(resource)
                yield resource + "/", "files of a saved page (its images are read with the page)"
            continue
        path = folder / name
        if why := not_a_file(path):
            yield name, why
        elif path.is_symlink() and not path.resolve().is_relative_to(root):
            yield name, "a link that leaves the source folder"  # a file or a whole folder
        elif path.is_dir() or path.name == overrides.FILE_NAME:
            continue
        elif path.suffix.lower() not in SOURCE_SUFFIXES:
            yield name, "not a page (.txt, .html or .htm)"
        else:
            yield name, None


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
    return b"".join(sorted(short)), pickle.dumps(_packed(page), protocol=pickle.HIGHEST_PROTOCOL)


def _packed(page: Page) -> tuple[Any, ...]:
    """A page as plain tuples: unpickled several times faster than its dataclasses."""
    lines = [
        (line.number, line.text, line.role.value, line.reason, line.hint, line.links) for line in page.lines
    ]
    images = [_IMAGE_FIELDS(image) for image in page.images]  # astuple copies deeply: several times slower
    return page.source, lines, page.meta, page.markup, images


def _unpacked(packed: tuple[Any, ...] | str) -> Page | str:
    """The page ``_packed`` made, or the reason it was rejected."""
    if isinstance(packed, str):
        return packed
    source, lines, meta, markup, images = packed
    return Page(
        source,
        [Line(n, text, Role(role), why, hint, links) for n, text, role, why, hint, links in lines],
        meta,
        markup,
        [ImageRef(*image) for image in images],
    )


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
        images.prepare(article, page, path, config.source, fixed)
        overrides.apply(article, fixed)
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
    writer = Writer(config.out, config.source)
    result = Result()
    with Workers(jobs, preload=("pipeline.ingest.warm",)) as workers, Spool[Source]() as sources:
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
    settings = f"{config.max_bytes}\0{config.language}"
    entry = json.dumps(fixed, sort_keys=True, default=str)
    files = _resources_digest(config.source / source.name)
    return cache.key("page", source.digest, source.name, settings, entry, capped, files)


def _resources_digest(path: Path) -> bytes:
    """A hash of the names and bytes of the files a saved page keeps beside it (its images)."""
    digest = hashlib.blake2b(digest_size=16)
    for folder in images.resource_folders(path):
        for file in sorted(folder.rglob("*")):
            if file.is_file():
                digest.update(file.relative_to(folder).as_posix().encode() + b"\0" + _digest(file))
    return digest.digest()


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
    read_already = _unpacked(pickle.loads(page)) if page is not None else None
    return process(path, source, config, load(config.language), counts, fixed, read_already)
