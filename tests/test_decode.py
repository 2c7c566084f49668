"""decode(): bytes of a scraped file -> text, or a one-line reason why not."""

from __future__ import annotations

import codecs
import gzip
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.ingest.decode import Rejected, decode, decoded
from pipeline.ingest.read import text_lines

BAD = Path(__file__).parent / "fixtures" / "bad"


def read(name: str) -> bytes:
    return (BAD / name).read_bytes()


def rejection(data: bytes, **options: object) -> str:
    with pytest.raises(Rejected) as caught:
        decode(data, **options)
    reason = str(caught.value)
    assert reason and "\n" not in reason
    return reason


def test_plain_utf8_text_is_returned_unchanged() -> None:
    text = "Sociaal werk, ‘vertrouw op je kracht’ – naïef? Nee.\r\nTweede regel\u00a0met café.\n"
    assert decode(text.encode("utf-8")) == text


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("empty.html", "empty file"),
        ("whitespace.txt", "only whitespace"),
        ("page.html.gz", "gzip"),
        ("image.png", "PNG"),
        ("document.pdf", "PDF"),
        ("binary.bin", "binary"),
    ],
)
def test_unreadable_files_are_rejected_with_one_line(name: str, reason: str) -> None:
    assert reason in rejection(read(name), html=name.endswith(".html"))


def test_zip_jpeg_and_nul_bytes_are_binary() -> None:
    assert "zip" in rejection(b"PK\x03\x04\x14\x00\x00\x00")
    assert "JPEG" in rejection(b"\xff\xd8\xff\xe0\x00\x10JFIF")
    assert "control characters" in rejection(b"Een\x00tekst\x00met\x00veel\x00NUL\x00bytes\x00erin.")


def test_a_few_stray_nul_and_control_bytes_are_removed_not_rejected() -> None:
    text = "Een tekst over het buurtwerk in de wijk, met een paar vreemde tekens erin. " * 5
    data = text.encode("utf-8")
    lines = text_lines(decode(data[:40] + b"\x00" + data[40:80] + b"\x01" + data[80:]))
    read_text = " ".join(line.text for line in lines)
    assert "vreemde tekens" in read_text and "\x00" not in read_text and "\x01" not in read_text


def test_file_over_the_limit_is_rejected_with_its_size() -> None:
    reason = rejection(b"a" * 2_000, max_bytes=1_000)
    assert "2,000 bytes" in reason and "1,000" in reason


def test_utf16_with_bom_is_decoded() -> None:
    assert decode(read("utf16_bom.txt")).strip() == "Een sociaal wijkteam is geen container."


def test_utf8_bom_is_dropped() -> None:
    assert decode("Hallo wereld".encode("utf-8-sig")) == "Hallo wereld"


def test_windows_1252_page_keeps_its_letters_and_quotes() -> None:
    text = decode(read("windows1252.html"), html=True)
    for word in ("Naïeve", "ideeën", "‘zelfredzaamheid’", "coördinator", "Zoë’s", "café", "–", "financiën"):
        assert word in text


def test_windows_1252_text_without_declaration_is_detected() -> None:
    assert decode("Eén café, ‘één’ idee.".encode("cp1252")) == "Eén café, ‘één’ idee."


def test_a_lying_meta_charset_is_distrusted() -> None:
    text = decode(read("lying_charset.html"), html=True)
    assert "ideeën" in text and "‘zelfredzaamheid’" in text and "\ufffd" not in text


def test_utf8_page_labelled_windows_1252_is_read_as_utf8() -> None:
    page = '<meta charset="windows-1252"><p>Geïnterviewd: ‘Zoë’</p>'
    assert "Geïnterviewd: ‘Zoë’" in decode(page.encode("utf-8"), html=True)


def test_iso_8859_1_label_is_read_as_windows_1252() -> None:
    page = '<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1"><p>‘Zoë’ – ja</p>'
    assert "‘Zoë’ – ja" in decode(page.encode("cp1252"), html=True)


def test_mojibake_is_repaired_without_touching_quotes_or_dashes() -> None:
    text = decode(read("mojibake.html"), html=True)
    assert "geïnterviewd" in text and "ideeën" in text and "cliché" in text
    assert "‘Het café is de plek waar alles begint’" in text and " – " in text
    assert decode(read("plain_mojibake.txt")) == "De sociaal werker werd geïnterviewd over ideeën.\n"


def test_repair_leaves_typography_alone() -> None:
    text = 'Quotes "recht" en ‘krul’, ligatuur ﬁ, breedte Ａ, streepjes -- en —, &amp; blijft.'
    assert decode(text.encode("utf-8")) == text


def test_cyrillic_is_not_forced_into_windows_1252() -> None:
    assert (
        decode("Привет мир, как дела? Это тест текста.".encode("cp1251"))
        == "Привет мир, как дела? Это тест текста."
    )


def test_gzip_of_a_real_page_is_rejected_not_decoded() -> None:
    assert "gzip" in rejection(gzip.compress(b"<html><body><p>Hallo</p></body></html>"), html=True)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=3000), st.booleans())
def test_arbitrary_bytes_decode_or_are_rejected(data: bytes, html: bool) -> None:
    try:
        text = decode(data, html=html)
    except Rejected as rejected:
        assert str(rejected) and "\n" not in str(rejected)
    else:
        assert isinstance(text, str) and text.strip()


NO_MOJIBAKE_LEADS = st.characters(
    blacklist_categories=("Cs", "Cc"), blacklist_characters=[chr(c) for c in range(0xC2, 0xF0)]
)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=NO_MOJIBAKE_LEADS, max_size=500))
def test_utf8_text_without_mojibake_comes_back_unchanged(text: str) -> None:
    if not text.strip():
        return
    assert decode(text.encode("utf-8")) == text


def test_the_bytes_come_with_the_text_only_when_they_are_its_utf8() -> None:
    """The HTML parser reads the file's own bytes when they are exactly the text (no BOM taken off, no other
    encoding, nothing repaired), else the text encoded again."""
    page = "<p>Één café</p>".encode()
    assert decoded(page, html=True) == ("<p>Één café</p>", page)
    assert decoded(codecs.BOM_UTF8 + page, html=True).utf8 is None
    assert decoded("<p>Één café</p>".encode("cp1252"), html=True) == ("<p>Één café</p>", None)
    assert decoded("<p>geÃ¯nterviewd</p>".encode(), html=True) == ("<p>geïnterviewd</p>", None)
