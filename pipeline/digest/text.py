"""The plain-text twin of an edition, from ``digest.txt.j2``: for reading in a text-only client, wrapped at 72
columns."""

from __future__ import annotations

import functools
import re
import textwrap
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2
from babel.dates import format_date

if TYPE_CHECKING:
    from pipeline.digest.render import Edition
    from pipeline.digest.select import DigestArticle

TEMPLATES = Path(__file__).resolve().parents[2] / "themes" / "movisies" / "email"
WIDTH = 72
_BLANK_LINES = re.compile(r"\n{3,}")  # the template's blocks leave runs of blank lines: one is kept
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


@functools.cache
def _environment() -> jinja2.Environment:
    """Plain text, not HTML: no autoescape. Wording and layout are in the template, beside the MJML one."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(wrap=wrap, as_text=html_to_text)
    env.globals.update(byline=byline, heavy=HEAVY, light=LIGHT)
    return env


def render_text(edition: Edition, unsubscribe_url: str) -> str:
    """The whole text part (digest.txt.j2); ``unsubscribe_url``: the recipient's own link, or a stand-in."""
    text = _environment().get_template("digest.txt.j2").render(e=edition, unsubscribe_url=unsubscribe_url)
    return _BLANK_LINES.sub("\n\n", text).strip() + "\n"
