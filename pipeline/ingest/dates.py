"""The article's date, from evidence only: what the page shows as its date, never a date it merely mentions.

Evidence, strongest first: a date line of the article ("26 maart 2021 | 1 minuut lezen"), the page's markup
(<time datetime>, article:published_time, JSON-LD datePublished, meta date), a date in the page's URL
("/2021/03/26/"), a date line among the lines removed as site chrome. Every piece found goes into the report,
the first one dates the article. A date inside a sentence ("Op 5 oktober 2023 kun je meepraten") is a hint:
reported, never applied. A page without evidence keeps no date here; the ingest then dates it by its first
publication on this site (``pipeline.ingest.published``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pipeline.ingest import fields
from pipeline.ingest.rules import Rules
from pipeline.model import Article, Line, Page, Role

HINT_CHARS = 80  # of the line a hint quotes


@dataclass(frozen=True)
class Found:
    date: str  # ISO
    where: str  # "page, line 3", "page markup", "URL", "removed line 12 (...)"

    def __str__(self) -> str:
        return f"{self.date} ({self.where})"


def date_article(article: Article, page: Page, rules: Rules) -> None:
    """Set the article's date from the first piece of evidence; record all evidence and hints."""
    evidence = [*_date_lines(article, page, rules), *_markup(page), *_url(page, rules), *_chrome(page, rules)]
    article.date_evidence = [str(found) for found in evidence]
    article.date_hints = _hints(page, rules)
    if evidence:
        article.date, article.date_source = evidence[0].date, evidence[0].where


def _date_lines(article: Article, page: Page, rules: Rules) -> list[Found]:
    found = []
    for line in page.with_role(Role.DATE):
        dated = fields.date_line(line.text, rules)
        article.labels += dated.labels if dated else []
        if dated and not dated.modified:
            found.append(Found(dated.date, f"page, line {line.number}"))
    return found


def _markup(page: Page) -> list[Found]:
    day = page.meta.get("date")
    return [Found(day, "page markup (time, meta or JSON-LD)")] if day else []


def _url(page: Page, rules: Rules) -> list[Found]:
    match = rules.date_url.search(page.meta.get("url", ""))
    if not match:
        return []
    try:
        day = dt.date(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError:
        return []
    return [Found(day.isoformat(), "URL")]


def _chrome(page: Page, rules: Rules) -> list[Found]:
    """Date lines the cleaning removed as site chrome: still the page's own statement of its date."""
    found = []
    for line in page.with_role(Role.CHROME):
        dated = fields.date_line(line.text, rules)
        if dated and not dated.modified:
            found.append(Found(dated.date, f"removed line {line.number} ({line.reason})"))
    return found


def _hints(page: Page, rules: Rules) -> list[str]:
    """Dates mentioned inside other lines, kept or removed: "line 14 mentions 2023-10-05: Op 5 ..."."""
    hints = []
    for line in page.lines:
        if (
            line.role is Role.DATE
            or not fields.may_hold_date(line.text, rules)
            or fields.date_line(line.text, rules)
        ):
            continue
        for match in rules.date.finditer(line.text):
            if day := fields.iso_date(match, rules):
                hints.append(f"line {line.number} mentions {day}: {_quote(line)}")
    return hints


def _quote(line: Line) -> str:
    text = line.text
    return text if len(text) <= HINT_CHARS else text[:HINT_CHARS].rsplit(" ", 1)[0] + " …"
