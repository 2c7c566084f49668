"""The language rules (``pipeline/rules/nl.toml``), loaded once and compiled."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from importlib import resources
from typing import Any

from pipeline.ingest import rules_schema

FLAGS = re.IGNORECASE
# Cues of words, searched in the lower-cased text (twice as fast as ignoring case): nl.toml writes them so.
LOWER_CASE_CUES = frozenset({"conversation", "first_person_singular", "first_person_plural", "normative"})


@dataclass(frozen=True)
class ChromeRule:
    reason: str
    pattern: re.Pattern[str]  # in lower case, for the lower-cased line
    max_words: int
    tail: bool = False  # what follows the line, after the article, is not the article ("3 reacties")
    list: bool = False  # title-like lines right after it belong to it ("Lees ook" + titles)


@dataclass(frozen=True)
class Rules:
    """Compiled rules; ``raw`` keeps the TOML for the plain values (limits, word lists, weights)."""

    raw: dict[str, Any]
    chrome: tuple[ChromeRule, ...]
    sentence_end: re.Pattern[str]
    glue_joint: re.Pattern[str]
    theme_header: re.Pattern[str]
    provenance: re.Pattern[str]
    magazine: re.Pattern[str]
    labels: dict[str, str]
    label_line: re.Pattern[str]
    label_prefix: re.Pattern[str]
    bylines: tuple[re.Pattern[str], ...]
    bio: re.Pattern[str]
    bio_not: re.Pattern[str]
    and_words: re.Pattern[str]
    particles: frozenset[str]
    date: re.Pattern[str]
    date_core: re.Pattern[str]  # ``date`` without its optional weekday
    date_filler: re.Pattern[str]
    date_modified: re.Pattern[str]
    date_byline: re.Pattern[str]
    honorifics: re.Pattern[str]
    date_segments: re.Pattern[str]
    date_credit: re.Pattern[str]
    date_category: re.Pattern[str]
    date_url: re.Pattern[str]
    month_numbers: dict[str, int]
    cues: dict[str, re.Pattern[str]]

    @property
    def limits(self) -> dict[str, int]:
        return self.raw["limits"]

    @property
    def weights(self) -> dict[str, float]:
        return self.raw["cues"]["weights"]

    @cached_property
    def holds_date_core(self) -> Callable[[str], bool]:
        """Whether ``date_core`` matches in a text; cached by text, as the stages ask it of the same lines
        again and again (the date pattern is slow to search in long lines)."""
        search = self.date_core.search
        return lru_cache(maxsize=8192)(lambda text: search(text) is not None)

    def chrome_for(self, words: int) -> tuple[ChromeRule, ...]:
        """The chrome rules, in their order, that a line of `words` words may match (its ``max_words``)."""
        return self._chrome_by_words[min(words, len(self._chrome_by_words) - 1)]

    @cached_property
    def _chrome_by_words(self) -> tuple[tuple[ChromeRule, ...], ...]:
        most = max((rule.max_words for rule in self.chrome), default=0)
        return tuple(tuple(r for r in self.chrome if words <= r.max_words) for words in range(most + 2))


def _date_pattern(
    months: list[list[str]], weekdays: str
) -> tuple[re.Pattern[str], re.Pattern[str], dict[str, int]]:
    """The date pattern, the same without its optional weekday (what every match of it holds: searched many
    times faster, as the weekday words need not be tried at every position), and the month numbers."""
    numbers = {name: index for index, names in enumerate(months, start=1) for name in names}
    names = "|".join(sorted(map(re.escape, numbers), key=len, reverse=True))
    core = (  # from a word's start: searched many times faster than from every character
        r"\b"
        rf"(?:(?P<day>\d{{1,2}})\s+(?P<month>{names})\.?,?\s+(?P<year>(?:19|20)\d\d)"
        rf"|(?P<iso>(?:19|20)\d\d-\d\d-\d\d)"
        rf"|(?P<d>\d{{1,2}})[-/.](?P<m>\d{{1,2}})[-/.](?P<y>(?:19|20)\d\d))\b"
    )
    return re.compile(rf"(?:{weekdays}\s+)?{core}", FLAGS), re.compile(core, FLAGS), numbers


def _compile(raw: dict[str, Any]) -> Rules:
    limits = raw["limits"]
    default_max = limits["chrome_max_words"]
    chrome = [
        ChromeRule(
            rule["reason"],
            re.compile(rule["pattern"]),  # searched in the lower-cased line
            rule.get("max_words", default_max),
            tail=rule.get("tail", False),
            list=rule.get("list", False),
        )
        for rule in raw["chrome"]
    ]
    labels = {key: value for key, value in raw["labels"].items() if key != "title_separator"}
    label_names = "|".join(sorted(map(re.escape, labels), key=len, reverse=True))
    date, date_core, months = _date_pattern(raw["dates"]["months"], raw["dates"]["weekdays"])
    cues = {
        key: re.compile(value, 0 if key in LOWER_CASE_CUES else FLAGS)
        for key, value in raw["cues"].items()
        if isinstance(value, str)
    }
    # Names in quotes and speakers are capitalised: these two cues must not ignore case.
    for key in ("attributed_quote", "quote_then_speaker"):
        cues[key] = re.compile(raw["cues"][key])
    return Rules(
        raw=raw,
        chrome=tuple(chrome),
        sentence_end=re.compile(raw["sentence_end"]),
        glue_joint=re.compile(raw["glued_menu"]["joint"]),
        theme_header=re.compile(raw["theme"]["header"], FLAGS),
        provenance=re.compile(raw["provenance"]["pattern"], FLAGS),
        magazine=re.compile(raw["provenance"]["magazine"]),
        labels=labels,
        label_line=re.compile(rf"^(?P<label>{label_names})[.:]?$", FLAGS),
        label_prefix=re.compile(
            rf"^(?P<label>{label_names})(?P<sep>{raw['labels']['title_separator']})(?P<rest>\S.*)$", FLAGS
        ),
        bylines=tuple(re.compile(pattern, FLAGS) for pattern in raw["bylines"]["patterns"]),
        bio=re.compile(raw["bylines"]["bio"]),
        bio_not=re.compile(raw["bylines"]["bio_not"], FLAGS),
        and_words=re.compile(raw["bylines"]["and_words"], FLAGS),
        particles=frozenset(raw["bylines"]["particles"]),
        date=date,
        date_core=date_core,
        date_filler=re.compile(raw["dates"]["filler"], FLAGS),
        date_modified=re.compile(raw["dates"]["modified"], FLAGS),
        date_byline=re.compile(raw["dates"]["byline"], FLAGS),
        honorifics=re.compile(raw["bylines"]["honorifics"], FLAGS),
        date_segments=re.compile(raw["dates"]["segments"], FLAGS),
        date_credit=re.compile(raw["dates"]["credit"], FLAGS),
        date_category=re.compile(raw["dates"]["category"], FLAGS),
        date_url=re.compile(raw["dates"]["url"]),
        month_numbers=months,
        cues=cues,
    )


def load(language: str = "nl") -> Rules:
    """The compiled rules of ``language`` (only Dutch for now)."""
    return _load(language)  # load() and load("nl") share one compilation: the cache is keyed by the name


@cache
def _load(language: str) -> Rules:
    text = resources.files("pipeline.rules").joinpath(f"{language}.toml").read_text(encoding="utf-8")
    raw = tomllib.loads(text)
    rules_schema.check(raw, f"{language}.toml")
    return _compile(raw)
