"""docs/newsletter.md documents every option of `serve` and `bounces`, and the pages and tables it names."""

from __future__ import annotations

import pytest
from digestkit import ROOT

from pipeline.cli import build_parser
from pipeline.newsletter import migrations

DOC = (ROOT / "docs" / "newsletter.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", ["serve", "bounces"])
def test_every_option_is_documented(command):
    sub = build_parser()._subparsers._group_actions[0].choices[command]
    names = {option for action in sub._actions for option in action.option_strings} - {"-h", "--help"}
    assert names
    assert sorted(name for name in names if f"`{name}" not in DOC) == []


def test_every_table_is_explained():
    tables = {
        statement.split()[2]
        for step in migrations.MIGRATIONS
        for statement in step
        if statement.lstrip().upper().startswith("CREATE TABLE")
    }
    tables = {name for name in tables if name.upper() != "IF"} | {"subscribers", "deliveries"}
    assert sorted(name for name in tables if f"| `{name}` |" not in DOC) == []


def test_the_production_recipes_are_there():
    assert "ExecStart=" in DOC and "proxy_pass http://127.0.0.1:8001" in DOC
    assert "subscribers export" in DOC and "subscribers erase" in DOC
