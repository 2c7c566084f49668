"""The images of saved pages on their way into content/: found, judged, checked, copied and written.

The fixture pages (tests/fixtures/images/) were saved with their `_files` folders: a lead photo with caption
and credit, an inline figure with a credit of its own, a logo, an avatar in the sidebar, two tracking pixels,
a broken download, a 50-megapixel map, an SVG with a script and a photo that is only online.
"""

from __future__ import annotations

import filecmp
import time
from pathlib import Path

import pytest
from lxml import etree
from PIL import Image

from pipeline.ingest import figures, images, overrides, read, write
from pipeline.ingest.batch import Outcome
from pipeline.ingest.report import entry
from pipeline.model import Article, ArticleImage, ImageRef, Page, Role
from tests.imagekit import PAGES, copy_pages, ingest_page, ingest_with_images


def found(name: str) -> list[ImageRef]:
    root = etree.fromstring((PAGES / name).read_bytes(), etree.HTMLParser())
    return figures.find_images(root.find("body"))


@pytest.fixture()
def source(tmp_path) -> Path:
    return copy_pages(tmp_path / "bron")


def test_the_lead_photo_and_the_figure_come_with_alt_caption_and_credit():
    kept = [ref for ref in found("interview.html") if not ref.reason and not ref.fallback]
    lead, figure = kept[0], kept[1]
    assert lead.lead and not figure.lead
    assert (lead.alt, lead.caption, lead.credit) == (
        "Anna de Vries aan de keukentafel in het buurthuis",
        "Anna de Vries in buurthuis De Schakel.",
        "Beeld: Jan Jansen",
    )
    assert (figure.caption, figure.credit) == (
        "Bewoners aan de keukentafel van het buurthuis",
        "Foto: Petra Smit",
    )
    assert figure.anchor.startswith("Wat er aan die tafel gebeurt")


def test_chrome_images_are_marked_with_a_reason_each():
    reasons = {ref.src.rsplit("/", 1)[-1]: ref.reason for ref in found("interview.html") if ref.reason}
    assert reasons == {
        "logo-movisie.png": "image: logo (file name 'logo-movisie')",
        "auteur.jpg": "image: avatar (class 'avatar')",
        "collect?v=1&tid=UA-1": "image: tracking pixel (1x1)",
        "pixel.gif": "image: tracking pixel (1x1)",
    }


@pytest.mark.parametrize(
    ("markup", "reason"),
    [
        (
            '<img src="https://www.google-analytics.com/c.gif" alt="">',
            "image: tracking pixel (host www.google-analytics.com)",
        ),
        ('<img src="/share.png" width="24" height="24" alt="Deel">', "image: icon (24x24)"),
        ('<aside><img src="/foto.jpg" alt="Foto"></aside>', "image: sidebar image (inside <aside>)"),
        ('<nav><img src="/foto.jpg" alt="Foto"></nav>', "image: navigation (inside <nav>)"),
        (
            '<div class="social-share"><img src="/f.jpg" alt=""></div>',
            "image: share button (<div> class 'social-share')",
        ),
        ('<article><header><img src="/foto.jpg" alt="Foto"></header></article>', ""),
    ],
)
def test_what_makes_an_image_chrome(markup, reason):
    root = etree.fromstring(f"<html><body>{markup}<p>Tekst.</p></body></html>", etree.HTMLParser())
    assert figures.find_images(root.find("body"))[0].reason == reason


def test_an_image_outside_the_article_is_not_the_article_s():
    markup = (
        '<div class="related"><img src="/teaser.jpg" alt="Ander artikel"></div>'
        '<article><p>Tekst van het artikel.</p><img src="/foto.jpg" alt="Foto"></article>'
    )
    root = etree.fromstring(f"<html><body>{markup}</body></html>", etree.HTMLParser())
    refs = figures.find_images(root.find("body"), article=root.find(".//article"))
    assert [(ref.src, ref.reason, ref.lead) for ref in refs] == [
        ("/teaser.jpg", "image: outside the article <article>", False),
        ("/foto.jpg", "", True),
    ]


@pytest.mark.parametrize(
    ("text", "caption", "credit"),
    [
        ("Bewoners in de wijk. Beeld: Jan Jansen", "Bewoners in de wijk.", "Beeld: Jan Jansen"),
        ("De wijkteams | Foto: ANP", "De wijkteams", "Foto: ANP"),
        ("Illustratie: Studio Zuid", "", "Illustratie: Studio Zuid"),
        ("Het buurthuis (© Movisie)", "Het buurthuis", "© Movisie"),
        ("The team. Photo: Jane Doe", "The team.", "Photo: Jane Doe"),
        ("Fotografie in de wijk", "Fotografie in de wijk", ""),
    ],
)
def test_a_credit_is_split_from_the_caption(text, caption, credit):
    assert figures.split_credit(text) == (caption, credit)


