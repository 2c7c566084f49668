"""Chrome markers: what an element says of itself (tag, ARIA role, hidden, class and id words).

A marker is evidence, never a verdict: ``main.py`` weighs it against the prose the element holds, so a class
word of the article's own wrapper ("l-sidebar-fixed", "elementor-widget") never removes the article.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from lxml import etree

from pipeline.ingest.html.rules import RULES

MAX_ATTRIBUTE = 300
_CLASS_SPLIT = re.compile(r"[^a-z0-9]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")  # "imageEmbedCaption": words joined in camel case
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
CHROME = RULES.chrome


class Marker(NamedTuple):
    """What an element's markup says of it, and by which evidence: its tag, role, hidden state or class."""

    reason: str
    kind: str
    source: str  # "tag", "role", "hidden", "class"


class Attributes(NamedTuple):
    """The attributes that say what an element is (``None`` where absent)."""

    klass: str | None
    ident: str | None
    role: str | None
    style: str | None
    itemprop: str | None
    hidden: str | None


NONE = Attributes(None, None, None, None, None, None)


def attributes(element: etree._Element) -> Attributes:
    items = element.items()
    if not items:
        return NONE
    get = dict(items).get
    return Attributes(get("class"), get("id"), get("role"), get("style"), get("itemprop"), get("hidden"))


@lru_cache(maxsize=16384)
def judge(tag: str, attrs: Attributes) -> tuple[Marker | None, bool]:
    """What an element's tag and attributes say: its chrome marker, and whether it is a semantic root.
    Cached: a page repeats the same few class values on many elements."""
    return own_chrome(tag, attrs), is_semantic_root(tag, attrs)


def own_chrome(tag: str, attrs: Attributes) -> Marker | None:
    """The marker of an element whose markup says it is site chrome."""
    if tag in CHROME.tags:
        why, _ = CHROME.tags[tag]
        return Marker(f"html: {why}", why.split(" ", 1)[1], "tag")
    role = (attrs.role or "").strip().lower()
    if role in CHROME.roles:
        kind = CHROME.roles[role]
        return Marker(f"html: {kind} (role '{role}')", kind, "role")
    if attrs.hidden is not None or _HIDDEN_STYLE.search((attrs.style or "")[:MAX_ATTRIBUTE]):
        return Marker("html: hidden element", "hidden element", "hidden")
    for name, value in (("class", attrs.klass), ("id", attrs.ident)):
        if value:
            found = _token_chrome(value[:MAX_ATTRIBUTE])
            if found:
                kind, word = found
                return Marker(f"html: {kind} ({name} '{word}')", kind, "class")
    return None


def outside_only(tag: str, kind: str) -> bool:
    """Whether the marker counts only outside the article (a <header> inside it holds the title)."""
    if tag in CHROME.tags:
        return CHROME.tags[tag][1]
    return kind in CHROME.outside_article_only


@lru_cache(maxsize=4096)
def _token_chrome(value: str) -> tuple[str, str] | None:
    """(kind, class word in lower case) for a class or id value with a chrome token in it. A word that names
    what the element is outweighs a word of where it is (header, footer: "footer-publish-date" is a date) and
    that a layout word ("widget", "sidebar": "widget-cta-letter" is a call to action)."""
    found: list[tuple[int, str, str]] = []
    for word in value.split():
        lower = word.lower()
        found += [(_weakness(kind), kind, lower) for kind in _kinds(word)]
    if not found:
        return None
    _, kind, word = min(found, key=lambda item: item[0])  # the first of the strongest
    return kind, word


def _weakness(kind: str) -> int:
    if kind in CHROME.structural:
        return 2
    return 1 if kind in CHROME.outside_article_only else 0


@lru_cache(maxsize=16384)
def _kinds(word: str) -> tuple[str, ...]:
    """The chrome kinds that one class word names, by its tokens (split at "-", "_" and camel case), then by
    the parts it contains. Cached: words recur across a site's class values far more than whole values do."""
    lower = word.lower()
    tokens = _CLASS_SPLIT.split(_CAMEL.sub("-", word).lower())
    kinds = [CHROME.tokens[token] for token in tokens if token in CHROME.tokens]
    kinds += [kind for part, kind in CHROME.token_parts.items() if part in lower]
    if CHROME.embedded.intersection(tokens):  # "social-media-embed": a post the article quotes
        return tuple(kind for kind in kinds if kind not in CHROME.not_embedded)
    return tuple(kinds)


def is_semantic_root(tag: str, attrs: Attributes) -> bool:
    """<article>, <main>, role=main, itemprop=articleBody or a common content class."""
    if tag in ("article", "main"):
        return True
    if (attrs.role or "").lower() == "main" or (attrs.itemprop or "").lower() == "articlebody":
        return True
    classes = f"{attrs.klass or ''} {attrs.ident or ''}"[:MAX_ATTRIBUTE].lower().replace("_", "-")
    return any(word in RULES.content_classes for word in classes.split())


def has_class_word(element: etree._Element, words: frozenset[str]) -> bool:
    """Whether a word of the element's class value (in lower case) is one of `words`."""
    value = element.get("class")
    return bool(value) and _has_word(value, words)


@lru_cache(maxsize=8192)
def _has_word(value: str, words: frozenset[str]) -> bool:
    """Cached: a page repeats its few class values on many elements, and sites repeat them across pages."""
    return not words.isdisjoint(_CLASS_SPLIT.split(value[:MAX_ATTRIBUTE].lower()))
