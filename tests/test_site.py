"""The built site as a reader and an editor meet it: built with the real Pelican and publishconf.py."""

from __future__ import annotations

import filecmp
import gzip
import json
import re
import shutil
from pathlib import Path

import pytest

from pipeline.site import search
from tests.sitekit import (
    FIXTURE_CONTENT,
    SITEURL,
    article_page,
    broken_links,
    differences,
    html_pages,
    local_file,
    nu_errors,
    parse,
    pelican,
    text,
)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The hand-written fixture content, two articles a page so that pagination shows."""
    output = tmp_path_factory.mktemp("site") / "output"
    pelican(FIXTURE_CONTENT, output, DEFAULT_PAGINATION="2")
    return output


def test_article_page_reads_like_a_magazine_article(site):
    page = article_page(site, "2014", "een-sociaal-wijkteam-is-geen-container")
    assert page.xpath("/html/@lang") == ["nl"]
    assert text(page, "//article//p[contains(@class,'kicker')]") == ["Opinie"]
    assert text(page, "//h1") == ["Een sociaal wijkteam is geen container"]
    assert text(page, "//p[@class='lede']")[0].startswith("Sociale wijkteams zijn hot")
    assert text(page, "//ul[@class='byline-list']/li") == [
        "Rogier den Uyl, directeur RadarGroep, bureau voor sociale vraagstukken",
        "Johan Kruithof, wethouder te Apeldoorn",
    ]
    meta = text(page, "//p[@class='article-meta']")[0]
    assert meta.startswith("1 januari 2014") and "1 minuut lezen" in meta and "bijgewerkt" not in meta
    assert text(page, "//div[@class='article-body']/h2") == [
        "Sociale werker vervult spilfunctie",
        "Wat nodig is",
    ]
    assert text(page, "//blockquote/p[@class='pullquote']") == [
        "‘Een wijkteam is geen container voor alles wat de gemeente niet kwijt kan.’"
    ]
    assert text(page, "//ul[@class='tag-list']/li") == ["Sociale wijkteams", "Sociale Basis & Preventie"]
    assert text(page, "//p[@class='source-note']") == [
        "Dit is een ingekorte versie van een artikel dat in ons relatieblad Movisies verscheen"
    ]


def test_interview_questions_are_set_apart_and_an_edit_shows(site):
    page = article_page(site, "2018", "vertrouw-op-je-kracht")
    assert text(page, "//p[@class='question']") == [
        "Wat bedoelt u met positief welzijn?",
        "Wat vraagt dat van het sociaal werk?",
    ]
    assert "bijgewerkt op 20 juni 2018" in text(page, "//p[@class='article-meta']")[0]


def test_previous_and_next_stay_within_the_series(site):
    older = article_page(site, "2019", "de-kern-van-het-sociaal-werk")
    newer = article_page(site, "2021", "een-blog-van-de-redactie-waarom-wij-movisies-lezen")
    assert older.xpath("//nav[@class='series-nav']/a[@rel='next']/@href") == [
        f"{SITEURL}/2021/{newer_slug()}/"
    ]
    assert older.xpath("//nav[@class='series-nav']/a[@rel='prev']") == []
    assert text(newer, "//nav[@class='series-nav']/a[@rel='prev']") == [
        "Vorige in Blog Hoe zijn we de kern van het sociaal werk kwijtgeraakt?"
    ]


def newer_slug() -> str:
    return "een-blog-van-de-redactie-waarom-wij-movisies-lezen"


def test_hand_written_article_without_source_is_published(site):
    page = article_page(site, "2021", newer_slug())
    assert text(page, "//h1") == ["Een blog van de redactie: waarom wij Movisies lezen"]
    assert text(page, "//p[@class='source-note']") == []
    assert text(page, "//p[@class='article-meta']")[0].startswith("26 maart 2021")


def test_source_magazine_alone_gives_a_dutch_provenance_line(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    source = content / "vertrouw-op-je-kracht.md"
    source.write_text(re.sub(r"Source_note: .*\n", "", source.read_text()), encoding="utf-8")
    pelican(content, tmp_path / "out")
    page = article_page(tmp_path / "out", "2018", "vertrouw-op-je-kracht")
    assert text(page, "//p[@class='source-note']") == ["Eerder verschenen in Movisies"]


def test_a_title_of_markup_only_takes_the_file_name_and_overwrites_nothing(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    (content / "alleen-opmaak.md").write_text(
        "Title: <img src=x>\nDate: 2021-06-01\nCategory: Blog\n\nTekst van de redactie.\n", encoding="utf-8"
    )
    pelican(content, tmp_path / "out")
    assert text(article_page(tmp_path / "out", "2021", "alleen-opmaak"), "//h1") == ["alleen-opmaak"]
    assert text(parse(tmp_path / "out" / "2021" / "index.html"), "//h1")[0].endswith("2021")


def test_a_title_given_twice_uses_the_first_and_says_so(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    (content / "twee-titels.md").write_text(
        "Title: De eerste titel\nTitle: De tweede titel\nDate: 2021-06-01\nCategory: Blog\n\nTekst.\n",
        encoding="utf-8",
    )
    built = pelican(content, tmp_path / "out")
    assert text(article_page(tmp_path / "out", "2021", "de-eerste-titel"), "//h1") == ["De eerste titel"]
    assert "twee-titels.md: `title` is given 2 times; the first one is used" in built.stdout + built.stderr


def test_home_has_the_latest_articles_and_a_section_per_series(site):
    home = parse(site / "index.html")
    assert text(home, "//section[@class='home-lead']//h3") == [
        "Een blog van de redactie: waarom wij Movisies lezen",
        "Hoe zijn we de kern van het sociaal werk kwijtgeraakt?",
    ]
    assert text(home, "//section[contains(@class,'home-series')]/h2") == ["Blog", "Interview", "Opinie"]
    assert home.xpath("//nav[@class='pagination']/a[@rel='next']/@href") == [f"{SITEURL}/pagina/2/"]
    last = parse(site / "pagina" / "3" / "index.html")
    assert text(last, "//h2[@class='card-title']") == ["Een sociaal wijkteam is geen container"]
    assert text(last, "//span[@class='pagination-position']") == ["Pagina 3 van 3"]


def test_series_page_lists_its_articles_and_links_its_feeds_visibly(site):
    page = parse(site / "reeks" / "interview" / "index.html")
    assert text(page, "//h1") == ["Interview"]
    assert text(page, "//h2[@class='card-title']") == [
        "Sociaal werk, vertrouw op je kracht en bouw aan een nieuwe taal",
        "Wat een gesprek aan de keukentafel oplevert",
    ]
    visible = page.xpath("//main//p[@class='follow']/a/@href")
    assert visible == [f"{SITEURL}/feeds/interview.atom.xml", f"{SITEURL}/feeds/interview.rss.xml"]
    assert page.xpath("//head/link[@rel='alternate']/@href")[-2:] == visible


def test_every_page_links_the_feeds_in_its_head(site):
    for path in html_pages(site):
        alternates = parse(path).xpath("//head/link[@rel='alternate']/@href")
        assert f"{SITEURL}/feeds/alles.atom.xml" in alternates, path
        assert f"{SITEURL}/feeds/alles.rss.xml" in alternates, path


def test_tag_page_shows_the_theme_description(site):
    page = parse(site / "thema" / "sociale-basis-preventie" / "index.html")
    assert text(page, "//h1") == ["Sociale Basis & Preventie"]
    assert text(page, "//div[@class='tag-description']/p")[0].startswith("Sociaal werk in de wijken")
    assert len(page.xpath("//h2[@class='card-title']")) == 2  # two a page; the third is on page 2


def test_author_page_gives_the_role_and_the_articles(site):
    page = parse(site / "auteur" / "janny-bakker" / "index.html")
    assert text(page, "//h1") == ["Janny Bakker"]
    assert text(page, "//p[@class='listing-intro']") == ["oud-wethouder van Huizen"]


def test_archive_by_year_and_a_404(site):
    archive = parse(site / "archief" / "index.html")
    assert text(archive, "//h2") == ["2021", "2019", "2018", "2014"]
    year = parse(site / "2018" / "index.html")
    assert len(year.xpath("//article[@class='card']")) == 2
    assert text(parse(site / "404.html"), "//h1") == ["Deze pagina bestaat niet (meer)"]


def test_every_local_link_resolves(site):
    assert broken_links(site) == []


def test_pages_load_nothing_from_other_hosts(site):
    for path in html_pages(site):
        tree = parse(path)
        for url in tree.xpath("//link[@rel='stylesheet']/@href | //script/@src | //img/@src"):
            assert url.startswith(SITEURL + "/"), f"{path}: {url}"


def test_dates_are_dutch_whatever_the_process_locale(site):
    assert "15 juni 2018" in text(parse(site / "archief" / "index.html"), "//main")[0]


def test_opengraph_json_ld_and_canonical(site):
    page = article_page(site, "2018", "vertrouw-op-je-kracht")
    url = f"{SITEURL}/2018/vertrouw-op-je-kracht/"
    assert page.xpath("//link[@rel='canonical']/@href") == [url]
    assert page.xpath("//meta[@property='og:url']/@content") == [url]
    assert page.xpath("//meta[@property='og:type']/@content") == ["article"]
    record = json.loads(page.xpath("//script[@type='application/ld+json']/text()")[0])
    assert record["@type"] == "Article"
    assert record["headline"] == "Sociaal werk, vertrouw op je kracht en bouw aan een nieuwe taal"
    assert record["datePublished"] == "2018-06-15T00:00:00+02:00"
    assert record["dateModified"] == "2018-06-20T00:00:00+02:00"
    assert [a["jobTitle"] for a in record["author"]] == [
        "oud-wethouder van Huizen",
        "directeur van Binding in Wijk bij Duurstede",
    ]
    assert parse(site / "reeks" / "blog" / "index.html").xpath("//link[@rel='canonical']/@href") == [
        f"{SITEURL}/reeks/blog/"
    ]


def test_sitemap_lists_every_page_with_absolute_urls(site):
    sitemap = (site / "sitemap.xml").read_text()
    locs = re.findall(r"<loc>(.*?)</loc>", sitemap)
    assert len(locs) == len(html_pages(site)) - 1  # all but 404.html
    assert all(local_file(site, loc).is_file() for loc in locs)
    assert (
        f"<loc>{SITEURL}/2018/vertrouw-op-je-kracht/</loc>\n    <lastmod>2018-06-20T00:00:00+02:00" in sitemap
    )


def test_search_index_is_built_for_dutch(site):
    entry = json.loads((site / "pagefind" / "pagefind-entry.json").read_text())
    assert entry["languages"]["nl"]["page_count"] == 5  # the articles only


def search_records(output: Path) -> dict[str, dict]:
    """Pagefind's record of every indexed page, by URL (its fragments are gzipped JSON behind a marker)."""
    records = {}
    for fragment in (output / "pagefind" / "fragment").iterdir():
        data = gzip.decompress(fragment.read_bytes()).removeprefix(b"pagefind_dcd")
        record = json.loads(data)
        records[record["url"]] = record
    return records


