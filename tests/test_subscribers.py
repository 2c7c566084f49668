"""The subscriber commands as an editor uses them."""

from __future__ import annotations

import hashlib
import hmac
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from digestkit import ROOT, SECRET

from pipeline.cli import main
from pipeline.digest import subscribers as db


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    database = tmp_path / "var" / "subscribers.sqlite"
    monkeypatch.setenv("DIGEST_DATABASE", str(database))
    monkeypatch.setenv("DIGEST_SECRET", SECRET)
    return database


def listing(capsys: pytest.CaptureFixture[str]) -> list[list[str]]:
    capsys.readouterr()
    assert main(["subscribers", "list"]) == 0
    return [line.split("\t") for line in capsys.readouterr().out.splitlines()]


def test_add_list_remove(env, capsys):
    assert main(["subscribers", "add", "Anna@Example.org", "--name", "Anna de Vries"]) == 0
    assert main(["subscribers", "add", "anna@example.org"]) == 0
    assert "already subscribed" in capsys.readouterr().out
    [(email, name, token)] = listing(capsys)
    assert (email, name) == ("Anna@Example.org", "Anna de Vries")
    expected = hmac.new(SECRET.encode(), b"anna@example.org", hashlib.sha256).hexdigest()[:32]
    assert token == expected
    assert env.is_file()
    assert main(["subscribers", "remove", token]) == 0  # by token, as an unsubscribe request gives it
    assert listing(capsys) == []
    assert main(["subscribers", "remove", "anna@example.org"]) == 2
    assert "no subscriber" in capsys.readouterr().err


def test_import_csv_adds_valid_rows_and_reports_the_rest(env, tmp_path, capsys):
    csv = tmp_path / "lijst.csv"
    csv.write_text(
        'email,name\nbram@example.org,"Jansen, Bram"\nniet-een-adres,Niemand\n'
        'chantal@example.org,"Chantal\nmet een regel erbij"\n',
        encoding="utf-8",
    )
    assert main(["subscribers", "import", str(csv)]) == 1
    out = capsys.readouterr()
    assert "imported 2 new subscribers" in out.out
    assert out.err.startswith("skipped line 3: niet-een-adres: not an email address: 'niet-een-adres'")
    assert out.err.count("\n") == 1
    names = {row[0]: row[1] for row in listing(capsys)}
    assert names == {"bram@example.org": "Jansen, Bram", "chantal@example.org": "Chantal met een regel erbij"}


def test_problems_are_one_line_errors(env, tmp_path, monkeypatch, capsys):
    assert main(["subscribers", "add", "geen adres@example.org"]) == 2
    assert capsys.readouterr().err.startswith("error: not an email address")
    monkeypatch.setenv("DIGEST_SECRET", "kort")
    assert main(["subscribers", "add", "anna@example.org"]) == 2
    assert "set DIGEST_SECRET" in capsys.readouterr().err
    assert main(["subscribers", "import", str(tmp_path / "missing.csv")]) == 2


# What spreadsheets write (issue 13, "Subscribers"): encodings, one normal form per address, bounded fields.

ROWS = [
    ("anna@example.org", "Anna de Vries"),
    ("zoe@example.org", "Zoë Öztürk"),
    ("francois@example.org", "François Müller"),
    ("emile@example.org", "Émile Dubois"),
]


def csv_text(rows: list[tuple[str, str]], delimiter: str = ",") -> str:
    return "".join(f"{email}{delimiter}{name}\r\n" for email, name in [("email", "name"), *rows])


def names(capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    return {row[0]: row[1] for row in listing(capsys)}


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [
        ("latin-1", ","),
        ("cp1252", ";"),  # Dutch Excel: "CSV (puntkomma-gescheiden)"
        ("utf-8-sig", ","),
        ("utf-16", "\t"),  # Excel's "Unicode text": UTF-16 with a BOM, tab-separated
        ("utf-16", ","),
        ("utf-16-le", ","),  # without a BOM
    ],
)
def test_import_reads_what_spreadsheets_write(env, tmp_path, capsys, encoding, delimiter):
    path = tmp_path / "lijst.csv"
    rows = (
        [*ROWS, ("kees@example.org", "Kees “de Kok”")] if encoding == "cp1252" else ROWS
    )  # “” only in cp1252
    path.write_bytes(csv_text(rows, delimiter).encode(encoding))
    assert main(["subscribers", "import", str(path)]) == 0
    out = capsys.readouterr()
    assert out.err == ""
    expected = dict(rows)
    assert f"imported {len(expected)} new subscribers" in out.out
    assert names(capsys) == expected


def test_stray_control_bytes_are_dropped_as_the_ingest_drops_them(env, tmp_path, capsys):
    """A few in a list of some length; more than 1% of the bytes makes a binary file, as for the ingest."""
    rows = [(f"lezer{n}@example.org", f"Lezer {n}") for n in range(100)]
    path = tmp_path / "lijst.csv"
    path.write_bytes(
        csv_text(rows).encode() + b"anna@example.org,Anna\x00 de Vries\r\nbram\x00@example.org,Bram\x1b\r\n"
    )
    assert main(["subscribers", "import", str(path)]) == 0
    imported = names(capsys)
    assert len(imported) == 102
    assert imported["anna@example.org"] == "Anna de Vries" and imported["bram@example.org"] == "Bram"


