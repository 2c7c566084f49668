"""Every option of the ingest command is documented (Datasette's habit)."""

from __future__ import annotations

from ingestkit import ROOT

from pipeline.cli import build_parser


def test_every_ingest_option_is_documented() -> None:
    docs = (ROOT / "docs" / "ingest.md").read_text(encoding="utf-8")
    parser = build_parser()
    ingest = next(action for action in parser._subparsers._group_actions).choices["ingest"]
    options = [option for action in ingest._actions for option in action.option_strings if option != "-h"]
    assert "--out" in options and "--report" in options
    for option in options:
        if option != "--help":
            assert f"`{option}" in docs, option
