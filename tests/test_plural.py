"""Counts in the terminal and on the site take the noun's form from CLDR's plural rules."""

from __future__ import annotations

import pytest
from babel import Locale

from pipeline.plural import CLDR_RULES, count


@pytest.mark.parametrize("language", sorted(CLDR_RULES))
def test_the_rules_are_babels_cldr_rules(language):
    assert CLDR_RULES[language] == Locale.parse(language).plural_form.rules


def test_one_and_many_in_dutch_and_english():
    assert count(1, "artikel", "artikelen", "nl") == "1 artikel"
    many = [count(n, "artikel", "artikelen", "nl") for n in (0, 2, 21)]
    assert many == ["0 artikelen", "2 artikelen", "21 artikelen"]
    assert count(1, "page", "pages") == "1 page" and count(3, "page", "pages") == "3 pages"
