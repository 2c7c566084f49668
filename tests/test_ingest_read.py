"""Read: bytes become numbered, normalised lines without a word changed."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.ingest.decode import Rejected
from pipeline.ingest.read import normalise, read_page, text_lines


def test_line_endings_bom_and_numbering(tmp_path: Path) -> None:
    path = tmp_path / "p.txt"
    path.write_bytes("\ufeffTitel\r\n\r\nEerste alinea.\rTweede alinea.\n".encode())
    page = read_page(path, "p.txt", max_bytes=1000)
    assert [(line.number, line.text) for line in page.lines] == [
        (1, "Titel"),
        (3, "Eerste alinea."),
        (4, "Tweede alinea."),
    ]


def test_invisible_and_odd_spaces_are_evened_out_words_kept() -> None:
    text = "Sociaal\u00a0werk\u200b is  een\tvak\u00ad.  "
    assert normalise(text) == "Sociaal werk is een vak."


def test_whitespace_only_lines_are_dropped() -> None:
    assert [line.number for line in text_lines("a\n \u00a0\n\u200b\nb")] == [1, 4]


def test_empty_file_is_rejected_with_a_reason(tmp_path: Path) -> None:
    path = tmp_path / "leeg.txt"
    path.write_bytes(b"  \n\n")
    with pytest.raises(Rejected):
        read_page(path, "leeg.txt", max_bytes=1000)


def test_windows_1252_text_is_read(tmp_path: Path) -> None:
    path = tmp_path / "oud.txt"
    path.write_bytes("Geïnterviewd door één collega – ‘zo’ gaat het.".encode("cp1252"))
    page = read_page(path, "oud.txt", max_bytes=1000)
    assert page.lines[0].text == "Geïnterviewd door één collega – ‘zo’ gaat het."
