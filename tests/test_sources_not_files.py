"""Sources that are not files (issue 13): links that loop or lead nowhere, named pipes, devices and sockets
are listed as ignored, one line each, by the ingest and by publish; nothing hangs, no traceback."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

from ingestkit import write_pages
from test_incremental import run_publish, site_folder
from test_ingest_command import GOOD

IGNORED = [
    "a.html: a link that loops",
    "b.html: a link that loops",
    "kapot.txt: a link that leads nowhere",
    "lus.txt: a link that loops",
    "null.txt: a device, not a file",
    "pijp.html: a named pipe, not a file",
    "socket.txt: a socket, not a file",
]


def strange_files(folder: Path) -> socket.socket:
    """Every kind of entry that is not a file, in `folder`; the socket must stay open while it is used."""
    os.symlink("lus.txt", folder / "lus.txt")
    os.symlink("b.html", folder / "a.html")
    os.symlink("a.html", folder / "b.html")
    os.symlink("nergens.txt", folder / "kapot.txt")
    os.symlink("/dev/null", folder / "null.txt")
    os.mkfifo(folder / "pijp.html")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(folder / "socket.txt"))
    return server


def test_the_ingest_lists_what_is_not_a_file_as_ignored_and_reads_the_rest(tmp_path: Path) -> None:
    source = write_pages(tmp_path / "src", {"goed.txt": GOOD})
    with strange_files(source):
        command = [sys.executable, "-m", "pipeline", "ingest", str(source), "--out", str(tmp_path / "out")]
        command += ["--report", str(tmp_path / "r.json"), "--cache", str(tmp_path / "cache"), "--quiet"]
        done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["ignored"] == IGNORED
    assert [line for line in done.stderr.splitlines() if line.startswith("ignored")] == [
        f"ignored {line}" for line in IGNORED
    ]
    assert len(list((tmp_path / "out").glob("*.md"))) == 1


def test_publish_builds_the_site_beside_them(tmp_path: Path) -> None:
    folder = site_folder(tmp_path / "site")
    with strange_files(folder / "seeds"):
        done = run_publish(folder)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert len(list((folder / "output").glob("20*/*/index.html"))) == 15
