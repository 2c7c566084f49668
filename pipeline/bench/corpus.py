"""A deterministic corpus of scraped-style pages, made of the seeds' own sentences and typical site chrome.

Page ``i`` depends only on the seed and ``i`` (it has its own ``random.Random``), so a corpus of N pages is
the first N pages of every larger one, and "one new page" is page N. Every page is an article of one series
(blog, interview, opinion, in turn) with a unique title, a date, an author and 4 to 9 paragraphs of 2 to 5
sentences sampled from the seeds, framed by chrome lines a scraper brings along: menus, skip links, search
boxes, breadcrumbs, cookie notices, share widgets, newsletter sign-ups, login prompts, related links and
footers. Every fifth page is HTML (with that chrome in <nav>, <header>, <aside>, <footer> and classed
<div>s); the others are plain text, as most scraped pages are saved.
"""

from __future__ import annotations

import html
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pipeline.ingest.rules import load as load_rules

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
SEED = 20240601  # the fixed random seed of every published figure
HTML_EVERY = 5
SERIES_ORDER = ("blog", "interview", "opinion")

SUBJECTS = (
    "Het sociaal wijkteam", "De buurtverbinder", "Jongerenwerk", "Schuldhulp", "Mantelzorg",
    "De sociale basis", "Opbouwwerk", "Ouderenwerk", "Het buurthuis", "De wijkcoach", "Vrijwilligerswerk",
    "Preventie", "Armoedebeleid", "Eenzaamheid", "De generalist", "Welzijnswerk", "Jeugdhulp", "Participatie",
    "Informele zorg", "De ervaringsdeskundige", "Straathoekwerk", "Het sociaal domein",
    "Het burgerinitiatief", "De sociaal werker",
)  # fmt: skip
PREDICATES = (
    "verdient meer ruimte", "vraagt om vakmanschap", "begint bij de bewoner", "is geen sluitpost",
    "heeft tijd nodig", "staat onder druk", "werkt het best dichtbij", "is meer dan een project",
    "moet terug naar de kern", "verbindt de wijk", "kan niet zonder vrijwilligers", "krijgt een nieuwe taal",
    "vraagt lef van gemeenten", "loont op de lange termijn", "hoort bij de basis", "zoekt de verbinding",
    "is toe aan herijking", "laat zich niet vangen in cijfers", "bouwt aan vertrouwen", "vraagt om geduld",
)  # fmt: skip
PLACES = (
    "Zwolle", "Deventer", "Utrecht", "Leeuwarden", "Enschede", "Eindhoven", "Tilburg", "Nijmegen", "Arnhem",
    "Amersfoort", "Apeldoorn", "Groningen", "Assen", "Emmen", "Almere", "Lelystad", "Haarlem", "Zaanstad",
    "Leiden", "Delft", "Gouda", "Dordrecht", "Breda", "Venlo", "Maastricht", "Heerlen", "Middelburg",
    "Den Bosch", "Helmond", "Hoorn",
)  # fmt: skip
CAPACITY = len(SUBJECTS) * len(PREDICATES) * len(PLACES)  # titles are unique up to this many pages
STEP = 7919  # a prime not dividing CAPACITY: index -> title is a bijection that spreads neighbours apart

LABELS = {
    "blog": ("Blog", "Column", "Gastblog"),
    "interview": ("Interview", "Tweegesprek", "In gesprek"),
    "opinion": ("Opinie", "Standpunt", "Beschouwing"),
}
FIRST_NAMES = (
    "Anouk", "Bram", "Carla", "Daan", "Esther", "Fatima", "Gert", "Hanneke", "Ilse", "Jeroen", "Karin",
    "Lotte", "Mohamed", "Nienke", "Olga", "Pieter", "Rianne", "Sander", "Tessa", "Youssef",
)  # fmt: skip
LAST_NAMES = (
    "de Vries", "Jansen", "van den Berg", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "Bos",
    "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker", "Brouwer", "de Wit", "Dijkstra", "Kaya",
    "El Amrani",
)  # fmt: skip
ROLES = ("beleidsadviseur", "sociaal werker", "onderzoeker", "directeur", "opbouwwerker", "lector")
ORGS = ("Movisie", "Sociaal Werk Nederland", "Welzijn Oost", "Stichting Wijkkracht", "Hogeschool Utrecht")
MONTHS = (
    "januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
    "november", "december",
)  # fmt: skip
HEADINGS = (
    "Vakmanschap", "Buiten beeld", "Terug naar de kern", "Tijd en ruimte", "Samen met bewoners",
    "Wat werkt", "Structurele keuzes", "De praktijk",
)  # fmt: skip
SITES = ("Kennisplein Sociaal Werk", "Sociaal Werk Nederland", "Vakblad Sociaal Domein", "Wijkwerk Online")

