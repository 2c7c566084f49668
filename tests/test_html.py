"""read_html(): a scraped HTML page becomes a Page of numbered lines, site chrome marked with a reason."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from pipeline.ingest.decode import Rejected, decode
from pipeline.ingest.html import read_html
from pipeline.ingest.html.blocks import safe_href
from pipeline.model import Line, Page, Role

FIXTURES = Path(__file__).parent / "fixtures"
PARAGRAPH = (
    "Sociaal werkers zijn de spil van het wijkteam: ze zijn sterk betrokken bij het leven in de buurt en "
    "weten wat er speelt, maar ze hebben niet altijd de tijd om met bewoners in gesprek te gaan."
)


def page_of(name: str) -> Page:
    path = FIXTURES / name
    return read_html(path.name, decode(path.read_bytes(), html=True))


def html(body: str, head: str = "") -> Page:
    return read_html("test.html", f"<html><head>{head}</head><body>{body}</body></html>")


def body_texts(page: Page) -> list[str]:
    return [line.text for line in page.with_role(Role.BODY)]


def line_with(page: Page, text: str) -> Line:
    return next(line for line in page.lines if text in line.text)


# -- a page with semantic tags ----------------------------------------------------------------------------


def test_semantic_page_keeps_the_article_in_order_with_hints() -> None:
    page = page_of("html/movisie_blog.html")
    assert [line.number for line in page.lines] == list(range(1, len(page.lines) + 1))
    body = [(line.hint, line.text) for line in page.with_role(Role.BODY)]
    assert body[:2] == [("p", "Blog"), ("h1", "Hoe zijn we de kern van het sociaal werk kwijtgeraakt?")]
    assert ("h2", "Buiten beeld") in body
    assert ("blockquote", "‘Iedereen kan een huis bouwen. Zelfs mijn zoontje van tien.’") in body
    assert ("li", "vakmanschap van professionals met kennis;") in body
    assert ("figcaption", "Een huis dat vijftien jaar later nog staat.") not in body  # the image's text
    caption = line_with(page, "Een huis dat vijftien jaar later nog staat.")
    assert caption.role == Role.FIGURE and "caption" in caption.reason  # kept with its image
    assert body[-2][1].startswith("Door: Sonja Liefhebber")


def test_semantic_page_marks_every_kind_of_chrome_with_a_reason() -> None:
    page = page_of("html/movisie_blog.html")
    expected = {
        "Movisie gebruikt cookies": "cookie banner (class 'cookie-consent')",
        "Thema's": "<header> site header",
        "Home › Blogs": "<nav> navigation",
        "LinkedIn Twitter Mail": "share widget",
        "Om te reageren dien je eerst in te loggen.": "comments",
        "Een sociaal wijkteam is geen container": "<aside> sidebar",
        "Meld je aan voor onze nieuwsbrief": "sign-up block",
        "© 2024 Movisie": "<footer> site footer",
    }
    for text, reason in expected.items():
        line = line_with(page, text)
        assert line.role == Role.CHROME and reason in line.reason and line.reason.startswith("html: ")
    assert all(line.reason and "\n" not in line.reason for line in page.with_role(Role.CHROME))
    assert all(not line.reason for line in page.with_role(Role.BODY))


def test_script_style_and_noscript_text_never_appears() -> None:
    page = page_of("html/movisie_blog.html")
    text = " ".join(line.text for line in page.lines)
    for hidden in ("TRACKER-SCRIPT-TEXT", "NOSCRIPT-TEXT", "position: fixed", "dataLayer"):
        assert hidden not in text


def test_links_are_kept_per_line_and_made_absolute_against_the_canonical_url() -> None:
    page = page_of("html/movisie_blog.html")
    line = line_with(page, "Ik uit dit gevoel")
    assert line.links == [("decentralisaties", "https://www.movisie.nl/decentralisaties")]
    assert line_with(page, "LinkedIn").links == []  # chrome: its links show nowhere, so none are kept
    assert safe_href("mailto:?subject=Blog", "https://www.movisie.nl/") == "mailto:?subject=Blog"
    assert safe_href("javascript:alert(1)", "https://www.movisie.nl/") == ""


def test_br_splits_a_paragraph_into_lines() -> None:
    page = page_of("html/movisie_blog.html")
    assert line_with(page, "Hetzelfde geldt").text.endswith("lichte ondersteuning.")
    assert line_with(page, "Maar daar heb je").text == "Maar daar heb je wel vakmensen voor nodig."


def test_metadata_from_opengraph_json_ld_and_markup() -> None:
    meta = page_of("html/movisie_blog.html").meta
    assert meta == {
        "title": "Hoe zijn we de kern van het sociaal werk kwijtgeraakt?",
        "date": "2019-07-16",
        "authors": "Sonja Liefhebber",
        "description": "Een blog over preventieve ondersteuning en vakmanschap in de wijk.",
        "section": "Sociale basis",
        "type": "BlogPosting",
        "lang": "nl",
        "site_name": "Movisie",
        "language": "Dutch",
        "url": "https://www.movisie.nl/artikel/hoe-zijn-we-kern-sociaal-werk-kwijtgeraakt",
    }


# -- a page without semantic tags -----------------------------------------------------------------------


def test_page_without_semantic_tags_finds_the_article_by_density() -> None:
    page = page_of("html/swn_divs.html")
    body = body_texts(page)
    assert body[0] == "Sociaal werk, vertrouw op je kracht en bouw aan een nieuwe taal"
    assert body[1] == "15 juni 2018"
    assert body[-1].startswith("Bakker sluit daarbij aan:")
    assert {"Positief welzijn", "Verkeerde reflexen"} <= set(body)
    assert len(body) == 10


def test_menus_side_columns_share_lines_and_footer_are_chrome_by_density() -> None:
    page = page_of("html/swn_divs.html")
    for text in (
        "Home",
        "Onze leden in kaartLid worden",
        "Cao sociaal werk verlengd",
        "Ik wil delen",
        "12 oktober: Ledenvergadering",
        "Disclaimer | Privacy",
        "Postbus 2061",
    ):
        assert line_with(page, text).role == Role.CHROME
    assert "link density 1.0" in line_with(page, "Cao sociaal werk").reason
    assert page.meta == {
        "title": "Sociaal werk, vertrouw op je kracht en bouw aan een nieuwe taal",
        "language": "Dutch",
    }


def test_title_from_the_title_element_loses_the_site_name() -> None:
    page = html(f"<div><p>{PARAGRAPH}</p></div>", "<title>Een wijkteam is geen container - Movisie</title>")
    assert page.meta["title"] == "Een wijkteam is geen container"


# -- an interview ----------------------------------------------------------------------------------------


def test_interview_keeps_title_area_questions_and_definition_lists() -> None:
    page = page_of("html/interview_qa.html")
    body = [(line.hint, line.text) for line in page.with_role(Role.BODY)]
    assert body[:3] == [
        ("p", "Interview"),
        ("h1", "Interview Anna de Vries: ‘Je moet de buurt in’"),
        ("p", "26 maart 2021 | 4 minuten lezen"),
    ]
    assert ("strong", "Wat doet een opbouwwerker eigenlijk?") in body
    assert ("h3", "Hoe is het werk veranderd sinds de decentralisaties?") in body
    assert ("dt", "Wie") in body and ("dd", "Anna de Vries, opbouwwerker bij een welzijnsorganisatie") in body
    assert ("th", "Jaar") in body and ("td", "Feijenoord") in body
    assert line_with(page, "Meest gelezen").role == Role.CHROME
    assert line_with(page, "Colofon").role == Role.CHROME


def test_interview_metadata_from_meta_tags() -> None:
    meta = page_of("html/interview_qa.html").meta
    assert meta["date"] == "2021-03-26" and meta["authors"] == "Pieter Jansen"
    assert meta["type"] == "Interview" and meta["lang"] == "nl-NL"
    assert meta["title"] == "Interview Anna de Vries: ‘Je moet de buurt in’"


def test_page_that_is_only_chrome_returns_only_chrome_lines() -> None:
    page = page_of("html/only_chrome.html")
    assert page.lines and all(line.role == Role.CHROME and line.reason for line in page.lines)


# -- encodings through decode -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["bad/windows1252.html", "bad/lying_charset.html"])
def test_windows_1252_pages_read_correctly(name: str) -> None:
    page = page_of(name)
    assert body_texts(page)[0] == "Naïeve ideeën over ‘zelfredzaamheid’"
    assert "Zoë’s buurt" in body_texts(page)[1] and "– het gaat om meedoen.’" in body_texts(page)[1]


def test_mojibake_page_is_repaired() -> None:
    page = page_of("bad/mojibake.html")
    assert body_texts(page)[0] == "Zij werd geïnterviewd over ‘sociale cohesie’"


# -- hostile and broken markup ------------------------------------------------------------------------------


def test_hostile_markup_yields_text_only_and_safe_links() -> None:
    page = page_of("bad/hostile.html")
    text = " ".join(line.text for line in page.lines)
    for hidden in (
        "SCRIPT-TEXT",
        "ONERROR",
        "BODY-ONLOAD",
        "IFRAME-TEXT",
        "TEMPLATE-TEXT",
        "SVG-TEXT",
        "NOSCRIPT-TEXT",
        "STYLE-TEXT",
        "alert",
    ):
        assert hidden not in text
    assert "De wijkcoach vertelt over het werk" in text
    links = [href for line in page.lines for _, href in line.links]
    assert links == ["mailto:info@example.nl", "https://example.nl/rapport"]
    assert page.meta["title"] == "Een veilige titel"


def test_disguised_script_schemes_are_dropped() -> None:
    hrefs = [
        "\u00a0javascript:alert(1)",
        "  JAVASCRIPT:x",
        "jav&#x0A;ascript:x",
        "data:text/html,x",
        "file:///etc",
    ]
    anchors = " ".join(f'<a href="{href}">link{i}</a>' for i, href in enumerate(hrefs))
    page = html(f"<article><p>{PARAGRAPH} {anchors} <a href='/rapport'>rapport</a></p></article>")
    assert page.lines[0].links == [("rapport", "/rapport")]


def test_deeply_nested_markup_does_not_crash() -> None:
    depth = 50_000
    page = read_html("deep.html", "<div>" * depth + PARAGRAPH + "</div>" * depth)
    assert PARAGRAPH in [line.text for line in page.lines]


def test_huge_attribute_values_and_hostile_json_ld_do_not_crash() -> None:
    nested = "[" * 100_000 + "]" * 100_000
    huge = json.dumps({"@type": "Article", "headline": "x" * 2_000_000})
    head = (
        f'<script type="application/ld+json">{nested}</script>'
        '<script type="application/ld+json">{"@type": "Article", "datePublished": </script>'
        f'<script type="application/ld+json">{huge}</script>'
        '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2020-02-30",'
        ' "author": [{"name": "Ans de Wit"}, "Bo Smit", 7, {"name": ["x"]}]}</script>'
    )
    body = (
        f'<article class="{"a" * 1_000_000}" id="x{"b" * 100_000}">'
        f'<p title="{"c" * 1_000_000}">{PARAGRAPH}</p></article>'
    )
    page = html(body, head)
    assert body_texts(page) == [PARAGRAPH]
    assert page.meta["authors"] == "Ans de Wit; Bo Smit" and "date" not in page.meta


def test_broken_and_unclosed_markup_still_gives_the_text() -> None:
    page = read_html(
        "broken.html", f"<p>{PARAGRAPH}<p>Tweede <b>alinea <i>met</b> fouten</i><div>en een blok"
    )
    assert body_texts(page)[:1] == [PARAGRAPH]
    assert "Tweede alinea met fouten" in [line.text for line in page.lines]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "<html><head><title>Leeg</title></head><body></body></html>",
        "<script>alert(1)</script>",
        "<?xml version='1.0' encoding='utf-8'?>",
    ],
)
def test_page_without_text_is_rejected_with_one_line(text: str) -> None:
    with pytest.raises(Rejected, match=r"^HTML page without any text$"):
        read_html("empty.html", text)


def test_xml_declaration_and_control_characters_are_tolerated() -> None:
    page = read_html(
        "x.xhtml",
        f"<?xml version='1.0' encoding='utf-8'?><html><body><p>{PARAGRAPH}\x00\x0b</p></body></html>",
    )
    assert body_texts(page) == [PARAGRAPH]


def test_ten_megabyte_page_is_read_in_reasonable_time() -> None:
    menu = "<ul>" + "".join(f'<li><a href="/p/{i}">Pagina {i}</a></li>' for i in range(20)) + "</ul>"
    article = "<div>" + "".join(f"<p>{PARAGRAPH} ({i})</p>" for i in range(40)) + "</div>"
    text = (
        f"<html><body>{(menu + article) * 1}" + "<div class='sidebar'>" + menu * 4000 + "</div></body></html>"
    )
    text += " " * max(0, 10_000_000 - len(text))
    started = time.perf_counter()
    page = read_html("big.html", text)
    assert time.perf_counter() - started < 20
    assert len(page.with_role(Role.BODY)) == 40
    with pytest.raises(Rejected, match="elements, over the limit"):
        read_html("huge.html", text.replace("</body>", menu * 1000 + "</body>"))


# -- choosing the article ---------------------------------------------------------------------------------


def test_header_above_the_article_gives_the_title_but_not_the_menu() -> None:
    page = html(
        '<header><nav><a href="/">Home</a> <a href="/blog">Blog</a></nav><h1>De titel van het stuk</h1>'
        f"<p>12 maart 2020</p></header><article><p>{PARAGRAPH}</p></article>"
    )
    assert body_texts(page) == ["De titel van het stuk", "12 maart 2020", PARAGRAPH]
    assert line_with(page, "Home").role == Role.CHROME


def test_logo_heading_that_is_a_link_is_not_the_title() -> None:
    page = html(f'<header><h1><a href="/">Movisie</a></h1></header><main><p>{PARAGRAPH}</p></main>')
    assert body_texts(page) == [PARAGRAPH]


def test_teaser_articles_in_a_sidebar_do_not_hide_the_real_text() -> None:
    teasers = "".join(f'<article><a href="/t/{i}">Teaser {i}</a></article>' for i in range(5))
    content = "".join(f"<p>{PARAGRAPH}</p>" for _ in range(3))
    page = html(f'<div class="col">{teasers}</div><div class="col2"><h1>Titel</h1>{content}</div>')
    assert body_texts(page) == ["Titel", PARAGRAPH, PARAGRAPH, PARAGRAPH]


def test_a_form_wrapping_the_whole_page_is_not_chrome() -> None:
    content = "".join(f"<p>{PARAGRAPH}</p>" for _ in range(3))
    page = html(
        f'<form id="aspnetForm"><div class="menu"><a href="/">Home</a></div><div>{content}</div></form>'
    )
    assert body_texts(page) == [PARAGRAPH] * 3
    assert line_with(page, "Home").role == Role.CHROME


def test_main_with_a_chrome_looking_class_is_still_the_article() -> None:
    page = html(
        f'<main class="layout has-sidebar"><p>{PARAGRAPH}</p><div class="social-share">'
        '<a href="https://x.com/share">Deel</a></div></main>'
    )
    assert body_texts(page) == [PARAGRAPH]
    assert "share widget" in line_with(page, "Deel").reason


def test_header_and_footer_inside_the_article_are_the_articles() -> None:
    page = html(
        f"<article><header><h1>Titel</h1><p>Door Jan Jansen</p></header><p>{PARAGRAPH}</p>"
        "<footer><p>Jan Jansen is opbouwwerker in Utrecht.</p></footer></article>"
    )
    assert body_texts(page) == [
        "Titel",
        "Door Jan Jansen",
        PARAGRAPH,
        "Jan Jansen is opbouwwerker in Utrecht.",
    ]


def test_hidden_elements_and_popups_are_chrome() -> None:
    page = html(
        f'<article><p>{PARAGRAPH}</p><div style="display: none">Verborgen</div>'
        '<div class="modal">Word lid!</div><div hidden>Ook verborgen</div></article>'
    )
    assert body_texts(page) == [PARAGRAPH]
    assert line_with(page, "Word lid").reason == "html: popup (class 'modal')"


def test_date_prefers_the_articles_time_over_a_sidebar_event() -> None:
    page = html(
        f'<aside><time datetime="2024-10-05">5 okt</time> Agenda</aside>'
        f'<article><time datetime="2021-03-26T10:00">26 maart</time><p>{PARAGRAPH}</p></article>'
    )
    assert page.meta["date"] == "2021-03-26"


def test_byline_class_gives_the_author_without_door() -> None:
    page = html(f'<article><p class="byline">Door: Rogier den Uyl</p><p>{PARAGRAPH}</p></article>')
    assert page.meta["authors"] == "Rogier den Uyl"


def test_labelled_meta_data_gives_the_author() -> None:
    head = (
        '<meta name="twitter:label1" content="Geschreven door">'
        '<meta name="twitter:data1" content="Rachid Benali">'
    )
    page = html(f"<article><p>{PARAGRAPH}</p></article>", head=head)
    assert page.meta["authors"] == "Rachid Benali"


def test_unmarked_title_is_found_by_the_title_element_with_the_lines_below_it() -> None:
    page = html(
        '<div class="top"><a href="/">Home</a> | <a href="/opinie">Opinie</a></div>'
        '<div class="kop"><b>Geef het buurtwerk tien jaar</b></div>'
        '<div class="meta">Opinie · 7 juni 2023 · door Renée Smit</div>'
        f'<div class="txt">{PARAGRAPH}</div><div class="txt">{PARAGRAPH}</div>',
        head="<title>Geef het buurtwerk tien jaar | Opinie | Het Buurtblad</title>",
    )
    assert body_texts(page)[:2] == ["Geef het buurtwerk tien jaar", "Opinie · 7 juni 2023 · door Renée Smit"]
    assert line_with(page, "Geef het").hint == "h1" and page.meta["title"] == "Geef het buurtwerk tien jaar"
    assert line_with(page, "Home").role == Role.CHROME


def test_a_short_menu_word_that_starts_the_title_element_is_not_the_title() -> None:
    page = html(
        f'<div class="top"><span>Nieuws</span></div><div class="txt">{PARAGRAPH}</div>',
        head="<title>Nieuws - Zorgen voor elkaar in de wijk</title>",
    )
    assert line_with(page, "Nieuws").role == Role.CHROME


@pytest.mark.parametrize(
    "void", ["<embed src='x.swf'>", "<source src='x.mp4'>", "<track src='x.vtt'>", "<wbr>"]
)
def test_text_after_an_html5_void_element_is_kept(void: str) -> None:
    page = html(
        f"<article><h1>De titel van het stuk</h1><p>{PARAGRAPH}</p>{void}"
        "<h2>Een kop</h2><p>Slot.</p></article>"
    )
    assert body_texts(page) == ["De titel van het stuk", PARAGRAPH, "Een kop", "Slot."]
    assert line_with(page, "Een kop").hint == "h2"
