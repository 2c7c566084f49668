"""The HTML reader's rules load in typed sections: a key missing from html.toml, or one the code does not
know, stops the load with a line naming it, instead of silently falling back to nothing."""

from __future__ import annotations

import copy
import tomllib
from importlib import resources

import pytest

from pipeline.ingest.html import rules


def raw() -> dict:
    return tomllib.loads(resources.files("pipeline.rules").joinpath("html.toml").read_text(encoding="utf-8"))


def test_the_shipped_rules_load_with_their_types() -> None:
    loaded = rules.parse(raw())
    assert isinstance(loaded.density.exempt_share, float) and isinstance(loaded.limits.max_elements, int)
    assert "nav" in loaded.chrome.folded_tags and isinstance(loaded.chrome.structural, frozenset)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: r["density"].pop("coverage"), r"\[density\]: missing \['coverage'\]"),
        (lambda r: r["chrome"].update(sidebar_words=["x"]), r"\[chrome\]: unknown \['sidebar_words'\]"),
        (lambda r: r.update(extra={}), "sections"),
        (lambda r: r["density"].update(coverage="half"), "coverage: a number"),
    ],
)
def test_a_missing_unknown_or_mistyped_key_stops_the_load_with_its_name(change, message: str) -> None:
    broken = copy.deepcopy(raw())
    change(broken)
    with pytest.raises(rules.RulesError, match=message):
        rules.parse(broken)
