"""Articles read on two cores (pipeline.site.prefetch) make the same site as a serial read, and Pelican's
warnings and errors stay Pelican's own: real Pelican, a real worker process."""

from __future__ import annotations

import filecmp
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from sitekit import FIXTURE_CONTENT, ROOT, SITEURL, differences

import pelicanconf

ARTICLES = 120  # above prefetch.SMALLEST, so the worker starts
READ_BY_WORKER = re.compile(r"(\d+) of (\d+) articles were read by the second process")
DUPLICATE = "Duplicate definition of `date`"  # a warning of Pelican's Markdown reader


def content(folder: Path, duplicate_date: bool = False) -> Path:
    """The fixture content and ARTICLES more articles made from its articles (new title and slug)."""
    shutil.copytree(FIXTURE_CONTENT, folder)
    sources = sorted(FIXTURE_CONTENT.glob("*.md"))
    for number in range(ARTICLES):
        header, body = sources[number % len(sources)].read_text(encoding="utf-8").split("\n\n", 1)
        fields = [line for line in header.splitlines() if not line.startswith(("Title:", "Slug:"))]
        fields[:0] = [f"Title: Artikel {number}", f"Slug: artikel-{number}"]
        if duplicate_date:
            fields.insert(1, "Date: 2020-01-01")
        (folder / f"artikel-{number}.md").write_text("\n".join(fields) + "\n\n" + body, encoding="utf-8")
    return folder


def build(source: Path, output: Path, *options: str, prefetch: bool = True) -> subprocess.CompletedProcess:
    """Pelican with our settings, its debug log kept on one line a record; without the prefetch plugin if
    asked."""
    command = [sys.executable, "-m", "pelican", str(source), "-o", str(output), "-s", "publishconf.py"]
    command += ["--debug", "-e", f"CACHE_PATH={json.dumps(str(output.parent / 'cache'))}", *options]
    if not prefetch:
        plugins = [name for name in pelicanconf.PLUGINS if name != "pipeline.site.prefetch"]
        command += [f"PLUGINS={json.dumps(plugins)}"]
    env = {**os.environ, "SITEURL": SITEURL, "COLUMNS": "400"}
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


def read_by_worker(done: subprocess.CompletedProcess) -> tuple[int, int]:
    found = READ_BY_WORKER.findall(done.stdout + done.stderr)
    assert len(found) == 1, done.stdout[-3000:] + done.stderr[-3000:]
    return int(found[0][0]), int(found[0][1])


def test_reading_on_two_cores_makes_the_same_site_as_reading_on_one(tmp_path: Path) -> None:
    source = content(tmp_path / "content")
    both = build(source, tmp_path / "both" / "output")
    assert both.returncode == 0, both.stderr[-3000:]
    taken, total = read_by_worker(both)
    assert total == ARTICLES + len(list(FIXTURE_CONTENT.glob("*.md")))
    assert 0 < taken < total  # the worker read some, this process the others
    one = build(source, tmp_path / "one" / "output", prefetch=False)
    assert one.returncode == 0, one.stderr[-3000:]
    assert READ_BY_WORKER.search(one.stdout + one.stderr) is None
    assert differences(filecmp.dircmp(tmp_path / "both" / "output", tmp_path / "one" / "output")) == []


def test_a_warning_while_reading_is_given_once_by_pelican_itself(tmp_path: Path) -> None:
    source = content(tmp_path / "content", duplicate_date=True)
    done = build(source, tmp_path / "site" / "output")
    assert done.returncode == 0, done.stderr[-3000:]
    printed = done.stdout + done.stderr
    assert printed.count(DUPLICATE) == ARTICLES  # none lost in the worker, none given twice
    taken, total = read_by_worker(done)
    assert taken <= total - ARTICLES  # the worker's reading of a warned file is not used: it is read again
    strict = build(source, tmp_path / "strict" / "output", "--fatal", "warnings")
    assert strict.returncode != 0
    assert DUPLICATE in strict.stdout + strict.stderr
