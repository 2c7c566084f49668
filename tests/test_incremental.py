"""Publishing again is incremental: unchanged pages come from the ingest cache, nothing changed is nothing
rebuilt, and every shortcut gives the same bytes as a cold run (real ingest, real Pelican, real Pagefind)."""

from __future__ import annotations

import filecmp
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ingestkit import SEEDS, documents, run_ingest, write_pages
from sitekit import ROOT, SITEURL, differences

from pipeline.cli import build_parser
from pipeline.site import fingerprint
from pipeline.site import publish as publish_stamp

COPIES = 24  # 5 seeds x 24 = 120 pages: enough for two worker processes


def corpus(folder: Path, copies: int = COPIES) -> Path:
    """The seeds, each `copies` times with its own title, so the site furniture recurs as on a real site."""
    pages = {}
    for number in range(copies):
        for seed in sorted(SEEDS.glob("*.txt")):
            first, rest = seed.read_text(encoding="utf-8").split("\n", 1)
            pages[f"{number:03d}-{seed.name}"] = f"{first} {number}\n{rest}"
    return write_pages(folder, pages)


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def without_paths(report: dict, out: Path) -> list[dict]:
    """The report's documents with the output folder taken out of `output`."""
    return [doc | {"output": (doc["output"] or "").replace(str(out), "OUT")} for doc in report["documents"]]


def same_as_without_cache(source: Path, out: Path, report: dict, tmp_path: Path, before: Path) -> None:
    """`report` and `out` of a cached ingest equal those of an ingest without cache from the same start."""
    _, uncached = run_ingest(source, before)
    assert tree(out) == tree(before)
    assert [doc | {"ingest": ""} for doc in without_paths(report, out)] == [
        doc | {"ingest": ""} for doc in without_paths(uncached, before)
    ]


def test_parallel_ingest_writes_the_same_as_serial(tmp_path: Path) -> None:
    source = corpus(tmp_path / "src")
    serial = run_ingest(source, tmp_path / "serial", "--jobs", "1")
    parallel = run_ingest(source, tmp_path / "parallel", "--jobs", "2")
    assert serial[0] == parallel[0] == 0
    assert tree(tmp_path / "serial") == tree(tmp_path / "parallel")
    assert len(tree(tmp_path / "serial")) >= 5 * COPIES
    assert without_paths(serial[1], tmp_path / "serial") == without_paths(parallel[1], tmp_path / "parallel")


def test_only_a_changed_page_is_ingested_again(tmp_path: Path) -> None:
    source = corpus(tmp_path / "src", copies=4)
    cache, out = tmp_path / "cache", tmp_path / "out"
    _, first = run_ingest(source, out, "--cache", str(cache))
    assert {doc["ingest"] for doc in first["documents"]} == {"ingested"}
    shutil.copytree(out, tmp_path / "before")
    changed = source / "002-003_5baeb642dc7a47c9.txt"
    changed.write_text(changed.read_text(encoding="utf-8").replace("verzorgingsstaat", "welvaartsstaat"))
    (source / "overrides.toml").write_text('["001-000_2197933cccdd8821.txt"]\nseries = "opinion"\n')
    _, again = run_ingest(source, out, "--cache", str(cache))
    ingested = sorted(name for name, doc in documents(again).items() if doc["ingest"] == "ingested")
    assert ingested == ["001-000_2197933cccdd8821.txt", "002-003_5baeb642dc7a47c9.txt"]
    assert documents(again)["001-000_2197933cccdd8821.txt"]["series"] == "opinion"
    same_as_without_cache(source, out, again, tmp_path, tmp_path / "before")


def test_a_new_page_leaves_the_others_cached_though_their_lines_recur_once_more(tmp_path: Path) -> None:
    """The count in "recurs on N pages" grows on the pages like it; the cache fills it in, no new ingest."""
    source = corpus(tmp_path / "src", copies=4)
    cache, out = tmp_path / "cache", tmp_path / "out"
    run_ingest(source, out, "--cache", str(cache))
    shutil.copytree(out, tmp_path / "before")
    extra = (SEEDS / "004_96e2e6fdac0f17d7.txt").read_text(encoding="utf-8").split("\n", 1)
    write_pages(source, {"100-new.txt": f"{extra[0]} nieuw\n{extra[1]}"})
    _, again = run_ingest(source, out, "--cache", str(cache))
    ingested = [name for name, doc in documents(again).items() if doc["ingest"] == "ingested"]
    assert ingested == ["100-new.txt"]
    cached = documents(again)["000-004_96e2e6fdac0f17d7.txt"]
    assert cached["ingest"] == "cached"
    assert "recurs on 5 pages of this batch" in {line["reason"] for line in cached["removed"]}
    same_as_without_cache(source, out, again, tmp_path, tmp_path / "before")


# --- make publish ----------------------------------------------------------------------------------------


def site_folder(folder: Path) -> Path:
    """A working folder with its own copy of the settings and the theme (pelicanconf finds the theme beside
    itself), so a test may change them without touching the repository."""
    folder.mkdir(parents=True)
    for name in ("pelicanconf.py", "publishconf.py"):
        shutil.copy(ROOT / name, folder / name)
    shutil.copytree(ROOT / "themes", folder / "themes")
    corpus(folder / "seeds", copies=3)
    return folder


def publish_argv(cache: str = "cache", output: str = "output") -> list[str]:
    """`python -m pipeline publish` as `make publish` runs it (with the digest hook and its cache)."""
    digest = f"{sys.executable} -m pipeline digest --content content --web {{site}} --cache {cache}/digest"
    command = [sys.executable, "-m", "pipeline", "publish", "--sources", "seeds", "--content", "content"]
    return [*command, "--output", output, "--reports", "reports", "--cache", cache, "--digest-web", digest]


