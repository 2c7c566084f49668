"""Editor overrides: ``overrides.toml`` beside the source pages sets fields of an article; overrides win.

["002_639538e7ccf8d073.txt"]
series = "opinion"
date = "2014-03-01"
title = "Een sociaal wijkteam is geen container"
authors = ["Rogier den Uyl", { name = "Johan Kruithof", role = "wethouder te Apeldoorn" }]
tags = ["Sociale wijkteams"]
status = "draft"
image = "beelden/wijkteam.jpg"      # the lead image: a file in the source folder (false: no lead image)
image_alt = "Een wijkteam in overleg"
image_credit = "Beeld: Jan Jansen"
image_caption = "Het wijkteam van Apeldoorn-Zuid"

`image` is read where the page's images are (``pipeline.ingest.images.prepare``); the other image keys
set the lead image's text here.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from pipeline.ingest import published, tomlfile
from pipeline.model import SERIES, Article, Author

FILE_NAME = "overrides.toml"
KEYS = (
    "series",
    "title",
    "date",
    "authors",
    "tags",
    "status",
    "image",
    "image_alt",
    "image_caption",
    "image_credit",
)
IMAGE_TEXTS = {"image_alt": "alt", "image_caption": "caption", "image_credit": "credit"}
FIRST_PUBLISHED = "first_published"  # from .published.toml, not an editor's key
STATUSES = ("published", "draft", "hidden")


class OverrideError(ValueError):
    """An override file that can't be used; the message names the source and the key."""


def load(folder: Path) -> dict[str, dict[str, Any]]:
    """The fixed fields of each source file name: the editors' overrides, checked, and the day of its first
    publication on this site (``.published.toml``); {} when there is neither file."""
    data = _overrides(folder)
    try:
        first = published.load(folder)
    except published.StateError as exc:
        raise OverrideError(str(exc)) from None
    for name, day in first.items():
        data.setdefault(name, {})[FIRST_PUBLISHED] = day.isoformat()
    return data


def _overrides(folder: Path) -> dict[str, dict[str, Any]]:
    path = folder / FILE_NAME
    data = tomlfile.read(path, OverrideError)
    for source, fields in data.items():
        if not isinstance(fields, dict):
            raise OverrideError(f"{path}: [{source!r}] must be a table of fields")
        _check(path, source, fields)
    return data


def _check(path: Path, source: str, fields: dict[str, Any]) -> None:
    """Every field of one source's table has its type and value, or an OverrideError names the first that
    has not (TOML gives lists, numbers, booleans and dates wherever a string may be written)."""
    where = f"{path}: [{source!r}]"
    unknown = sorted(set(fields) - set(KEYS))
    if unknown:
        raise OverrideError(f"{where}: unknown key {unknown[0]!r} (known: {', '.join(KEYS)})")
    if "series" in fields and not (isinstance(fields["series"], str) and fields["series"] in SERIES):
        raise OverrideError(f"{where}: series must be one of {', '.join(SERIES)}")
    if "status" in fields and not (isinstance(fields["status"], str) and fields["status"] in STATUSES):
        raise OverrideError(f"{where}: status must be one of {', '.join(STATUSES)}")
    if "date" in fields and not _is_date(fields["date"]):
        raise OverrideError(f"{where}: date must be YYYY-MM-DD")
    if "title" in fields and not _is_text(fields["title"]):
        raise OverrideError(f"{where}: title must be a non-empty string")
    for key in ("authors", "tags"):
        if key in fields and not isinstance(fields[key], list):
            raise OverrideError(f"{where}: {key} must be a list")
    for number, author in enumerate(fields.get("authors", []), 1):
        _check_author(f"{where}: authors: item {number}", author)
    for number, tag in enumerate(fields.get("tags", []), 1):
        if not isinstance(tag, str):
            raise OverrideError(f"{where}: tags: item {number} must be a string")
    if "image" in fields and not (fields["image"] is False or isinstance(fields["image"], str)):
        raise OverrideError(f"{where}: image must be a file name in the source folder, or false")
    for key in IMAGE_TEXTS:
        if key in fields and not isinstance(fields[key], str):
            raise OverrideError(f"{where}: {key} must be a string")


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _is_date(value: Any) -> bool:
    """A TOML date (2021-05-04) or a string that is one; not a date-time, a number or a list."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return True
    try:
        return isinstance(value, str) and bool(dt.date.fromisoformat(value))
    except ValueError:
        return False


def _check_author(where: str, author: Any) -> None:
    if isinstance(author, str):
        return
    if not isinstance(author, dict):
        raise OverrideError(f"{where} must be a name or {{ name, role }}")
    unknown = sorted(set(author) - {"name", "role"})
    if unknown:
        raise OverrideError(f"{where}: unknown key {unknown[0]!r} (known: name, role)")
    if not _is_text(author.get("name")):
        raise OverrideError(f"{where}: name must be a non-empty string")
    if not isinstance(author.get("role", ""), str):
        raise OverrideError(f"{where}: role must be a string")


def _author(value: str | dict[str, str]) -> Author:
    if isinstance(value, dict):
        return Author(str(value.get("name", "")).strip(), str(value.get("role", "")).strip())
    return Author(str(value).strip())


def apply(article: Article, fields: dict[str, Any]) -> Article:
    """Set the overridden fields and note each in ``article.overridden``; date a page without a date of its
    own (nor an editor's) by its first publication here."""
    for key, value in fields.items():
        if key == FIRST_PUBLISHED:
            continue
        if key == "authors":
            article.authors = [author for author in map(_author, value) if author.name]
        elif key == "tags":
            article.tags = [str(tag).strip() for tag in value if str(tag).strip()]
        elif key == "date":
            article.date, article.date_source = str(value), "override"
        elif key == "series":
            article.series, article.confidence = value, 1.0
            article.evidence.append("set by the editor in overrides.toml")
        elif key == "image":
            pass  # the file is found and checked with the page's images (pipeline.ingest.images.prepare)
        elif key in IMAGE_TEXTS:
            _image_text(article, IMAGE_TEXTS[key], str(value).strip())
        else:
            setattr(article, key, str(value).strip())
        article.overridden.append(key)
    if article.date is None and FIRST_PUBLISHED in fields:
        article.date, article.date_source = fields[FIRST_PUBLISHED], "first publication on this site"
        article.dated_here = True
    return article


def _image_text(article: Article, name: str, value: str) -> None:
    """Set the lead image's alt text, caption or credit ("" clears it)."""
    lead = next((image for image in article.images if image.lead), None)
    if lead is None:
        article.warnings.append(f"overrides.toml sets the image's {name}, but the article has no lead image")
    else:
        setattr(lead, name, " ".join(value.split()))
