"""The feeds as a feed reader and the W3C validator see them: parsed with feedparser, checked with lxml."""

from __future__ import annotations

import re
from email.utils import parsedate_to_datetime
from pathlib import Path

import feedparser
import lxml.etree
import pytest

from tests.sitekit import FIXTURE_CONTENT, SITEURL, pelican

SERIES = {"alles": 5, "blog": 2, "interview": 2, "opinie": 1}
FEEDS = [f"{name}.{kind}.xml" for name in SERIES for kind in ("atom", "rss")]


@pytest.fixture(scope="module")
def builds(tmp_path_factory) -> tuple[Path, Path]:
    """Two independent builds of the same content, to compare ids and bytes."""
    root = tmp_path_factory.mktemp("feeds")
    for name in ("one", "two"):
        pelican(FIXTURE_CONTENT, root / name)
    return root / "one" / "feeds", root / "two" / "feeds"


def feed(builds, name: str) -> feedparser.FeedParserDict:
    return feedparser.parse((builds[0] / name).read_bytes())


def test_exactly_one_atom_and_one_rss_feed_per_series_and_for_all(builds):
    assert sorted(p.name for p in builds[0].iterdir()) == sorted(FEEDS)


@pytest.mark.parametrize("name", FEEDS)
def test_feed_parses_cleanly_with_every_article(builds, name):
    parsed = feed(builds, name)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert len(parsed.entries) == SERIES[name.split(".")[0]]
    for entry in parsed.entries:
        assert entry.id == entry.link and entry.id.startswith(f"{SITEURL}/")
        assert entry.summary.strip()
        assert entry.content[0].value.strip()
        assert entry.author
        assert entry.tags[0].term in {"Blog", "Interview", "Opinie"}
    assert len({entry.id for entry in parsed.entries}) == len(parsed.entries)


@pytest.mark.parametrize("name", FEEDS)
def test_feed_has_a_self_link_and_dutch_language(builds, name):
    parsed = feed(builds, name)
    self_links = [link.href for link in parsed.feed.links if link.rel == "self"]
    assert self_links == [f"{SITEURL}/feeds/{name}"]
    root = lxml.etree.fromstring((builds[0] / name).read_bytes())
    if name.endswith(".atom.xml"):
        assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "nl"
    else:
        assert root.findtext("channel/language") == "nl"


def test_ids_are_stable_across_builds_and_files_identical(builds):
    for name in FEEDS:
        first, second = feed(builds, name), feedparser.parse((builds[1] / name).read_bytes())
        assert [e.id for e in first.entries] == [e.id for e in second.entries]
        assert (builds[0] / name).read_bytes() == (builds[1] / name).read_bytes()


def test_updated_comes_from_modified_never_the_clock(builds):
    parsed = feed(builds, "interview.atom.xml")
    by_id = {e.id: e for e in parsed.entries}
    edited = by_id[f"{SITEURL}/2018/vertrouw-op-je-kracht/"]
    assert edited.updated == "2018-06-20T00:00:00+02:00"
    assert edited.published == "2018-06-15T00:00:00+02:00"
    assert parsed.feed.updated == "2018-06-20T00:00:00+02:00"


def test_rss_dates_are_rfc_822(builds):
    root = lxml.etree.fromstring((builds[0] / "alles.rss.xml").read_bytes())
    dates = root.xpath("//pubDate/text() | //lastBuildDate/text()")
    assert len(dates) == 6
    for value in dates:
        assert re.fullmatch(r"\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}", value), value
        parsedate_to_datetime(value)


def test_rss_carries_full_content_and_permalink_guids(builds):
    root = lxml.etree.fromstring((builds[0] / "opinie.rss.xml").read_bytes())
    encoded = root.findtext("channel/item/{http://purl.org/rss/1.0/modules/content/}encoded")
    assert '<p class="lede">' in encoded and '<p class="pullquote">' in encoded
    guid = root.find("channel/item/guid")
    assert (
        guid.get("isPermaLink") == "true"
        and guid.text == f"{SITEURL}/2014/een-sociaal-wijkteam-is-geen-container/"
    )
    assert root.xpath(
        "channel/item/dc:creator/text()", namespaces={"dc": "http://purl.org/dc/elements/1.1/"}
    ) == [
        "Rogier den Uyl",
        "Johan Kruithof",
    ]


def test_links_in_content_are_absolute(builds):
    for name in FEEDS:
        for entry in feed(builds, name).entries:
            for url in re.findall(r'(?:href|src)="([^"]*)"', entry.content[0].value):
                assert url.startswith(("https://", "http://")), (name, url)
    opinion = feed(builds, "opinie.atom.xml").entries[0].content[0].value
    assert f'href="{SITEURL}/2018/vertrouw-op-je-kracht/"' in opinion
