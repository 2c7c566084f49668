"""Every field of overrides.toml is type-checked: a value of the wrong type is one line and exit status 2,
never a traceback and never a wrong article (`Authors: [1, 2]`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from ingestkit import write_pages
from test_ingest_command import GOOD

from pipeline.cli import main

BAD = [
    ('series = ["opinion"]', "series must be one of blog, interview, opinion"),
    ("series = 3", "series must be one of blog, interview, opinion"),
    ('status = ["draft"]', "status must be one of published, draft, hidden"),
    ("status = true", "status must be one of published, draft, hidden"),
    ("title = 5", "title must be a non-empty string"),
    ('title = ["Twee", "titels"]', "title must be a non-empty string"),
    ('date = ["2020-01-01"]', "date must be YYYY-MM-DD"),
    ("date = 2020", "date must be YYYY-MM-DD"),
    ("date = 2020-01-01T10:00:00", "date must be YYYY-MM-DD"),
    ('authors = "Jan Jansen"', "authors must be a list"),
    ("authors = [[1, 2]]", "authors: item 1 must be a name or { name, role }"),
    ("authors = [1]", "authors: item 1 must be a name or { name, role }"),
    ('authors = ["Jan", { name = ["Piet"] }]', "authors: item 2: name must be a non-empty string"),
    ('authors = [{ role = "wethouder" }]', "authors: item 1: name must be a non-empty string"),
    ('authors = [{ name = "Piet", role = 3 }]', "authors: item 1: role must be a string"),
    ('authors = [{ name = "Piet", rol = "x" }]', "authors: item 1: unknown key 'rol' (known: name, role)"),
    ('tags = "Jeugd"', "tags must be a list"),
    ("tags = [[1, 2]]", "tags: item 1 must be a string"),
    ('tags = ["Jeugd", 2]', "tags: item 2 must be a string"),
]


@pytest.mark.parametrize(("line", "reason"), BAD, ids=[line for line, _ in BAD])
def test_a_value_of_the_wrong_type_is_one_line_and_status_2(tmp_path: Path, capsys, line: str, reason: str):
    source = write_pages(tmp_path / "src", {"a.txt": GOOD, "overrides.toml": f'["a.txt"]\n{line}\n'})
    status = main(["ingest", str(source), "--out", str(tmp_path / "out"), "--quiet"])
    err = capsys.readouterr().err
    assert status == 2, err
    assert err.strip().splitlines() == [f"error: {source / 'overrides.toml'}: ['a.txt']: {reason}"]
    assert not list((tmp_path / "out").glob("*.md")) if (tmp_path / "out").exists() else True


def test_good_values_of_every_type_still_pass(tmp_path: Path, capsys) -> None:
    overrides = """["a.txt"]
date = 2021-05-04
authors = ["Jan", { name = "Piet", role = "wethouder" }, { name = "Kees" }]
tags = ["Jeugd"]
"""
    source = write_pages(tmp_path / "src", {"a.txt": GOOD, "overrides.toml": overrides})
    assert main(["ingest", str(source), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    text = next((tmp_path / "out").glob("*.md")).read_text(encoding="utf-8")
    assert "\nAuthors: Jan; Piet; Kees\n" in text and "\nDate: 2021-05-04\n" in text
