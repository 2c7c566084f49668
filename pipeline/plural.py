"""Counts with their noun in the right form ("1 artikel", "3 artikelen"; "1 article"), by Babel's CLDR plural
rules of the language, on the site (Dutch) and in the terminal (English)."""

from __future__ import annotations

from functools import cache

from babel import Locale


@cache
def _locale(language: str) -> Locale:
    return Locale.parse(language)


def count(number: int, singular: str, plural: str, language: str = "en") -> str:
    """ "1 article", "0 articles", "2 articles"; with language "nl": "1 artikel", "2 artikelen"."""
    return f"{number} {singular if _locale(language).plural_form(number) == 'one' else plural}"
