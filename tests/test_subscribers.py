"""The subscriber commands as an editor uses them."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import pytest
from digestkit import SECRET

from pipeline.cli import main


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
    assert "line 3: not an email address: 'niet-een-adres'" in out.err
    names = {row[0]: row[1] for row in listing(capsys)}
    assert names == {"bram@example.org": "Jansen, Bram", "chantal@example.org": "Chantal met een regel erbij"}


def test_problems_are_one_line_errors(env, tmp_path, monkeypatch, capsys):
    assert main(["subscribers", "add", "geen adres@example.org"]) == 2
    assert capsys.readouterr().err.startswith("error: not an email address")
    monkeypatch.setenv("DIGEST_SECRET", "kort")
    assert main(["subscribers", "add", "anna@example.org"]) == 2
    assert "set DIGEST_SECRET" in capsys.readouterr().err
    assert main(["subscribers", "import", str(tmp_path / "missing.csv")]) == 2
