"""What readers, recipients and editors see is true (issue 15), tried as they would: `make html`, then `make
publish` on the seeds, in a folder of its own; the site, its feeds, the digest and `make serve`.

No fallback year and no house byline on others' work; undated articles say "geplaatst op" and `make publish`
lists them with the line of overrides.toml that sets their date; every edition holds each article of its
period once; a published build served here shows its styles.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import feedparser
import pytest
from sitekit import ROOT, SITEURL, chromium, html_pages, parse, pelican, text

from pipeline.ingest import published

HOUSE = "Redactie Sociaal Werk"  # AUTHOR in pelicanconf.py
FIRST_PUBLISHED = "2026-12-01"  # seeds/.published.toml
UNDATED = {
    "000_2197933cccdd8821.txt": "hoe-zijn-we-de-kern-van-het-sociaal-werk-kwijtgeraakt",
    "002_639538e7ccf8d073.txt": "een-sociaal-wijkteam-is-geen-container",
    "003_5baeb642dc7a47c9.txt": "sociaal-werkers-missen-verbindende-verzorgingsstaat",
    "004_96e2e6fdac0f17d7.txt": "een-super-de-luxe-sociale-basis",
}
INTERVIEW = "2018/sociaal-werk-vertrouw-op-je-kracht-en-bouw-aan-een-nieuwe-taal/index.html"


@dataclass(frozen=True)
class Published:
    root: Path
    runs: list[str]  # what each `make` printed: publish, html, publish, publish

    @property
    def output(self) -> Path:
        return self.root / "output"


def make(root: Path, *targets: str) -> str:
    """`make TARGET` of the repository's Makefile, every folder in `root` (none in the working tree)."""
    folders = {"SEEDS": "seeds", "CONTENT": "content", "OUTPUTDIR": "output", "REPORTDIR": "reports"}
    command = ["make", "--no-print-directory", "-C", str(ROOT), *targets, f"CACHEDIR={root / 'cache'}"]
    command += [f"{name}={root / folder}" for name, folder in folders.items()]
    env = {**os.environ, "SITEURL": SITEURL, "DIGEST_OUTPUT": str(root / "digest-out"), "COLUMNS": "200"}
    env["DIGEST_DATABASE"] = str(root / "var" / "subscribers.sqlite")  # never the working tree's var/
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Published:
    root = tmp_path_factory.mktemp("truth")
    shutil.copytree(ROOT / "seeds", root / "seeds")
    runs = [make(root, "publish"), make(root, "html"), make(root, "publish"), make(root, "publish")]
    return Published(root, runs)


def test_make_html_then_make_publish_publishes_the_real_site(site):
    first, _, after_html, again = site.runs
    assert "Published" in first
    assert "Nothing changed" not in after_html and "Published" in after_html  # output/ held make html's site
    assert "Nothing changed since the last publish" in again
    home = (site.output / "index.html").read_text(encoding="utf-8")
    assert f'href="{SITEURL}/theme/css/' in home and "localhost" not in home


def test_no_fallback_year_anywhere(site):
    assert not (site.output / "2000").exists()
    for path in html_pages(site.output):
        page = path.read_text(encoding="utf-8")
        assert "januari 2000" not in page and "2000-01-01" not in page, path
    for feed in (site.output / "feeds").glob("*.xml"):
        for entry in feedparser.parse(feed.read_bytes()).entries:
            assert entry.published_parsed.tm_year in (2018, 2026), (feed.name, entry.title)


def test_undated_articles_say_geplaatst_op_and_publish_lists_them_with_their_overrides_line(site):
    listing = site.runs[0]
    assert "Dated by their first publication here" in listing and "4 articles" in listing
    for source, slug in UNDATED.items():
        assert f'"{source}" = {{ date = "YYYY-MM-DD" }}' in listing
        tree = parse(site.output / FIRST_PUBLISHED[:4] / slug / "index.html")
        assert text(tree, "//p[@class='article-meta']")[0].startswith("geplaatst op 1 december 2026")
    assert "hint: line 23 mentions 2023-10-05" in listing  # "Op 5 oktober 2023 kun je meepraten"
    assert published.load(site.root / "seeds") == published.load(ROOT / "seeds")  # recorded once, committed


def test_the_house_byline_is_never_on_others_work(site):
    assert not (site.output / "auteur" / "redactie-sociaal-werk").exists()
    for path in html_pages(site.output):
        bylines = text(parse(path), "//*[contains(@class, 'byline') or contains(@class, 'card-authors')]")
        assert not any(HOUSE in line for line in bylines), path
    for entry in feedparser.parse((site.output / "feeds" / "alles.atom.xml").read_bytes()).entries:
        assert HOUSE not in [author.get("name") for author in entry.get("authors", [])]