MENU = ("Home", "Nieuws", "Thema's", "Agenda", "Publicaties", "Over ons", "Contact", "Inloggen")
COOKIES = (
    "Deze website gebruikt cookies om je bezoek makkelijker te maken.",
    "Wij gebruiken cookies voor statistieken en om de site te verbeteren.",
)
COOKIE_BUTTONS = ("Alle cookies accepteren", "Weigeren")
SHARE = ("Deel dit artikel", "Facebook", "LinkedIn", "WhatsApp", "E-mail")
NEWSLETTER = (
    "Blijf op de hoogte",
    "Ontvang elke maand het laatste nieuws uit het sociaal domein in je mailbox.",
    "Meld je aan voor onze nieuwsbrief",
)
LOGIN = (
    "Om te reageren dien je eerst in te loggen.",
    "Heb je nog geen profiel? Registreer dan eerst om een nieuw profiel aan te maken.",
)
FOOTER = ("Privacyverklaring", "Disclaimer", "Contact")
# Related links name the site's older pieces, never a page of the corpus: a title listed on other pages would
# recur across the batch, and the ingest takes a line on 3 or more pages for site furniture.
RELATED = (
    "Tien jaar decentralisaties: wat hebben we geleerd?", "Zo versterk je de sociale basis in jouw gemeente",
    "Vijf vragen over het beroepsregister", "Wat doet een opbouwwerker eigenlijk?",
    "De kracht van informele zorg", "Handreiking: samenwerken met ervaringsdeskundigen",
)  # fmt: skip


@dataclass(frozen=True)
class GeneratedPage:
    """One page of the corpus, with what the ingest should recover from it."""

    name: str
    data: bytes
    title: str
    series: str  # blog, interview or opinion
    date: str  # ISO
    author: str
    paragraphs: tuple[str, ...]
    chrome: tuple[str, ...]  # every line of site furniture on the page


@dataclass(frozen=True)
class _Parts:
    """The article and its chrome, before they are laid out as text or HTML."""

    label: str
    title: str
    date_line: str
    byline: str
    body: tuple[tuple[str, str], ...]  # (kind, text): "p" paragraphs and "h2" subheadings
    top: tuple[str, ...]  # menu, skip link, search box, breadcrumb
    cookies: tuple[str, ...]
    share: tuple[str, ...]
    newsletter: tuple[str, ...]
    login: tuple[str, ...]
    related: tuple[str, ...]
    footer: tuple[str, ...]

    @property
    def chrome(self) -> tuple[str, ...]:
        return (
            self.cookies + self.top + self.share + self.related + self.newsletter + self.login + self.footer
        )


