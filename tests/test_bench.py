"""The benchmark (docs/bench.md): a deterministic, realistic corpus; every figure and target in its JSON.

Untimed: these tests check what the benchmark measures and reports, never how fast anything is.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from ingestkit import ROOT, documents, run_ingest

from pipeline.bench import corpus, report
from pipeline.bench.measure import BenchError, measured
from pipeline.cli import build_parser, main

FIGURES = {"seconds", "peak_rss_mb"}
BUILD_STEPS = {"bare_pelican", "project_pelican", "publish_cold", "publish_unchanged", "publish_new_page"}


def _flat(text: str) -> str:
    """Markdown body text as plain words: escapes gone, whitespace evened out."""
    return " ".join(text.replace("\\", "").split())


def test_corpus_is_deterministic(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    corpus.write(first, 25)
    corpus.write(second, 25)
    files = [sorted(folder.iterdir()) for folder in (first, second)]
    assert [p.read_bytes() for p in files[0]] == [p.read_bytes() for p in files[1]]
    assert [p.name for p in files[0]] == [p.name for p in files[1]]
    assert [p.data for p in corpus.pages(10)] == [p.data for p in corpus.pages(25)][:10]
    assert [p.data for p in corpus.pages(10, seed=1)] != [p.data for p in corpus.pages(10)]


def test_titles_are_unique_up_to_capacity() -> None:
    titles = {corpus.title_of(index) for index in range(corpus.CAPACITY)}
    assert len(titles) == corpus.CAPACITY >= 10_001
    with pytest.raises(ValueError):
        corpus.title_of(corpus.CAPACITY)


def test_generated_pages_ingest_as_articles_of_every_series_without_their_chrome(tmp_path: Path) -> None:
    generated = list(corpus.pages(30))
    assert {Path(page.name).suffix for page in generated} == {".txt", ".html"}
    corpus.write(tmp_path / "pages", 30)
    status, ingest_report = run_ingest(tmp_path / "pages", tmp_path / "content")
    assert status == 0
    docs = documents(ingest_report)
    for page in generated:
        doc = docs[page.name]
        assert (doc["series"], doc["title"], doc["date"]) == (page.series, page.title, page.date), page.name
        assert [author["name"] for author in doc["authors"]] == [page.author]
        body = _flat(Path(doc["output"]).read_text(encoding="utf-8").split("\n\n", 1)[1])
        assert all(_flat(paragraph) in body for paragraph in page.paragraphs), page.name
        blocks = {_flat(block) for block in Path(doc["output"]).read_text(encoding="utf-8").split("\n\n")}
        left = [line for line in page.chrome if line in blocks or (len(line.split()) > 3 and line in body)]
        assert left == [], page.name
    assert {page.series for page in generated} == {"blog", "interview", "opinion"}


def test_peak_memory_is_the_measured_process_own(tmp_path: Path) -> None:
    big = measured([sys.executable, "-c", "x = bytearray(200_000_000)"], cwd=tmp_path, log=tmp_path / "a.log")
    small = measured([sys.executable, "-c", "pass"], cwd=tmp_path, log=tmp_path / "b.log")
    assert big.peak_rss_mb > 190
    assert small.peak_rss_mb < 100


def test_peak_memory_counts_descendants_nobody_waited_for(tmp_path: Path) -> None:
    """multiprocessing's forkserver is never waited for by the process that started it."""
    orphan = "import time; x = bytearray(200_000_000); time.sleep(2)"
    parent = f"import subprocess, sys; subprocess.Popen([sys.executable, '-c', {orphan!r}])"
    run = measured([sys.executable, "-c", parent], cwd=tmp_path, log=tmp_path / "o.log")
    assert run.peak_rss_mb > 190
    assert run.seconds < 2  # the command is done when it exits, whatever it left running


def test_a_failing_command_stops_the_benchmark(tmp_path: Path) -> None:
    with pytest.raises(BenchError, match="exited with 3"):
        measured([sys.executable, "-c", "raise SystemExit(3)"], cwd=tmp_path, log=tmp_path / "c.log")


