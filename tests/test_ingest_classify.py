"""Classify: an explicit label wins; otherwise the text's cues decide, with evidence."""

from __future__ import annotations

from ingestkit import article_of

from pipeline.ingest import classify, rules


def series_of(text: str) -> tuple[str, float, list[str]]:
    article = classify.classify(article_of(text), rules.load())
    return article.series, article.confidence, article.evidence


BLOG = (
    "Vorige week zat ik in de trein naar Zwolle toen mijn telefoon ging. Het was een moeder die ik al jaren "
    "begeleid. Ik hoorde meteen dat het mis was. Mijn eerste gedachte was: ik moet erheen. Maar ik zat in "
    "die trein, en ik besefte hoe vaak ik mezelf wegcijfer in dit werk."
)
OPINION = (
    "Gemeenten moeten stoppen met het aanbesteden van sociaal werk. Aanbesteden leidt tot versnippering en "
    "onzekerheid, en dat is precies wat kwetsbare inwoners niet nodig hebben. Wij pleiten daarom voor "
    "langjarige subsidierelaties. Het is de hoogste tijd dat de politiek dit erkent; het huidige stelsel "
    "is onacceptabel en moet op de schop."
)
INTERVIEW = (
    "In gesprek met wijkverpleegkundige Anja Koster en opbouwwerker Sem Bakker over samenwerken in de wijk. "
    "Koster: ‘We zien dezelfde mensen, maar we spraken elkaar nooit.’ Bakker knikt. ‘Dat is veranderd sinds "
    "we samen spreekuur houden,’ zegt Bakker. Koster: ‘Nu bel ik hem gewoon op.’"
)


def test_label_wins_over_text() -> None:
    series, confidence, evidence = series_of(f"Opinie\nTitel van het stuk\n{BLOG}\n{BLOG}")
    assert series == "opinion"
    assert confidence >= 0.9
    assert evidence == ["label on the page: opinie"]


def test_first_person_account_is_a_blog() -> None:
    series, _, evidence = series_of(f"Titel\n{BLOG}\n{BLOG}")
    assert series == "blog"
    assert any(item.startswith("blog +") for item in evidence)


def test_argued_position_with_bios_is_an_opinion() -> None:
    bios = "Karin de Wit is directeur van Welzijn Noord. Ahmed Yilmaz is wethouder in Deventer."
    series, _, evidence = series_of(f"Titel\n{OPINION}\n{OPINION}\n{bios}")
    assert series == "opinion"
    assert "opinion +2.0: the authors' bios close the piece" in evidence


def test_quotes_of_named_people_in_conversation_make_an_interview() -> None:
    series, confidence, _ = series_of(f"Titel\n{INTERVIEW}\n{INTERVIEW}")
    assert series == "interview"
    assert 0 < confidence <= 1


def test_labels_that_disagree_leave_it_to_the_text() -> None:
    _, _, evidence = series_of(f"Blog\nOpinie\nTitel\n{INTERVIEW}\n{INTERVIEW}")
    assert evidence[0].startswith("labels disagree")