def test_one_bad_byte_skips_that_row_only_and_says_which(env, tmp_path, capsys):
    rows = [(f"lezer{n}@example.org", f"Zoë {n}") for n in range(1, 3001)]
    data = bytearray(csv_text(rows).encode("utf-8"))
    at = data.index(b"lezer2000@")
    data[at + len("lezer2000@example.org,Zo") : at + len("lezer2000@example.org,Zo") + 2] = (
        b"\xeb"  # a Latin-1 ë
    )
    path = tmp_path / "lijst.csv"
    path.write_bytes(bytes(data))
    assert main(["subscribers", "import", str(path)]) == 1
    out = capsys.readouterr()
    assert out.err.splitlines() == [
        "skipped line 2001: lezer2000@example.org: this row holds bytes that are not UTF-8 "
        "(shown as \ufffd): correct it and import it again"
    ]
    assert "imported 2999 new subscribers" in out.out
    imported = names(capsys)
    assert len(imported) == 2999 and imported["lezer3000@example.org"] == "Zoë 3000"


def test_one_address_one_subscriber_whatever_its_case_or_unicode_form(env, tmp_path, capsys):
    rows = [
        ("émile@example.org", "Émile"),
        ("Émile@example.org", "Émile twee"),
        ("e\u0301mile@example.org", "Émile ontbonden"),  # é as e + combining accent
        ("jürgen@example.org", "Jürgen"),
        ("JÜRGEN@example.org", "Jürgen twee"),
        ("kees@example.org", "Kees"),
        ("\u212aees@example.org", "Kees met een Kelvin-teken"),
        ("ANNA@example.org", "Anna"),
        ("anna@example.org", "Anna twee"),
        ("bram@example.org", "Bram"),
        ("Bram@Example.org", "Bram twee"),
        ("chantal@example.org", "Chantal"),
    ]
    path = tmp_path / "lijst.csv"
    path.write_text(csv_text(rows), encoding="utf-8")
    assert main(["subscribers", "import", str(path)]) == 1
    out = capsys.readouterr()
    assert "imported 6 new subscribers" in out.out
    assert out.err.splitlines() == [
        "skipped line 3: Émile@example.org: the same address as line 2",
        "skipped line 4: e\u0301mile@example.org: the same address as line 2",
        "skipped line 6: JÜRGEN@example.org: the same address as line 5",
        "skipped line 8: \u212aees@example.org: the same address as line 7",
        "skipped line 10: anna@example.org: the same address as line 9",
        "skipped line 12: Bram@Example.org: the same address as line 11",
    ]
    assert sorted(names(capsys)) == sorted(
        [
            "émile@example.org",
            "jürgen@example.org",
            "kees@example.org",
            "ANNA@example.org",
            "bram@example.org",
            "chantal@example.org",
        ]
    )
    assert main(["subscribers", "add", "ÉMILE@EXAMPLE.ORG"]) == 0
    assert "already subscribed" in capsys.readouterr().out
    assert main(["subscribers", "remove", "E\u0301mile@example.org"]) == 0
    assert "émile@example.org" not in names(capsys)


def test_field_sizes_are_bounded(env, tmp_path, capsys):
    rows = [
        ("anna@example.org", "Anna"),
        ("groot@example.org", "G" * 200_000),
        ("lang@example.org", "L" * 201),
        ("x" * 250 + "@example.org", "Te lang adres"),
        ("bram@example.org", "Bram"),
    ]
    path = tmp_path / "lijst.csv"
    path.write_text(csv_text(rows), encoding="utf-8")
    assert main(["subscribers", "import", str(path)]) == 1
    out = capsys.readouterr()
    err = out.err.splitlines()
    assert len(err) == 3, out.err[:500]
    assert err[0].startswith("skipped line 3: ") and "131,072" in err[0]
    assert err[1] == "skipped line 4: lang@example.org: the name is 201 characters long, at most 200"
    assert err[2].startswith("skipped line 5: ") and "too long" in err[2]
    assert "imported 2 new subscribers" in out.out
    assert main(["subscribers", "add", "lang@example.org", "--name", "L" * 201]) == 2
    assert capsys.readouterr().err == "error: the name is 201 characters long, at most 200\n"


def test_an_import_is_one_transaction(env, tmp_path):
    """A kill at any moment of an import leaves all of its rows or none of them."""
    rows = [(f"lezer{n}@example.org", f"Lezer {n}") for n in range(20_000)]
    path = tmp_path / "lijst.csv"
    path.write_text(csv_text(rows), encoding="utf-8")
    environment = {**os.environ, "DIGEST_DATABASE": str(env), "DIGEST_SECRET": SECRET}
    command = [sys.executable, "-m", "pipeline", "subscribers", "import", str(path)]
    process = subprocess.Popen(
        command, cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 60
    while not env.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.3)
    process.kill()
    process.wait(timeout=10)
    conn = db.connect(env)  # (creates the tables, were the kill before the first migration committed)
    count = conn.execute("SELECT count(*) FROM subscribers").fetchone()[0]
    conn.close()
    assert count in (0, len(rows))


def test_an_undecodable_or_unusable_file_is_one_line(env, tmp_path, capsys):
    xlsx = tmp_path / "lijst.xlsx"
    xlsx.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 4)
    assert main(["subscribers", "import", str(xlsx)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and "save it as CSV" in err
    folder = tmp_path / "map.csv"
    folder.mkdir()
    assert main(["subscribers", "import", str(folder)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ")
