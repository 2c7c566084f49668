"""Prose: which blocks read as running text, in the page's own language.

Stopword density (jusText, Pomikálek 2011) with justext's stoplists, a maintained collection of 100
languages: the page's language comes from ``<html lang>``, else from the stoplist that fits its longer blocks
best. Scripts without a stoplist (Japanese, Chinese, Thai ...) are told by sentence punctuation instead.
"""

from __future__ import annotations

import re
from functools import cache
from importlib.util import find_spec
from pathlib import Path

from pipeline.ingest.html.blocks import HEADINGS, Block
from pipeline.ingest.html.rules import RULES

DENSITY = RULES.density
LANGUAGE = RULES.language
_WORD = re.compile(r"\w+")
# justext's stoplist files, read as justext.get_stoplist(s) reads them, without importing justext: its
# extractor, which this module does not use, imports urllib.request and lxml.html (some 30 ms a process)
_STOPLISTS = Path(find_spec("justext").submodule_search_locations[0], "stoplists")  # type: ignore[union-attr]
AVAILABLE = frozenset(path.stem for path in _STOPLISTS.glob("*.txt"))


@cache
def stoplist(name: str) -> frozenset[str]:
    """A language's stopwords (lower case), with the words the rules add to it."""
    extra = LANGUAGE.extra.get(name, "").split()
    words = (_STOPLISTS / f"{name}.txt").read_bytes().splitlines()
    return frozenset(word.decode("utf8").lower() for word in words) | frozenset(extra)


def language(blocks: list[Block], lang: str) -> str:
    """The justext name of the page's language, or "" when no stoplist fits its text."""
    code = lang.strip().lower().replace("_", "-").split("-")[0]
    named = LANGUAGE.codes.get(code, "")
    sample = _sample(blocks)
    if not sample or sum(map(len, sample)) > LANGUAGE.max_word_length * len(sample):
        return "" if sample else named  # a script written without spaces between words
    order = [named] if named in AVAILABLE else []
    shares = {}
    for name in order + [name for name in LANGUAGE.detect_order if name != named]:
        shares[name] = _share(sample, stoplist(name))
        if shares[name] >= LANGUAGE.detect_enough:
            return name  # the first language, in the rules' order, whose stoplist plainly fits
    if order and shares[named] >= LANGUAGE.detect_min:
        return named
    best = max(shares, key=shares.__getitem__)  # the first of equals
    return best if shares[best] >= LANGUAGE.detect_min else ""


def _sample(blocks: list[Block]) -> list[str]:
    words: list[str] = []
    for block in blocks:
        if len(block.text) >= DENSITY.length_low and block.link_density < DENSITY.max_link_density:
            words += _WORD.findall(block.text.lower())
            if len(words) >= LANGUAGE.detect_sample:
                break
    return words


def _share(words: list[str], stops: frozenset[str]) -> float:
    return sum(map(stops.__contains__, words)) / len(words) if words else 0.0


def classify(blocks: list[Block], name: str) -> None:
    """jusText's classes in context: good and near-good blocks are prose, bad ones not; short ones and
    near-good ones take the class of their neighbours."""
    stops = stoplist(name) if name else frozenset()
    for block in blocks:
        _initial(block, stops)
        block.initial = block.klass
    if not any(block.klass == "good" for block in blocks):
        for block in blocks:  # a page of short paragraphs: the near-good ones are the prose
            if block.klass == "neargood":
                block.klass = "good"
    _in_context(blocks)


def _initial(block: Block, stops: frozenset[str]) -> None:
    """jusText's context-free classes: bad (link-dense), short, neargood, good. The stopword density is
    counted only for the blocks whose class it decides (most blocks of a page are short)."""
    length = len(block.text)
    if block.link_density > DENSITY.max_link_density or "©" in block.text:
        block.klass = "bad"
    elif length < (DENSITY.length_low if stops else DENSITY.no_stoplist_sentence):
        block.klass = "bad" if block.link_chars else "short"
    elif (density := _density(block.text, stops)) >= DENSITY.stopwords_high:
        block.klass = "good" if length > DENSITY.length_high or not stops else "neargood"
    elif density >= DENSITY.stopwords_low:
        block.klass = "neargood"
    else:
        block.klass = "bad"


def _density(text: str, stops: frozenset[str]) -> float:
    """The share of stopwords among the words; without a stoplist, 1.0 for text with sentence marks."""
    if stops:
        words = _WORD.findall(text.lower())
        return sum(map(stops.__contains__, words)) / len(words) if words else 0.0
    marks = sum(text.count(mark) for mark in LANGUAGE.sentence_marks)
    return 1.0 if marks and len(text) >= DENSITY.no_stoplist_sentence else 0.0


def _in_context(blocks: list[Block]) -> None:
    """jusText's context-sensitive pass."""
    _headings_near_good(blocks)
    classes = [block.klass for block in blocks]
    before, after = _nearest(classes, {"short", "neargood"})
    before_strict, after_strict = _nearest(classes, {"short"})
    for i, block in enumerate(blocks):
        if classes[i] != "short":
            continue
        if before[i] == after[i]:
            block.klass = before[i]
        elif (before[i] == "bad" and before_strict[i] == "neargood") or (
            after[i] == "bad" and after_strict[i] == "neargood"
        ):
            block.klass = "good"
        else:
            block.klass = "good" if "good" in (before[i], after[i]) and block.hint in HEADINGS else "bad"
    classes = [block.klass for block in blocks]
    before, after = _nearest(classes, {"short", "neargood"})
    for i, block in enumerate(blocks):
        if classes[i] == "neargood":
            block.klass = "bad" if before[i] == after[i] == "bad" else "good"


def _headings_near_good(blocks: list[Block]) -> None:
    """A short heading within a few hundred characters before a good block is the article's subheading."""
    for i, block in enumerate(blocks):
        if block.hint not in HEADINGS or block.klass not in ("short", "bad") or block.link_chars:
            continue
        distance = 0
        for later in blocks[i + 1 :]:
            if later.klass == "good":
                block.klass = "neargood"
                break
            distance += len(later.text)
            if distance > DENSITY.max_heading_distance:
                break


def _nearest(classes: list[str], skip: set[str]) -> tuple[list[str], list[str]]:
    """For each block, the class of the nearest block before it and after it whose class is not in `skip`
    ("bad" where there is none): two passes instead of a search from every block."""
    before, after = [], []
    last = "bad"
    for klass in classes:
        before.append(last)
        if klass not in skip:
            last = klass
    last = "bad"
    for klass in reversed(classes):
        after.append(last)
        if klass not in skip:
            last = klass
    after.reverse()
    return before, after
