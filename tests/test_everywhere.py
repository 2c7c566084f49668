"""No traceback reaches a user from any command (issue 13, "Everywhere"): bad input and unexpected faults are
one line on stderr; the traceback is shown only with --debug, given before or after the command."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.cli import EXIT_INTERNAL, EXIT_USER

BROKEN_SETTINGS = 'raise RuntimeError("kapot")\n'
COMMANDS = [
    "ingest nergens --out content",
    "ingest src --out /proc/niet-hier",
    "digest --settings nergens.py",
    "digest --settings kapot.py",
    "publish --sources src --settings nergens.py",
    "publish --sources src --settings kapot.py",
    "send --edition 1 --settings kapot.py",
    "subscribers --settings kapot.py list",
]


def run(folder: Path, *argv: str) -> subprocess.CompletedProcess:
    (folder / "kapot.py").write_text(BROKEN_SETTINGS, encoding="utf-8")
    (folder / "src").mkdir(exist_ok=True)
    command = [sys.executable, "-m", "pipeline", *argv]
    return subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_answers_bad_input_in_one_line_without_a_traceback(
    tmp_path: Path, command: str
) -> None:
    done = run(tmp_path, *command.split())
    assert done.returncode in (EXIT_USER, EXIT_INTERNAL), done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr


def test_an_unexpected_fault_is_one_line_that_says_how_to_see_more(tmp_path: Path) -> None:
    done = run(tmp_path, "digest", "--settings", "kapot.py")
    assert done.returncode == EXIT_INTERNAL
    assert done.stderr == "error: RuntimeError: kapot (run again with --debug to see where)\n"


@pytest.mark.parametrize(
    "argv", [["--debug", "digest", "--settings", "kapot.py"], ["digest", "--debug", "--settings", "kapot.py"]]
)
def test_debug_before_or_after_the_command_shows_the_traceback(tmp_path: Path, argv: list[str]) -> None:
    done = run(tmp_path, *argv)
    assert done.returncode == EXIT_INTERNAL
    assert done.stderr.startswith("Traceback (most recent call last):")
    assert done.stderr.strip().splitlines()[-1] == "error: RuntimeError: kapot"
