"""The digest as a reader gets it, rendered from the real seeds through the ingest and from fixtures."""

from __future__ import annotations

import email
import email.policy
import json
import re
import shutil
import subprocess
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import lxml.html
import pytest
from digestkit import FIXTURE, ROOT, SITEURL, config, ingest
from pelican.contents import Article
from pelican.readers import Readers
from sitekit import local_file, pelican

from pipeline.cli import main
from pipeline.digest import select
from pipeline.digest.editions import Window
from pipeline.digest.publish import read_content
from pipeline.digest.render import build_edition, mjml_to_html, render, to_mjml
from pipeline.digest.select import DigestArticle

AUTUMN = Window(7, date(2023, 9, 1), date(2023, 12, 31))
WIDE = ["--since", "1990-01-01", "--until", "2030-12-31", "--edition", "1"]


@pytest.fixture(scope="module")
def seeds_content(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ingest(tmp_path_factory.mktemp("seeds") / "content")


@pytest.fixture(scope="module")
def seeds_edition(seeds_content: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("edition")
    assert main(["digest", "--content", str(seeds_content), "--out", str(out), *WIDE]) == 0
    return out


def hrefs(html: str) -> list[str]:
    return re.findall(r'href="([^"]*)"', html)


def test_seeds_edition_holds_every_article_and_stays_under_gmail_clip(seeds_content, seeds_edition):
    html = (seeds_edition / "digest.html").read_text()
    text = (seeds_edition / "digest.txt").read_text()
    articles = read_content(config(), seeds_content).articles
    assert len(articles) == 5
    assert len(html.encode()) < 100 * 1024
    assert '<html lang="nl"' in html
    assert not re.search(r"</?mj-", html), "an MJML tag was left unrendered"
    for article in articles:
        assert article.url in html and article.url in text
        assert article.title.replace("'", "&#39;") in html or article.title in html.replace("&#x27;", "'")
        assert article.title in text.replace("\n", " ") or article.title[:40] in text
    assert "fonts.googleapis.com" not in html


def test_every_link_is_absolute_and_site_links_carry_utm(seeds_edition):
    html = (seeds_edition / "digest.html").read_text()
    links = hrefs(html)
    assert links and all(link.startswith(("https://", "mailto:")) for link in links)
    site_links = [link for link in links if link.startswith(SITEURL)]
    assert len(site_links) >= 5 * 2  # each article: headline and "Lees verder"
    for link in site_links:
        query = parse_qs(urlsplit(link.replace("&amp;", "&")).query)
        assert query["utm_medium"] == ["email"] and query["utm_campaign"] == ["nummer-1"]


def test_articles_link_to_the_pages_the_site_builds(seeds_edition):
    html = (seeds_edition / "digest.html").read_text()
    # publishconf's ARTICLE_URL is {date:%Y}/{slug}/: the links follow it instead of guessing.
    assert re.search(rf'href="{SITEURL}/\d{{4}}/[a-z0-9-]+/\?utm_source', html)


def test_email_shows_masthead_edition_line_contents_and_a_visible_unsubscribe_link(seeds_edition):
    html = (seeds_edition / "digest.html").read_text()
    for words in (
        "Sociaal Werk Magazine",
        "Nummer 3 · 2030",  # the third tertial of 2030, the window's last day: numbered within the year
        "In dit nummer",
        "Lees verder",
        "Colofon",
    ):
        assert words.lower() in html.lower()
    assert re.search(r'<a href="mailto:[^"]+"[^>]*>Afmelden voor deze nieuwsbrief</a>', html)
    assert "Bekijk in je browser" in html
    assert all('alt="' in tag for tag in re.findall(r"<img[^>]*>", html))


def test_plain_text_part_is_wrapped_and_lists_its_links(seeds_edition):
    text = (seeds_edition / "digest.txt").read_text()
    prose = [line for line in text.splitlines() if "://" not in line]
    assert max(len(line) for line in prose) <= 72
    assert "<" not in text.replace("<script", "")  # no HTML left
    assert text.count("Lees verder: https://") == 5
    assert "Afmelden voor deze nieuwsbrief:\nmailto:" in text


def test_eml_is_the_whole_message_with_unsubscribe_headers(seeds_edition):
    message = email.message_from_bytes(
        (seeds_edition / "digest.eml").read_bytes(), policy=email.policy.default
    )
    assert message.get_content_type() == "multipart/alternative"
    types = [part.get_content_type() for part in message.iter_parts()]
    assert types == ["text/plain", "text/html"]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert re.fullmatch(r"<https://[^>]+>, <mailto:[^>]+>", message["List-Unsubscribe"].strip())
    assert message["Subject"].startswith("Sociaal Werk Magazine · Nummer 3 · 2030: ")
    html = message.get_body(("html",)).get_content().replace("\r\n", "\n")
    assert html.rstrip("\n") == (seeds_edition / "digest.html").read_text()


def test_same_content_gives_byte_identical_files(seeds_content, seeds_edition, tmp_path):
    again = tmp_path / "again"
    assert main(["digest", "--content", str(seeds_content), "--out", str(again), *WIDE]) == 0
    for name in ("digest.html", "digest.txt", "digest.eml", "edition.json"):
        assert (again / name).read_bytes() == (seeds_edition / name).read_bytes(), name
    first, second = tmp_path / "web1", tmp_path / "web2"
    for site in (first, second):
        assert (
            main(
                ["digest", "--content", str(seeds_content), "--out", str(tmp_path / "x"), "--web", str(site)]
            )
            == 0
        )
    pages = sorted(p.relative_to(first) for p in first.rglob("*.html"))
    assert pages and pages == sorted(p.relative_to(second) for p in second.rglob("*.html"))
    assert all((first / p).read_bytes() == (second / p).read_bytes() for p in pages)


def test_web_archive_lists_every_edition_at_its_own_url(tmp_path):
    site = tmp_path / "site"
    assert main(["digest", "--content", str(FIXTURE), "--out", str(tmp_path / "e"), "--web", str(site)]) == 0
    archive = (site / "nieuwsbrief" / "index.html").read_text()
    assert f'href="{SITEURL}/nieuwsbrief/30/"' in archive and f'href="{SITEURL}/nieuwsbrief/28/"' in archive
    web30 = (site / "nieuwsbrief" / "30" / "index.html").read_text()
    assert "Bekijk in je browser" not in web30  # it is the browser version
    assert "Hoe zijn we de kern van het sociaal werk kwijtgeraakt?" in web30
    email_html = (tmp_path / "e" / "digest.html").read_text()
    assert f"{SITEURL}/nieuwsbrief/30/?utm_source=nieuwsbrief" in email_html


def test_cached_reading_gives_the_same_web_archive_and_sees_a_changed_article(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)

    def web(name: str, *cache: str) -> dict[str, bytes]:
        site = tmp_path / name
        argv = ["digest", "--content", str(content), "--out", str(tmp_path / f"{name}-e"), "--web", str(site)]
        assert main([*argv, *cache]) == 0
        return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*.html"))}

    cache = ["--cache", str(tmp_path / "cache")]
    assert web("cold", *cache) == web("uncached") == web("warm", *cache)
    assert [p.name for p in (tmp_path / "cache").glob("*/*")] == ["DigestReaders"]
    source = content / "de-kern-van-het-sociaal-werk.md"
    text = source.read_text().replace("kwijtgeraakt?", "kwijtgeraakt, en terug?")
    source.write_text(text, encoding="utf-8")
    changed = web("changed", *cache)
    assert changed == web("changed-uncached")
    assert "kwijtgeraakt, en terug?" in changed["nieuwsbrief/30/index.html"].decode()


def test_default_window_is_the_edition_of_the_newest_article(tmp_path, capsys):
    assert main(["digest", "--content", str(FIXTURE), "--out", str(tmp_path)]) == 0
    assert "edition 30, Nummer 3 · 2023 (2023-09-01 to 2023-12-31): 4 articles" in capsys.readouterr().out
    text = (tmp_path / "digest.txt").read_text()
    assert "Een concept dat nog niet af is" not in text  # a draft
    assert "Een artikel uit het voorjaar" not in text  # edition 28


def test_empty_window_makes_no_edition_and_exits_3(tmp_path, capsys):
    window = ["--since", "2020-01-01", "--until", "2020-02-01"]
    status = main(["digest", "--content", str(FIXTURE), "--out", str(tmp_path / "e"), *window])
    assert status == 3
    assert "no articles dated 2020-01-01 to 2020-02-01" in capsys.readouterr().err
    assert not (tmp_path / "e").exists()


def test_editorial_is_shown_and_sanitized(tmp_path):
    assert main(["digest", "--content", str(FIXTURE), "--out", str(tmp_path), "--edition", "30"]) == 0
    html = (tmp_path / "digest.html").read_text()
    assert "Redactioneel" in html and "<strong>verbinden</strong>" in html
    assert "Annemiek Stoopendaal" in html
    assert "<script" not in html and "niet in de mail" not in html
    assert (
        "[1] https://sociaalwerk.example.nl/sociaal-werk-vertrouw-op-je-kracht.html"
        in (tmp_path / "digest.txt").read_text()
    )


def article(i: int, **changes: str) -> DigestArticle:
    fields = {
        "title": f"Artikel nummer {i} over de wijk en het sociaal werk van morgen, met een lange titel " * 2,
        "url": f"{SITEURL}/2023/artikel-{i}/",
        "day": date(2023, 9, 1) + timedelta(days=i % 100),
        "series": ("Blog", "Interview", "Opinie", "Nieuws")[i % 4],
        "authors": ("Anna de Vries", "Piet Jansen"),
        "roles": ("onderzoeker", ""),
        "lede": "Een lede van flinke lengte die het artikel inleidt en de lezer uitnodigt tot lezen. " * 6,
        "pullquote": "‘Een citaat dat blijft hangen’" if i == 3 else "",
    }
    return DigestArticle(**{**fields, **changes})


def test_hundreds_of_articles_stay_under_the_clip_with_the_rest_listed():
    window = AUTUMN
    cfg = config(max_items=12)
    started = time.perf_counter()
    rendered = render(build_edition(cfg, window, [article(i) for i in range(400)], None))
    elapsed = time.perf_counter() - started
    assert len(rendered.html.encode()) < 100 * 1024
    assert rendered.html.count(">Lees verder<") == 12
    assert "Ook in deze periode" in rendered.html and "en nog 352 meer" in rendered.html
    assert f"{SITEURL}/nieuwsbrief/7/" in rendered.html
    assert elapsed < 2.0


def test_article_text_cannot_inject_markup():
    window = AUTUMN
    lede = "</mj-text><mj-raw><b>bold</b></mj-raw>"
    evil = article(1, title='<script>alert("x")</script> & "quotes"', lede=lede)
    rendered = render(build_edition(config(), window, [evil], None))
    # The CSS inliner writes attribute values as HTML does (only & and " escaped): "<script>" may stand
    # inside an aria-label, as text. What matters: no element is made, and the text shows as text.
    tree = lxml.html.document_fromstring(rendered.html)
    assert tree.xpath("//script | //b") == []
    assert "&lt;script&gt;" in rendered.html and "&lt;/mj-text&gt;" in rendered.html
    assert re.search(r">[^<]*&lt;script&gt;alert", rendered.html)


def test_mjml_errors_are_caught():
    with pytest.raises(Exception, match="MJML"):
        mjml_to_html("<mjml><mj-body><mj-section></mj-body>")
    window = AUTUMN
    source = to_mjml(build_edition(config(), window, [article(1)], None))
    assert source.startswith('<mjml lang="nl">') or '<mjml lang="nl">' in source


def test_every_site_link_in_the_email_resolves_in_the_published_site(seeds_content, tmp_path):
    """The links are computed the way the site computes them: build the site, then follow each one."""
    site = tmp_path / "site"
    pelican(seeds_content, site)
    out = tmp_path / "edition"
    assert main(["digest", "--content", str(seeds_content), "--out", str(out), "--web", str(site)]) == 0
    links = [link.replace("&amp;", "&") for link in hrefs((out / "digest.html").read_text())]
    site_links = [link for link in links if link.startswith(SITEURL)]
    assert site_links
    missing = [link for link in site_links if not local_file(site, link).is_file()]
    assert missing == []


def test_articles_read_from_headers_equal_pelicans_full_reading(seeds_content, tmp_path):
    """The digest converts only the metadata header of an article with a Summary; what it takes from an
    article must be what Pelican's own reader gives, and an article without a Summary is still summarised
    from its body."""
    content = tmp_path / "content"
    shutil.copytree(seeds_content, content)
    (content / "zonder-samenvatting.md").write_text(
        "Title: Zonder samenvatting\nDate: 2024-03-01\nCategory: Blog\nAuthors: Anna Smit\n\n"
        "De eerste alinea van het **stuk** zelf.\n\nEen tweede alinea.\n",
        encoding="utf-8",
    )
    settings = config().pelican
    fast = select.read_articles(content, settings, SITEURL)
    full = [select._digest_article(a, SITEURL) for a in _pelican_articles(content, settings)]
    assert fast == sorted(full, key=lambda a: (a.day, a.title))
    assert len(fast) == len(list(seeds_content.glob("*.md"))) + 1
    bare = next(a for a in fast if a.title == "Zonder samenvatting")
    assert bare.lede.startswith("De eerste alinea van het stuk zelf.")


def _pelican_articles(content: Path, settings: dict) -> list:
    readers = Readers({**settings, "PATH": str(content)})
    paths = sorted(p.relative_to(content) for p in content.glob("*.md"))
    return [readers.read_file(str(content), str(p), content_class=Article, context={}) for p in paths]


# Features caniemail reports as unsupported somewhere that the email uses on purpose, each degrading to
# something readable: the reason is what a reader of that client sees instead.
TOLERATED = {
    "@media": "the phone layout and dark mode are enhancements; without them the 600 px light layout shows",
    "border-radius": "Outlook for Windows draws the buttons with square corners",
    "target attribute": "Gmail opens links in a new tab of its own",
    "display:none": "the hidden preview text (preheader) of MJML",
    "opacity": "the hidden preview text (preheader) of MJML",
    "overflow": "the hidden preview text (preheader) of MJML",
}
CLIENTS = "outlook.windows,gmail.*,apple-mail.*"
DOIUSE = (
    ROOT / ".venv" / "node" / "node_modules" / "doiuse-email" / "bin" / "cli.js"
)  # `make test` installs it


def test_the_email_passes_caniemails_check_for_outlook_gmail_and_apple_mail(seeds_edition):
    """doiuse-email checks the HTML against caniemail's data: all else the email uses is supported by
    Outlook for Windows, every Gmail and Apple Mail; <style> rules are inlined, the pull quote is a cell."""
    done = subprocess.run(
        ["node", str(DOIUSE), "--email-clients", CLIENTS, str(seeds_edition / "digest.html")],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    errors = json.loads(done.stdout).get("errors", [])
    features = {re.match(r"`([^`]+)`", error).group(1) for error in errors}
    assert features - set(TOLERATED) == set(), errors
    html = (seeds_edition / "digest.html").read_text()
    for_all = re.sub(r"<!--\[if .*?<!\[endif\]-->", "", html, flags=re.DOTALL)  # not Outlook's own
    styles = re.findall(r"<style[^>]*>(.*?)</style>", for_all, re.DOTALL)
    assert styles and all(block.strip().startswith("@media") for block in styles)
    assert re.search(r'<a href="https://[^"]+" style="[^"]*color:', html)  # `a { color }`, inlined
    quote = r'<table[^>]* class="pullquote"[^>]*>.*?<td style="[^"]*border-left'
    assert re.search(quote, html)
    assert '<meta name="color-scheme" content="light dark"' in html and "prefers-color-scheme: dark" in html
