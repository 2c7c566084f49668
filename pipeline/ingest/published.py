"""When each page was first published on this site: ``.published.toml`` beside the source pages.

A page whose text gives no date of its own is dated by its first publication here, shown as "geplaatst op",
never by an invented date. The ingest records the day a page is first seen, once, in a small TOML file that
editors commit with the pages (so every later build, on any machine, gives the same dates); a page that left
the folder leaves the file too. The day is today in Amsterdam, or the day of ``SOURCE_DATE_EPOCH`` when that
is set (reproducible builds). The real date, once known, goes into ``overrides.toml``.

    "004_96e2e6fdac0f17d7.txt" = 2026-12-01
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterable
from pathlib import Path
from zoneinfo import ZoneInfo

from pipeline import fsio
from pipeline.ingest import tomlfile

FILE_NAME = ".published.toml"  # hidden: the ingest reads no hidden file as a page
TIMEZONE = ZoneInfo("Europe/Amsterdam")
HEADER = (
    "# The day each page was first published on this site, written once by the ingest: commit this file.\n"
    '# A page with no date of its own is dated by it ("geplaatst op"); set its real date in overrides.toml.\n'
)


class StateError(ValueError):
    """A state file that can't be read; the message names the file."""


def today() -> dt.date:
    """Today in Amsterdam, or the day of SOURCE_DATE_EPOCH (seconds since 1970) when it is set."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), TIMEZONE).date()
        except (ValueError, OverflowError, OSError):
            raise StateError(f"SOURCE_DATE_EPOCH={epoch!r} is not a number of seconds") from None
    return dt.datetime.now(TIMEZONE).date()


def load(folder: Path) -> dict[str, dt.date]:
    """Page name -> day of first publication; {} without a state file."""
    path = folder / FILE_NAME
    data = tomlfile.read(path, StateError)
    bad = next((name for name, day in data.items() if type(day) is not dt.date), None)
    if bad is not None:
        raise StateError(f"{path}: {bad!r} must be a date (YYYY-MM-DD without quotes)")
    return data


def record(folder: Path, names: Iterable[str], day: dt.date) -> dict[str, dt.date]:
    """Give every page in ``names`` not yet recorded the day ``day``, forget pages that are gone, and write
    the file when that changed anything. A folder that cannot take the file stops the run (StateError): its
    new pages would have no date to show."""
    known = load(folder)
    state = {name: known.get(name, day) for name in names}
    if state != known:
        try:
            fsio.atomic_write_text(folder / FILE_NAME, render(state))
        except fsio.FolderError as exc:
            raise StateError(f"cannot record first publications: {exc}") from None
    return state


def render(state: dict[str, dt.date]) -> str:
    """The file's text: one line a page, in name order (a JSON string is a TOML basic string)."""
    lines = [
        f"{json.dumps(name, ensure_ascii=False)} = {day.isoformat()}\n" for name, day in sorted(state.items())
    ]
    return HEADER + "".join(lines)
