"""Clean: chrome found by rules, by recurrence and by the page's shape; the article's lines stay."""

from __future__ import annotations

from ingestkit import page_of

from pipeline.ingest import clean, rules
from pipeline.ingest.read import text_lines
from pipeline.model import Page, Role

PARA = (
    "Jongerenwerkers in de wijk zien dagelijks hoe groot de druk op jongeren is geworden, en zij vragen "
    "om meer ruimte om echt contact te maken."
)
PARA2 = (
    "Dat vraagt tijd, een luisterend oor en een gemeente die bereid is om langer dan een jaar vooruit te "
    "kijken bij het verlenen van subsidies."
)


def roles(text: str) -> dict[str, str]:
    return {line.text: line.role.value for line in page_of(text).lines}


def test_top_menu_breadcrumb_and_reading_time_are_chrome_title_stays() -> None:
    page = "\n".join(
        [
            "Nieuws",
            "Kennis",
            "Over ons",
            "Contact",
            "Home > Kennis > Blogs",
            "Jongerenwerk verdient meer ruimte",
            "3 maart 2022 | 4 minuten leestijd",
            PARA,
            "Ruimte voor contact",
            PARA2,
        ]
    )
    found = roles(page)
    assert found["Nieuws"] == found["Kennis"] == found["Contact"] == "chrome"
    assert found["Home > Kennis > Blogs"] == "chrome"
    assert found["Jongerenwerk verdient meer ruimte"] == "title"
    assert found["3 maart 2022 | 4 minuten leestijd"] == "date"
    assert found["Ruimte voor contact"] == "body"
    assert found[PARA] == found[PARA2] == "body"


def test_calls_to_act_in_the_middle_are_chrome_with_reasons() -> None:
    page = "\n".join(
        [
            "Titel van het stuk",
            PARA,
            "Schrijf je in voor onze nieuwsbrief",
            "Meld je nu aan voor het congres Sociaal Werk 2024",
            "Oproep: deel jouw ervaring met ons!",
            PARA2,
        ]
    )
    lines = {line.text: line for line in page_of(page).lines}
    assert lines["Schrijf je in voor onze nieuwsbrief"].reason == "newsletter sign-up"
    assert lines["Meld je nu aan voor het congres Sociaal Werk 2024"].role is Role.CHROME
    assert lines["Oproep: deel jouw ervaring met ons!"].reason == "call for contributions"


def test_a_long_sentence_with_a_chrome_word_is_kept() -> None:
    sentence = (
        "Veel ouderen weten niet dat ze zich kunnen aanmelden voor de nieuwsbrief van het buurthuis, en "
        "daardoor missen zij activiteiten die juist voor hen bedoeld zijn, zegt de buurtwerker."
    )
    assert roles("Titel\n" + PARA + "\n" + sentence + "\n" + PARA2)[sentence] == "body"


def test_glued_menu_and_footer_after_the_article() -> None:
    page = "\n".join(
        [
            "Titel",
            PARA,
            PARA2,
            "Deel dit artikel",
            "LinkedIn",
            "Facebook",
            "NieuwsAgendaOver onsContact",
            "© 2023 Stichting Welzijn Oost",
            "Privacyverklaring",
        ]
    )
    found = roles(page)
    for line in (
        "Deel dit artikel",
        "LinkedIn",
        "NieuwsAgendaOver onsContact",
        "© 2023 Stichting Welzijn Oost",
        "Privacyverklaring",
    ):
        assert found[line] == "chrome", line


def test_word_glued_inside_a_sentence_is_not_a_menu() -> None:
    sentence = (
        "Of in hedenHaags jargon: framen, zoals dat tegenwoordig heet in de wandelgangen van het ministerie."
    )
    assert roles("Titel\n" + PARA + "\n" + sentence + "\n" + PARA2)[sentence] == "body"


def test_lines_recurring_across_the_batch_are_chrome() -> None:
    text = "\n".join(
        ["Titel", PARA, PARA2, "Kom werken bij ons team", "Bekijk onze vacatures op de website."]
    )
    page = Page("p.txt", text_lines(text))
    counts = {clean.recurrence_key("Kom werken bij ons team"): 7}
    clean.clean(page, rules.load(), lambda key: counts.get(key, 1))
    found = {line.text: line for line in page.lines}
    assert found["Kom werken bij ons team"].reason == "recurs on 7 pages of this batch"
    assert found[PARA].role is Role.BODY


def test_subheading_recurring_across_the_batch_stays() -> None:
    text = "\n".join(["Titel", PARA, "Conclusie", PARA2])
    page = Page("p.txt", text_lines(text))
    clean.clean(page, rules.load(), lambda key: 9 if key == "conclusie" else 1)
    assert {line.text: line.role for line in page.lines}["Conclusie"] is Role.BODY


def test_a_title_other_pages_list_as_related_is_still_the_title() -> None:
    title = "Jongerenwerk verdient een vaste plek"
    lines = ["Home", "Blogs", "Blog", title, "3 mei 2022", PARA, PARA2, "Lees ook", "Een ander stuk"]
    text = "\n".join(lines)
    page = Page("p.txt", text_lines(text))
    recurring = {clean.recurrence_key(line): 5 for line in (title, "Home", "Blogs", "Een ander stuk")}
    clean.clean(page, rules.load(), lambda key: recurring.get(key, 1))
    found = {line.text: line.role for line in page.lines}
    assert found[title] is Role.TITLE
    assert found["Home"] is found["Blogs"] is found["Een ander stuk"] is Role.CHROME


def test_teaser_repeating_the_start_is_a_duplicate() -> None:
    teaser = PARA[:90].rsplit(" ", 1)[0] + " ..."
    found = roles("Titel\n" + teaser + "\n" + PARA + "\n" + PARA2)
    assert found[teaser] == "duplicate"
    assert found[PARA] == "body"


def test_list_inside_the_article_is_not_a_menu() -> None:
    page = "\n".join(["Titel", PARA, "armoede", "schulden", "eenzaamheid", PARA2])
    found = roles(page)
    assert found["armoede"] == found["schulden"] == found["eenzaamheid"] == "body"


def test_page_of_only_chrome_keeps_no_body() -> None:
    page = page_of("Home\nNieuws\nContact\nInloggen\nZoeken\nCookies accepteren")
    assert not page.with_role(Role.BODY)
