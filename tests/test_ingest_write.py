"""Write: safe Markdown that Pelican reads back as written; editors' work is never overwritten."""

from __future__ import annotations

from pathlib import Path

from ingestkit import body_text, documents, run_ingest, write_pages
from pelican.readers import MarkdownReader
from pelican.settings import DEFAULT_CONFIG

PARA = (
    "Schuldhulpverleners zien steeds vaker werkende mensen aan hun tafel, mensen die nooit dachten dat zij "
    "hulp nodig zouden hebben bij het betalen van de huur."
)
PARA2 = (
    "Vroegsignalering helpt, maar alleen als woningcorporaties, energiebedrijven en gemeenten hun "
    "gegevens op tijd delen en iemand daarna ook echt aanbelt."
)


def read_back(path: Path) -> tuple[str, dict]:
    """The file as Pelican's own Markdown reader sees it."""
    settings = dict(DEFAULT_CONFIG)
    return MarkdownReader(settings).read(str(path))


def test_body_lines_that_look_like_metadata_or_markup_stay_text(tmp_path: Path) -> None:
    page = "\n".join(
        [
            "Schulden zijn geen privézaak",
            "Save_as: ../../etc/passwd",
            PARA,
            "Title: overschreven",
            "<script>alert('x')</script> en *sterretjes* en [link](javascript:alert(1))",
            "# geen kop",
            PARA2,
        ]
    )
    status, report = run_ingest(write_pages(tmp_path / "src", {"a.txt": page}), tmp_path / "out")
    assert status == 0
    path = Path(documents(report)["a.txt"]["output"])
    html, meta = read_back(path)
    assert "save_as" not in meta
    assert meta["title"] == "Schulden zijn geen privézaak"
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<em>" not in html and "<a " not in html and "<h1>" not in html
    assert "Save_as: ../../etc/passwd" in html
    assert "Title: overschreven" in html


def test_metadata_round_trips_through_pelican(tmp_path: Path) -> None:
    page = (
        f"Blog: Een titel met; puntkomma\n12 mei 2021\n{PARA}\n{PARA2}\nDoor: Jan de Vries, adviseur schulden"
    )
    _, report = run_ingest(write_pages(tmp_path / "src", {"a.txt": page}), tmp_path / "out")
    _, meta = read_back(Path(documents(report)["a.txt"]["output"]))
    assert meta["title"] == "Een titel met; puntkomma"
    assert meta["date"].strftime("%Y-%m-%d") == "2021-05-12"
    assert meta["category"].name == "Blog"
    assert [author.name for author in meta["authors"]] == ["Jan de Vries"]
    assert meta["author_roles"] == "adviseur schulden"
    assert meta["lang"] == "nl"
    assert meta["slug"] == "een-titel-met-puntkomma"


def test_duplicate_titles_get_their_own_slugs(tmp_path: Path) -> None:
    page = f"Dezelfde titel\n{PARA}\n{PARA2}"
    _, report = run_ingest(write_pages(tmp_path / "src", {"a.txt": page, "b.txt": page}), tmp_path / "out")
    outputs = sorted(Path(doc["output"]).name for doc in report["documents"])
    assert outputs == ["dezelfde-titel-2.md", "dezelfde-titel.md"]


def test_editors_changes_survive_a_new_ingest(tmp_path: Path) -> None:
    source = write_pages(tmp_path / "src", {"a.txt": f"Titel een\n{PARA}\n{PARA2}"})
    out = tmp_path / "out"
    _, report = run_ingest(source, out)
    path = Path(documents(report)["a.txt"]["output"])
    edited = path.read_text(encoding="utf-8").replace(PARA2, "Door de redactie herschreven alinea.")
    path.write_text(edited, encoding="utf-8")
    status, report = run_ingest(source, out)
    assert status == 0
    assert path.read_text(encoding="utf-8") == edited
    assert any("kept the editor's changes" in note for note in documents(report)["a.txt"]["warnings"])


