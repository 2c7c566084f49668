"""Kinds of page seen on real sites (the extraction benchmark's 181 pages): each test builds the kind from
scratch, in English (a language the Dutch text rules do not read, so only the markup speaks) unless it says
otherwise, and asserts what a reader of the published article would notice."""

from __future__ import annotations

import pytest

from pipeline.ingest import clean, structure
from pipeline.ingest.html import read_html
from pipeline.ingest.rules import load
from pipeline.model import Article, Page, Role

PROSE = [
    "The council voted on Tuesday to expand the program, which pays for counsellors in every primary school "
    "of the district, after two years in which the waiting lists for help at home grew longer than ever "
    "before.",
    "Teachers who took part in the trial said that the children were calmer in class and that parents were "
    "more willing to ask for help when the counsellor was someone they had already met at the school gate.",
    "The money comes from the budget for youth care, and the council expects that it will save more than it "
    "costs, because fewer families will need the expensive specialist help that they would otherwise get.",
    "Critics of the plan said that the evidence from the trial was thin and that the council should wait for "
    "the evaluation by the university, which is due at the end of the year, before it commits to more.",
]


def paragraphs(texts: list[str] = PROSE) -> str:
    return "".join(f"<p>{text}</p>" for text in texts)


def read(body: str, head: str = "") -> Page:
    return read_html("page.html", f"<html lang='en'><head>{head}</head><body>{body}</body></html>")


def ingest(body: str, head: str = "") -> Article:
    rules = load("nl")
    page = clean.clean(read(body, head), rules)
    return structure.structure(page, rules)


def kept(page: Page) -> list[str]:
    return [line.text for line in page.with_role(Role.BODY)]


def reason(page: Page, text: str) -> str:
    return next(line.reason for line in page.lines if line.text == text)


def test_the_h1_is_the_title_when_the_markup_names_it_with_a_section_or_site() -> None:
    named = "Opinion | Counsellors in every school"
    head = f'<title>{named}</title><meta property="og:title" content="{named}">'
    article = ingest(f"<article><h1>Counsellors in every school</h1>{paragraphs()}</article>", head)
    assert article.title == "Counsellors in every school"
    assert all(block.text != "Counsellors in every school" for block in article.blocks)  # not said twice


def test_a_site_name_in_an_h1_is_not_the_title() -> None:
    head = "<title>September open thread - The Council Blog</title>"
    article = ingest(
        f"<article><h1>The Council Blog</h1><h2>September open thread</h2>{paragraphs()}</article>", head
    )
    assert article.title != "The Council Blog"


def test_related_stories_opened_by_a_section_link_are_teasers() -> None:
    teasers = "".join(
        f'<li><a href="/s">Company Town</a><div><a href="/a{i}">Another story about the council number {i}'
        f"</a></div><p>A short summary of story {i}.</p></li>"
        for i in range(4)
    )
    page = read(f"<article>{paragraphs()}<ul class='list'>{teasers}</ul></article>")
    assert "Another story about the council number 1" not in kept(page)
    assert "teasers" in reason(page, "Another story about the council number 1")
    assert PROSE[3] in kept(page)


def test_a_class_naming_the_box_outweighs_a_layout_word_and_a_place_word() -> None:
    appeal = (
        "We do this work every day at no cost to you, but it is far from free to produce, and we cannot "
        "afford to slow down. To ensure we endure, support us today and make a difference for readers "
        "everywhere."
    )
    body = (
        f"<article>{paragraphs()}<div class='zone-widget zone-widget-cta-letter'><p>{appeal}</p></div>"
        "<div class='footer-publish-date'>Published Nov 19, 2019</div></article>"
    )
    page = read(body)
    assert appeal not in kept(page) and "call to action" in reason(page, appeal)
    assert "Published Nov 19, 2019" not in kept(page)
    assert all(text in kept(page) for text in PROSE)


def test_class_words_joined_in_camel_case_are_read() -> None:
    caption = "The mayor, centre, visits the school in March."
    page = read(
        f"<article>{paragraphs(PROSE[:2])}<div class='InlineImage-imageEmbedCaption'>{caption}</div>"
        f"{paragraphs(PROSE[2:])}</article>"
    )
    assert caption not in kept(page) and "caption" in reason(page, caption)


def test_date_and_byline_lines_around_the_text_go_but_a_schedule_stays() -> None:
    tour = [
        "June 17 -- Bridgestone Arena, Nashville",
        "June 26 -- PPL Center, Allentown",
        "July 2 -- Mohegan Sun Arena",
    ]
    body = (
        "<article><h1>Counsellors in every school</h1>"
        f"<p>Posted by Jan Smit on November 19, 2019, 6:21 AM EST</p>{paragraphs()}"
        + "".join(f"<p>{date}</p>" for date in tour)
        + "</article>"
    )
    page = read(body)
    assert "Posted by Jan Smit on November 19, 2019, 6:21 AM EST" not in kept(page)
    assert "date or byline" in reason(page, "Posted by Jan Smit on November 19, 2019, 6:21 AM EST")
    assert all(date in kept(page) for date in tour)


