"""The article's date and source from evidence only: what each piece of evidence gives, and hints."""

from __future__ import annotations

from pipeline.ingest import dates, structure
from pipeline.ingest.rules import load
from pipeline.model import Article, Line, Page, Role

RULES = load("nl")


def dated(*lines: Line, **meta: str) -> Article:
    article = Article(source="a.txt")
    dates.date_article(article, Page("a.txt", list(lines), meta=meta), RULES)
    return article


def test_a_date_line_removed_as_chrome_still_dates_the_page():
    article = dated(
        Line(1, "Nieuws | 12 maart 2021", Role.CHROME, "menu"),
        Line(2, "Een zin van het artikel met genoeg woorden om tekst te zijn.", Role.BODY),
    )
    assert (article.date, article.date_source) == ("2021-03-12", "removed line 1 (menu)")


def test_the_markup_and_the_url_are_evidence_in_that_order():
    article = dated(
        Line(1, "Tekst van het artikel.", Role.BODY), date="2020-05-04", url="https://x.nl/2019/02/03/t"
    )
    assert article.date == "2020-05-04"
    assert article.date_evidence == ["2020-05-04 (page markup (time, meta or JSON-LD))", "2019-02-03 (URL)"]
    assert (
        dated(Line(1, "Tekst.", Role.BODY), url="https://x.nl/nieuws/2019/02/03/titel").date == "2019-02-03"
    )
    assert dated(Line(1, "Tekst.", Role.BODY), url="https://x.nl/2019/02/31/titel").date is None


def test_a_date_inside_a_sentence_is_a_hint_not_the_date():
    article = dated(
        Line(1, "Op 5 oktober 2023 kun je meepraten over het thema.", Role.CHROME, "event call"),
        Line(2, "In 2021 en op 1 januari 2022 veranderde de wet.", Role.BODY),
    )
    assert article.date is None and article.date_evidence == []
    assert [hint.split(":")[0] for hint in article.date_hints] == [
        "line 1 mentions 2023-10-05",
        "line 2 mentions 2022-01-01",
    ]


def test_a_piece_is_credited_to_the_publication_it_names_else_the_site_else_the_domain():
    page = Page(
        "a.txt", [], meta={"site_name": "Welzijn Oost", "url": "https://www.welzijnoost.nl/2020/1/2/x"}
    )
    assert structure.source_name(Article("a.txt", source_magazine="Movisies"), page) == "Movisies"
    assert structure.source_name(Article("a.txt"), page) == "Welzijn Oost"
    assert structure.source_name(Article("a.txt"), Page("a.txt", [], meta={"url": page.meta["url"]})) == (
        "welzijnoost.nl"
    )
    assert structure.source_name(Article("a.txt"), Page("a.txt", [])) == ""
