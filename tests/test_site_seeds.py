"""The real job: the seeds go through the ingest into a temporary content/, Pelican builds the site."""

from __future__ import annotations

import filecmp
import re
from pathlib import Path

import feedparser
import pytest
from ingestkit import SEEDS  # a copy: the ingest locks the folder it reads
from pelican.contents import Article
from pelican.readers import Readers
from pelican.settings import read_settings

from tests.sitekit import (
    ROOT,
    SITEURL,
    broken_links,
    differences,
    html_pages,
    ingest,
    nu_errors,
    parse,
    pelican,
    text,
)

CHROME = (
    "Om te reageren",
    "Ik wil delen",
    "Lid worden",
    "Inloggen",
    "Meld je hier aan",
    "Themaoverzicht",
    "Hoofdthema's",
    "Oproep:",
    "Lees hier ook de blog",
)


def build(root: Path) -> Path:
    ingest(SEEDS, root / "content", root / "ingest.json")
    pelican(root / "content", root / "output")
    return root / "output"


@pytest.fixture(scope="module")
def seeds_site(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("seeds"))


@pytest.fixture(scope="module")
def articles(seeds_site) -> list[dict]:
    """Each ingested article's metadata, read back with Pelican's reader as the site reads it."""
    content = seeds_site.parent / "content"
    readers = Readers(read_settings(str(ROOT / "pelicanconf.py")))
    found = []
    for path in sorted(content.glob("*.md")):
        article = readers.read_file(str(content), path.name, content_class=Article)
        found.append(article.metadata | {"url": article.url})
    return found


def test_every_ingested_article_has_its_page(seeds_site, articles):
    assert len(articles) == 5
    for meta in articles:
        page = parse(seeds_site / meta["url"] / "index.html")
        assert text(page, "//h1") == [meta["title"]]
        assert text(page, "//article//p[contains(@class,'kicker')]") == [str(meta["category"])]
        names = [str(a) for a in meta.get("authors", [])]  # never AUTHOR: these pieces come from elsewhere
        assert text(page, "//a[@class='byline-name']") == names
        credit = [f"Bron: {meta['source_name']}"] if not names and meta.get("source_name") else []
        assert text(page, "//p[contains(@class, 'byline-source')]") == credit
        day = meta["date"]
        assert text(page, "//p[@class='article-meta']/time")[0].endswith(str(day.year))
        assert page.xpath("//p[@class='article-meta']/time/@datetime")[0].startswith(day.date().isoformat())


def test_no_site_chrome_reaches_a_page(seeds_site):
    for path in html_pages(seeds_site):
        body = " ".join(text(parse(path), "//main"))
        for words in CHROME:
            assert words not in body, f"{path.relative_to(seeds_site)}: {words}"


def test_every_local_link_resolves(seeds_site):
    assert broken_links(seeds_site) == []


def test_every_feed_parses_with_every_article(seeds_site, articles):
    feeds = sorted((seeds_site / "feeds").glob("*.xml"))
    assert len(feeds) == 2 + 2 * len({str(m["category"]) for m in articles})
    everything = feedparser.parse((seeds_site / "feeds" / "alles.atom.xml").read_bytes())
    assert sorted(e.id for e in everything.entries) == sorted(f"{SITEURL}/{m['url']}" for m in articles)
    for path in feeds:
        parsed = feedparser.parse(path.read_bytes())
        assert parsed.bozo == 0, (path.name, parsed.get("bozo_exception"))
        assert parsed.entries and all(e.summary.strip() for e in parsed.entries)


def test_every_page_passes_the_nu_html_checker(seeds_site):
    assert nu_errors(seeds_site) == ""


def test_ingest_and_build_again_give_the_same_bytes(seeds_site, tmp_path):
    again = build(tmp_path)
    assert differences(filecmp.dircmp(seeds_site, again)) == []


def test_every_custom_setting_is_documented():
    """Datasette's habit: a setting that is not documented does not exist for an editor."""
    from pelican.settings import DEFAULT_CONFIG

    documented = " ".join(p.read_text() for p in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))])
    names = set()
    for conf in ("pelicanconf.py", "publishconf.py"):
        names |= set(re.findall(r"^([A-Z][A-Z0-9_]+) *=", (ROOT / conf).read_text(), re.M))
    missing = sorted(n for n in names - set(DEFAULT_CONFIG) if f"`{n}`" not in documented)
    assert missing == []
