"""The whole benchmark in one run: corpora, ingest and trafilatura, site builds, digest; then the targets."""

from __future__ import annotations

import datetime as dt
import os
import platform
import subprocess
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import partial
from importlib import metadata
from pathlib import Path
from typing import Any

from pipeline.bench import corpus, runners
from pipeline.bench.measure import Run
from pipeline.bench.report import DIGEST_TARGET_ITEMS

DIGEST_ITEMS = (DIGEST_TARGET_ITEMS, 100)


@dataclass(frozen=True)
class Settings:
    sizes: tuple[int, ...]  # corpora for the ingest and trafilatura, smallest first
    build_sizes: tuple[int, ...]  # of those, the ones whose content is built into a site
    repeat: int  # best of this many runs per figure
    digest_runs: int  # median of this many renderings
    seed: int
    work: Path  # corpora, content, sites and logs
    real: Path | None = None  # real pages laid out like the extraction benchmark's (html/, ground-truth.json)


def _figures(run: Run, pages: int | None = None) -> dict[str, float]:
    figures = {"seconds": round(run.seconds, 3), "peak_rss_mb": round(run.peak_rss_mb, 1)}
    if pages:
        figures["pages_per_s"] = round(pages / run.seconds, 1)
        figures["pages_per_cpu_s"] = round(pages / max(run.cpu_seconds, 1e-6), 1)
    return figures


def _real(settings: Settings, say: Callable[[str], None]) -> dict[str, Any]:
    """The ingest and trafilatura on the same real pages, one process each, as pages per CPU-second."""
    assert settings.real is not None
    pages = runners.real_pages(settings.real, settings.work / "real-pages")
    count = sum(1 for _ in pages.iterdir())
    ingest = _repeat(settings, partial(runners.ingest, pages, settings.work / "real-ingest", every=False))
    baseline = _repeat(settings, partial(runners.trafilatura, pages, settings.work / "real-trafilatura"))
    figures = {"pages": count, "ingest": _figures(ingest, count), "trafilatura": _figures(baseline, count)}
    say(
        f"real pages ({count}): ingest {figures['ingest']['pages_per_cpu_s']} pages/CPU-s, "
        f"trafilatura {figures['trafilatura']['pages_per_cpu_s']}"
    )
    return figures


def machine() -> dict[str, Any]:
    """Where and when: the figures mean little without it."""
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=runners.ROOT, capture_output=True, text=True, check=False
    ).stdout.strip()
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "commit": commit,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "pelican": metadata.version("pelican"),
        "trafilatura": metadata.version("trafilatura"),
    }


def _repeat(settings: Settings, measure: Callable[[], Run]) -> Run:
    return runners.best([measure() for _ in range(settings.repeat)])


def _builds(settings: Settings, size: int, source: Path, content: Path, say: Callable[[str], None]) -> dict:
    work = settings.work / f"build-{size}"
    bare = _repeat(settings, partial(runners.bare_build, content, work / "bare"))
    say(f"bare Pelican, {size:,} pages: {bare.seconds:.1f} s")
    project = _repeat(settings, partial(runners.project_build, content, work / "project"))
    say(f"project Pelican step, {size:,} pages: {project.seconds:.1f} s")
    sequences = [
        runners.publish(source, size, settings.seed, work / "publish") for _ in range(settings.repeat)
    ]
    figures = {"bare_pelican": _figures(bare), "project_pelican": _figures(project)}
    for step in sequences[0]:
        run = runners.best([sequence[step] for sequence in sequences])
        figures[f"publish_{step}"] = _figures(run)
        say(f"make publish, {step.replace('_', ' ')}, {size:,} pages: {run.seconds:.1f} s")
    return figures


def run(settings: Settings, say: Callable[[str], None]) -> dict[str, Any]:
    """Every measurement; the results as ``report`` expects them (without the targets)."""
    results: dict[str, Any] = {
        "machine": machine(),
        "settings": {
            **asdict(settings),
            "work": str(settings.work),
            "real": str(settings.real) if settings.real else None,
            "digest_items": list(DIGEST_ITEMS),
        },
        "ingest": {},
        "trafilatura": {},
        "build": {},
    }
    for size in settings.sizes:
        source = runners.fresh(settings.work / f"corpus-{size}")
        corpus.write(source, size, settings.seed)
        ingest = _repeat(settings, partial(runners.ingest, source, settings.work / f"ingest-{size}"))
        results["ingest"][str(size)] = _figures(ingest, size)
        say(f"ingest, {size:,} pages: {ingest.seconds:.1f} s, peak {ingest.peak_rss_mb:.0f} MB")
        work = settings.work / f"trafilatura-{size}"
        baseline = _repeat(settings, partial(runners.trafilatura, source, work))
        results["trafilatura"][str(size)] = _figures(baseline, size)
        say(f"trafilatura, {size:,} pages: {baseline.seconds:.1f} s, peak {baseline.peak_rss_mb:.0f} MB")
        if size in settings.build_sizes:
            content = settings.work / f"ingest-{size}" / "content"
            results["build"][str(size)] = _builds(settings, size, source, content, say)
    if settings.real is not None:
        results["real"] = _real(settings, say)
    content = settings.work / f"ingest-{max(settings.sizes)}" / "content"
    results["digest"] = {
        str(items): runners.digest(content, items, settings.digest_runs) for items in DIGEST_ITEMS
    }
    say("digest rendered")
    return results
