"""Atom and RSS 2.0 feeds, written with feedgen: one pair for all articles and one pair per series.

Pelican's own feed writer is off (FEED_* = None in pelicanconf). Every date in a feed comes from the articles
(`updated` from Modified, the feed's `updated` from the newest Modified), never from the clock, so two builds
give the same bytes. Entry ids and RSS guids are the article permalinks.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

import lxml.html
from feedgen.feed import FeedGenerator
from pelican import signals

from pipeline.sanitize import plain
from pipeline.site.magazine import base_url, newest_first

GENERATOR = "Sociaal Werk pipeline (feedgen)"
KINDS = {"atom": "application/atom+xml", "rss": "application/rss+xml"}
_PICTURE_PARTS = re.compile(
    r'<source\b[^>]*>|</?picture>| (?:srcset|sizes|loading|decoding|fetchpriority)="[^"]*"'
)


@dataclass(frozen=True)
class Feed:
    """One feed: which articles, under which file name, describing which HTML page."""

    slug: str
    title: str
    page_url: str  # absolute URL of the HTML page the feed follows
    articles: tuple

    def path(self, settings: dict, kind: str) -> str:
        return f"{settings['FEEDS_PATH']}/{self.slug}.{kind}.xml"


def plain_images(html: str) -> str:
    """Each responsive ``<picture>`` (pipeline.site.images) as its JPEG ``<img>``: feed readers show one
    image, and an HTML 4 parser would nest the image inside the void ``<source>``."""
    return _PICTURE_PARTS.sub("", html)


def absolute_html(html: str, page_url: str) -> str:
    """The article HTML with every relative href/src made absolute against the article's URL."""
    if not html.strip():
        return html
    html = plain_images(html)
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    root.make_links_absolute(page_url, resolve_base_href=False)
    inner = (root.text or "") + "".join(lxml.html.tostring(child, encoding="unicode") for child in root)
    return inner


def feeds_for(generator) -> list[Feed]:
    """All articles, then each series, newest first (ties by slug), at most FEED_MAX_ITEMS each."""
    settings = generator.settings
    root = base_url(settings)
    limit = settings.get("FEED_MAX_ITEMS") or None
    everything = sorted(generator.articles, key=newest_first)[:limit]
    feeds = [Feed(settings["FEEDS_ALL_SLUG"], settings["SITENAME"], f"{root}/", tuple(everything))]
    for category, articles in generator.categories:
        feeds.append(
            Feed(
                category.slug,
                f"{category.name} · {settings['SITENAME']}",
                f"{root}/{category.url}",
                tuple(sorted(articles, key=newest_first)[:limit]),
            )
        )
    return feeds


def build(feed: Feed, kind: str, settings: dict) -> bytes:
    """The feed document, Atom or RSS."""
    root = base_url(settings)
    fg = FeedGenerator()
    fg.load_extension("dc")
    fg.load_extension("media")
    fg.id(feed.page_url)
    fg.title(feed.title)
    fg.subtitle(settings.get("SITESUBTITLE") or feed.title)
    fg.language("nl")
    fg.generator(GENERATOR)
    # RSS takes the channel <link> from the last link added, so the self link comes first.
    fg.link(href=f"{root}/{feed.path(settings, kind)}", rel="self", type=KINDS[kind])
    fg.link(href=feed.page_url, rel="alternate", type="text/html")
    fg.updated(max(article.modified_or_date for article in feed.articles))
    for article in feed.articles:
        add_entry(fg, article, root, settings, kind)
    document = fg.atom_str(pretty=True) if kind == "atom" else fg.rss_str(pretty=True)
    return document


def add_entry(fg: FeedGenerator, article, root: str, settings: dict, kind: str) -> None:
    url = f"{root}/{article.url}"
    entry = fg.add_entry(order="append")
    entry.id(url)
    entry.guid(url, permalink=True)
    entry.title(plain(article.title))
    entry.link(href=url, rel="alternate", type="text/html")
    entry.published(article.date)
    entry.updated(article.modified_or_date)
    for line in article.bylines:
        entry.author(name=line.author.name)
        entry.dc.dc_creator(line.author.name)
    content = absolute_html(article.get_content(root), url)
    if source := credit(article):  # no author named: the piece is credited to where it comes from
        entry.author(name=source)
        content += f'\n<p class="source-credit">Bron: {html.escape(source, quote=False)}</p>'
    entry.category(term=article.category.name, scheme=f"{root}/{article.category.url}")
    entry.content(content, type="html")
    # As HTML text: RSS readers render <description> as HTML, so text that mentions markup must be escaped.
    entry.summary(html.escape(article.plain_summary or plain(article.title), quote=False), type="html")
    add_image(entry, article, root, settings, kind)


def add_image(entry, article, root: str, settings: dict, kind: str) -> None:
    """The lead image as media:content at its absolute address (JPEG: every reader shows it), and in RSS as
    the enclosure too, with the file's length as RSS requires. (feedgen 1.0 writes an Atom enclosure link
    without its rel and type, which would make it a second alternate link: Atom gets media:content only.)"""
    picture = getattr(article, "lead_image", None)
    if picture is None:
        return
    most = settings["IMAGES_SHARE_WIDTH"]
    url = picture.url(root, most=most)
    width, height = picture.size(most)
    if kind == "rss":
        length = (Path(settings["OUTPUT_PATH"]) / url[len(root) + 1 :]).stat().st_size
        entry.enclosure(url, str(length), "image/jpeg")
    entry.media.content(url=url, type="image/jpeg", medium="image", width=str(width), height=str(height))


def credit(article) -> str:
    """The source to credit a piece that names no author by ("Movisies"); "" when it names one."""
    return "" if article.bylines else plain(getattr(article, "source_name", ""))


def write_feeds(generator, writer=None) -> None:
    """Write every feed into the output folder."""
    if not generator.articles:
        return
    out = Path(generator.output_path)
    for feed in feeds_for(generator):
        for kind in KINDS:
            target = out / feed.path(generator.settings, kind)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(build(feed, kind, generator.settings))


def register() -> None:
    signals.article_writer_finalized.connect(write_feeds)
