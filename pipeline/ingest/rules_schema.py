"""What a language's rules file (``pipeline/rules/nl.toml``) must hold: every section, its keys and their
types. ``check`` stops the load with one line naming a key that is missing, unknown or of another type, so a
slip in the file fails at once, not as a KeyError on the first page that needs the key."""

from __future__ import annotations

from typing import Any


class RulesError(ValueError):
    """A rules file that does not hold what the code reads from it."""


_INT, _FLOAT, _STR, _LIST = int, float, str, list
LIMITS = [
    "max_lines",
    "chrome_max_words",
    "menu_item_max_words",
    "menu_run_min",
    "heading_max_words",
    "heading_max_chars",
    "core_min_words",
    "title_max_words",
    "untitled_words",
    "lede_max_words",
    "summary_max_chars",
    "pullquote_max_words",
    "teaser_min_chars",
    "recurring_min_pages",
    "recurring_max_words",
    "duplicate_min_words",
    "duplicate_min_words_html",
    "duplicate_max_gap_html",
    "qa_min_questions",
]
WEIGHTS = [
    "label",
    "qa_turns",
    "attributed_quotes",
    "conversation",
    "quote_share",
    "first_person_singular",
    "first_person_plural",
    "normative",
    "bio_authors",
    "bio_author",
]
CUES = [
    "first_person_singular",
    "first_person_plural",
    "normative",
    "conversation",
    "attributed_quote",
    "quote_then_speaker",
    "question_prefix",
    "answer_prefix",
]
SECTIONS: dict[str, dict[str, type]] = {
    "limits": {**dict.fromkeys(LIMITS, _INT), "headline_shared_words": _FLOAT},
    "glued_menu": {
        "reason": _STR,
        "joint": _STR,
        "min_joints": _INT,
        "max_words": _INT,
        "title_case_min_words": _INT,
        "menu_words": _LIST,
    },
    "theme": {"header": _STR},
    "provenance": {"pattern": _STR, "magazine": _STR, "boilerplate_reason": _STR},
    "dates": {
        "months": _LIST,
        "weekdays": _STR,
        "filler": _STR,
        "modified": _STR,
        "byline": _STR,
        "segments": _STR,
        "credit": _STR,
        "category": _STR,
        "date_line_max_words": _INT,
        "url": _STR,
    },
    "bylines": {
        "max_words": _INT,
        "patterns": _LIST,
        "label_words": _LIST,
        "bio": _STR,
        "bio_not": _STR,
        "bio_pronouns": _LIST,
        "and_words": _STR,
        "particles": _LIST,
        "name_max_words": _INT,
        "honorifics": _STR,
    },
    "cues": {**dict.fromkeys(CUES, _STR), "weights": dict},
}
TOP = {
    "language_name": _STR,
    "sentence_end": _STR,
    "labels": dict,
    "chrome": _LIST,
    **dict.fromkeys(SECTIONS, dict),
}
CHROME_RULE = {"reason": _STR, "pattern": _STR}
CHROME_OPTIONAL = {"max_words": _INT, "tail": bool, "list": bool}


def check(raw: dict[str, Any], name: str) -> None:
    """Raise ``RulesError`` naming the first key of ``raw`` (the file ``name``) that the code cannot read."""
    _keys(raw, TOP, {}, name)
    for section, keys in SECTIONS.items():
        _keys(raw[section], keys, {}, f"{name} [{section}]")
    _keys(raw["cues"]["weights"], dict.fromkeys(WEIGHTS, _FLOAT), {}, f"{name} [cues.weights]")
    if "title_separator" not in raw["labels"]:
        raise RulesError(f"{name} [labels]: missing key title_separator")
    _keys(raw["labels"], dict.fromkeys(raw["labels"], _STR), {}, f"{name} [labels]")
    for number, rule in enumerate(raw["chrome"], start=1):
        _keys(rule, CHROME_RULE, CHROME_OPTIONAL, f"{name} [[chrome]] number {number}")


def _keys(table: dict[str, Any], required: dict[str, type], optional: dict[str, type], where: str) -> None:
    if not isinstance(table, dict):
        raise RulesError(f"{where}: a table, not {type(table).__name__}")
    missing = sorted(set(required) - set(table))
    unknown = sorted(set(table) - set(required) - set(optional))
    if missing or unknown:
        raise RulesError(f"{where}: {'missing' if missing else 'unknown'} key {(missing or unknown)[0]}")
    for key, value in table.items():
        kind = required.get(key) or optional[key]
        if not _is(value, kind):
            raise RulesError(f"{where} {key}: a {kind.__name__}, not {value!r}"[:200])


def _is(value: Any, kind: type) -> bool:
    if kind is _FLOAT:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind is _INT:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, kind)
