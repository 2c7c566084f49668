"""The language rules (nl.toml) are checked when loaded: a slip in the file stops the load with one line
naming the key, instead of a KeyError on the first page that needs it."""

from __future__ import annotations

import copy
import tomllib
from importlib import resources

import pytest

from pipeline.ingest import rules_schema


def raw() -> dict:
    return tomllib.loads(resources.files("pipeline.rules").joinpath("nl.toml").read_text(encoding="utf-8"))


def test_the_shipped_rules_pass() -> None:
    rules_schema.check(raw(), "nl.toml")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: r["limits"].pop("core_min_words"), r"nl.toml \[limits\]: missing key core_min_words"),
        (lambda r: r["limits"].update(core_min_word=12), r"\[limits\]: unknown key core_min_word"),
        (lambda r: r["limits"].update(core_min_words="12"), r"\[limits\] core_min_words: a int"),
        (lambda r: r["cues"]["weights"].pop("label"), r"\[cues.weights\]: missing key label"),
        (lambda r: r["chrome"][2].update(max_word=4), r"\[\[chrome\]\] number 3: unknown key max_word"),
        (lambda r: r["chrome"][0].pop("reason"), r"\[\[chrome\]\] number 1: missing key reason"),
        (lambda r: r.pop("dates"), r"nl.toml: missing key dates"),
        (lambda r: r["labels"].update(blog=1), r"\[labels\] blog: a str"),
    ],
)
def test_a_missing_unknown_or_mistyped_key_stops_the_load_with_its_name(change, message: str) -> None:
    broken = copy.deepcopy(raw())
    change(broken)
    with pytest.raises(rules_schema.RulesError, match=message):
        rules_schema.check(broken, "nl.toml")


def test_the_word_cues_are_written_in_lower_case() -> None:
    """They are searched in the lower-cased text (pipeline.ingest.rules.LOWER_CASE_CUES): an upper-case letter
    (or escape, such as \\S) in one would never match."""
    from pipeline.ingest.rules import LOWER_CASE_CUES

    cues = raw()["cues"]
    assert {key: cues[key] for key in LOWER_CASE_CUES} == {key: cues[key].lower() for key in LOWER_CASE_CUES}


def test_the_chrome_rules_are_written_in_lower_case() -> None:
    """They are searched in the lower-cased line: an upper-case letter in one would never match."""
    patterns = [rule["pattern"] for rule in raw()["chrome"]]
    assert patterns == [pattern.lower() for pattern in patterns]
