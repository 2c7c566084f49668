"""docs/newsletter.md documents every option of `serve` and `bounces`, and the pages and tables it names."""

from __future__ import annotations

import pytest
from digestkit import ROOT

from pipeline.cli import build_parser
from pipeline.digest import subscribers

DOC = (ROOT / "docs" / "newsletter.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", ["serve", "bounces"])
def test_every_option_is_documented(command):
    sub = build_parser()._subparsers._group_actions[0].choices[command]
    names = {option for action in sub._actions for option in action.option_strings} - {"-h", "--help"}
    assert names
    assert sorted(name for name in names if f"`{name}" not in DOC) == []


def test_every_table_is_explained(tmp_path):
    conn = subscribers.connect(tmp_path / "db.sqlite")
    tables = [name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    conn.close()
    assert len(tables) == 6
    assert sorted(name for name in tables if f"| `{name}` |" not in DOC) == []


def test_the_production_recipes_are_there():
    assert "ExecStart=" in DOC and "proxy_pass http://127.0.0.1:8001" in DOC
    assert "subscribers export" in DOC and "subscribers erase" in DOC
