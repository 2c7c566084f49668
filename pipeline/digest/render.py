"""Render an edition: Jinja2 (autoescaped) -> MJML -> HTML with mjml-python, and its plain-text twin.

Rendering is a pure function of the content and the settings: no clock, no randomness, so the same content
gives byte-identical files. The unsubscribe link differs per recipient; it is rendered as ``UNSUBSCRIBE``
and filled in by ``personalize``, so one rendering serves every message.
"""

from __future__ import annotations

import functools
import html
import re
import textwrap
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import css_inline
import jinja2
from babel.dates import format_date
from mjml import mjml2html

from pipeline.digest.config import DigestConfig
from pipeline.digest.editions import Window, issue_in_year
from pipeline.digest.select import DigestArticle, Editorial
from pipeline.digest.text import TEMPLATES, byline, render_text
from pipeline.errors import UserError
from pipeline.plural import count
from pipeline.site import images
from pipeline.site.dates import nl_count

# A stand-in URL without characters that HTML escaping would change, replaced per recipient.
UNSUBSCRIBE = "https://unsubscribe.invalid/placeholder"
TITLE_MAX = 160  # characters; a title longer than this is shortened in the email (never on the site)
LEDE_MAX = 320
OVERFLOW_FACTOR = 3  # past DIGEST_MAX_ITEMS, at most this many times as many titles are listed
EMAIL_IMAGE_WIDTH = 536  # pixels: the 600 px body less its 32 px margins
CONTENTS_MIN = 3  # "In dit nummer" points into an edition of at least this many articles (cover lines)
PREHEADER_MAX = 150
SERIES_COLOURS = {"blog": "#b5432f", "interview": "#1d6f78", "opinion": "#6d4aa6", "other": "#8a6a12"}


@dataclass(frozen=True)
class EmailImage:
    """The featured article's lead image as the email shows it: hosted on the site, at most 600 px wide."""

    url: str  # absolute: the site's variant of the image (pipeline.site.images), never the original
    width: int  # as shown, EMAIL_IMAGE_WIDTH at most
    height: int
    alt: str


def hosted_image(article: DigestArticle, config: DigestConfig) -> EmailImage | None:
    """The article's lead image at its address on the site (the variant the build made for sharing), or
    None when it has none or the file cannot be read."""
    if not article.image:
        return None
    settings = config.pelican
    try:
        key, sizes = images.plan(Path(article.image), settings)
    except Exception:  # Pillow raises many kinds for a file that is no image; the site leaves it out too
        return None
    picture = images.Picture(key, article.image, sizes, article.image_alt)
    width, height = picture.size(settings["IMAGES_SHARE_WIDTH"])
    shown = min(width, EMAIL_IMAGE_WIDTH)
    url = picture.url(config.siteurl, most=settings["IMAGES_SHARE_WIDTH"])
    return EmailImage(url, shown, round(height * shown / width), article.image_alt)


@dataclass(frozen=True)
class Section:
    key: str
    label: str
    articles: list[DigestArticle]