def test_og_image_is_the_lead_when_the_page_has_no_figure():
    refs = found("blog.html")
    assert [(ref.lead, ref.fallback, ref.alt) for ref in refs] == [
        (True, True, "Een wijkteam in overleg rond een tafel")
    ]


def test_a_caption_is_never_a_heading_and_a_credit_never_body_text():
    page = read.read_page(PAGES / "interview.html", "interview.html", max_bytes=5_000_000)
    tree = etree.fromstring((PAGES / "interview.html").read_bytes(), etree.HTMLParser())
    figures.attach_images(page, tree.find("body"))
    for part in ("Beeld: Jan Jansen", "De Schakel", "Bewoners aan de keukentafel", "Foto: Petra Smit"):
        lines = [line for line in page.lines if part in line.text]
        assert lines and all(line.role is Role.FIGURE for line in lines), part
        assert all(line.reason in (figures.CAPTION_REASON, figures.CREDIT_REASON) for line in lines)
    article = ingest_page(PAGES, "interview.html")
    texts = [block.text for block in article.blocks]
    assert not any("Beeld:" in text or "Foto:" in text or "bezoekers" in text for text in texts)


def test_each_image_not_kept_gets_one_line_with_why(source):
    article = ingest_page(source, "interview.html")
    assert [(image.source, image.lead) for image in article.images] == [
        ("interview_files/anna-de-vries.jpg", True),
        ("interview_files/buurthuis.jpg", False),
    ]
    dropped = dict(line.split(": ", 1) for line in article.images_dropped)
    assert len(dropped) == len(article.images_dropped) == 9
    assert dropped["./interview_files/grafiek.svg"].startswith("refused: SVG")
    assert dropped["./interview_files/kapot.jpg"].startswith("refused: broken image file")
    assert dropped["./interview_files/enorm.png"] == "refused: 10000x5000 pixels, more than 40,000,000"
    assert dropped["https://cdn.example.org/uploads/alleen-online.jpg"].startswith(
        "not available: only on a remote server (never hot-linked)"
    )
    assert dropped["./interview_files/logo-movisie.png"] == "image: logo (file name 'logo-movisie')"
    assert dropped["https://www.movisie.nl/sites/default/files/anna-de-vries.jpg"].startswith(
        "the same file as"
    )


def test_the_og_image_is_found_in_the_files_folder_by_its_name(source):
    article = ingest_page(source, "blog.html")
    assert [(image.source, image.lead, image.alt) for image in article.images] == [
        ("blog_files/wijkteam.jpg", True, "Een wijkteam in overleg rond een tafel")
    ]


def test_a_page_without_images_has_none(source):
    article = ingest_page(source, "nieuws.html")
    assert article.images == [] and article.images_dropped == []


@pytest.mark.parametrize(
    ("name", "data", "why"),
    [
        (
            "foto.jpg",
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script/></svg>',
            "refused: SVG",
        ),
        ("foto.png", b"dit is geen plaatje", "refused: not an image Pillow can read"),
        ("icoon.png", None, "refused: 16x16 pixels, an icon or spacer"),
        ("foto.bmp", b"BMP", "refused: type BMP"),
    ],
)
def test_files_are_checked_whatever_their_name_says(tmp_path, name, data, why):
    path = tmp_path / name
    if data is None:
        Image.new("RGB", (16, 16)).save(path)
    elif data == b"BMP":
        Image.new("RGB", (100, 100)).save(path, "BMP")
    else:
        path.write_bytes(data)
    with pytest.raises(images.Refused, match=why.replace("(", r"\(")):
        images.check(path)


def test_a_file_outside_the_source_folder_is_never_read(tmp_path):
    (tmp_path / "geheim.jpg").write_bytes((PAGES / "blog_files" / "wijkteam.jpg").read_bytes())
    source = tmp_path / "bron"
    source.mkdir()
    with pytest.raises(images.Refused, match="no such file"):
        images.locate("../geheim.jpg", source / "pagina.html", source)


def test_images_are_copied_under_content_hashed_names_and_the_markdown_names_them(source, tmp_path):
    content = tmp_path / "content"
    articles = ingest_with_images(source, content)
    interview = articles["interview.html"]
    folder = content / "images" / interview.slug
    names = sorted(path.name for path in folder.iterdir())
    assert names == sorted(image.name for image in interview.images)
    for image in interview.images:
        assert (folder / image.name).read_bytes() == (source / image.source).read_bytes()
    text = (content / f"{interview.slug}.md").read_text(encoding="utf-8")
    header = text.split("\n\n", 1)[0]
    assert f"Image: images/{interview.slug}/{interview.images[0].name}" in header
    assert "Image_alt: Anna de Vries aan de keukentafel in het buurthuis" in header
    assert "Image_caption: Anna de Vries in buurthuis De Schakel." in header
    assert "Image_credit: Beeld: Jan Jansen" in header
    figure = interview.images[1]
    assert (
        f'<figure class="figure"><img src="images/{interview.slug}/{figure.name}" '
        'alt="Bewoners en een sociaal werker aan een lange tafel" width="1200" height="800">'
        '<figcaption>Bewoners aan de keukentafel van het buurthuis <small class="credit">Foto: Petra Smit'
        "</small></figcaption></figure>\n\nWat er aan die tafel gebeurt" in text
    )
    assert "Image:" not in (content / f"{articles['nieuws.html'].slug}.md").read_text(encoding="utf-8")


