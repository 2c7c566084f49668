"""Date and byline lines in any language: "Published Wed, Nov 20 2019", "Posted by Jan Smit on 19 November
2019, 6:21 AM EST", "By Justine Coleman - 11/18/19 11:04 PM EST".

The HTML reader removes them above and below the article on pages whose language the text rules (which read
dates and bylines with their roles, ``pipeline.ingest.fields``) do not cover; the page's date comes from its
markup there.
"""

from __future__ import annotations

import re

from pipeline.ingest.html.rules import RULES

STAMPS = RULES.stamps
_MONTHS = "|".join(sorted(map(re.escape, STAMPS.months), key=len, reverse=True))
_DATE = re.compile(
    r"\b\d{1,4}[./-]\d{1,2}[./-]\d{2,4}\b"  # 11/18/19, 2016.12.01, 05/10/2018
    rf"|\b(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?\b"  # Nov 20, November 19th
    rf"|\b\d{{1,2}}(?:st|nd|rd|th|\.)?\s+(?:de\s+)?(?:{_MONTHS})\b"  # 19 November, 11 октября, 5 de maio
    rf"|\b(?:{_MONTHS})\.?,?\s+\d{{4}}\b",  # November 2019
    re.IGNORECASE,
)
_TIME = re.compile(r"\b\d{1,2}[:.]\d{2}\s*(?:[ap]\.?m\.?)?", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+")
_DIGIT = re.compile(r"\d")


def is_stamp(text: str) -> bool:
    """A short line that says when (and perhaps by whom) and nothing else."""
    if len(text.split()) > STAMPS.max_words or any(mark in text for mark in STAMPS.not_with):
        return False
    if _DIGIT.search(text) is None:
        return False  # every date and every time has digits (one search, before the slow date pattern)
    dated = _DATE.search(text) is not None
    rest = _TIME.sub(" ", _DATE.sub(" ", text))
    words = [word.casefold() for word in _WORD.findall(rest)]
    known = [word for word in words if word in STAMPS.words or word in STAMPS.months]
    if not (dated or (_TIME.search(text) and known)):
        return False
    return len(words) - len(known) <= STAMPS.max_other_words
