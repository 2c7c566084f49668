"""Bytes of a scraped file -> text, or a one-line reason why not.

The order of trust: a byte-order mark, then (for HTML) a declared charset that the bytes actually satisfy,
then strict UTF-8, then windows-1252 when its reading looks like Western text (the common case on Dutch
sites, and one that charset detectors often mistake for windows-1250 on short texts), then charset-normalizer.
Finally mojibake (UTF-8 read as Latin-1/windows-1252) is repaired with ftfy, restricted to encoding fixes so
that quotes, dashes and every other character of the article stay as they were.
"""

from __future__ import annotations

import codecs
import re
from functools import cache
from typing import Any, NamedTuple


class Rejected(Exception):
    """A source that cannot become an article; the message is the one-line reason shown to the user."""


MAX_BYTES = 5_000_000

BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Leading bytes of formats that are never a page of text.
MAGIC = (
    (b"\x1f\x8b", "gzip-compressed"),
    (b"PK\x03\x04", "a zip archive (or docx/xlsx/epub)"),
    (b"PK\x05\x06", "an empty zip archive"),
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"BZh", "bzip2-compressed"),
    (b"\xfd7zXZ\x00", "xz-compressed"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-zip archive"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office document"),
    (b"\x7fELF", "an executable"),
    (b"MZ\x90\x00", "an executable"),
    (b"wOFF", "a web font"),
    (b"wOF2", "a web font"),
    (b"OggS", "an audio file"),
    (b"ID3", "an audio file"),
    (b"fLaC", "an audio file"),
)

# C0 controls other than tab, newline, vertical tab, form feed and carriage return, NUL included: a few stray
# ones in a text are removed as it is read; more than MAX_CONTROL_RATIO of the sample is a binary file (or
# UTF-16 without a BOM, whose every other byte is NUL).
CONTROL_SET = bytes([*range(0, 9), *range(14, 27), *range(28, 32)])
MAX_CONTROL_RATIO = 0.01
SAMPLE_BYTES = 65_536

META_CHARSET = re.compile(
    rb"""<meta\b[^>]{0,512}?\bcharset\s*=\s*["']?\s*([a-zA-Z0-9_.:\-]{1,40})""", re.IGNORECASE
)
CHARSET_SCAN_BYTES = 8192

# WHATWG: pages labelled Latin-1 or ASCII are decoded as windows-1252.
CHARSET_ALIASES = {"latin_1": "cp1252", "iso8859_1": "cp1252", "ascii": "cp1252", "utf_8_sig": "utf_8"}

