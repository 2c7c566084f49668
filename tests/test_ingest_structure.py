"""Structure: title, date, authors, lede, subheadings, pull quotes and interview questions."""

from __future__ import annotations

import pytest
from ingestkit import article_of

from pipeline.model import BlockKind

PARA = (
    "Mantelzorgers in de wijk lopen vaak jarenlang op hun tenen voordat iemand vraagt hoe het met hen gaat, "
    "en dan is de rek er meestal al uit."
)
PARA2 = (
    "De gemeente wil dat sociaal werkers eerder in beeld komen, maar de wachtlijsten bij de wijkteams maken "
    "dat voorlopig een belofte op papier."
)


def kinds(text: str) -> list[tuple[str, str]]:
    return [(block.kind.value, block.text) for block in article_of(text).blocks]


def test_label_is_taken_off_the_title() -> None:
    article = article_of(f"Column: Waarom ik blijf\n{PARA}\n{PARA2}")
    assert article.title == "Waarom ik blijf"
    assert "column" in article.labels


def test_dutch_date_and_byline_in_one_line() -> None:
    article = article_of(f"Titel\nOp 16 juli 2019 geplaatst door Marieke van der Berg\n{PARA}\n{PARA2}")
    assert article.date == "2019-07-16"
    assert [author.name for author in article.authors] == ["Marieke van der Berg"]


@pytest.mark.parametrize("credit", ["Tekst en foto's: Bert de Wit", "Tekst en beeld: Bert de Wit"])
def test_a_credit_for_text_and_pictures_names_the_author(credit: str) -> None:
    article = article_of(f"Titel\n{credit}\n{PARA}\n{PARA2}")
    assert [author.name for author in article.authors] == ["Bert de Wit"]


def test_a_date_inside_a_sentence_is_not_the_page_date() -> None:
    sentence = (
        "Op 5 oktober 2023 kun je meepraten over het belang van vitale relaties in de wijk en daarbuiten."
    )
    assert article_of(f"Titel\n{PARA}\n{sentence}\n{PARA2}").date is None


def test_byline_with_label_and_role_and_closing_bios() -> None:
    article = article_of(
        f"Titel\n{PARA}\n{PARA2}\nBeschouwing door Anouk de Graaf, lector Sociaal Werk bij Saxion"
    )
    assert [(a.name, a.role) for a in article.authors] == [
        ("Anouk de Graaf", "lector Sociaal Werk bij Saxion")
    ]
    assert "beschouwing" in article.labels
    bios = "Pieter Jansen is onderzoeker bij het Verwey-Jonker Instituut. Fatima el Amrani is wijkcoach."
    article = article_of(f"Titel\n{PARA}\n{PARA2}\n{bios}")
    assert [a.name for a in article.authors] == ["Pieter Jansen", "Fatima el Amrani"]
    assert article.closing_bios


def test_sentence_starting_with_door_is_no_byline() -> None:
    sentence = "Door de bezuinigingen van de afgelopen jaren zijn veel buurthuizen gesloten of samengevoegd."
    article = article_of(f"Titel\n{PARA}\n{sentence}\n{PARA2}")
    assert not article.authors
    assert sentence in [block.text for block in article.blocks]


def test_lede_subheadings_and_pull_quote() -> None:
    quote = "‘Mantelzorgers lopen vaak jarenlang op hun tenen.’"
    paragraph = "Een coördinator zegt: ‘Mantelzorgers lopen vaak jarenlang op hun tenen.’ Dat moet anders."
    article = article_of(f"Titel\n{PARA}\nWat er moet gebeuren\n{paragraph}\n{quote}\n{PARA2}")
    assert article.lede == PARA
    assert article.summary == PARA
    found = [(block.kind, block.text) for block in article.blocks]
    assert (BlockKind.HEADING, "Wat er moet gebeuren") in found
    assert (BlockKind.PULLQUOTE, quote) in found
    assert (BlockKind.PARAGRAPH, paragraph) in found