@lru_cache(maxsize=4)
def sentences(seeds: Path = SEEDS) -> tuple[str, ...]:
    """The seeds' sentences of 6 to 40 words, from their paragraphs (lines of 20 words or more), in order.

    A sentence that one of the ingest's chrome rules matches ("Movisies verschijnt drie keer per jaar") is
    the seed site's boilerplate, not article text, and is left out; so is a fragment cut at an initial.
    """
    chrome = load_rules().chrome
    found: dict[str, None] = {}
    for path in sorted(seeds.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if len(line.split()) < 20:
                continue
            for sentence in re.split(r"(?<=[.!?])\s+(?=[A-Z‘'])", " ".join(line.split())):
                if not 6 <= len(sentence.split()) <= 40 or re.search(r"\s[A-Z]\.$", sentence):
                    continue
                if not any(rule.pattern.search(sentence) for rule in chrome):
                    found[sentence] = None
    if len(found) < 20:
        raise ValueError(f"{seeds} holds too little running text to build a corpus from")
    return tuple(found)


def title_of(index: int) -> str:
    """A unique title per index below CAPACITY: "Mantelzorg vraagt om geduld in Zwolle"."""
    if not 0 <= index < CAPACITY:
        raise ValueError(f"the corpus holds at most {CAPACITY} pages (page {index} asked for)")
    key = index * STEP % CAPACITY
    subject, key = SUBJECTS[key % len(SUBJECTS)], key // len(SUBJECTS)
    predicate, key = PREDICATES[key % len(PREDICATES)], key // len(PREDICATES)
    return f"{subject} {predicate} in {PLACES[key]}"


def _paragraph(rng: random.Random, pool: tuple[str, ...]) -> str:
    return " ".join(rng.sample(pool, rng.randint(2, 5)))


def _body(rng: random.Random, pool: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    count = rng.randint(4, 9)
    headings = rng.sample(HEADINGS, 2) if rng.random() < 0.5 else []
    body = []
    for number in range(count):
        if headings and number >= 2 and number % 2 == 0:
            body.append(("h2", headings.pop()))
        body.append(("p", _paragraph(rng, pool)))
    return tuple(body)


def _top(rng: random.Random) -> tuple[str, ...]:
    menu = MENU[: rng.randint(4, len(MENU))]
    skip = ("Ga naar de inhoud",) if rng.random() < 0.5 else ()
    search = ("Zoeken...",) if rng.random() < 0.5 else ()
    crumb = (f"Home > {rng.choice(('Kennis', 'Nieuws', 'Blogs'))} > {rng.choice(('Artikelen', 'Opinie'))}",)
    return (*skip, *menu, *search, *(crumb if rng.random() < 0.5 else ()))


def _parts(index: int, seed: int, pool: tuple[str, ...]) -> tuple[_Parts, str, str, str]:
    rng = random.Random(f"{seed}:{index}")
    series = SERIES_ORDER[index % len(SERIES_ORDER)]
    day, month, year = rng.randint(1, 28), rng.randint(1, 12), rng.randint(2014, 2023)
    author = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    role = f"{rng.choice(ROLES)} bij {rng.choice(ORGS)}"
    date_text = f"{day} {MONTHS[month - 1]} {year}"
    related = ("Lees ook", *rng.sample(RELATED, 2)) if rng.random() < 0.5 else ()
    parts = _Parts(
        label=rng.choice(LABELS[series]),
        title=title_of(index),
        date_line=rng.choice((date_text, f"Gepubliceerd op {date_text}", f"{date_text} | 4 minuten lezen")),
        byline=f"Door: {author}, {role}.",
        body=_body(rng, pool),
        top=_top(rng),
        cookies=(rng.choice(COOKIES), *COOKIE_BUTTONS) if rng.random() < 0.6 else (),
        share=SHARE[: rng.randint(2, len(SHARE))],
        newsletter=NEWSLETTER if rng.random() < 0.6 else NEWSLETTER[1:2],
        login=LOGIN if rng.random() < 0.5 else (),
        related=related,
        footer=(f"© {year + 1} {rng.choice(SITES)}. Alle rechten voorbehouden.", *FOOTER),
    )
    return parts, series, f"{year:04d}-{month:02d}-{day:02d}", author


def _text_page(parts: _Parts) -> str:
    article = [parts.label, parts.title, parts.date_line, *(text for _, text in parts.body), parts.byline]
    after = (*parts.share, *parts.related, *parts.newsletter, *parts.login, *parts.footer)
    return "\n\n".join((*parts.cookies, *parts.top, *article, *after)) + "\n"


def _html_list(items: tuple[str, ...]) -> str:
    return "<ul>" + "".join(f'<li><a href="#">{html.escape(item)}</a></li>' for item in items) + "</ul>"


def _html_page(parts: _Parts) -> str:
    e = html.escape
    body = "\n".join(f"<{kind}>{e(text)}</{kind}>" for kind, text in parts.body)
    cookies = (
        f'<div class="cookie-banner"><p>{e(parts.cookies[0])}</p>'
        + "".join(f"<button>{e(b)}</button>" for b in parts.cookies[1:])
        + "</div>"
        if parts.cookies
        else ""
    )
    related = (
        f'<aside class="related"><h2>{e(parts.related[0])}</h2>{_html_list(parts.related[1:])}</aside>'
        if parts.related
        else ""
    )
    return f"""<!DOCTYPE html>
<html lang="nl"><head><meta charset="utf-8"><title>{e(parts.title)}</title></head>
<body>
{cookies}
<header class="site-header"><nav>{_html_list(parts.top)}</nav></header>
<main>
<article>
<p class="label">{e(parts.label)}</p>
<h1>{e(parts.title)}</h1>
<p class="meta">{e(parts.date_line)}</p>
{body}
<p>{e(parts.byline)}</p>
<div class="share">{"".join(f"<span>{e(s)}</span>" for s in parts.share)}</div>
</article>
{related}
<aside class="newsletter">{"".join(f"<p>{e(n)}</p>" for n in parts.newsletter)}</aside>
<div class="comments">{"".join(f"<p>{e(n)}</p>" for n in parts.login)}</div>
</main>
<footer>{f"<p>{e(parts.footer[0])}</p>"}{_html_list(parts.footer[1:])}</footer>
</body></html>
"""


def page(index: int, seed: int = SEED, seeds: Path = SEEDS) -> GeneratedPage:
    """Page ``index`` of the corpus of ``seed``."""
    parts, series, date, author = _parts(index, seed, sentences(seeds))
    is_html = index % HTML_EVERY == HTML_EVERY - 1
    text = _html_page(parts) if is_html else _text_page(parts)
    return GeneratedPage(
        name=f"{index:05d}.{'html' if is_html else 'txt'}",
        data=text.encode("utf-8"),
        title=parts.title,
        series=series,
        date=date,
        author=author,
        paragraphs=tuple(line for kind, line in parts.body if kind == "p"),
        chrome=parts.chrome,
    )


def pages(count: int, seed: int = SEED, start: int = 0, seeds: Path = SEEDS) -> Iterator[GeneratedPage]:
    for index in range(start, start + count):
        yield page(index, seed, seeds)


def write(folder: Path, count: int, seed: int = SEED, start: int = 0) -> list[Path]:
    """Pages ``start`` to ``start + count - 1`` written into ``folder``; their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for generated in pages(count, seed, start):
        path = folder / generated.name
        path.write_bytes(generated.data)
        written.append(path)
    return written


def files(folder: Path) -> list[Path]:
    """The pages of a corpus folder, in name order; hidden files (the ingest's record of first publications,
    .published.toml) are not pages."""
    return sorted(path for path in folder.iterdir() if not path.name.startswith("."))
