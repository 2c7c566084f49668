"""Counts with their noun in the right form ("1 artikel", "3 artikelen"; "1 article"), by the CLDR plural
rules of the language, on the site (Dutch) and in the terminal (English), evaluated by Babel.

The rules are CLDR's, as Babel ships them (``Locale.parse(language).plural_form.rules``; a test keeps the two
the same): reading them from Babel's locale data costs some 40 ms in every process that counts, more than an
ingest worker spends on a page, for one line of data.
"""

from __future__ import annotations

from functools import cache

from babel.plural import PluralRule

CLDR_RULES = {
    "en": {"one": "i in 1 and v in 0"},
    "nl": {"one": "i in 1 and v in 0"},
}


@cache
def _rule(language: str) -> PluralRule:
    return PluralRule(CLDR_RULES[language])


def count(number: int, singular: str, plural: str, language: str = "en") -> str:
    """ "1 article", "0 articles", "2 articles"; with language "nl": "1 artikel", "2 artikelen"."""
    return f"{number} {singular if _rule(language)(number) == 'one' else plural}"
