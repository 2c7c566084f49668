"""The ingest's memory does not grow with the pages: checked by what it keeps, not by timing or RSS.

The batch holds no object per page once the page is reported; the worker pool takes tasks in only as results
are handed on; the folder is walked in ``sorted(rglob)`` order without collecting it; the recurrence table,
the one thing that must grow (a count per distinct short line), counts exactly what a ``Counter`` would.
"""

from __future__ import annotations

import gc
import json
import os
import random
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from ingestkit import SEEDS, write_pages

from pipeline.ingest import batch
from pipeline.ingest import workers as workers_module
from pipeline.ingest.recurrence import LineCounts, split
from pipeline.ingest.walk import walk

# Runs the command given as its child and prints its exit status and peak memory (KB): only that child's.
PEAK = (
    "import resource, subprocess, sys; status = subprocess.run(sys.argv[1:]).returncode; "
    "print(status, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def articles(folder: Path, copies: int) -> Path:
    """Seed articles (not the theme page, whose tag each copy would add) `copies` times, each titled anew."""
    pages = {}
    for number in range(copies):
        for seed in sorted(SEEDS.glob("*.txt"))[:4]:
            first, rest = seed.read_text(encoding="utf-8").split("\n", 1)
            pages[f"{number:03d}-{seed.name}"] = f"{first} {number}\n{rest}"
    return write_pages(folder, pages)


def test_the_batch_keeps_no_object_per_page(tmp_path: Path) -> None:
    """Live objects when the 100th and the 200th page are reported: the same number, give or take a few."""
    source = articles(tmp_path / "src", copies=50)
    live: list[int] = []

    def report(_outcome: batch.Outcome) -> None:
        if len(live) in (99, 199):
            gc.collect()
            live.append(len(gc.get_objects()))
        else:
            live.append(0)

    result = batch.run(batch.Config(source, tmp_path / "out"), report=report, jobs=1)
    assert result.pages == 200 and result.rejected == 0
    assert abs(live[199] - live[99]) < 25  # a Path, a summary or a set entry per page would be 100 or more


def test_the_pool_takes_tasks_in_only_as_results_are_handed_on() -> None:
    """Results in order with their contexts, `Ready` ones passed through, and never more items taken in ahead
    of the one handed on than twice what is out (``Pool.imap`` would keep every result not asked for yet)."""
    total, taken = 2000, [0]

    def items() -> Iterator[tuple[int, int | workers_module.Ready[int]]]:
        for number in range(total):
            taken[0] += 1
            yield number, workers_module.Ready(number) if number % 7 == 0 else -number

    ahead, results = [], []
    with workers_module.Workers(2) as workers:
        for context, value in workers.map(abs, items()):
            results.append((context, value))
            ahead.append(taken[0] - len(results))
        assert workers.pool is not None
    assert results == [(number, number) for number in range(total)]
    assert max(ahead) <= 2 * (workers_module.WINDOW * 2) * workers_module.CHUNK


def test_the_walk_is_sorted_rglob(tmp_path: Path) -> None:
    root = tmp_path / "src"
    for name in (
        "a.txt",
        "a-b/x.txt",
        "a/b/c.txt",
        "a/B.txt",
        "a/.h/y.txt",
        ".z.txt",
        "b",
        "ä.txt",
        "10.txt",
    ):
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x", encoding="utf-8")
    (root / "link").symlink_to(root / "a", target_is_directory=True)  # listed, not entered, as rglob does
    expected = [path.relative_to(root).as_posix() for path in sorted(root.rglob("*"))]
    assert list(walk(root)) == expected
    assert "link" in expected and "link/B.txt" not in expected


@pytest.mark.parametrize("seed", [1, 2])
def test_the_recurrence_table_counts_as_a_counter(seed: int) -> None:
    """Exactly, through the table's growth: lines on every page, on some, on one."""
    rng = random.Random(seed)
    chrome = [os.urandom(8) for _ in range(40)]
    pages = [
        b"".join(sorted(set(rng.sample(chrome, 12)) | {os.urandom(8) for _ in range(3)})) for _ in range(1500)
    ]
    counts, expected = LineCounts(), Counter[bytes]()
    for hashes in [*pages, None, b""]:
        counts.add(hashes)
        expected.update(split(hashes))
    assert counts.size == len(expected) > 4000
    assert all(counts.of(line) == {line: count} for line, count in expected.items())
    assert counts.of(os.urandom(8)).popitem()[1] == 0


@pytest.mark.parametrize("kind", ["txt", "html"])
def test_a_page_of_a_million_short_lines_is_answered_in_bounded_memory(tmp_path: Path, kind: str) -> None:
    """A 3 MB page of a million short lines (a log, a dump) is rejected with its count, in one process whose
    peak memory stays under 200 MB (it took 1.44 GB and 37 s before it was bounded)."""
    words = ["wijk", "de buurt", "x", "zorg team"]
    lines = "\n".join(random.Random(1).choice(words) for _ in range(1_000_000))
    page = (
        lines if kind == "txt" else "<html><body><div>" + lines.replace("\n", "<br>") + "</div></body></html>"
    )
    source = tmp_path / "src"
    source.mkdir()
    (source / f"groot.{kind}").write_text(page[:3_000_000], encoding="utf-8")
    report = tmp_path / "report.json"
    command = [sys.executable, "-m", "pipeline", "ingest", str(source), "--out", str(tmp_path / "out")]
    done = subprocess.run(
        [sys.executable, "-c", PEAK, *command, "--report", str(report), "--jobs", "1", "--quiet"],
        capture_output=True,
        text=True,
    )
    status, peak_kb = map(int, done.stdout.split())
    (document,) = json.loads(report.read_text("utf-8"))["documents"]
    assert status == 1 and "over the limit" in document["error"] and "Traceback" not in done.stderr
    assert peak_kb < 200 * 1024
