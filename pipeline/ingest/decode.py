"""Bytes of a scraped file -> text, or a one-line reason why not."""

from __future__ import annotations

import codecs


class Rejected(Exception):
    """A source that cannot become an article; the message is the one-line reason shown to the user."""


BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode(data: bytes, *, max_bytes: int = 5_000_000) -> str:
    """Decode ``data``: a BOM wins, then strict UTF-8, then windows-1252."""
    if len(data) > max_bytes:
        raise Rejected(f"file is {len(data):,} bytes, over the limit of {max_bytes:,}")
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    if b"\x00" in data:
        raise Rejected("binary file (contains NUL bytes)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")
