"""Turn content into edition files: the email files of one edition, and the web archive of all of them."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import jinja2

from pipeline.digest.config import DigestConfig
from pipeline.digest.editions import Window, edition_number, edition_window
from pipeline.digest.message import build_message, mailbox, sender, unsubscribe_headers
from pipeline.digest.render import TEMPLATES, Edition, Rendered, build_edition, render
from pipeline.digest.select import DigestArticle, in_window, read_articles, read_editorial
from pipeline.errors import UserError
from pipeline.fsio import atomic_write_bytes, atomic_write_text
from pipeline.newsletter.config import newsletter_config
from pipeline.site.dates import nl_count

CLIP_BYTES = 102 * 1024  # Gmail clips a message whose HTML is larger than this
PREVIEW_TOKEN = "voorbeeld"  # the token in digest.eml's headers; real tokens are made per subscriber
SITE_TEMPLATES = TEMPLATES.parent / "templates"  # the sign-up block is the site's (signup.html)


@dataclass(frozen=True)
class Content:
    """A content folder read once: its articles, and what is needed to find editorials."""

    folder: Path
    articles: list[DigestArticle]


def read_content(config: DigestConfig, folder: Path, cache: Path | None = None) -> Content:
    return Content(folder, read_articles(folder, config.pelican, config.siteurl, cache))


def numbers(config: DigestConfig, content: Content) -> list[int]:
    """The editions that hold at least one article, oldest first (articles before edition 1 are in none)."""
    days = {
        a.day
        for a in content.articles
        if a.day >= edition_window(config.cadence, config.first_edition, 1).since
    }
    return sorted({edition_number(config.cadence, config.first_edition, day) for day in days})


def current_window(config: DigestConfig, content: Content) -> Window:
    """The current edition: the one whose period holds the newest article (see docs/digest.md for why)."""
    found = numbers(config, content)
    if not found:
        raise UserError(f"no article in {content.folder} is dated in or after edition 1")
    return edition_window(config.cadence, config.first_edition, found[-1])


def edition_for(config: DigestConfig, content: Content, window: Window, *, full: bool = False) -> Edition:
    editorial = read_editorial(content.folder, config.editorials, config.pelican, window.number)
    return build_edition(config, window, in_window(content.articles, window), editorial, full=full)


def generic_unsubscribe(config: DigestConfig) -> str:
    """The unsubscribe link of the preview and the web version, which belong to no one subscriber."""
    return f"mailto:{config.unsubscribe_mailto}?subject=afmelden"


def preview_message(config: DigestConfig, rendered: Rendered) -> bytes:
    """digest.eml: the message as a subscriber gets it, addressed to the sender and dated by the edition."""
    me = sender(config.sender)
    day = datetime.combine(date.fromisoformat(rendered.until), time(8), ZoneInfo("Europe/Amsterdam"))
    message = build_message(
        rendered,
        sender_address=me,
        to=mailbox(me.display_name, me.addr_spec),
        unsubscribe_url=generic_unsubscribe(config),
        extra_headers=unsubscribe_headers(
            config.unsubscribe_url.format(siteurl=config.siteurl, token=PREVIEW_TOKEN),
            config.unsubscribe_mailto,
            PREVIEW_TOKEN,
        ),
        sent=day,
        message_id=f"<nummer-{rendered.number}.voorbeeld@{me.domain}>",
    )
    # The MIME boundary is random by default; one derived from the parts keeps the file reproducible.
    digest = hashlib.sha256((rendered.html + rendered.text).encode()).hexdigest()[:24]
    message.set_boundary(f"==nummer-{rendered.number}-{digest}==")
    return bytes(message)


def write_edition(out: Path, config: DigestConfig, edition: Edition) -> Rendered:
    """digest.html, digest.txt, digest.eml and edition.json (what `send` sends) into ``out``."""
    rendered = render(edition)
    size = len(rendered.html.encode())
    if size > CLIP_BYTES:
        raise UserError(
            f"edition {edition.number} is {size // 1024} KB, Gmail clips it: lower DIGEST_MAX_ITEMS"
        )
    html, text = rendered.personalize(generic_unsubscribe(config))
    atomic_write_text(out / "digest.html", html)
    atomic_write_text(out / "digest.txt", text)
    atomic_write_bytes(out / "digest.eml", preview_message(config, rendered))
    # last: `send` reads this one, and finds it only whole, beside the files it describes
    atomic_write_text(out / "edition.json", json.dumps(asdict(rendered), ensure_ascii=False, indent=1))
    return rendered


def load_rendered(folder: Path, number: int) -> Rendered:
    """The edition `digest` wrote into ``folder``, checked to be edition ``number``."""
    path = folder / "edition.json"
    if not path.is_file():
        raise UserError(
            f"edition {number} was not rendered: {path} is missing (run `python -m pipeline digest`)"
        )
    try:
        rendered = Rendered(**json.loads(path.read_text(encoding="utf-8")))
        _check_types(rendered)
    except (OSError, ValueError, TypeError) as exc:  # truncated, not JSON, not UTF-8, fields missing
        raise UserError(
            f"{path} is damaged ({type(exc).__name__}): render it again with "
            f"`python -m pipeline digest --edition {number}`"
        ) from None
    if rendered.number != number:
        raise UserError(f"{path} holds edition {rendered.number}, not {number}")
    return rendered


def _check_types(rendered: Rendered) -> None:
    for name, value in vars(rendered).items():
        if not isinstance(value, int if name == "number" else str) or isinstance(value, bool):
            raise TypeError(f"{name} is {type(value).__name__}")


def write_web(site: Path, config: DigestConfig, content: Content) -> list[int]:
    """Every edition's web version at <web path>/<N>/ and the archive page at <web path>/, into ``site``."""
    root = site / config.web_path
    entries = []
    for number in numbers(config, content):
        edition = edition_for(
            config, content, edition_window(config.cadence, config.first_edition, number), full=True
        )
        html, _ = render(edition, web=True).personalize(generic_unsubscribe(config))
        atomic_write_text(root / str(number) / "index.html", html, durable=False)  # one an edition
        entries.append(edition)
    env = jinja2.Environment(loader=jinja2.FileSystemLoader([TEMPLATES, SITE_TEMPLATES]), autoescape=True)
    env.filters["plural"] = nl_count
    page = env.get_template("archive.html.j2").render(
        editions=list(reversed(entries)),
        config=config,
        home=f"{config.siteurl}/",
        signup=f"{config.web_root}aanmelden",
        consent=newsletter_config(config).consent,
    )
    atomic_write_text(root / "index.html", page)
    return [edition.number for edition in entries]
