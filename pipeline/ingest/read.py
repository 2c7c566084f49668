"""Read: a source file becomes a ``Page`` of normalised, numbered lines.

Normalising never changes a word: line endings, non-breaking and zero-width spaces, control characters and
runs of spaces are evened out; the text itself stays as the page gave it.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from pipeline.ingest.decode import Rejected, decoded
from pipeline.ingest.rules import load
from pipeline.model import Line, Page

TEXT_SUFFIXES = frozenset({".txt", ".text", ".md"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})

_SPACES = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200d\u2060\ufeff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# What the three substitutions below would change, but for runs of spaces and outer spaces (told apart):
# one search of a character class, and most lines need none of them.
_UNEVEN = re.compile(
    "[\u00ad\u200b-\u200d\u2060\ufeff\x00-\x08\x0b-\x1f\x7f-\x9f\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]"
)


def normalise(text: str) -> str:
    """One line of text, evened out: NFC, single spaces, no invisible or control characters."""
    text = unicodedata.normalize("NFC", text)
    if _UNEVEN.search(text) is None and "  " not in text and not (text[:1].isspace() or text[-1:].isspace()):
        return text
    text = _INVISIBLE.sub("", text)
    text = _CONTROL.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def text_lines(text: str) -> list[Line]:
    """The non-blank lines of ``text``, numbered as in the source (from 1); Rejected when there are more than
    an article has (counted before any line is made)."""
    raw = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    pieces = raw.split("\n")
    if len(pieces) > max_lines():
        _bounded(sum(1 for piece in pieces if piece.strip()))
    lines = (Line(number, normalise(line)) for number, line in enumerate(pieces, start=1))
    return [line for line in lines if line.text]


def max_lines() -> int:
    return load().limits["max_lines"]


def _bounded(count: int) -> None:
    if count > max_lines():
        raise Rejected(f"{count:,} lines, over the limit of {max_lines():,}: not an article page")


def read_page(path: Path, source: str, *, max_bytes: int) -> Page:
    """Read one source file; raises ``Rejected`` with a one-line reason when it can't be an article."""
    data = path.read_bytes()
    is_html = path.suffix.lower() in HTML_SUFFIXES
    text, utf8 = decoded(data, max_bytes=max_bytes, html=is_html)
    if is_html:
        from pipeline.ingest.html import read_html

        page = read_html(source, text, utf8)
        for line in page.lines:  # single-spaced already: plain ASCII needs nothing more
            if not (line.text.isascii() and line.text.isprintable()):
                line.text = normalise(line.text)
        page.lines = [line for line in page.lines if line.text]
        _bounded(len(page.lines))
    else:
        page = Page(source=source, lines=text_lines(text))
    if not any(line.text for line in page.lines):
        raise Rejected("no text in the file")
    return page
