"""Property tests (Hypothesis) for the whole path: arbitrary bytes never crash the ingest, and the site and
feeds built from arbitrary text, hostile fragments mixed in, hold no executable markup and stay well-formed.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import feedparser
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from safetykit import dangers, site_dangers
from sitekit import pelican

from pipeline import sanitize
from pipeline.cli import main

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    "<a href='javascript:alert(3)'>klik</a>",
    '<a href=" JaVa\tScRiPt:alert(4)">klik</a>',
    "[link](javascript:alert(5))",
    "![beeld](data:text/html;base64,PHNjcmlwdD4=)",
    "<iframe src=//evil.example></iframe>",
    "<object data=x.swf></object><embed src=x.swf>",
    "<svg onload=alert(6)>",
    "<div style='background:url(javascript:alert(7))'>tekst</div>",
    "<style>@import 'x.css';</style>",
    "<base href=//evil.example/>",
    "<meta http-equiv=refresh content='0;url=javascript:alert(8)'>",
    "<form action=javascript:alert(9)><button>ok</button></form>",
    "{{ SITENAME }}",
    "{% include 'base.html' %}",
    "Title: overgenomen",
    "Save_as: ../../buiten.html",
    "Status: draft",
    "</textarea></title><script>alert(10)</script>",
    "]]><!--",
    "&lt;script&gt;",
    "\x01\x0b\x1b[31m\x7f\x85\ufffe",
]
WORD = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=12)
PROSE = st.lists(WORD, min_size=3, max_size=30).map(" ".join)
LINE = st.one_of(PROSE, st.sampled_from(HOSTILE), st.tuples(PROSE, st.sampled_from(HOSTILE)).map(" ".join))
PAGE = st.lists(LINE, min_size=1, max_size=12).map("\n".join)
PARAGRAPH = (
    "Sociaal werkers in de wijk zien elke dag wat beleid betekent voor mensen, en ze praten met bewoners "
    "over hun zorgen, hun plannen en wat ze nodig hebben van de gemeente."
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4000), st.sampled_from(["pagina.txt", "pagina.html"]))
def test_arbitrary_bytes_become_an_article_or_one_clear_line(data: bytes, name: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "seeds"
        source.mkdir()
        (source / name).write_bytes(data)
        report = Path(folder) / "report.json"
        status = main(
            ["ingest", str(source), "--out", f"{folder}/content", "--report", str(report), "--quiet"]
        )
        (document,) = json.loads(report.read_text(encoding="utf-8"))["documents"]
    assert status == (0 if document["status"] == "ok" else 1)
    if document["status"] != "ok":
        assert document["error"] and "\n" not in document["error"]
        assert not document["error"].startswith("internal error"), document["error"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(HOSTILE), PROSE, st.text(max_size=40)), max_size=12).map("".join))
def test_the_sanitizer_leaves_no_executable_markup(fragment: str) -> None:
    cleaned = sanitize.html(fragment)
    assert dangers(cleaned, fragment=True) == []
    assert sanitize.html(cleaned) == cleaned  # stable: sanitizing twice changes nothing


def hand_written(title: str, body: str) -> str:
    """An editor's Markdown file whose metadata values and body are arbitrary text (one line per value)."""
    values = [" ".join(value.split()) or "leeg" for value in (title, body[:80], body[-80:])]
    header = f"Title: {values[0]}\nDate: 2024-02-02\nCategory: Opinie\n"
    header += f"Authors: {values[1]}\nSummary: {values[2]}\n"
    return f"{header}\n{body}\n\n{PARAGRAPH}\n"


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(PAGE, min_size=1, max_size=3), LINE, PAGE)
def test_site_and_feeds_built_from_arbitrary_text_hold_no_executable_markup(
    pages: list[str], title: str, body: str
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        seeds, content, output = base / "seeds", base / "content", base / "output"
        seeds.mkdir()
        for number, page in enumerate(pages):
            text = f"Artikel {number}\n12 maart 2024\n{PARAGRAPH}\n{page}\n{PARAGRAPH}\n"
            (seeds / f"pagina-{number}.txt").write_text(text, encoding="utf-8")
        assert main(["ingest", str(seeds), "--out", str(content), "--quiet"]) in (0, 1)
        (content / "redactie.md").write_text(hand_written(title, body), encoding="utf-8")
        pelican(content, output)
        assert site_dangers(output) == []
        for feed in (output / "feeds").glob("*.xml"):
            assert feedparser.parse(feed.read_bytes()).bozo == 0, feed.name