def test_hand_written_articles_are_left_alone(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    mine = out / "titel-een.md"
    mine.write_text(
        "Title: Titel een\nDate: 2020-01-01\nCategory: Blog\n\nMijn eigen stuk.\n", encoding="utf-8"
    )
    _, report = run_ingest(write_pages(tmp_path / "src", {"a.txt": f"Titel een\n{PARA}\n{PARA2}"}), out)
    assert mine.read_text(encoding="utf-8").endswith("Mijn eigen stuk.\n")
    assert Path(documents(report)["a.txt"]["output"]).name == "titel-een-2.md"


def test_unchanged_files_are_not_rewritten_and_output_is_deterministic(tmp_path: Path) -> None:
    source = write_pages(
        tmp_path / "src", {"a.txt": f"Titel\n{PARA}\n{PARA2}", "b.txt": f"Ander\n{PARA2}\n{PARA}"}
    )
    run_ingest(source, tmp_path / "one")
    run_ingest(source, tmp_path / "two")
    first = {p.name: p.read_bytes() for p in (tmp_path / "one").rglob("*.md")}
    assert first == {p.name: p.read_bytes() for p in (tmp_path / "two").rglob("*.md")}
    times = {p: p.stat().st_mtime_ns for p in (tmp_path / "one").rglob("*.md")}
    run_ingest(source, tmp_path / "one")
    assert times == {p: p.stat().st_mtime_ns for p in (tmp_path / "one").rglob("*.md")}


def test_new_title_renames_the_generated_file(tmp_path: Path) -> None:
    source = write_pages(tmp_path / "src", {"a.txt": f"Oude titel\n{PARA}\n{PARA2}"})
    out = tmp_path / "out"
    run_ingest(source, out)
    (source / "overrides.toml").write_text('["a.txt"]\ntitle = "Nieuwe titel"\n', encoding="utf-8")
    _, report = run_ingest(source, out)
    assert sorted(p.name for p in out.glob("*.md")) == ["nieuwe-titel.md"]
    assert "renamed from oude-titel.md" in documents(report)["a.txt"]["warnings"]
    assert body_text(out / "nieuwe-titel.md").startswith(PARA)


def test_numbered_lines_keep_their_numbers_and_list_items_their_links(tmp_path: Path) -> None:
    """A page that numbers its points from 3 shows 3 and 4 on the site (the site's Markdown settings), and a
    list item's link stays a link."""
    from pelican.settings import read_settings

    items = "3. Bel de huisbaas op tijd\n4. Vraag om een betalingsregeling"
    html = (
        f"<html lang='nl'><body><article><h1>Schulden zijn geen privézaak</h1><p>{PARA}</p>"
        "<ul><li>Meer tips over huren, betalen en bezwaar maken staan in de "
        f"<a href='https://example.org/gids'>gids</a></li></ul><p>{PARA2}</p>"
        "</article></body></html>"
    )
    pages = {"a.txt": f"Schulden zijn geen privézaak\n{PARA}\n{items}\n{PARA2}", "b.html": html}
    status, report = run_ingest(write_pages(tmp_path / "src", pages), tmp_path / "out")
    assert status == 0
    settings = read_settings(str(Path(__file__).parents[1] / "pelicanconf.py"))
    docs = documents(report)
    reader = MarkdownReader(settings)
    numbered, linked = (reader.read(docs[name]["output"])[0] for name in ("a.txt", "b.html"))
    assert '<ol start="3">' in numbered and "<li>Bel de huisbaas op tijd</li>" in numbered
    assert '<a href="https://example.org/gids">gids</a></li>' in linked


def test_a_link_never_lands_inside_another_links_words() -> None:
    from pipeline.ingest.write import render_block
    from pipeline.model import Block, BlockKind

    block = Block(
        BlockKind.PARAGRAPH,
        "Is veteran Chris Smith going to get most of the snaps? Smith is good for depth.",
        1,
        [("Chris Smith", "https://example.org/chris"), ("Smith", "https://example.org/smith")],
    )
    assert render_block(block) == (
        "Is veteran [Chris Smith](https://example.org/chris) going to get most of the snaps? "
        "[Smith](https://example.org/smith) is good for depth."
    )
