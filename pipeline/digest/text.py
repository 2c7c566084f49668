"""The plain-text twin of an edition: written for reading in a text-only client, wrapped at 72 columns."""

from __future__ import annotations

import textwrap
from html.parser import HTMLParser
from typing import TYPE_CHECKING

from babel.dates import format_date

if TYPE_CHECKING:
    from pipeline.digest.render import Edition
    from pipeline.digest.select import DigestArticle

WIDTH = 72
HEAVY = "=" * WIDTH
LIGHT = "-" * WIDTH


def wrap(text: str, indent: str = "") -> str:
    """Wrap prose at 72 columns; a URL is never broken, even when it is longer than a line."""
    return textwrap.fill(
        text,
        WIDTH,
        initial_indent=indent,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )


def byline(article: DigestArticle, with_roles: bool = False) -> str:
    """ "Door A (rol) en B · 15 november 2023"; "Bron: Movisies · ..." for a piece that names no author;
    only the date when neither is known. "geplaatst op" for a date that is the first publication here."""
    names = [
        f"{name} ({article.roles[i]})" if with_roles and i < len(article.roles) and article.roles[i] else name
        for i, name in enumerate(article.authors)
    ]
    day = ("geplaatst op " if article.dated_here else "") + format_date(article.day, "d MMMM y", locale="nl")
    if not names:
        return f"Bron: {article.source} · {day}" if article.source else day[0].upper() + day[1:]
    joined = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} en {names[-1]}"
    return f"Door {joined} · {day}"


class _HtmlToText(HTMLParser):
    """Sanitized editorial HTML to paragraphs, with links numbered and listed after the text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = [""]
        self.links: list[str] = []
        self.href: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"p", "li", "h2", "h3", "blockquote", "br"}:
            self.blocks.append("* " if tag == "li" else "")
        elif tag == "a":
            self.href = dict(attrs).get("href")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self.href:
            self.links.append(self.href)
            self.blocks[-1] += f" [{len(self.links)}]"
            self.href = None

    def handle_data(self, data: str) -> None:
        self.blocks[-1] += data

    def text(self) -> str:
        paragraphs = [wrap(" ".join(block.split())) for block in self.blocks if block.strip()]
        notes = [f"[{i}] {url}" for i, url in enumerate(self.links, 1)]
        return "\n\n".join(paragraphs + (["\n".join(notes)] if notes else []))


def html_to_text(fragment: str) -> str:
    parser = _HtmlToText()
    parser.feed(fragment)
    parser.close()
    return parser.text()


def _item(edition: Edition, article: DigestArticle, featured: bool = False) -> str:
    lines = [wrap(article.title), wrap(byline(article, with_roles=featured)), ""]
    if article.lede:
        lines += [wrap(article.lede), ""]
    if featured and article.pullquote:
        lines += [wrap(article.pullquote, indent="    "), ""]
    lines.append(f"Lees verder: {edition.link(article)}")
    return "\n".join(lines)


def render_text(edition: Edition, unsubscribe_url: str) -> str:
    """The whole text part; ``unsubscribe_url`` is the recipient's own link (or a stand-in)."""
    parts = [
        "\n".join([edition.title.upper(), edition.tagline, edition.edition_line]),
        f"Bekijk in je browser:\n{edition.web_url}",
    ]
    if edition.editorial:
        signed = f"\n\n{edition.editorial.author}" if edition.editorial.author else ""
        parts += [HEAVY, f"REDACTIONEEL\n\n{html_to_text(edition.editorial.body_html)}{signed}"]
    if edition.has_contents_list:
        contents = [
            wrap(f"{a.series or 'Overig'}: {a.title}", indent="  ").replace("  ", "* ", 1)
            for a in edition.contents
        ]
        parts += [HEAVY, "IN DIT NUMMER\n\n" + "\n".join(contents)]
    if edition.featured:
        kicker = f"UITGELICHT · {(edition.featured.series or 'Overig').upper()}"
        parts += [HEAVY, kicker, _item(edition, edition.featured, featured=True)]
    for section in edition.sections:
        items = [_item(edition, article) for article in section.articles]
        parts += [HEAVY, section.label.upper(), f"\n\n{LIGHT}\n\n".join(items)]
    if edition.overflow:
        parts += [HEAVY, _overflow(edition)]
    parts += [HEAVY, _colofon(edition, unsubscribe_url)]
    return "\n\n".join(parts) + "\n"


def _overflow(edition: Edition) -> str:
    titles = [wrap(f"* {a.title}") for a in edition.overflow_listed]
    rest = len(edition.overflow) - len(edition.overflow_listed)
    if rest:
        titles.append(f"... en nog {rest} meer.")
    return (
        "OOK IN DEZE PERIODE\n\n" + "\n".join(titles) + f"\n\nLees alles in de webversie:\n{edition.web_url}"
    )


def _colofon(edition: Edition, unsubscribe_url: str) -> str:
    about = wrap(
        f"{edition.title} is een uitgave van de {edition.publisher}. Je ontvangt deze nieuwsbrief omdat "
        f"je je hebt aangemeld op {edition.site_host}."
    )
    return (
        f"COLOFON\n\n{about}\n\nAfmelden voor deze nieuwsbrief:\n{unsubscribe_url}\n\n"
        f"Alle nummers:\n{edition.archive_url}"
    )
