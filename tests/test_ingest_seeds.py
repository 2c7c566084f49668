"""Golden tests: the five seeds come out as an editor would file them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from ingestkit import SEEDS, body_text, documents, run_ingest

from pipeline.ingest.write import escape

GOLDEN = Path(__file__).parent / "golden" / "seeds"

EXPECTED = {
    "000_2197933cccdd8821.txt": {
        "series": "blog",
        "title": "Hoe zijn we de kern van het sociaal werk kwijtgeraakt?",
        "authors": [("Sonja Liefhebber", "senior adviseur Lerend professionaliseren bij Movisie")],
        "removed": {1, 25},
    },
    "001_ed7c9a7a10977f3f.txt": {
        "series": "interview",
        "title": "Sociaal werk, vertrouw op je kracht en bouw aan een nieuwe taal",
        "authors": [],
        "date": "2018-06-15",
        "removed": {1, 3, 27, 28},
    },
    "002_639538e7ccf8d073.txt": {
        "series": "opinion",
        "title": "Een sociaal wijkteam is geen container",
        "authors": [
            ("Rogier den Uyl", "directeur RadarGroep, bureau voor sociale vraagstukken"),
            ("Johan Kruithof", "wethouder te Apeldoorn"),
        ],
        "removed": {1, 33},
    },
    "003_5baeb642dc7a47c9.txt": {
        "series": "blog",
        "title": "'Sociaal werkers missen verbindende verzorgingsstaat'",
        "authors": [("Radboud Engbersen", "Movisie-expert sociale basis")],
        "removed": {1, 7, 13, 19, 21, 23, 25, 27},
    },
    "004_96e2e6fdac0f17d7.txt": {
        "series": "blog",
        "title": "Een super de luxe sociale basis",
        "authors": [],
        "removed": {1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 32, *range(34, 45)},
    },
}

CHROME = [
    "in te loggen",
    "Registreer",
    "Ik wil delen",
    "Inloggen",
    "Sluiten",
    "Voor leden",
    "Corona",
    "Meld je hier aan",
    "Oproep:",
    "Themaoverzicht",
    "Hoofdthema",
    "Movisies bevat",
    "Lees hier ook",
    "Dit is een ingekorte versie",
    "Over De Agenda",
    "Door:",
    "Blog door",
    "is wethouder te Apeldoorn",
]


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path]:
    out = tmp_path_factory.mktemp("seeds") / "content"
    status, report = run_ingest(SEEDS, out)
    assert status == 0
    return documents(report), out


@pytest.mark.parametrize("source", sorted(EXPECTED))
def test_seed_is_filed_right(ingested: tuple[dict, Path], source: str) -> None:
    docs, _ = ingested
    doc, expected = docs[source], EXPECTED[source]
    assert doc["status"] == "ok"
    assert doc["series"] == expected["series"]
    assert doc["title"] == expected["title"]
    assert [(a["name"], a["role"]) for a in doc["authors"]] == expected["authors"]
    assert doc["date"] == expected.get("date")
    assert {line["line"] for line in doc["removed"]} == expected["removed"]
    assert all(line["reason"] for line in doc["removed"])


@pytest.mark.parametrize("source", sorted(EXPECTED))
def test_no_chrome_and_no_lost_paragraph(ingested: tuple[dict, Path], source: str) -> None:
    docs, _ = ingested
    body = body_text(Path(docs[source]["output"]))
    for phrase in CHROME:
        assert escape(phrase) not in body, phrase
    removed = {line["line"] for line in docs[source]["removed"]}
    lines = (SEEDS / source).read_text(encoding="utf-8").split("\n")
    for number, line in enumerate(lines, start=1):
        text = " ".join(line.split())
        if text and number not in removed:
            assert escape(text) in body, f"line {number} lost"


def test_pull_quote_is_shown_once(ingested: tuple[dict, Path]) -> None:
    docs, _ = ingested
    body = body_text(Path(docs["001_ed7c9a7a10977f3f.txt"]["output"]))
    blocks = body.split("\n\n")
    quotes = [block for block in blocks if block.endswith("{: .pullquote }")]
    assert len(quotes) == 1
    assert quotes[0].startswith("> ‘Het sociaal werk van nu is onmisbaar")
    assert not [block for block in blocks if block.startswith("‘Het sociaal werk van nu")]
    assert sum(block.startswith("Egbert Oppenhuizen: ‘Het sociaal werk van nu") for block in blocks) == 1


def test_magazine_provenance_is_metadata(ingested: tuple[dict, Path]) -> None:
    docs, _ = ingested
    text = Path(docs["001_ed7c9a7a10977f3f.txt"]["output"]).read_text(encoding="utf-8")
    assert "\nSource_magazine: Movisies\n" in text
    assert "\nSource_note: Dit is een ingekorte versie van een artikel" in text


def test_theme_page_gives_blog_tag_and_description(ingested: tuple[dict, Path]) -> None:
    docs, out = ingested
    doc = docs["004_96e2e6fdac0f17d7.txt"]
    assert doc["tags"] == ["Sociale Basis & Preventie"]
    body = body_text(Path(doc["output"]))
    assert body.startswith("Wat de woorden epibreren")
    assert "80% van de demente ouderen" not in body
    description = (out / "tags" / "sociale-basis-preventie.md").read_text(encoding="utf-8")
    assert description.startswith("Title: Sociale Basis & Preventie\n")
    assert "80% van de demente ouderen woont nu nog zelfstandig thuis." in description


def test_output_matches_golden_files(ingested: tuple[dict, Path]) -> None:
    """Byte for byte; after a deliberate change, refresh with `python tests/test_ingest_seeds.py`."""
    _, out = ingested
    produced = sorted(path.relative_to(out).as_posix() for path in out.rglob("*.md"))
    golden = sorted(path.relative_to(GOLDEN).as_posix() for path in GOLDEN.rglob("*.md"))
    assert produced == golden
    for name in produced:
        assert (out / name).read_bytes() == (GOLDEN / name).read_bytes(), name


if __name__ == "__main__":
    shutil.rmtree(GOLDEN, ignore_errors=True)
    run_ingest(SEEDS, GOLDEN)
    (GOLDEN.parent / "seeds-report.json").unlink()
