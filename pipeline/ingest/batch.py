"""A batch: every source page of a folder through read -> clean -> structure -> classify, then written.

One page's trouble never stops the others: it is rejected with a one-line reason and the batch goes on.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.ingest import classify, clean, fields, overrides, read, structure, write
from pipeline.ingest.decode import Rejected
from pipeline.ingest.rules import Rules, load
from pipeline.model import Article, Page, Role

SOURCE_SUFFIXES = read.TEXT_SUFFIXES | read.HTML_SUFFIXES
TAGS_FOLDER = "tags"


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

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class Result:
    outcomes: list[Outcome]
    ignored: list[str]


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
    return hashlib.blake2b(key.encode(), digest_size=8).digest()


def count_lines(paths: Iterable[Path], config: Config, rules: Rules) -> Counter[bytes]:
    """On how many pages each short line occurs (hashed, so memory stays small)."""
    limit = rules.limits["recurring_max_words"]
    counts: Counter[bytes] = Counter()
    for path in paths:
        try:
            page = read.read_page(path, path.name, max_bytes=config.max_bytes)
        except (Rejected, OSError):
            continue
        counts.update(
            {
                _hash(clean.recurrence_key(line.text))
                for line in page.lines
                if fields.word_count(line.text) <= limit
            }
        )
    return counts


def process(
    path: Path, source: str, config: Config, rules: Rules, counts: Counter[bytes], fixed: dict[str, Any]
) -> Outcome:
    """One page from file to classified article; never raises."""
    outcome = Outcome(source)
    try:
        page = read.read_page(path, source, max_bytes=config.max_bytes)
        clean.clean(page, rules, lambda key: counts[_hash(key)])
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


def run(config: Config, progress: Callable[[str], None] | None = None) -> Result:
    rules = load(config.language)
    paths, ignored = discover(config.source)
    fixed = overrides.load(config.source)
    counts = count_lines(paths, config, rules)
    outcomes = []
    for path in paths:
        source = path.relative_to(config.source).as_posix()
        outcomes.append(process(path, source, config, rules, counts, fixed.get(source, {})))
        if progress:
            progress(source)
    for source in sorted(set(fixed) - {outcome.source for outcome in outcomes}):
        ignored.append(f"{source}: named in {overrides.FILE_NAME} but not found")
    Writer(config.out).write_all(outcomes)
    return Result(outcomes, ignored)


class Writer:
    """Writes articles and theme descriptions, never over an editor's work."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.existing = write.scan(out)
        self.by_source = {
            e.meta.get("source_file"): e for e in self.existing if e.generated and e.path.parent == out
        }
        self.taken = {e.path for e in self.existing}
        self.tags_written: set[Path] = set()

    def write_all(self, outcomes: list[Outcome]) -> None:
        self.out.mkdir(parents=True, exist_ok=True)
        mine = {e.path for e in self.by_source.values() if not e.edited}
        self.taken -= mine  # our own untouched files may be rewritten or renamed
        for outcome in outcomes:
            if outcome.article:
                self._article(outcome, outcome.article)
        for outcome in outcomes:
            if outcome.article:
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
            existing = next((e for e in self.existing if e.path == path), None)
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