def test_a_piece_without_author_is_credited_to_its_source(site):
    interview = parse(site.output / INTERVIEW)
    assert text(interview, "//p[contains(@class, 'byline-source')]") == ["Bron: Movisies"]
    feed = feedparser.parse((site.output / "feeds" / "interview.atom.xml").read_bytes())
    (entry,) = feed.entries
    assert entry.author == "Movisies" and "Bron: Movisies" in entry.content[0].value
    edition = next(p for p in (site.output / "nieuwsbrief").glob("*/index.html") if "2018" in p.read_text())
    assert "Bron: Movisies" in edition.read_text(encoding="utf-8")


def test_every_edition_holds_each_article_of_its_period_once(site):
    (folder,) = (site.root / "digest-out").iterdir()  # the current edition, in DIGEST_OUTPUT, not digest-out/
    email = (folder / "digest.txt").read_text(encoding="utf-8")
    assert "Nummer 3 · 2026" in email
    for slug in UNDATED.values():
        assert email.count(f"{SITEURL}/2026/{slug}/?") == 1, slug
    thin = next(p for p in (site.output / "nieuwsbrief").glob("*/index.html") if "2018" in p.read_text())
    page = thin.read_text(encoding="utf-8")
    assert "Nummer 2 · 2018" in page and "In dit nummer" not in page  # one article: no list of contents
    assert page.count(">Lees verder<") == 1


def test_counts_are_dutch(site):
    overview = text(parse(site.output / "reeks" / "index.html"), "//span[@class='count']")
    assert sorted(overview) == ["1 artikel", "1 artikel", "3 artikelen"]
    assert "1 articles" not in "".join(site.runs) and "1 editions" not in "".join(site.runs)


def test_make_serve_shows_the_published_site_with_its_styles(site):
    port = _free_port()
    command = [sys.executable, "-m", "pipeline", "preview", "--output", str(site.output), "--port", str(port)]
    server = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        local = f"http://127.0.0.1:{port}"
        _wait_for(local)
        with chromium() as browser:
            page = browser.new_page()
            page.route(re.compile(r"^(?!http://127\.0\.0\.1:).*"), lambda route: route.abort())
            page.goto(f"{local}/2018/", wait_until="networkidle")
            background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(255, 253, 248)"  # the theme's paper, from its style sheet
    finally:
        server.terminate()
        server.wait(timeout=10)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str) -> None:
    for _ in range(100):
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"{url} did not answer")


def test_a_non_ascii_title_keeps_its_letters_in_its_slug(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    paragraph = "Op het eiland werken drie sociaal werkers samen met de huisarts en de vrijwilligers. " * 3
    (seeds / "aero.txt").write_text(
        "Themaoverzicht\n\nZorg/Welzijn\n\nHoofdthema's\n\n"
        "Zorg en welzijn horen bij elkaar, op het vasteland en op de eilanden van de Oostzee.\n\n"
        f"Blog\n\nÆrø: een eiland dat voor elkaar zorgt\n\n12 mei 2024\n\n{paragraph}\n\n{paragraph}\n",
        encoding="utf-8",
    )
    command = [sys.executable, "-m", "pipeline", "ingest", str(seeds), "--out", str(tmp_path / "content")]
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True, timeout=120)
    pelican(tmp_path / "content", tmp_path / "output")
    assert (tmp_path / "output" / "2024" / "aero-een-eiland-dat-voor-elkaar-zorgt" / "index.html").is_file()
    theme = parse(tmp_path / "output" / "thema" / "zorg-welzijn" / "index.html")
    assert "op de eilanden van de Oostzee" in " ".join(text(theme, "//main"))


def test_an_article_that_moves_keeps_its_old_address_as_a_redirect(tmp_path):
    """The editor sets the real date of a page dated by its first publication: its address changes year, and
    the address readers had still leads to it."""
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    make(tmp_path, "publish")
    source, slug = next(iter(UNDATED.items()))
    (tmp_path / "seeds" / "overrides.toml").write_text(f'"{source}" = {{ date = "2014-03-01" }}\n')
    printed = make(tmp_path, "publish")
    assert "1 redirect page at earlier addresses of articles" in printed
    assert (tmp_path / "output" / "2014" / slug / "index.html").is_file()
    old = parse(tmp_path / "output" / "2026" / slug / "index.html")
    assert old.xpath("//link[@rel='canonical']/@href") == [f"{SITEURL}/2014/{slug}/"]
    assert old.xpath("//meta[@http-equiv='refresh']/@content") == [f"0; url={SITEURL}/2014/{slug}/"]
    assert "Nothing changed" in make(tmp_path, "publish")