def test_search_finds_published_articles_only_by_title_authors_and_text(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    for status in ("draft", "hidden"):
        (content / f"{status}.md").write_text(
            f"Title: Geheim {status}\nDate: 2020-01-01\nCategory: Blog\nStatus: {status}\n\nNiet vindbaar.\n",
            encoding="utf-8",
        )
    pelican(content, tmp_path / "out")
    records = search_records(tmp_path / "out")
    assert len(records) == 5 and not [url for url in records if "geheim" in url]
    assert all(local_file(tmp_path / "out", SITEURL + url).is_file() for url in records)
    record = records["/2018/vertrouw-op-je-kracht/"]
    assert record["meta"]["title"] == "Sociaal werk, vertrouw op je kracht en bouw aan een nieuwe taal"
    assert "Janny Bakker, Egbert Oppenhuizen" in record["content"]
    assert "Niet vindbaar" not in " ".join(r["content"] for r in records.values())


@pytest.mark.parametrize("memory", [True, False], ids=["in memory", "on disk"])
def test_the_search_index_is_whole_where_pagefind_works_in_memory_or_on_disk(tmp_path, monkeypatch, memory):
    """Pagefind works in a folder in memory when there is one with room, else in the temporary folder on
    disk; either way the bundle in the site holds every record, and an old bundle is replaced."""
    monkeypatch.setattr(search, "SCRATCH_IN_MEMORY", str(tmp_path / ("shm" if memory else "none")))
    (tmp_path / "shm").mkdir()
    assert (search.scratch_folder(1000) is not None) is memory
    stale = tmp_path / "site" / "pagefind" / "fragment" / "oud.pf_fragment"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"oud")
    page = '<html lang="nl"><body><h1>Artikel {0}</h1><p>Jeugdzorg in wijk {0}</p></body></html>'
    records = [(f"/2024/artikel-{n}/", page.format(n)) for n in range(3)]
    search.serve(records, tmp_path / "site" / "pagefind")
    assert sorted(search_records(tmp_path / "site")) == [url for url, _ in records]
    assert not stale.exists()


def test_two_builds_are_byte_identical(site, tmp_path):
    again = tmp_path / "again"
    pelican(FIXTURE_CONTENT, again, DEFAULT_PAGINATION="2")
    comparison = filecmp.dircmp(site, again)
    assert differences(comparison) == []


def test_every_page_passes_the_nu_html_checker(site):
    assert nu_errors(site) == ""
