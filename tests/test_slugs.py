"""The ingest's slugs are Pelican's: pipeline.slugs repeats pelican.utils.slugify without importing it."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from pelican.utils import slugify as pelicans

from pipeline.slugs import SUBSTITUTIONS, pelican_slugify, slugify


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_the_same_slug_as_pelicans_for_any_text(text: str) -> None:
    assert pelican_slugify(text, SUBSTITUTIONS) == pelicans(text, regex_subs=SUBSTITUTIONS)


def test_letters_are_transliterated_never_dropped() -> None:
    assert slugify("Ærø &amp; Zorg/Welzijn: <em>één</em> wijk") == "aero-zorg-welzijn-een-wijk"
