"""Every digest setting and every option of the digest commands is documented in docs/digest.md."""

from __future__ import annotations

import re

import pytest
from digestkit import ROOT

from pipeline.cli import build_parser
from pipeline.digest.config import DEFAULTS

DOC = (ROOT / "docs" / "digest.md").read_text(encoding="utf-8")


def test_every_digest_setting_is_documented():
    settings = set(DEFAULTS) | set(
        re.findall(r"^(DIGEST_[A-Z_]+)\s*=", (ROOT / "pelicanconf.py").read_text(), re.MULTILINE)
    )
    assert len(settings) >= 20
    assert sorted(s for s in settings if f"`{s}`" not in DOC) == []


def test_the_digest_defaults_have_one_source():
    """DigestConfig's DEFAULTS: the settings files set a DIGEST_* only to change it."""
    for name in ("pelicanconf.py", "publishconf.py"):
        assert re.findall(r"^DIGEST_[A-Z_]+\s*=", (ROOT / name).read_text(), re.MULTILINE) == []


@pytest.mark.parametrize("command", ["digest", "subscribers", "send"])
def test_every_option_and_action_is_documented(command):
    parser = build_parser()
    sub = parser._subparsers._group_actions[0].choices[command]
    names = {option for action in sub._actions for option in action.option_strings if option != "-h"}
    names.discard("--help")
    for action in sub._actions:
        if getattr(action, "choices", None) and isinstance(action.choices, dict):
            names |= set(action.choices)
    assert names
    assert sorted(name for name in names if f"`{name}" not in DOC) == []
