"""Editions and their windows, computed from the calendar alone.

The periods of a cadence tile the calendar (ISO weeks, calendar months, or the tertials January-April,
May-August, September-December), so each edition starts where the previous one ended. Edition 1 is the period
that holds DIGEST_FIRST_EDITION; edition N is the N-th period from there. No state and no clock: the same
number always means the same window, which is what makes every rendering reproducible.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from pipeline.errors import UserError


@dataclass(frozen=True)
class Window:
    """An edition's number and its dates, both ends inclusive."""

    number: int
    since: date
    until: date

    def __contains__(self, day: date) -> bool:
        return self.since <= day <= self.until


def _period_index(cadence: str, day: date) -> int:
    """A running count of periods, comparable across years."""
    if cadence == "weekly":
        return (day.toordinal() - 1) // 7  # ordinal 1, 0001-01-01, is a Monday
    if cadence == "monthly":
        return day.year * 12 + day.month - 1
    return day.year * 3 + (day.month - 1) // 4


def _period_bounds(cadence: str, index: int) -> tuple[date, date]:
    if cadence == "weekly":
        monday = date.fromordinal(index * 7 + 1)
        return monday, monday + timedelta(days=6)
    if cadence == "monthly":
        year, month0 = divmod(index, 12)
        start = date(year, month0 + 1, 1)
        return start, _next_month(start, 1) - timedelta(days=1)
    year, tertial = divmod(index, 3)
    start = date(year, tertial * 4 + 1, 1)
    return start, _next_month(start, 4) - timedelta(days=1)


def _next_month(start: date, months: int) -> date:
    year, month0 = divmod(start.month - 1 + months, 12)
    return date(start.year + year, month0 + 1, 1)


def issue_in_year(cadence: str, window: Window) -> tuple[int, int]:
    """(number within its year, year), as the magazine counts its issues: "Nummer 2 · 2018" is the second
    period of 2018 (the ISO week for a weekly edition, the month for a monthly one)."""
    if cadence == "weekly":
        year, week, _ = window.since.isocalendar()
        return week, year
    day = window.until
    start = _period_index(cadence, date(day.year, 1, 1))
    return _period_index(cadence, day) - start + 1, day.year


def edition_number(cadence: str, first: date, day: date) -> int:
    """The number of the edition whose period holds ``day``."""
    number = _period_index(cadence, day) - _period_index(cadence, first) + 1
    if number < 1:
        raise UserError(f"{day} lies before edition 1 (DIGEST_FIRST_EDITION = {first})")
    return number


def edition_window(cadence: str, first: date, number: int) -> Window:
    """The window of edition ``number``: its whole period."""
    if number < 1:
        raise UserError(f"edition numbers start at 1, not {number}")
    since, until = _period_bounds(cadence, _period_index(cadence, first) + number - 1)
    return Window(number, since, until)


def explicit_window(cadence: str, first: date, since: date, until: date, number: int | None) -> Window:
    """A window given by dates; unless numbered, it takes the number of the period its end lies in."""
    if since > until:
        raise UserError(f"--since {since} is after --until {until}")
    return Window(number or edition_number(cadence, first, until), since, until)