def test_a_heading_repeated_in_a_sentence_is_no_pull_quote() -> None:
    repeat = "‘Oude wijn in nieuwe zakken’ noemt een collega dit, terecht."
    text = f"Titel\n{PARA}\nOude wijn in nieuwe zakken\n{repeat}\n{PARA2}"
    assert ("heading", "Oude wijn in nieuwe zakken") in kinds(text)


def test_interview_questions_are_set_apart() -> None:
    turns = [
        "Hoe bent u in het jongerenwerk terechtgekomen?",
        "Via een stage in Rotterdam-Zuid. Ik was negentien en wist niets van de wijk, maar ik bleef.",
        "Wat maakt het werk zwaar?",
        "De verhalen die je meeneemt naar huis. Je kunt niet alles oplossen, dat moet je leren accepteren.",
        "En wat houdt u op de been?",
        "De jongeren zelf. Als iemand na jaren komt vertellen dat het goed gaat, is alles het waard.",
    ]
    article = article_of("Interview: ‘Je kunt niet alles oplossen’\n" + PARA + "\n" + "\n".join(turns))
    questions = [block.text for block in article.blocks if block.kind is BlockKind.QUESTION]
    assert questions == turns[0::2]


def test_long_first_paragraph_gives_a_summary_of_whole_sentences() -> None:
    long = " ".join([PARA] * 5)
    article = article_of(f"Titel\n{long}\n{PARA2}")
    assert article.lede == ""
    assert len(article.summary) <= 300
    assert long.startswith(article.summary)


def test_list_items() -> None:
    found = kinds(f"Titel\n{PARA}\n- armoede\n- schulden\n{PARA2}")
    assert ("list_item", "- armoede") in found and ("list_item", "- schulden") in found


def test_a_page_without_a_title_is_titled_after_its_first_words() -> None:
    text = (
        "Wie in de wijk werkt, weet dat eenzaamheid zich niet laat wegorganiseren met een folder of een "
        "spreekuur in het buurthuis.\nDaar is tijd voor nodig, en die tijd is er steeds minder in het "
        "sociaal werk."
    )
    article = article_of(text)
    assert article.title == "Wie in de wijk werkt, weet dat eenzaamheid zich niet"
    assert "no title found on the page; titled after its first words" in article.warnings


@pytest.mark.parametrize(
    ("line", "date", "author"),
    [
        ("Willemijn de Graaf, gezinsvoogd · 30 mei 2023", "2023-05-30", "Willemijn de Graaf"),
        (
            "dinsdag 5 maart 2024 · Dr. Esther Lammers, lector Professionele Ruimte",
            "2024-03-05",
            "Esther Lammers",
        ),
        ("Tekst: Joost Verhagen | Beeld: Lotte Hamers | 27 september 2022", "2022-09-27", "Joost Verhagen"),
        ("9 september 2021 door Thijs Oosterhuis in Interviews", "2021-09-09", "Thijs Oosterhuis"),
        ("Interview | 21-03-2019", "2019-03-21", None),
    ],
)
def test_a_date_line_gives_the_date_and_the_author_beside_it(
    line: str, date: str, author: str | None
) -> None:
    text = f"Het buurthuis blijft open\n{line}\n{PARA}\n{PARA2}"
    article = article_of(text)
    assert article.title == "Het buurthuis blijft open" and article.date == date
    assert [a.name for a in article.authors] == ([author] if author else [])


@pytest.mark.parametrize("word", ["Interview", "Blog", "Opinie"])
def test_a_series_word_opening_a_title_is_part_of_the_title_not_a_label(word: str) -> None:
    article = article_of(f"{word} met een buurtwerker\n12 maart 2024\n{PARA}\n{PARA2}")
    assert article.title == f"{word} met een buurtwerker"
    assert article.date == "2024-03-12"