@dataclass(frozen=True)
class Edition:
    """Everything the templates show, already chosen, ordered and shortened."""

    window: Window
    line: str  # DIGEST_EDITION_LINE
    issue: tuple[int, int]  # number within the year, year
    title: str
    tagline: str
    publisher: str
    editorial: Editorial | None
    featured: DigestArticle | None
    sections: list[Section]
    overflow: list[DigestArticle]
    overflow_listed: list[DigestArticle]
    web_url: str
    archive_url: str
    site_link: str
    site_host: str
    signup_url: str  # the sign-up page, which the web version links to instead of an unsubscribe link
    series_keys: dict[str, str] = field(repr=False)
    utm: dict[str, str] = field(repr=False)
    featured_image: EmailImage | None = None

    @property
    def number(self) -> int:
        return self.window.number

    @property
    def edition_line(self) -> str:
        """ "Nummer 2 · 2018", as DIGEST_EDITION_LINE says (the running number is only in the web address)."""
        issue, year = self.issue
        month = format_date(self.window.until, "MMMM", locale="nl")
        return self.line.format(issue=issue, year=year, month=month, number=self.number)

    @property
    def has_contents_list(self) -> bool:
        return self.count >= CONTENTS_MIN

    @property
    def contents(self) -> list[DigestArticle]:
        """The articles shown in full, in the order they appear."""
        featured = [self.featured] if self.featured else []
        return featured + [a for section in self.sections for a in section.articles]

    @property
    def count(self) -> int:
        return len(self.contents) + len(self.overflow)

    @property
    def subject(self) -> str:
        """The editorial's `Subject:` when it gives one (it says what the edition is about), else the featured
        article's title."""
        lead = self.featured.title if self.featured else ""
        lead = self.editorial.subject if self.editorial and self.editorial.subject else lead
        text = f"{self.title} · {self.edition_line}" + (f": {lead}" if lead else "")
        return one_line(textwrap.shorten(text, 110, placeholder=" …"))

    @property
    def preheader(self) -> str:
        """The preview line: the editorial's opening, else what the edition holds."""
        if self.editorial and self.editorial.text:
            return textwrap.shorten(self.editorial.text, PREHEADER_MAX, placeholder=" …")
        titles = " · ".join(a.title for a in self.contents)
        counted = count(self.count, "artikel", "artikelen", "nl")
        return textwrap.shorten(f"{self.edition_line}, {counted}: {titles}", PREHEADER_MAX, placeholder=" …")

    def series_key(self, article: DigestArticle) -> str:
        return self.series_keys.get(article.series, "other")

    def link(self, article: DigestArticle) -> str:
        return with_utm(article.url, self.utm)


def one_line(text: str) -> str:
    """Collapse all whitespace, line breaks included, so a value is safe on one line (and in a header)."""
    return " ".join(text.split())


def with_utm(url: str, utm: dict[str, str]) -> str:
    """``url`` with the UTM parameters added (existing query parameters are kept)."""
    if not utm:
        return url
    parts = urlsplit(url)
    query = [*parse_qsl(parts.query, keep_blank_values=True), *utm.items()]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _shorten(article: DigestArticle) -> DigestArticle:
    return replace(
        article,
        title=textwrap.shorten(article.title, TITLE_MAX, placeholder=" …"),
        lede=textwrap.shorten(article.lede, LEDE_MAX, placeholder=" …"),
        pullquote=textwrap.shorten(article.pullquote, LEDE_MAX, placeholder=" …"),
    )


def build_edition(
    config: DigestConfig,
    window: Window,
    articles: list[DigestArticle],
    editorial: Editorial | None,
    *,
    full: bool = False,
) -> Edition:
    """Arrange the window's articles: newest first; a featured one; a section per series; the rest listed.

    ``full`` (the web version) shows every article in full; the email shows at most DIGEST_MAX_ITEMS.
    """
    if not articles:
        raise EmptyEdition(window)
    newest = sorted((_shorten(a) for a in articles), key=lambda a: (a.day, a.title), reverse=True)
    shown, overflow = (newest, []) if full else (newest[: config.max_items], newest[config.max_items :])
    # the newest with a lead image and a pull quote, else with an image, else with a pull quote, else newest
    featured = max(shown, key=lambda a: (bool(a.image), bool(a.pullquote)))
    keys = {label: key for key, label in config.series.items()}
    campaign = {k: v.format(number=window.number) for k, v in config.utm.items()}
    return Edition(
        window=window,
        line=config.edition_line,
        issue=issue_in_year(config.cadence, window),
        title=config.title,
        tagline=config.tagline,
        publisher=config.pelican.get("AUTHOR", config.title),
        editorial=editorial,
        featured=featured,
        sections=_sections([a for a in shown if a is not featured], config.series),
        overflow=overflow,
        overflow_listed=overflow[: OVERFLOW_FACTOR * max(config.max_items, 1)],
        web_url=with_utm(config.edition_url(window.number), campaign),
        archive_url=with_utm(config.web_root, campaign),
        site_link=with_utm(f"{config.siteurl}/", campaign),
        site_host=urlsplit(config.siteurl).netloc,
        signup_url=f"{config.web_root}aanmelden",
        series_keys=keys,
        utm=campaign,
        featured_image=hosted_image(featured, config),
    )


