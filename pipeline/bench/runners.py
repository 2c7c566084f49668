"""One function per measurement. Every tool runs as its own process in folders of its own (cold, nothing
shared), timed with ``time.perf_counter`` around the process; only the digest is timed in-process.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pipeline.bench import corpus
from pipeline.bench.measure import BenchError, Run, measured
from pipeline.digest.config import load_config
from pipeline.digest.editions import explicit_window
from pipeline.digest.publish import read_content
from pipeline.digest.render import build_edition, render

ROOT = Path(__file__).resolve().parents[2]
PELICAN = str(Path(sys.executable).parent / "pelican")
SITEURL = "https://sociaalwerk.example.nl"
# The bare build: Pelican's defaults (its feeds included) with the built-in `simple` theme, no plugins;
# only what every site sets (name, address, time zone, language) is given, as the project gives it.
BARE_SETTINGS = """\
SITENAME = "Sociaal Werk Magazine"
SITEURL = {siteurl!r}
PATH = {content!r}
TIMEZONE = "Europe/Amsterdam"
DEFAULT_LANG = "nl"
THEME = "simple"
"""


def environment() -> dict[str, str]:
    """A measured command's environment: ours, without make's variables of a `make bench`, and SITEURL."""
    env = {k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL"}}
    return {**env, "SITEURL": SITEURL}


def best(runs: list[Run]) -> Run:
    """Best of N: the shortest time and fewest CPU seconds, and the highest peak memory of all runs (memory is
    not luck)."""
    return Run(
        min(r.seconds for r in runs), max(r.peak_rss_mb for r in runs), min(r.cpu_seconds for r in runs)
    )


def fresh(folder: Path) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


def articles_in(content: Path) -> int:
    return sum(1 for _ in content.glob("*.md"))


def ingest(source: Path, work: Path, every: bool = True) -> Run:
    """`python -m pipeline ingest` into an empty content folder, from a folder of its own (so any cache the
    ingest keeps beside it starts empty), in one process like trafilatura's run: like for like. ``every``:
    each page must become an article (generated pages do; a real page may be rejected)."""
    work = fresh(work)
    content = work / "content"
    command = [sys.executable, "-m", "pipeline", "ingest", str(source), "--out", str(content)]
    command += ["--report", str(work / "ingest.json"), "--quiet", "--jobs", "1"]
    run = measured(command, cwd=work, log=work / "ingest.log", env=environment(), ok=(0, 1))
    pages = len(corpus.files(source))
    if every and articles_in(content) != pages:
        raise BenchError(f"the ingest made {articles_in(content)} articles of {pages} pages (see {work})")
    return run


def real_pages(corpus: Path, work: Path) -> Path:
    """The real pages of a corpus laid out like the extraction benchmark's (html/<id>.html.gz or .html),
    unpacked into a folder of their own."""
    pages = fresh(work)
    for path in sorted((corpus / "html").iterdir()):
        if path.name.endswith(".html.gz"):
            (pages / path.name.removesuffix(".gz")).write_bytes(gzip.decompress(path.read_bytes()))
        elif path.suffix == ".html":
            (pages / path.name).write_bytes(path.read_bytes())
    if not any(pages.iterdir()):
        raise BenchError(f"no pages in {corpus / 'html'}")
    return pages


def trafilatura(source: Path, work: Path) -> Run:
    """trafilatura over the same pages, one process (pipeline/bench/extract.py)."""
    work = fresh(work)
    command = [sys.executable, "-m", "pipeline.bench.extract", str(source), str(work / "extracted")]
    return measured(command, cwd=work, log=work / "trafilatura.log", env=environment())


def bare_build(content: Path, work: Path) -> Run:
    """Plain Pelican on the same content: `simple` theme, default feeds, no plugins."""
    work = fresh(work)
    settings = work / "bare.py"
    settings.write_text(BARE_SETTINGS.format(siteurl=SITEURL, content=str(content)), encoding="utf-8")
    command = [PELICAN, str(content), "-o", str(work / "output"), "-s", str(settings)]
    return measured(command, cwd=work, log=work / "pelican.log", env=environment())


def project_build(content: Path, work: Path) -> Run:
    """The Pelican step of `make publish` as a full build (publishconf.py: theme, plugins, Pagefind), without
    the content cache `make publish` adds; CACHE_PATH keeps any cache out of the repository."""
    work = fresh(work)
    command = [PELICAN, str(content), "-o", str(work / "output"), "-s", str(ROOT / "publishconf.py")]
    command += ["--fatal", "errors", "-e", f"CACHE_PATH={json.dumps(str(work / 'cache'))}"]
    return measured(command, cwd=ROOT, log=work / "pelican.log", env=environment())


def publish(source: Path, pages: int, seed: int, work: Path) -> dict[str, Run]:
    """`make publish` cold (empty content, output and cache), again with nothing changed, and after one new
    page (page ``pages`` of the corpus) was added to the scraped folder."""
    work = fresh(work)
    seeds = work / "seeds"
    shutil.copytree(source, seeds)
    folders = {"CONTENT": "content", "OUTPUTDIR": "output", "REPORTDIR": "reports", "CACHEDIR": "cache"}
    command = ["make", "--no-print-directory", "-C", str(ROOT), "publish", f"SEEDS={seeds}"]
    command += [f"{variable}={work / name}" for variable, name in folders.items()]
    runs = {}
    env = {**environment(), "DIGEST_OUTPUT": str(work / "digest-out")}  # never the editors' digest-out/
    for step in ("cold", "unchanged", "new_page"):
        if step == "new_page":
            corpus.write(seeds, 1, seed, start=pages)
        runs[step] = measured(command, cwd=ROOT, log=work / f"{step}.log", env=env)
    if articles_in(work / "content") != pages + 1:
        raise BenchError(f"the new page did not reach {work / 'content'}")
    return runs


def _timed(call: Callable[[], Any]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def digest(content: Path, items: int, runs: int) -> dict[str, float]:
    """Median milliseconds to arrange and render an edition of the ``items`` newest articles: the email
    (DIGEST_MAX_ITEMS in full, the rest listed) and the web version (all in full). One untimed run first."""
    config = load_config(ROOT / "publishconf.py")
    chosen = read_content(config, content).articles[-items:]
    if len(chosen) < items:
        raise BenchError(f"{content} holds {len(chosen)} articles, fewer than the {items} asked for")
    window = explicit_window(config.cadence, config.first_edition, chosen[0].day, chosen[-1].day, None)
    medians = {}
    for version, web in (("email_ms", False), ("web_ms", True)):

        def one(web: bool = web) -> None:
            render(build_edition(config, window, chosen, None, full=web), web=web)

        one()
        medians[version] = statistics.median(_timed(one) for _ in range(runs)) * 1000
    return medians