# What windows-1252 decodes to on a Western page: Latin-1 letters and signs, typographic punctuation.
# In Dutch (or English, German, French) text most letters are ASCII; Cyrillic or Greek read as
# windows-1252 gives mostly accented letters.
WESTERN = re.compile(
    "[\u00a0-\u00ff\u2018-\u201e\u2013\u2014\u2026\u2022\u20ac\u2122\u0152\u0153\u0160\u0161"
    "\u017d\u017e\u0178\u0192\u02c6\u02dc\u2020\u2021\u2030\u2039\u203a]"
)
ASCII_LETTER = re.compile(r"[A-Za-z]")
MIN_WESTERN_SHARE = 0.9
MAX_ACCENTED_SHARE = 0.5
NON_ASCII = re.compile(r"[^\x00-\x7f]")
# UTF-8 read as windows-1252/Latin-1: a lead byte (Â-ï) then a continuation byte (0x80-0xBF as either reads).
# A cheap screen before ftfy's badness check, which costs a regex pass over the whole text.
MOJIBAKE_PAIR = re.compile(
    "[\u00c2-\u00ef][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)

# The same pairs in UTF-8 bytes (a lead character Â-ï is C3 82-AF; its follower C2 80-BF or one of
# windows-1252's letters and punctuation): searched in the raw bytes, from their literal first byte, far
# faster than in text.
MOJIBAKE_UTF8 = re.compile(
    rb"\xc3[\x82-\xaf](?:\xc2[\x80-\xbf]|\xc5[\x92\x93\xa0\xa1\xb8\xbd\xbe]|\xc6\x92|\xcb[\x86\x9c]"
    rb"|\xe2(?:\x80[\x93\x94\x98-\x9a\x9c-\x9e\xa0-\xa2\xa6\xb0\xb9\xba]|\x82\xac|\x84\xa2))"
)


class Decoded(NamedTuple):
    """A file's text, and its bytes when the text is exactly their UTF-8 reading (nothing taken off or
    repaired): the HTML parser then reads those instead of encoding the text again."""

    text: str
    utf8: bytes | None


def decode(data: bytes, *, max_bytes: int = MAX_BYTES, html: bool = False) -> str:
    """Decode ``data`` to text, or raise ``Rejected`` with a one-line reason.

    ``html`` enables the declared charset of a ``<meta charset>`` or ``http-equiv`` tag.
    """
    return decoded(data, max_bytes=max_bytes, html=html).text


def decoded(data: bytes, *, max_bytes: int = MAX_BYTES, html: bool = False) -> Decoded:
    """``decode``, with the bytes where they are the text's UTF-8."""
    if len(data) > max_bytes:
        raise Rejected(f"file is {len(data):,} bytes, over the limit of {max_bytes:,}")
    if not data or data.isspace():  # isspace stops at the first other byte; strip would copy the file
        raise Rejected("empty file" if not data else "file contains only whitespace")
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return Decoded(_checked(data[len(bom) :].decode(encoding, errors="replace")), None)
    _refuse_binary(data)
    text, utf8 = _decode_unmarked(data, html)
    if utf8 and MOJIBAKE_UTF8.search(data) is None:
        return Decoded(_checked(text), data)  # no mojibake pair in the bytes, none in the text (told in C)
    return Decoded(_checked(_repair(text)), None)


def _refuse_binary(data: bytes) -> None:
    for magic, kind in MAGIC:
        if data.startswith(magic):
            raise Rejected(f"binary file ({kind})")
    sample = data[:SAMPLE_BYTES]
    controls = len(sample) - len(sample.translate(None, CONTROL_SET))  # counted in C
    if controls > MAX_CONTROL_RATIO * len(sample):
        raise Rejected(f"binary file ({controls / len(sample):.0%} control characters)")


def _decode_unmarked(data: bytes, html: bool) -> tuple[str, bool]:
    """The text, and whether it was read as UTF-8."""
    declared = _declared_charset(data) if html else None
    if declared and declared != "utf_8":
        text = _strict(data, declared)
        if text is not None and not _utf8_in_disguise(data):
            return text, False
    text = _strict(data, "utf_8")
    if text is not None:
        return text, True
    text = _strict(data, "cp1252")
    if text is not None and _looks_western(text):
        return text, False
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None and best.encoding:
        return str(best), False
    return data.decode("cp1252", errors="replace"), False


def _declared_charset(data: bytes) -> str | None:
    """The codec named by the page's meta charset, normalised; None when absent or unknown."""
    match = META_CHARSET.search(data[:CHARSET_SCAN_BYTES])
    if not match:
        return None
    try:
        name = codecs.lookup(match.group(1).decode("ascii").strip().lower()).name.replace("-", "_")
    except (LookupError, UnicodeDecodeError):
        return None
    if name.startswith("utf_16") or name.startswith("utf_32"):
        return None  # a BOM-less page that passed the NUL check cannot be UTF-16/32: the label lies
    return CHARSET_ALIASES.get(name, name)


def _utf8_in_disguise(data: bytes) -> bool:
    """A page labelled with a single-byte charset whose non-ASCII bytes are valid UTF-8 is UTF-8.

    Random windows-1252 text almost never forms valid multi-byte UTF-8 sequences; re-saved scraped pages
    that kept their old meta tag do.
    """
    return not data.isascii() and _strict(data, "utf_8") is not None


def _strict(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _looks_western(text: str) -> bool:
    special = "".join(NON_ASCII.findall(text))
    if not special:
        return True
    western = len(WESTERN.findall(special))
    if western < MIN_WESTERN_SHARE * len(special):
        return False
    if len(special) > MAX_ACCENTED_SHARE * (len(special) + len(ASCII_LETTER.findall(text))):
        return False
    return not _mojibake(text)


@cache
def _encoding_only() -> Any:
    """ftfy restricted to repairing encodings: no quote, dash, ligature, width, line-break or HTML changes.
    ftfy (and charset-normalizer) are imported only for the rare page that needs them: together they cost some
    50 ms at every start of a process."""
    import ftfy

    return ftfy.TextFixerConfig(
        unescape_html=False,
        remove_terminal_escapes=False,
        fix_c1_controls=False,
        fix_latin_ligatures=False,
        fix_character_width=False,
        uncurl_quotes=False,
        fix_line_breaks=False,
        fix_surrogates=False,
        remove_control_chars=False,
        normalization=None,
        explain=False,
    )


def _repair(text: str) -> str:
    """Undo mojibake ("geÃ¯nterviewd" -> "geïnterviewd"); text without mojibake comes back unchanged."""
    if text.isascii() or not _mojibake(text):
        return text
    import ftfy

    return ftfy.fix_text(text, _encoding_only())


def _mojibake(text: str) -> bool:
    if MOJIBAKE_PAIR.search(text) is None:
        return False
    from ftfy.badness import is_bad

    return is_bad(text)


def _checked(text: str) -> str:
    if not text or text.isspace():
        raise Rejected("file contains only whitespace")
    return text