def _sections(articles: list[DigestArticle], series: dict[str, str]) -> list[Section]:
    """One section per series, in the order of SERIES; other categories after them, alphabetically."""
    labels = list(series.values())
    others = sorted({a.series for a in articles} - set(labels))
    keys = {label: key for key, label in series.items()}
    sections = []
    for label in labels + others:
        members = [a for a in articles if a.series == label]
        if members:
            sections.append(Section(keys.get(label, "other"), label or "Overig", members))
    return sections


class EmptyEdition(Exception):
    """No article is dated inside the window: there is no edition to make (a distinct exit status)."""

    def __init__(self, window: Window) -> None:
        super().__init__(
            f"no articles dated {window.since} to {window.until}: no edition {window.number} was made"
        )


@dataclass(frozen=True)
class Rendered:
    """One edition's email, with ``UNSUBSCRIBE`` where each recipient's own link goes."""

    number: int
    since: str  # ISO dates: the window, kept for the archive and the ledger's reports
    until: str
    subject: str
    preheader: str
    html: str
    text: str

    def personalize(self, unsubscribe_url: str) -> tuple[str, str]:
        """The HTML and text parts with ``unsubscribe_url`` in place of the stand-in."""
        return (
            self.html.replace(UNSUBSCRIBE, html.escape(unsubscribe_url, quote=True)),
            self.text.replace(UNSUBSCRIBE, unsubscribe_url),
        )


@functools.cache
def _environment() -> jinja2.Environment:
    """One environment for all renderings, so each template is compiled once per run, not per edition."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["byline"] = byline
    env.filters["plural"] = nl_count
    return env


def to_mjml(edition: Edition, *, web: bool = False) -> str:
    """The MJML source of an edition; article text is escaped by Jinja's autoescape."""
    template = _environment().get_template("digest.mjml.j2")
    return template.render(e=edition, web=web, unsubscribe_url=UNSUBSCRIBE, colours=SERIES_COLOURS)


def mjml_to_html(source: str) -> str:
    """HTML from MJML; bad MJML raises, and so does any ``mj-`` tag MRML let through unrendered."""
    try:
        out = mjml2html(source, disable_comments=True, fonts={})
    except ValueError as exc:
        raise UserError(f"the email template is not valid MJML: {exc}") from None
    leftover = re.search(r"</?mj-[a-z-]+", out)
    if leftover:
        raise UserError(f"the email template uses an unknown MJML tag: {leftover.group(0)}>")
    return _INLINER.inline(out)


# MRML leaves the CSS of `mj-style` (and its own resets) in <style>, which Gmail's apps drop for accounts
# that are not Google's: every rule that can be is written into the elements' style attributes (css-inline,
# a maintained inliner of real CSS cascade and specificity, which our own code would only approximate);
# @media rules (the phone layout, dark mode) can't be and stay in <style> for the clients that read it.
_INLINER = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)


def render(edition: Edition, *, web: bool = False) -> Rendered:
    """The email (or, with ``web``, the page for the archive) of an edition."""
    return Rendered(
        number=edition.number,
        since=edition.window.since.isoformat(),
        until=edition.window.until.isoformat(),
        subject=edition.subject,
        preheader=edition.preheader,
        html=mjml_to_html(to_mjml(edition, web=web)),
        text=render_text(edition, UNSUBSCRIBE),
    )