def _results(**changes: float) -> dict:
    """Results of a run that meets every target; ``changes`` sets single figures."""
    run = {"seconds": 10.0, "peak_rss_mb": 100.0}
    build = {step: dict(run) for step in BUILD_STEPS}
    build["publish_unchanged"]["seconds"] = changes.get("unchanged", 1.0)
    build["publish_new_page"]["seconds"] = 5.0
    return {
        "ingest": {
            "100": {**run, "pages_per_s": 300.0, "pages_per_cpu_s": 300.0},
            "200": {
                **run,
                "pages_per_s": 300.0,
                "pages_per_cpu_s": 300.0,
                "peak_rss_mb": changes.get("rss", 110.0),
            },
        },
        "trafilatura": {
            "100": {**run, "pages_per_s": 100.0, "pages_per_cpu_s": 100.0},
            "200": {**run, "pages_per_s": 100.0, "pages_per_cpu_s": 100.0},
        },
        "real": {
            "pages": 31,
            "ingest": {**run, "pages_per_s": 60.0, "pages_per_cpu_s": changes.get("real", 60.0)},
            "trafilatura": {**run, "pages_per_s": 20.0, "pages_per_cpu_s": 20.0},
        },
        "build": {"100": build},
        "digest": {"20": {"email_ms": changes.get("digest", 5.0), "web_ms": 6.0}},
    }


def test_verdicts() -> None:
    assert all(v.met for v in report.verdicts(_results()))
    assert len(report.verdicts(_results())) == 8
    changed = _results(rss=130.0, unchanged=2.5, digest=20.0, real=30.0)
    missed = {v.name for v in report.verdicts(changed) if not v.met}
    assert missed == {
        "ingest pages/CPU-s vs trafilatura, 31 real pages",
        "ingest peak RSS, 200 vs 100 pages",
        "make publish, nothing changed vs cold, 100 pages",
        "digest render, 20 items",
    }


def test_one_size_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "--sizes", "200"]) == 2
    assert "two sizes" in capsys.readouterr().err


@pytest.mark.slow
def test_quick_bench_writes_every_figure_and_target(tmp_path: Path) -> None:
    out = tmp_path / "out"
    command = [sys.executable, "-m", "pipeline", "bench", "--quick", "--out", str(out)]
    command += ["--real", str(ROOT / "tests" / "fixtures" / "aeb-sample")]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    results = json.loads((out / "bench.json").read_text(encoding="utf-8"))
    for tool in ("ingest", "trafilatura"):
        assert set(results[tool]) == {"100", "200"}
        assert all(set(run) == FIGURES | {"pages_per_s", "pages_per_cpu_s"} for run in results[tool].values())
        assert set(results["real"][tool]) == FIGURES | {"pages_per_s", "pages_per_cpu_s"}
    assert set(results["build"]) == {"100"}
    assert set(results["build"]["100"]) == BUILD_STEPS
    assert all(set(run) == FIGURES for run in results["build"]["100"].values())
    assert {items: set(times) for items, times in results["digest"].items()} == {
        "20": {"email_ms", "web_ms"},
        "100": {"email_ms", "web_ms"},
    }
    assert [target["name"] for target in results["targets"]] == [v.name for v in report.verdicts(results)]
    assert len(results["targets"]) == 8
    assert all(isinstance(target["met"], bool) and target["target"] for target in results["targets"])
    assert "| target | figure | target |" in (out / "bench.md").read_text(encoding="utf-8")
    assert not (out / "work").exists()


def test_every_bench_option_is_documented() -> None:
    docs = (ROOT / "docs" / "bench.md").read_text(encoding="utf-8")
    bench = build_parser()._subparsers._group_actions[0].choices["bench"]
    options = {option for action in bench._actions for option in action.option_strings} - {"-h", "--help"}
    assert "--quick" in options
    assert sorted(option for option in options if f"`{option}" not in docs) == []
