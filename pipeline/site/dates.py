"""Dutch dates ("15 juni 2018") and counts ("1 artikel") in templates, through Babel.

Pelican's DATE_FORMATS would switch the whole process locale (and need it installed); Babel formats from its
own CLDR data, so the build gives the same bytes on any machine.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

from babel.dates import format_date
from pelican import signals

from pipeline.plural import count

LOCALE = "nl_NL"


def nl_date(value: date | datetime, pattern: str = "d MMMM y") -> str:
    """Format a date the Dutch way; `pattern` is a CLDR pattern ("d MMMM y" gives "15 juni 2018")."""
    if isinstance(value, datetime):
        value = value.date()
    return _format(value, pattern)


@lru_cache(maxsize=8192)
def _format(day: date, pattern: str) -> str:
    """Babel's formatting, once per day and pattern: a site of thousands of articles shows each date on
    several pages (article, listings, archives), and Babel is slow enough for that to show in a build."""
    return format_date(day, format=pattern, locale=LOCALE)


def nl_count(number: int, singular: str, plural: str) -> str:
    """ "1 artikel", "3 artikelen": Dutch plural rules (Babel), for the templates' `plural` filter."""
    return count(number, singular, plural, "nl")


def iso_date(value: datetime) -> str:
    """The ISO 8601 timestamp with its offset, for `<time datetime>`, OpenGraph and JSON-LD."""
    return value.isoformat()


def add_filters(generator) -> None:
    """Make the filters available to every template the generator renders."""
    generator.env.filters.update(nl_date=nl_date, iso_date=iso_date, plural=nl_count)


def register() -> None:
    signals.generator_init.connect(add_filters)
