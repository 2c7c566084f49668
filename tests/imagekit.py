"""Helpers for the image tests: the fixture pages with their `_files` folders, ingested with their images.

Until the HTML reader and the batch call the image stages themselves (see docs/content-format.md, "Images"),
``ingest_with_images`` runs the real stages in the order the batch will: read, find the images and mark their
captions, clean, structure, classify, prepare the images, apply the overrides, copy, write. Nothing is mocked.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from lxml import etree

from pipeline.ingest import classify, clean, figures, images, overrides, read, structure, write
from pipeline.ingest.rules import load
from pipeline.model import Article
from tests.sitekit import FIXTURE_CONTENT, pelican

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT / "tests" / "fixtures" / "images"
FIXTURE_PAGES = ("blog.html", "interview.html", "nieuws.html")


def build_site(root: Path) -> dict[str, Path]:
    """The hand-written fixture articles and the fixture pages' articles, built with the real Pelican and
    publishconf.py into `root`/output (image variants in `root`/image-cache)."""
    content = root / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    ingest_with_images(copy_pages(root / "bron"), content)
    cache = root / "image-cache"
    pelican(content, root / "output", IMAGES_CACHE_PATH=json.dumps(str(cache)))
    return {"root": root, "content": content, "output": root / "output", "cache": cache}


def copy_pages(target: Path) -> Path:
    """The fixture pages and their `_files` folders, copied (tests never write into the working tree)."""
    shutil.copytree(PAGES, target, ignore=shutil.ignore_patterns("*.py"))
    return target


def ingest_page(source: Path, name: str, fixed: dict[str, Any] | None = None) -> Article:
    """One saved page through every stage up to writing, its images found, checked and placed."""
    path = source / name
    page = read.read_page(path, name, max_bytes=5_000_000)
    parsed = etree.fromstring(path.read_bytes(), etree.HTMLParser())
    figures.attach_images(page, parsed.find("body"))
    rules = load()
    clean.clean(page, rules, lambda key: 0)
    article = classify.classify(structure.structure(page, rules), rules)
    images.prepare(article, page, path, source, fixed)
    overrides.apply(article, fixed or {})
    return article


def ingest_with_images(source: Path, content: Path) -> dict[str, Article]:
    """Every fixture page written into `content` as the ingest will write it: Markdown plus its images."""
    fixed = overrides.load(source)
    content.mkdir(parents=True, exist_ok=True)
    articles = {}
    for name in FIXTURE_PAGES:
        article = ingest_page(source, name, fixed.get(name))
        article.slug = write.slugify(article.title)
        images.copy_into(article, source, content)
        (content / f"{article.slug}.md").write_text(write.render(article), encoding="utf-8")
        articles[name] = article
    return articles