def run_publish(
    folder: Path, cache: str = "cache", output: str = "output", env: dict | None = None
) -> subprocess.CompletedProcess:
    """A publish in `folder`; what it printed."""
    env = {**(env or os.environ), "SITEURL": SITEURL, "COLUMNS": "400"}  # a log record on one line
    return subprocess.run(
        publish_argv(cache, output), cwd=folder, env=env, capture_output=True, text=True, timeout=600
    )


def publish(folder: Path, cache: str = "cache", output: str = "output") -> str:
    """A publish that must succeed; returns what it printed."""
    done = run_publish(folder, cache, output)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


NOTHING = "Nothing changed since the last publish"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    folder = site_folder(tmp_path_factory.mktemp("publish") / "site")
    assert NOTHING not in publish(folder)
    return folder


def test_nothing_changed_says_so_in_one_line_and_builds_nothing(site: Path) -> None:
    index = site / "output" / "index.html"
    before = index.stat()
    printed = publish(site)
    assert printed.strip().splitlines() == [f"{NOTHING}: output/ is up to date."]
    after = index.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_a_rebuild_from_the_caches_gives_the_bytes_of_a_cold_build(site: Path, tmp_path: Path) -> None:
    extra = (SEEDS / "001_ed7c9a7a10977f3f.txt").read_text(encoding="utf-8").split("\n", 1)
    write_pages(site / "seeds", {"900-nieuw.txt": f"{extra[0]} nieuw\n{extra[1]}"})
    pelican_cache = sorted((site / "cache" / "pelican").iterdir())
    assert NOTHING not in publish(site)
    assert sorted((site / "cache" / "pelican").iterdir()) == pelican_cache  # the same cache, read again
    report = (site / "reports" / "ingest.json").read_text(encoding="utf-8")
    assert report.count('"ingest": "ingested"') == 1 and '"ingest": "cached"' in report
    cold = site_folder(tmp_path / "cold")
    shutil.copy(site / "seeds" / "900-nieuw.txt", cold / "seeds")
    publish(cold)
    # The stamp names the build (its inputs' fingerprint holds the folders), not what readers get.
    assert differences(filecmp.dircmp(site / "output", cold / "output", ignore=[publish_stamp.STAMP])) == []
    assert (site / "output" / "nieuwsbrief" / "index.html").is_file()


def test_the_cache_key_does_not_change_when_a_package_is_found_twice(tmp_path: Path, monkeypatch) -> None:
    """publishconf.py adds its folder to sys.path, where the project's egg-info is found a second time: the
    first publish after a cold one used to get a new key and throw Pelican's cache away."""
    folder = tmp_path / "packages"
    (folder / "extra_package-1.0.dist-info").mkdir(parents=True)
    (folder / "extra_package-1.0.dist-info" / "METADATA").write_text("Name: extra-package\nVersion: 1.0\n")
    settings = ROOT / "publishconf.py"
    monkeypatch.syspath_prepend(str(folder))
    once = fingerprint.build_key(settings, ["x"])
    monkeypatch.syspath_prepend(str(folder))
    assert fingerprint.build_key(settings, ["x"]) == once
    (folder / "extra_package-1.0.dist-info" / "METADATA").write_text("Name: extra-package\nVersion: 1.1\n")
    assert fingerprint.build_key(settings, ["x"]) != once  # an upgraded package does change it


@pytest.mark.parametrize(
    ("path", "old", "new"),
    [
        ("pelicanconf.py", "Blogs, interviews en opinie", "Blogs, gesprekken en opinie"),
        (
            "themes/movisies/templates/base.html",
            '<p class="footer-title">',
            '<p class="footer-title" id="f">',
        ),
    ],
)
def test_a_changed_setting_or_theme_rebuilds(site: Path, path: str, old: str, new: str) -> None:
    file = site / path
    text = file.read_text(encoding="utf-8")
    assert old in text
    file.write_text(text.replace(old, new), encoding="utf-8")
    assert NOTHING not in publish(site)
    assert new in (site / "output" / "index.html").read_text(encoding="utf-8")
    assert NOTHING in publish(site)


def test_a_failed_build_leaves_the_last_good_site_and_says_why_in_one_line(site: Path) -> None:
    publish(site)
    before = tree(site / "output")
    template = site / "themes" / "movisies" / "templates" / "article.html"
    good = template.read_text(encoding="utf-8")
    template.write_text(good.replace("{% endblock %}", "{% endblok %}", 1), encoding="utf-8")
    try:
        failed = run_publish(site)
    finally:
        template.write_text(good, encoding="utf-8")
    assert failed.returncode == 2
    assert failed.stderr.strip().splitlines()[-1] == "error: Pelican failed (status 1); output left as it was"
    assert "Traceback" not in failed.stderr + failed.stdout  # Pelican's own fatal error is one line too
    assert tree(site / "output") == before
    # the fingerprint changes only with the site online: the inputs are that site's again, nothing to build
    assert NOTHING in publish(site)


@pytest.mark.parametrize("options", ["--debug", "--fatal warnings -e 'SUMMARY_MAX_LENGTH=30' 'X=[1,2]'"])
def test_make_publish_passes_pelican_options_that_start_with_a_dash(options: str) -> None:
    """PELICANOPTS is always options, so `make publish` must hand them over as `--pelican-opts=...`
    (argparse takes a separate '--debug' for an option of its own and stops)."""
    dry = subprocess.run(
        ["make", "--no-print-directory", "-n", "publish", f"PELICANOPTS={options}"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    line = " ".join(dry.stdout.replace("\\\n", " ").splitlines()[-1:])
    argv = shlex.split(line)
    args = build_parser(("publish",)).parse_args(argv[argv.index("publish") :])
    assert args.pelican_opts == options
