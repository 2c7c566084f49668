"""Read articles and editorials back from a content folder through Pelican's own reader.

Going through ``pelican.readers.Readers`` means a hand-written article counts exactly like an ingested one,
and an article's URL is the one the site gives it (Pelican's ARTICLE_URL and the slug).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from markdown import Markdown
from markupsafe import Markup
from pelican.contents import Article, Page
from pelican.readers import MarkdownReader, Readers
from pelican.utils import pelican_open

from pipeline import sanitize
from pipeline.digest.editions import Window
from pipeline.errors import UserError
from pipeline.ingest.write import DATED_HERE
from pipeline.site import cachefiles  # noqa: F401  (Pelican's cache files saved whole, read with care)
from pipeline.site.magazine import credited_authors

_HEADER_END = re.compile(r"\n[ \t]*\n")  # the Markdown metadata header ends at the first blank line
_SUMMARY = re.compile(r"^summary[ \t]*:", re.IGNORECASE | re.MULTILINE)
CACHE_NAME = "DigestReaders"
# Pelican's reader cache, as `make publish` sets it for the site (pipeline/commands/publish.py).
CACHING = {
    "CACHE_CONTENT": True,
    "LOAD_CONTENT_CACHE": True,
    "CONTENT_CACHING_LAYER": "reader",
    "CHECK_MODIFIED_METHOD": "sha256",
    "GZIP_CACHE": False,
}


@dataclass(frozen=True)
class DigestArticle:
    """An article as the digest shows it: plain text only, escaped later by the templates."""

    title: str
    url: str
    day: date
    series: str
    authors: tuple[str, ...]
    roles: tuple[str, ...]
    lede: str
    pullquote: str
    source: str = ""  # whom a piece without a named author is from ("Bron: Movisies")
    dated_here: bool = False  # its page gave no date: dated by its first publication on the site
    image: str = ""  # the lead image's file (absolute path), "" when the article has none
    image_alt: str = ""


@dataclass(frozen=True)
class Editorial:
    """The editor's "Redactioneel" for one edition; ``body_html`` is sanitized."""

    title: str
    author: str
    body_html: Markup
    text: str  # the body as plain text on one line: the edition's preview text
    subject: str  # its `Subject:`, the edition's subject line; "" when the editor gave none


def plain(text: str) -> str:
    """Text without tags or entities, on one line: what a template may escape and show."""
    return sanitize.plain(text)


def read_articles(
    content: Path, settings: dict[str, Any], siteurl: str, cache: Path | None = None
) -> list[DigestArticle]:
    """Every published article in ``content``, oldest first (then by title, so ties are stable).

    With a ``cache`` folder, what the reader made of each file is kept there (Pelican's own reader cache,
    checked by the file's sha256) and unchanged files are not read again. The folder must be one per
    settings and code, as `make publish` names it (see ``cache_folder``).
    """
    if not content.is_dir():
        raise UserError(f"content folder not found: {content}")
    caching = {**CACHING, "CACHE_PATH": str(cache)} if cache else {}
    readers = Readers({**settings, "PATH": str(content), **caching}, cache_name=CACHE_NAME if cache else "")
    readers = _header_readers(readers)
    skip = {*settings.get("ARTICLE_EXCLUDES", []), *settings.get("PAGE_PATHS", ["pages"])}
    articles = []
    for path in sorted(content.rglob("*.md")):
        rel = path.relative_to(content)
        if rel.parts[0] in skip:
            continue
        article = readers.read_file(str(content), str(rel), content_class=Article, context={})
        if getattr(article, "status", "published") == "published":
            articles.append(_digest_article(article, siteurl))
    if cache:
        readers.save_cache()
    return sorted(articles, key=lambda a: (a.day, a.title))


class HeaderReader(MarkdownReader):
    """Pelican's Markdown reader, converting only the metadata header of a file whose header has a Summary.

    The digest shows an article's metadata (title, date, authors, summary, pull quote), never its body, and
    converting bodies only to drop them was most of its run on a large archive. Without a Summary the body
    is needed (Pelican summarises it), so such a file is read in full.
    """

    def read(self, source_path: str) -> tuple[str, dict[str, Any]]:
        with pelican_open(source_path) as text:
            header = _HEADER_END.split(text, maxsplit=1)[0]
        if not _SUMMARY.search(header):
            return super().read(source_path)
        self._source_path = source_path
        self._md = Markdown(**self.settings["MARKDOWN"])
        self._md.convert(header)
        return "", self._parse_metadata(getattr(self._md, "Meta", {}))


def _header_readers(readers: Readers) -> Readers:
    """`readers` with HeaderReader for the formats Pelican's own Markdown reader reads."""
    header = HeaderReader(readers.settings)
    for fmt, reader in list(readers.readers.items()):
        if type(reader) is MarkdownReader:
            readers.readers[fmt] = header
    return readers


def _digest_article(article: Article, siteurl: str) -> DigestArticle:
    meta = article.metadata
    roles = str(meta.get("author_roles", "") or "")
    return DigestArticle(
        title=plain(article.title),
        url=f"{siteurl}/{article.url}",
        day=article.date.date(),
        series=(getattr(article, "category", None) and str(article.category)) or "",
        authors=tuple(plain(str(author)) for author in credited_authors(article)),
        roles=tuple(plain(role) for role in roles.split(";")) if roles.strip() else (),
        lede=plain(article.summary or ""),
        pullquote=plain(str(meta.get("pullquote", "") or "")),
        source=plain(str(meta.get("source_name", "") or "")),
        dated_here=meta.get("dated_by") == DATED_HERE,
        image=_image_file(article),
        image_alt=plain(str(meta.get("image_alt", "") or "")),
    )


def _image_file(article: Article) -> str:
    """The file the article's `Image:` names, when it is one inside the content folder; else ""."""
    value = str(article.metadata.get("image", "") or "")
    root = Path(article.settings["PATH"]).resolve()
    path = (root / value).resolve()
    return str(path) if value and path.is_relative_to(root) and path.is_file() else ""


def in_window(articles: list[DigestArticle], window: Window) -> list[DigestArticle]:
    return [article for article in articles if article.day in window]


def read_editorial(content: Path, folder: str, settings: dict[str, Any], number: int) -> Editorial | None:
    """``content/<folder>/<number>.md`` if the editor wrote one for this edition."""
    path = content / folder / f"{number}.md"
    if not path.is_file():
        return None
    readers = Readers({**settings, "PATH": str(content)})
    page = readers.read_file(str(content), str(path.relative_to(content)), content_class=Page, context={})
    author = plain(str(page.metadata.get("author", "") or ""))
    body = sanitize.html(page.content, sanitize.EMAIL)
    subject = plain(str(page.metadata.get("subject", "") or ""))
    return Editorial(plain(page.title), author, Markup(body.strip()), plain(body), subject)