def test_a_quoted_posts_signature_stays() -> None:
    signature = "— The Senate (@Senate) October 9, 2018"
    page = read(
        f"<article>{paragraphs()}<blockquote><p>We adjourn today.</p><p>{signature}</p></blockquote>"
        "</article>"
    )
    assert signature in kept(page)


def test_a_paragraph_shown_twice_in_a_row_is_said_once_but_a_plan_repeated_per_week_is_kept() -> None:
    standfirst = "Our top picks for events, competitions and fun for the month of September this year."
    meal = "Asparagus and eggs with one cup of asparagus, two poached eggs and half a cup of sweet potato."
    rest = "".join(f"<p>{step}.</p>" for step in ("Drink water", "Rest", "Sleep", "Walk", "Stretch"))
    weeks = "".join(
        f"<h3>Week {week}</h3><p>{meal}</p>{paragraphs(PROSE[week : week + 1])}{rest}" for week in range(3)
    )
    header = f"<p>{standfirst}</p><dl><dt>Author:</dt></dl><p>{standfirst}</p>"
    body = f"<article>{header}{paragraphs()}{weeks}</article>"
    texts = [block.text for block in ingest(body).blocks]
    assert texts.count(standfirst) == 1
    assert texts.count(meal) == 3


def test_a_link_that_shows_its_address_is_the_articles() -> None:
    items = "".join(
        f"<p>{i}) Item number {i}</p><p><a href='http://amzn.to/{i}x'>http://amzn.to/{i}x</a></p>"
        for i in range(5)
    )
    page = read(f"<article>{paragraphs()}{items}</article>")
    assert "http://amzn.to/3x" in kept(page)


def test_text_of_a_figure_with_a_picture_is_its_caption_but_a_figure_with_a_table_is_the_article() -> None:
    figure = (
        "<figure><img src='a.jpg' alt=''><figcaption>Pupils in class.</figcaption><p>Jan Smit/Agency</p>"
        "</figure>"
    )
    table = (
        "<figure class='wp-block-table'><table><tr><td>School</td><td>Counsellors</td></tr></table></figure>"
    )
    page = read(f"<article>{paragraphs(PROSE[:2])}{figure}{table}{paragraphs(PROSE[2:])}</article>")
    assert "Jan Smit/Agency" not in kept(page) and "figure" in reason(page, "Jan Smit/Agency")
    assert "Counsellors" in kept(page)


def test_the_label_of_an_ad_slot_is_not_the_article() -> None:
    page = read(
        f"<article>{paragraphs(PROSE[:2])}<div><p>Advertisement</p></div>{paragraphs(PROSE[2:])}</article>"
    )
    assert "Advertisement" not in kept(page)
    assert all(text in kept(page) for text in PROSE)


def test_a_post_the_article_embeds_is_the_articles_but_share_buttons_are_not() -> None:
    post = "Yes this is real and yes the state spent nearly half a million dollars on it."
    body = (
        f"<article>{paragraphs(PROSE[:2])}<div class='social-media-embed'><blockquote><p>{post}</p>"
        "</blockquote></div><div class='social-share'><p>Share this story</p></div>"
        f"{paragraphs(PROSE[2:])}</article>"
    )
    page = read(body)
    assert post in kept(page)
    assert "Share this story" not in kept(page)


def test_a_title_marked_by_its_class_beats_a_logo_that_the_page_title_names() -> None:
    """Dutch: <title> holds only the site's name, which the logo repeats; the headline is a <div> whose class
    says title, above the story's container."""
    story = (
        "Toos Verbeek is al twintig jaar taalmaatje. Ze hielp inmiddels meer dan dertig nieuwkomers met hun "
        "Nederlands, en ze vertelt er graag over aan haar keukentafel, waar het woordenboek altijd ligt."
    )
    body = (
        "<div class='c-header'><div class='c-header__logo'>Vrijwilligershuis Dommelstreek</div></div>"
        "<div class='c-story'><div class='c-story__title'>Twintig jaar taalmaatje</div>"
        f"<div class='c-story__text'><div>{story}</div><div>{story}</div><div>{story}</div></div></div>"
    )
    page = read_html(
        "page.html", f"<html lang='nl'><head><title>Vrijwilligershuis Dommelstreek</title></head><body>{body}"
    )
    rules = load("nl")
    assert structure.structure(clean.clean(page, rules), rules).title == "Twintig jaar taalmaatje"


@pytest.mark.parametrize("tag", ["article", "div"])
def test_a_post_wrapper_named_after_its_author_is_no_author_box(tag: str) -> None:
    """WordPress puts "author-<name>" on the whole post; a long comment thread can hold more prose than it."""
    comments = "".join(f"<li class='comment'><p>{text} I agree with this.</p></li>" for text in PROSE * 2)
    body = (
        f"<{tag} class='post author-jansmit'>{paragraphs()}</{tag}>"
        f"<section class='comments'><ol>{comments}</ol></section>"
    )
    page = read(body)
    assert all(text in kept(page) for text in PROSE)
