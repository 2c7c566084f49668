"""Theme descriptions from `content/tags/<tag-slug>.md` (by the ingest or an editor), shown on tag pages.

The files are read with Pelican's own Markdown reader, so they follow the same Markdown rules as articles.
"""

from __future__ import annotations

import logging
from pathlib import Path

from pelican import signals
from pelican.readers import MarkdownReader

from pipeline import sanitize

log = logging.getLogger(__name__)
TAGS_DIR = "tags"


def read_descriptions(content_path: Path, settings: dict) -> dict[str, str]:
    """Map tag slug -> sanitized description HTML, from every `*.md` in `content/tags/`."""
    folder = content_path / TAGS_DIR
    reader = MarkdownReader(settings)
    descriptions = {}
    for path in sorted(folder.glob("*.md")):
        html, metadata = reader.read(str(path))
        slug = str(metadata.get("slug") or path.stem)
        descriptions[slug] = sanitize.html(html)
    return descriptions


def attach(generator) -> None:
    """Set `tag.description` on each tag that has a description file; report files no article uses."""
    descriptions = read_descriptions(Path(generator.path), generator.settings)
    used = set()
    for tag in generator.tags:
        tag.description = descriptions.get(tag.slug, "")
        used.add(tag.slug)
    for slug in sorted(set(descriptions) - used):
        log.warning("content/%s/%s.md describes a tag no published article has", TAGS_DIR, slug)


def register() -> None:
    signals.article_generator_finalized.connect(attach)
