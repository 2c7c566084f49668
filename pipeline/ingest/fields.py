"""Recognisers for the lines that carry metadata: dates, bylines, closing bios.

Both stages use them: ``clean`` to give such a line its role, ``structure`` to read its fields.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from pipeline.ingest.rules import Rules
from pipeline.model import Author

_SENTENCES = re.compile(r"(?<=[.!?])\s+(?=[A-Z‘'\"“])")
_AGE = re.compile(r"\s*\(\d{1,3}\)")  # "Joke Verbeek (67)"
_PARENS = re.compile(r"^(?P<name>[^()]+?)\s*\((?P<role>[^()]+)\)$")
_DIGIT = re.compile(r"\d")


@lru_cache(maxsize=8192)
def word_count(text: str) -> int:
    """Cached: the stages ask it of the same lines again and again (five times in six on real pages)."""
    return len(text.split())


def heading_shape(text: str, rules: Rules) -> bool:
    """Short, and without the punctuation that closes a sentence or a clause: the shape of a subheading."""
    limits = rules.limits
    return (
        word_count(text) <= limits["heading_max_words"]
        and len(text) <= limits["heading_max_chars"]
        and not text.endswith((".", ",", ";", ":", "…"))
    )


def may_hold_date(text: str, rules: Rules) -> bool:
    """False when ``rules.date`` cannot match: each of its forms has a day or a year in digits, and each match
    holds a match of ``rules.date_core``. Screens for the many lines of prose (the date pattern, with its
    optional weekday, is slow to search): a digit first, then the date without the weekday."""
    return _DIGIT.search(text) is not None and rules.holds_date_core(text)


def iso_date(match: re.Match[str], rules: Rules) -> str | None:
    """The ISO date of a match of ``rules.date``, or None when it is no real date (31 februari)."""
    groups = match.groupdict()
    try:
        if groups["iso"]:
            return dt.date.fromisoformat(groups["iso"]).isoformat()
        if groups["day"]:
            month = rules.month_numbers[groups["month"].lower()]
            return dt.date(int(groups["year"]), month, int(groups["day"])).isoformat()
        return dt.date(int(groups["y"]), int(groups["m"]), int(groups["d"])).isoformat()
    except ValueError:
        return None


@dataclass
class DateLine:
    date: str
    modified: bool  # "bijgewerkt op ...": the page's Modified date, not its Date
    byline: str | None  # "geplaatst door X": the text after "door"
    labels: list[str]  # type labels beside the date ("Nieuws | Interview | 2 november 2023")


def date_line(text: str, rules: Rules) -> DateLine | None:
    """A line that is a date and nothing else of the article ("26 maart 2021 | 1 minuut lezen")."""
    if not may_hold_date(text, rules) or word_count(text) > rules.raw["dates"]["date_line_max_words"]:
        return None
    match = rules.date.search(text)
    if not match or not (date := iso_date(match, rules)):
        return None
    rest = text[: match.start()] + " " + text[match.end() :]
    author, rest = _byline_segment(rest, rules)
    rest = rules.date_filler.sub(" ", rest)
    labels = [word.lower() for word in rest.split() if word.lower() in rules.labels]
    rest = " ".join(word for word in rest.split() if word.lower() not in rules.labels)
    if rest and people(rest, rules):  # "Sanne Koster 4 oktober 2022"
        author, rest = rest, ""
    if len(re.findall(r"\w{2,}", rest)) > 1:
        return None
    return DateLine(date, bool(rules.date_modified.search(text)), author, labels)


def _byline_segment(rest: str, rules: Rules) -> tuple[str | None, str]:
    """The author's text (as `people` reads it) in what stands beside a date, and what is left without it.

    The parts of a date line are set off by separators ("Tekst: X | Beeld: Y | 27 september 2022",
    "X, gezinsvoogd · 30 mei 2023"): a part that is a byline or names a person gives the author, a credit for
    the pictures is dropped. Without separators, "door X" after the date ("... door X in Interviews": the
    CMS's category is not part of the name).
    """
    author = None
    for segment in rules.date_segments.split(rest):
        part = rules.date_category.sub("", segment.strip(" ,"))
        if rules.date_credit.match(part):
            rest = rest.replace(segment, " ")
        elif author is None and part.lower() not in rules.labels:
            found = byline(part, rules)
            author = found.text if found else (part if part and people(part, rules) else None)
            rest = rest.replace(segment, " ") if author else rest
    if author:
        return author, rest
    found = rules.date_byline.search(rest)
    if not found:
        return None, rest
    who = rules.date_category.sub("", found.group("rest"))
    return (who if people(who, rules) else None), rest.replace(found.group(0), " ")


def is_name(text: str, rules: Rules, *, min_words: int = 1) -> bool:
    """Whether ``text`` reads as a person's name: capitalised words, with particles such as "van der"."""
    tokens = text.split()
    limit = rules.raw["bylines"]["name_max_words"]
    if not min_words <= len(tokens) <= limit or not tokens[0][0].isupper() or not tokens[-1][0].isupper():
        return False
    for token in tokens:
        if token.lower() in rules.particles and not token[0].isupper():
            continue
        if not (token[0].isupper() and re.fullmatch(r"[\w.’'-]+", token)) or any(c.isdigit() for c in token):
            return False
    return True


def people(text: str, rules: Rules) -> list[Author]:
    """Authors from a byline's text: "X, rol", "X en Y", "X (rol) en Y (rol)"; [] when it names nobody.

    Academic titles before a name ("dr. X", "prof. dr. Y") are not part of it.
    """
    text = rules.honorifics.sub("", text.strip()).rstrip(".").strip()
    parts = [part.strip() for part in rules.and_words.split(text) if part.strip()]
    if parts and all(_PARENS.match(part) for part in parts):
        found = [_PARENS.match(part) for part in parts]
        authors = [Author(m["name"].strip(), m["role"].strip()) for m in found if m]
        return authors if all(is_name(a.name, rules) for a in authors) else []
    head, _, role = text.partition(",")
    role = re.split(r"(?<=[a-z)])\.\s", role, maxsplit=1)[0]  # the role ends with its sentence
    names = [rules.honorifics.sub("", name).strip() for name in rules.and_words.split(head) if name.strip()]
    if not names or not all(is_name(name, rules) for name in names):
        return []
    more = [name.strip() for name in rules.and_words.split(role.replace(",", " en ")) if name.strip()]
    if role and more and all(is_name(name, rules, min_words=2) for name in more):
        return [Author(name) for name in names + more]
    return [Author(name, role.strip()) for name in names]


@dataclass
class Byline:
    authors: list[Author]
    label: str  # the word before "door" ("Blog door X"), lower case, or ""
    text: str  # what names the authors, without the label ("Tekst: X, rol" -> "X, rol")


def byline(text: str, rules: Rules) -> Byline | None:
    """A byline such as "Door: X, functie", "Blog door X", "Tekst: X / Beeld: Y"."""
    if word_count(text) > rules.raw["bylines"]["max_words"]:
        return None
    allowed = set(rules.labels) | set(rules.raw["bylines"]["label_words"])
    for pattern in rules.bylines:
        match = pattern.match(text)
        if not match:
            continue
        label = (match.groupdict().get("label") or "").lower()
        if label and label not in allowed:
            continue
        if authors := people(match["rest"], rules):
            return Byline(authors, label, match["rest"])
    return None


def bio(text: str, rules: Rules) -> list[Author]:
    """Closing bios: every sentence reads "<Name> is <role>." ("X is directeur van Y. Z is wethouder.")."""
    authors = []
    for sentence in _SENTENCES.split(text.strip()):
        match = rules.bio.match(sentence.strip().rstrip("."))
        if authors and not match and sentence.split(maxsplit=1)[0] in rules.raw["bylines"]["bio_pronouns"]:
            continue  # "Ze schrijft elke maand een column.": more of the same bio
        if not match or rules.bio_not.match(match["role"]):
            return []
        name = _AGE.sub("", match["name"])
        if not is_name(name, rules, min_words=2):
            return []
        authors.append(Author(name, match["role"].strip()))
    return authors
