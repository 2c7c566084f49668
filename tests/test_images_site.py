"""The fixture pages' images on the built site, in the feeds and in the digest (real Pelican, publishconf.py).

The content is what the ingest writes for tests/fixtures/images/ (tests.imagekit), beside the hand-written
fixture articles, which have no image.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import feedparser
import pytest
from PIL import Image

from pipeline.digest.editions import Window
from pipeline.digest.publish import edition_for, read_content
from pipeline.digest.render import render
from tests.digestkit import config
from tests.imagekit import build_site
from tests.sitekit import SITEURL, html_pages, local_file, nu_errors, parse, pelican

INTERVIEW = "2021/interview-anna-de-vries-wijkwerk-begint-bij-luisteren"
NO_IMAGE = "2020/nieuwe-handreiking-voor-vrijwilligerswerk"
GMAIL_CLIP = 102 * 1024


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    return build_site(tmp_path_factory.mktemp("images-site"))


def test_the_article_leads_with_its_photo_caption_and_credit(built):
    page = parse(built["output"] / INTERVIEW / "index.html")
    lead = page.xpath("//figure[@class='article-lead']")[0]
    img = lead.xpath(".//img")[0]
    assert img.get("alt") == "Anna de Vries aan de keukentafel in het buurthuis"
    assert (img.get("width"), img.get("height")) == ("1200", "750")
    assert img.get("loading") is None  # above the fold: not lazy
    assert lead.xpath(".//source/@type") == ["image/webp"]
    assert [c.split()[-1] for c in img.get("srcset").split(", ")] == ["400w", "800w", "1200w"]
    assert img.get("sizes")
    assert (
        " ".join(lead.xpath("string(.//figcaption)").split())
        == "Anna de Vries in buurthuis De Schakel. Beeld: Jan Jansen"
    )
    assert lead.xpath(".//figcaption/small[@class='credit']/text()") == ["Beeld: Jan Jansen"]


def test_the_inline_figure_is_lazy_with_its_caption_in_the_text(built):
    page = parse(built["output"] / INTERVIEW / "index.html")
    figure = page.xpath("//div[@class='article-body']/figure[@class='figure']")
    assert len(figure) == 1
    img = figure[0].xpath(".//img")[0]
    assert (
        img.get("loading") == "lazy"
        and img.get("alt") == "Bewoners en een sociaal werker aan een lange tafel"
    )
    assert figure[0].xpath(".//small[@class='credit']/text()") == ["Foto: Petra Smit"]
    assert figure[0].getnext().text_content().startswith("Wat er aan die tafel gebeurt")


def test_every_image_on_every_page_has_width_height_alt_and_exists(built):
    output = built["output"]
    seen = 0
    for path in html_pages(output):
        tree = parse(path)
        for img in tree.xpath("//img"):
            seen += 1
            assert img.get("width") and img.get("height") and img.get("alt") is not None, (path, img.attrib)
            urls = [img.get("src")] + [c.split()[0] for c in (img.get("srcset") or "").split(", ") if c]
            for url in urls:
                assert local_file(output, url).is_file(), url
        for source in tree.xpath("//source/@srcset"):
            assert all(local_file(output, c.split()[0]).is_file() for c in source.split(", "))
    assert seen >= 5


def test_nothing_of_the_svg_or_the_originals_is_published(built):
    output = built["output"]
    files = [p for p in output.rglob("*") if p.is_file()]
    assert not [p for p in files if p.suffix in (".svg", ".png", ".gif") and "theme" not in p.parts]
    assert not (output / "images" / "interview-anna-de-vries-wijkwerk-begint-bij-luisteren").exists()
    for path in html_pages(output):
        text = path.read_text(encoding="utf-8")
        assert "grafiek" not in text and "alert(" not in text and "cdn.example.org" not in text


def test_variants_carry_no_metadata_and_are_what_they_say(built):
    variants = sorted((built["output"] / "images").rglob("*.*"))
    assert variants
    for path in variants:
        with Image.open(path) as image:
            assert image.format == {"jpg": "JPEG", "webp": "WEBP"}[path.suffix[1:]]
            assert "exif" not in image.info and "icc_profile" not in image.info
            assert image.width == int(path.stem)


def test_share_tags_and_json_ld_name_the_image_absolutely(built):
    page = parse(built["output"] / INTERVIEW / "index.html")
    og = page.xpath("//meta[@property='og:image']/@content")[0]
    assert og.startswith(f"{SITEURL}/images/") and og.endswith("/1200.jpg")
    assert local_file(built["output"], og).is_file()
    assert page.xpath("//meta[@name='twitter:card']/@content") == ["summary_large_image"]
    assert page.xpath("//meta[@property='og:image:alt']/@content") == [
        "Anna de Vries aan de keukentafel in het buurthuis"
    ]
    record = json.loads(page.xpath("//script[@type='application/ld+json']/text()")[0])
    assert record["image"] == {"@type": "ImageObject", "url": og, "width": 1200, "height": 750}
    plain = parse(built["output"] / NO_IMAGE / "index.html")
    assert plain.xpath("//meta[@property='og:image']") == []
    assert plain.xpath("//meta[@name='twitter:card']/@content") == ["summary"]
    assert "image" not in json.loads(plain.xpath("//script[@type='application/ld+json']/text()")[0])


def test_an_article_without_an_image_is_a_text_piece_not_a_hole(built):
    page = parse(built["output"] / NO_IMAGE / "index.html")
    assert page.xpath("//article[contains(@class,'article-text-only')]")
    assert page.xpath("//main//img | //main//figure") == []
    home = parse(built["output"] / "index.html")
    titles = {
        " ".join(card.xpath("string(.//*[@class='card-title'])").split()): bool(card.xpath(".//img"))
        for card in home.xpath("//article[contains(@class,'card')]")
    }
    assert titles["Interview Anna de Vries: ‘Wijkwerk begint bij luisteren’"] is True
    assert titles["Nieuwe handreiking voor vrijwilligerswerk"] is False


def test_cards_on_home_and_series_pages_show_the_lead_image(built):
    for page in ("index.html", "reeks/interview/index.html"):
        tree = parse(built["output"] / page)
        cards = tree.xpath("//article[contains(@class,'card-with-image')]")
        assert cards, page
        img = cards[0].xpath(".//img")[0]
        assert img.get("alt") == "Anna de Vries aan de keukentafel in het buurthuis"
    series = parse(built["output"] / "index.html").xpath("//section[contains(@class,'home-series')]//img")
    assert series and all(img.get("loading") == "lazy" for img in series)


def test_an_unchanged_image_is_never_made_twice(built, tmp_path):
    made = {path: path.stat().st_mtime_ns for path in built["cache"].rglob("*") if path.is_file()}
    assert made
    pelican(built["content"], tmp_path / "again", IMAGES_CACHE_PATH=json.dumps(str(built["cache"])))
    assert {path: path.stat().st_mtime_ns for path in built["cache"].rglob("*") if path.is_file()} == made
    for path in (built["output"] / "images").rglob("*.*"):
        assert (tmp_path / "again" / path.relative_to(built["output"])).read_bytes() == path.read_bytes()


def test_a_cold_build_gives_the_same_bytes(built, tmp_path):
    pelican(built["content"], tmp_path / "cold", IMAGES_CACHE_PATH=json.dumps(str(tmp_path / "empty-cache")))
    for path in (built["output"] / "images").rglob("*.*"):
        assert (tmp_path / "cold" / path.relative_to(built["output"])).read_bytes() == path.read_bytes()


def test_a_missing_image_file_is_left_out_with_a_warning(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    (content / "a.md").write_text(
        "Title: Zonder beeld\nDate: 2021-01-01\nCategory: Blog\nImage: images/a/weg.jpg\nImage_alt: Weg\n\n"
        'Tekst.\n\n<figure><img src="../../buiten.jpg" alt="Buiten"></figure>\n',
        encoding="utf-8",
    )
    done = pelican(content, tmp_path / "out")
    page = parse(tmp_path / "out" / "2021" / "zonder-beeld" / "index.html")
    assert page.xpath("//main//img") == []
    assert "images/a/weg.jpg is not a file in the content folder" in done.stdout + done.stderr


def test_the_feeds_carry_the_lead_image_absolutely(built):
    feeds = built["output"] / "feeds"
    rss = feedparser.parse((feeds / "interview.rss.xml").read_bytes())
    atom = feedparser.parse((feeds / "interview.atom.xml").read_bytes())
    assert rss.bozo == 0 and atom.bozo == 0
    entry = next(e for e in rss.entries if "anna-de-vries" in e.link)
    enclosure = entry.enclosures[0]
    assert enclosure.type == "image/jpeg" and enclosure.href.startswith(f"{SITEURL}/images/")
    assert int(enclosure.length) == local_file(built["output"], enclosure.href).stat().st_size
    assert entry.media_content[0]["url"] == enclosure.href
    atom_entry = next(e for e in atom.entries if "anna-de-vries" in e.link)
    assert atom_entry.media_content[0]["url"] == enclosure.href
    assert [link.rel for link in atom_entry.links] == ["alternate"]
    for item in (entry, atom_entry):
        body = item.content[0].value
        assert "<picture" not in body and "<source" not in body and 'loading="lazy"' not in body
        assert f'src="{SITEURL}/images/' in body and 'alt="Bewoners en een sociaal werker' in body


def test_the_html_of_every_page_passes_the_nu_checker(built):
    assert nu_errors(built["output"]) == ""


def test_the_digest_features_the_hosted_lead_image(built):
    settings = config(siteurl=SITEURL)
    window = Window(22, date(2021, 1, 1), date(2021, 4, 30))
    edition = edition_for(settings, read_content(settings, built["content"]), window)
    rendered = render(edition)
    image = edition.featured_image
    assert edition.featured.title.startswith("Interview Anna de Vries")
    assert local_file(built["output"], image.url).is_file()
    assert (image.width, image.height, image.alt) == (
        536,
        335,
        "Anna de Vries aan de keukentafel in het buurthuis",
    )
    tag = f'<img src="{image.url}" alt="{image.alt}" width="536" height="335"'
    assert tag in rendered.html
    assert len(rendered.html.encode()) < GMAIL_CLIP
    assert "Anna de Vries" in rendered.text


def test_a_hand_written_article_names_its_image_as_pelican_links_do(tmp_path):
    content = tmp_path / "content"
    (content / "images" / "eigen").mkdir(parents=True)
    photo = Path(__file__).parent / "fixtures" / "images" / "blog_files" / "wijkteam.jpg"
    (content / "images" / "eigen" / "foto.jpg").write_bytes(photo.read_bytes())
    (content / "eigen.md").write_text(
        "Title: Eigen stuk\nDate: 2021-01-01\nCategory: Blog\nImage: {static}/images/eigen/foto.jpg\n"
        'Image_alt: Een wijkteam\n\nTekst.\n\n<img src="/images/eigen/foto.jpg" alt="Nog eens">\n',
        encoding="utf-8",
    )
    pelican(content, tmp_path / "out")
    page = parse(tmp_path / "out" / "2021" / "eigen-stuk" / "index.html")
    assert page.xpath("//main//picture//img/@alt") == ["Een wijkteam", "Nog eens"]
    assert not (tmp_path / "out" / "images" / "eigen").exists()  # the original is not published


def test_an_svg_named_in_hand_written_content_never_reaches_the_site(tmp_path):
    content = tmp_path / "content"
    (content / "images").mkdir(parents=True)
    svg = Path(__file__).parent / "fixtures" / "images" / "interview_files" / "grafiek.svg"
    (content / "images" / "grafiek.svg").write_bytes(svg.read_bytes())
    (content / "a.md").write_text(
        "Title: Met een grafiek\nDate: 2021-01-01\nCategory: Blog\n"
        "Image: images/grafiek.svg\nImage_alt: Grafiek\n\n"
        'Tekst.\n\n<img src="images/grafiek.svg" alt="Grafiek">\n',
        encoding="utf-8",
    )
    done = pelican(content, tmp_path / "out")
    assert "images/grafiek.svg cannot be read" in done.stdout + done.stderr
    assert not [p for p in (tmp_path / "out").rglob("*.svg")]
    for path in html_pages(tmp_path / "out"):
        text = path.read_text(encoding="utf-8")
        assert "grafiek.svg" not in text and "alert(" not in text
