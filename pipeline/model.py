"""The records that flow through the ingest: a source ``Page`` becomes an ``Article``.

Each stage takes the record and returns it enriched; nothing reaches back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

# The series: key (ingest, feeds, digest) -> the category name readers see. pelicanconf.py takes it from here.
SERIES = {"blog": "Blog", "interview": "Interview", "opinion": "Opinie"}


class Role(StrEnum):
    """What a line of the source page turned out to be."""

    BODY = "body"  # the article's own text
    CHROME = "chrome"  # site furniture: removed, with a reason
    TITLE = "title"
    LABEL = "label"  # a type label such as "Blog" above the title
    DATE = "date"
    BYLINE = "byline"  # "Door: X, functie" or a closing bio
    PROVENANCE = "provenance"  # "Dit is een ingekorte versie van een artikel uit ..."
    THEME = "theme"  # the theme page's header ("Themaoverzicht", "Hoofdthema's")
    THEME_NAME = "theme_name"  # the theme the page is about: becomes a tag
    THEME_INTRO = "theme_intro"  # the theme's introduction above the article: the tag's description
    DUPLICATE = "duplicate"  # a teaser or repeated paragraph; its text stays in the article
    FIGURE = "figure"  # a figure's caption or credit: kept with its image, never body text or a heading


@dataclass
class Line:
    """One line of the source (a paragraph, a heading, a menu item ...), numbered from 1."""

    number: int
    text: str
    role: Role = Role.BODY
    reason: str = ""
    hint: str = ""  # from HTML sources: "h2", "li", "blockquote" ...
    links: list[tuple[str, str]] = field(default_factory=list)  # (anchor text, href) inside the text


@dataclass
class ImageRef:
    """An image the page refers to, as the HTML reader found it (pipeline/ingest/figures.py).

    `src` is the reference as the page gives it (made absolute against the page's base URL when the page has
    one); whether its file is at hand is decided later (pipeline/ingest/images.py).
    """

    src: str
    alt: str = ""
    caption: str = ""  # the <figcaption> without its credit
    credit: str = ""  # "Beeld: ...", "Foto: ...", "© ..." (the cue kept)
    lead: bool = False  # the article's lead image
    reason: str = ""  # why it is site chrome (logo, icon, tracking pixel ...); "" for an article image
    width: int = 0  # as the markup states it (0: not stated)
    height: int = 0
    anchor: str = ""  # the start of the text that follows the image on the page: where it goes in the body
    fallback: bool = False  # the page's og:image: the lead only when no figure of the article is at hand


@dataclass
class Page:
    """A decoded source page: its lines, and what the batch knows about it."""

    source: str  # file name relative to the source folder
    lines: list[Line]
    meta: dict[str, str] = field(default_factory=dict)  # metadata found in HTML markup
    markup: bool = False  # read from HTML: its blocks and chrome come from the markup, not from line shapes
    images: list[ImageRef] = field(default_factory=list)  # HTML pages: every <img> found, chrome marked

    def with_role(self, *roles: Role) -> list[Line]:
        return [line for line in self.lines if line.role in roles]


class BlockKind(StrEnum):
    PARAGRAPH = "paragraph"
    HEADING = "heading"
    PULLQUOTE = "pullquote"
    QUESTION = "question"
    LIST_ITEM = "list_item"
    QUOTE = "quote"


@dataclass
class Block:
    kind: BlockKind
    text: str
    line: int  # the source line it came from
    links: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Author:
    name: str
    role: str = ""


@dataclass
class ArticleImage:
    """An image kept with an article: validated, named by its content, copied into content/images/<slug>/."""

    name: str  # "<sha256 prefix>.<ext>", the file's name in the article's image folder
    source: str  # the file it came from, relative to the source folder
    width: int
    height: int
    alt: str = ""
    caption: str = ""
    credit: str = ""
    lead: bool = False
    anchor: str = ""  # placed before the body block whose text starts with this ("" : after the text)


@dataclass
class Article:
    """An article as the structure stage recovered it, then classified and written."""

    source: str
    title: str = ""
    date: str | None = None  # ISO YYYY-MM-DD
    date_source: str = ""  # "page, line 3", "page markup ...", "override", "first publication on this site"
    date_evidence: list[str] = field(default_factory=list)  # every date the page gives as its own, with where
    date_hints: list[str] = field(default_factory=list)  # dates it only mentions: reported, never applied
    dated_here: bool = False  # no date on the page: dated by its first publication on this site
    source_name: str = ""  # whom to credit when no author is named: the publication, site name or domain
    authors: list[Author] = field(default_factory=list)
    lede: str = ""
    summary: str = ""
    blocks: list[Block] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    tag_descriptions: dict[str, str] = field(default_factory=dict)
    labels: list[str] = field(default_factory=list)  # type labels seen on the page
    closing_bios: bool = False  # the piece ends with its authors' bios
    source_note: str = ""  # provenance line, e.g. "Eerder verschenen in Movisies"
    source_magazine: str = ""
    series: str = ""
    confidence: float = 0.0
    evidence: list[str] = field(default_factory=list)
    status: str = "published"
    slug: str = ""
    overridden: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    images: list[ArticleImage] = field(default_factory=list)  # the lead image first, if any
    images_dropped: list[str] = field(default_factory=list)  # one line per image not kept, with why
