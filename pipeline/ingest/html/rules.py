"""The HTML reader's rules (``pipeline/rules/html.toml``) in typed sections.

Every section is a frozen dataclass; a key missing from the file, or a key the code does not know, stops the
load with a one-line error naming it, so a typo in the rules never silently falls back to nothing.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from functools import cache
from importlib import resources
from typing import Any

from pipeline.ingest.rules_schema import RulesError


@dataclass(frozen=True)
class Density:
    length_low: int
    length_high: int
    stopwords_low: float
    stopwords_high: float
    max_link_density: float
    max_heading_distance: int
    exempt_share: float
    exempt_density: float
    coverage: float
    link_weight: float
    plain_weight: float
    inside_link_density: float
    hidden_body_new: float
    metadata_max_chars: int
    author_box_max_chars: int
    widen_share: float
    teasers_min: int
    teasers_share: float
    teaser_max_chars: int
    teaser_link_chars: int
    no_stoplist_sentence: int


@dataclass(frozen=True)
class Limits:
    max_elements: int


@dataclass(frozen=True)
class Language:
    detect_order: tuple[str, ...]
    detect_sample: int
    detect_enough: float
    detect_min: float
    max_word_length: float
    sentence_marks: str
    extra: dict[str, str]
    codes: dict[str, str]


@dataclass(frozen=True)
class Chrome:
    tags: dict[str, tuple[str, bool]]  # tag -> (reason, only outside the article)
    roles: dict[str, str]
    tokens: dict[str, str]
    token_parts: dict[str, str]
    outside_article_only: frozenset[str]
    structural: frozenset[str]
    wrapping_tags: frozenset[str]
    folded_tags: frozenset[str]
    never_wrapping: frozenset[str]
    metadata_kinds: frozenset[str]
    short_metadata_kinds: frozenset[str]
    metadata_tags: frozenset[str]
    title_area: frozenset[str]
    control_labels: frozenset[str]
    embedded: frozenset[str]
    not_embedded: frozenset[str]


@dataclass(frozen=True)
class Stamps:
    max_words: int
    max_other_words: int
    max_lines: int
    not_with: tuple[str, ...]
    months: frozenset[str]
    words: frozenset[str]


@dataclass(frozen=True)
class Meta:
    title_separators: tuple[str, ...]
    title_min_chars: int
    title_tokens: frozenset[str]
    author_tokens: frozenset[str]
    author_labels: frozenset[str]
    label_tokens: frozenset[str]
    author_prefixes: tuple[str, ...]
    article_types: frozenset[str]


@dataclass(frozen=True)
class HtmlRules:
    limits: Limits
    density: Density
    language: Language
    content_classes: frozenset[str]
    chrome: Chrome
    stamps: Stamps
    meta: Meta


__all__ = ["RULES", "HtmlRules", "RulesError", "load", "parse"]


def _section(cls: type, raw: dict[str, Any], name: str) -> Any:
    """``cls`` built from ``raw``: exactly its fields, each converted to the field's container type."""
    names = {field.name for field in fields(cls)}
    missing, unknown = names - set(raw), set(raw) - names
    if missing or unknown:
        problem = f"missing {sorted(missing)}" if missing else f"unknown {sorted(unknown)}"
        raise RulesError(f"html.toml [{name}]: {problem} keys")
    values = {}
    for field in fields(cls):
        value, kind = raw[field.name], str(field.type)
        if kind.startswith("frozenset"):
            value = frozenset(value)
        elif kind.startswith("tuple[str, ...]"):
            value = tuple(value)
        elif kind.startswith("dict[str, tuple"):
            value = {key: tuple(item) for key, item in value.items()}
        elif kind in ("int", "float") and not isinstance(value, int | float):
            raise RulesError(f"html.toml [{name}] {field.name}: a number, not {value!r}")
        values[field.name] = value
    return cls(**values)


def parse(raw: dict[str, Any]) -> HtmlRules:
    sections = {"limits", "density", "language", "semantic", "chrome", "stamps", "meta"}
    if set(raw) != sections:
        raise RulesError(f"html.toml: sections {sorted(set(raw) ^ sections)} differ from {sorted(sections)}")
    if set(raw["semantic"]) != {"content_classes"}:
        raise RulesError("html.toml [semantic]: only content_classes is known")
    return HtmlRules(
        limits=_section(Limits, raw["limits"], "limits"),
        density=_section(Density, raw["density"], "density"),
        language=_section(Language, raw["language"], "language"),
        content_classes=frozenset(raw["semantic"]["content_classes"]),
        chrome=_section(Chrome, raw["chrome"], "chrome"),
        stamps=_section(Stamps, raw["stamps"], "stamps"),
        meta=_section(Meta, raw["meta"], "meta"),
    )


@cache
def load() -> HtmlRules:
    text = resources.files("pipeline.rules").joinpath("html.toml").read_text(encoding="utf-8")
    return parse(tomllib.loads(text))


RULES = load()