def test_same_pages_give_the_same_bytes(source, tmp_path):
    ingest_with_images(source, tmp_path / "een")
    ingest_with_images(source, tmp_path / "twee")
    comparison = filecmp.dircmp(tmp_path / "een", tmp_path / "twee")
    assert not comparison.diff_files and not comparison.left_only and not comparison.right_only
    assert not list((tmp_path / "een").rglob("*.part"))


def test_an_image_no_longer_used_is_removed_from_the_article_folder(source, tmp_path):
    content = tmp_path / "content"
    articles = ingest_with_images(source, content)
    article = articles["interview.html"]
    article.images = article.images[:1]
    images.copy_into(article, source, content)
    assert [path.name for path in (content / "images" / article.slug).iterdir()] == [article.images[0].name]


def test_an_alt_text_with_quotes_cannot_break_out_of_the_figure():
    article = Article("p.html", slug="s")
    article.images = [
        ArticleImage("0123456789abcdef.jpg", "p.jpg", 800, 600, alt='"><script>x</script>', caption="<b>")
    ]
    figure = write.render_figure(article, article.images[0])
    assert "<script>" not in figure and "&quot;&gt;&lt;script&gt;" in figure and "&lt;b&gt;" in figure


def test_editors_set_or_drop_the_lead_image_and_its_texts(source):
    (source / "beelden").mkdir()
    (source / "beelden" / "eigen.jpg").write_bytes(
        (source / "interview_files" / "buurthuis.jpg").read_bytes()
    )
    fixed = {"image": "beelden/eigen.jpg", "image_alt": "Een eigen foto", "image_credit": "Beeld: Redactie"}
    article = ingest_page(source, "blog.html", fixed)
    lead = article.images[0]
    assert (lead.source, lead.alt, lead.credit) == ("beelden/eigen.jpg", "Een eigen foto", "Beeld: Redactie")
    assert {"image", "image_alt", "image_credit"} <= set(article.overridden)
    article = ingest_page(source, "interview.html", {"image": False})
    assert [image.lead for image in article.images] == [False]
    assert any("lead image dropped by the editor" in line for line in article.images_dropped)


@pytest.mark.parametrize(
    ("line", "key"), [("image = 3", "image"), ("image = true", "image"), ('image_alt = ["a"]', "image_alt")]
)
def test_a_wrong_image_override_names_the_key(tmp_path, line, key):
    (tmp_path / "overrides.toml").write_text(f'["a.html"]\n{line}\n', encoding="utf-8")
    with pytest.raises(overrides.OverrideError, match=key):
        overrides.load(tmp_path)


def test_the_report_lists_kept_and_dropped_images(source):
    article = ingest_page(source, "interview.html")
    report = entry(Outcome("interview.html", article=article))
    assert [image["size"] for image in report["images"]] == ["1600x1000", "1200x800"]
    assert report["images"][0]["credit"] == "Beeld: Jan Jansen"
    assert len(report["images_dropped"]) == 9


def test_finding_images_stays_cheap_on_a_large_page():
    figure = '<figure><img src="f{n}.jpg" alt="Foto {n}"><figcaption>Foto {n}. Beeld: X</figcaption></figure>'
    body = "".join(f"<p>{'Tekst van de alinea. ' * 30}</p>" + figure.format(n=n) for n in range(300))
    root = etree.fromstring(f"<html><body><article>{body}</article></body></html>", etree.HTMLParser())
    page = Page("p.html", [])
    start = time.perf_counter()
    figures.attach_images(page, root.find("body"))
    assert len(page.images) == 300
    assert time.perf_counter() - start < 0.5


def test_a_gallery_of_thousands_of_images_stays_cheap():
    gallery = "".join(f'<div class="g"><img src="f{n}.jpg" alt="{n}"></div>' for n in range(3000))
    markup = f"<html><body><article>{gallery}<p>Eind.</p></article></body></html>"
    root = etree.fromstring(markup, etree.HTMLParser())
    start = time.perf_counter()
    assert len(figures.find_images(root.find("body"))) == 3000
    assert time.perf_counter() - start < 2.0
