"""The writer of a batch: articles and theme descriptions into the content folder, never over an edit."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from pipeline import fsio
from pipeline.ingest import images, write
from pipeline.ingest.outcome import Outcome
from pipeline.model import Article

TAGS_FOLDER = "tags"


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

    def __init__(self, out: Path, source: Path) -> None:
        self.out, self.source = out, source
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
        images.copy_into(article, self.source, self.out)
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
        fsio.atomic_write_bytes(path, data, durable=False)  # whole or not at all; many in a row
