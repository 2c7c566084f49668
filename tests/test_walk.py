"""walk.not_a_file: what in a source folder cannot be read as a page, and why (issue 13, sources that are not
files). batch.candidates lists these as ignored before it follows any link."""

from __future__ import annotations

import os
import socket
from pathlib import Path

from pipeline.ingest.walk import not_a_file


def test_what_is_not_a_file_says_why_and_files_and_folders_pass(tmp_path: Path) -> None:
    (tmp_path / "pagina.txt").write_text("tekst", encoding="utf-8")
    (tmp_path / "map").mkdir()
    os.symlink("pagina.txt", tmp_path / "link.txt")
    os.symlink("lus.txt", tmp_path / "lus.txt")
    os.symlink("b.html", tmp_path / "a.html")
    os.symlink("a.html", tmp_path / "b.html")
    os.symlink("nergens.txt", tmp_path / "kapot.txt")
    os.symlink("/dev/null", tmp_path / "null.txt")
    os.mkfifo(tmp_path / "pijp.html")
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(tmp_path / "socket.txt"))
        found = {path.name: not_a_file(path) for path in sorted(tmp_path.iterdir())}
    assert found == {
        "a.html": "a link that loops",
        "b.html": "a link that loops",
        "kapot.txt": "a link that leads nowhere",
        "link.txt": None,
        "lus.txt": "a link that loops",
        "map": None,
        "null.txt": "a device, not a file",
        "pagina.txt": None,
        "pijp.html": "a named pipe, not a file",
        "socket.txt": "a socket, not a file",
    }
