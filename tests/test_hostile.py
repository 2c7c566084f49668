"""Hostile input end to end: scraped pages written to attack us (tests/fixtures/hostile) and the broken files
the test makes beside them go through the real ingest, the real Pelican build and the real digest command.

Every file is answered (an article, or one line saying why not), nothing is written outside the output
folders, the hostile text shows as text, and no page, feed or email of the result holds executable markup.

The fixture pages:
- ``blog script in tekst.txt``: a text blog whose title and body *talk about* markup (script tags, event
  handlers, ``javascript:`` links, Jinja and Markdown syntax, lines that look like Pelican metadata).
- ``interview één.html``: an interview in ``<article>``, stuffed with scripts, frames, objects, event
  handlers, hostile URL schemes, inline styles with URLs, SVG, a base element, a meta refresh and a form,
  with hostile JSON-LD and OpenGraph.
- ``opinie-cp1252.html``: an opinion piece in windows-1252 without semantic tags (div soup), whose title
  tries to leave the output folder.
- ``dubbel-a.txt``, ``dubbel-b.txt``: two pages with one title. ``alleen-chrome.html``: only site chrome.
"""

from __future__ import annotations

import email
import email.policy
import gzip
import hashlib
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import feedparser
import pytest
from safetykit import dangers, site_dangers
from sitekit import ROOT, article_page, pelican, text

from pipeline.ingest import published

FIXTURES = ROOT / "tests" / "fixtures" / "hostile"
PARA = (
    "Buurtwerkers zien dat bewoners elkaar weer opzoeken sinds het buurthuis op zaterdag open is, en "
    "dat jongeren er zelf activiteiten organiseren voor de ouderen in de straat."
)
CONTROL_TEXT = f"Stuurtekens\x01 in de\x0b titel\x85\nBlog\n4 april 2024\n{PARA}\x1b[31m\x7f\n{PARA}\n"
HAND_WRITTEN = (
    "Title: Handgeschreven\x01 <em>stuk</em>\nDate: 2024-04-20\nCategory: Opinie\n"
    "Authors: Eva <b>de\x02 Boer</b>\nTags: veiligheid\x0b, wijk\n"
    "Summary: Een samenvatting <img src=x onerror=alert('summary')>\n\n"
    "<p onclick=\"alert('p')\">Veilige tekst van de redactie.</p>\n\n"
    "<script>alert('script')</script>\n\n"
    '<div style="background:url(javascript:alert(1))">Gestileerde tekst.</div>\n\n'
    "[Een link](javascript:alert('md')) en [nog een](data:text/html,<script>alert(2)</script>).\n\n"
    '<iframe src="https://evil.example/"></iframe><object data="x.swf"></object>\n'
)


@dataclass
class Run:
    base: Path
    ingest: subprocess.CompletedProcess[str]
    content: Path
    output: Path
    digest: Path
    digest_run: subprocess.CompletedProcess[str]
    sources_before: str
    sources_after: str


def tree_hash(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.name == published.FILE_NAME:  # the ingest's record of first publications, not a page
            continue
        digest.update(path.relative_to(folder).as_posix().encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def make_seeds(base: Path) -> Path:
    """The fixture pages, and the broken files no one would keep in a repository."""
    seeds = base / "seeds"
    shutil.copytree(FIXTURES, seeds)
    (base / "outside").mkdir()
    (base / "outside" / "geheim.txt").write_text(f"Geheim\nBlog\n{PARA}\n", encoding="utf-8")
    files: dict[str, bytes] = {
        "leeg.txt": b"",
        "spaties.txt": b"  \n\t\n  ",
        "binair.html": bytes(range(256)) * 8,
        "ingepakt.txt": gzip.compress(f"Titel\n{PARA}\n".encode()),
        "te groot.txt": b"Titel\n" + (PARA + "\n").encode() * 3000,
        "stuurtekens.txt": CONTROL_TEXT.encode(),
        "lange regel.txt": ("Een hele lange regel\nBlog\n" + " ".join([PARA] * 2000) + "\n").encode(),
        "notities.docx": b"PK\x03\x04",
    }
    for name, data in files.items():
        (seeds / name).write_bytes(data)
    os.symlink(base / "outside" / "geheim.txt", seeds / "link naar buiten.txt")
    os.symlink(base / "outside", seeds / "map naar buiten")
    return seeds


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Run:
    base = tmp_path_factory.mktemp("hostile")
    seeds, content, output, digest = make_seeds(base), base / "content", base / "output", base / "digest"
    before = tree_hash(FIXTURES) + tree_hash(seeds)
    command = [sys.executable, "-m", "pipeline", "ingest", str(seeds), "--out", str(content)]
    command += ["--report", str(base / "report.json"), "--max-bytes", "400000"]
    ingested = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    (content / "handgeschreven.md").write_text(HAND_WRITTEN, encoding="utf-8")
    pelican(content, output)
    command = [sys.executable, "-m", "pipeline", "digest", "--content", str(content), "--out", str(digest)]
    command += ["--since", "2000-01-01", "--until", "2024-12-31", "--edition", "1", "--web", str(output)]
    digest_run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    return Run(
        base, ingested, content, output, digest, digest_run, before, tree_hash(FIXTURES) + tree_hash(seeds)
    )


def test_the_source_pages_are_never_changed(run) -> None:
    assert run.sources_after == run.sources_before


def test_every_bad_file_is_answered_in_one_line_and_the_rest_goes_on(run) -> None:
    assert run.ingest.returncode == 1  # documented: 1 when any page was rejected
    assert "Traceback" not in run.ingest.stdout + run.ingest.stderr
    answers = {line.split(":")[0]: line for line in run.ingest.stderr.splitlines()}
    for name in (
        "leeg.txt",
        "spaties.txt",
        "binair.html",
        "ingepakt.txt",
        "te groot.txt",
        "alleen-chrome.html",
    ):
        assert f"rejected {name}" in answers, name
    assert "gzip" in answers["rejected ingepakt.txt"] and "binary" in answers["rejected binair.html"]
    assert "400000" in answers["rejected te groot.txt"].replace(",", "").replace(".", "")
    assert "leaves the source folder" in answers["ignored link naar buiten.txt"]
    assert "leaves the source folder" in answers["ignored map naar buiten"]
    assert "not a page" in answers["ignored notities.docx"]
    assert "7 written, 6 rejected, 3 ignored" in run.ingest.stdout


def test_every_good_page_became_an_article_with_its_own_file(run) -> None:
    written = sorted(p.name for p in run.content.glob("*.md"))
    assert "samen-de-wijk-in.md" in written and "samen-de-wijk-in-2.md" in written
    assert len(written) == 8  # seven ingested, one hand-written
    control = (run.content / "stuurtekens-in-de-titel.md").read_text(encoding="utf-8")
    assert not any((ord(c) < 32 and c not in "\n") or 0x7F <= ord(c) <= 0x9F for c in control)
    long_line = next(run.content.glob("een-hele-lange-regel*.md")).read_text(encoding="utf-8")
    assert long_line.split("\n\n", 1)[1].count("Buurtwerkers zien dat") == 2000  # the body, every word


def test_nothing_is_written_outside_the_output_folders(run) -> None:
    written = sorted(p.name for p in run.base.iterdir() if not p.name.endswith(".lock"))  # see below
    assert written == ["content", "digest", "output", "outside", "report.json", "seeds"]
    # the locks of what the commands wrote, named after it (docs/safety.md)
    locks = sorted(p.name for p in run.base.iterdir() if p.name.endswith(".lock"))
    assert locks == [".content.lock", ".digest.lock", ".output.lock", ".report.json.lock", ".seeds.lock"]
    assert sorted(p.name for p in (run.base / "outside").iterdir()) == ["geheim.txt"]
    assert all(p.parent in (run.content, run.content / "tags") for p in run.content.rglob("*") if p.is_file())
    everything = [p.relative_to(run.base).as_posix() for p in run.base.rglob("*")]
    assert not [p for p in everything if "buiten.html" in p or ".." in p]
    assert (run.content / "tmp-ontsnapt.md").is_file()  # the title "../../../../tmp/ontsnapt" became a slug
    assert not (run.content / "../../../../tmp/ontsnapt").resolve().exists()


def test_no_page_or_feed_of_the_site_holds_executable_markup(run) -> None:
    assert site_dangers(run.output) == []


def test_every_feed_parses_cleanly(run) -> None:
    feeds = sorted((run.output / "feeds").glob("*.xml"))
    assert len(feeds) == 8
    for path in feeds:
        parsed = feedparser.parse(path.read_bytes())
        assert parsed.bozo == 0, (path.name, parsed.get("bozo_exception"))
    everything = feedparser.parse((run.output / "feeds" / "alles.atom.xml").read_bytes())
    titles = {entry.title for entry in everything.entries}
    assert "Stuurtekens in de titel" in titles and "Handgeschreven stuk" in titles


def test_text_about_markup_is_shown_as_text_and_never_run_or_read_as_metadata(run) -> None:
    page = article_page(run.output, "2024", "script-alert-titel-script-en-andere-trucs-van-hackers")
    assert text(page, "//h1") == ['<script>alert("titel")</script> en andere trucs van hackers']
    body = " ".join(text(page, "//*[contains(@class, 'article-body')]"))
    for shown in (
        "<script>alert('xss')</script>",
        "<img src=x onerror=alert(1)>",
        '{{ SITENAME }} en {% include "base.html" %}',
        "Status: draft",
        "Save_as: ../../../buiten.html",
        "Title: Een overgenomen titel",
        "# Geen kop maar tekst",
        '<iframe src="https://evil.example/"></iframe>',
    ):
        assert shown in body, shown
    assert "Sociaal Werk Magazine en" not in body  # the Jinja expression was not evaluated


def test_hostile_html_keeps_its_words_and_loses_its_code(run) -> None:
    page = article_page(run.output, "2024", "veiligheid-begint-bij-de-voordeur")
    body = " ".join(text(page, "//*[contains(@class, 'article-body')]"))
    assert "kinderen die <script> in hun schoolschrift schrijven" in body
    assert "kondigen" in body and "gesprek" in body and "het rapport" in body
    assert not any(word in body for word in ("SVGTEKST", "alert", "document.cookie"))
    assert page.xpath("//a[text()='het rapport']/@href") == ["https://example.nl/rapport"]
    assert page.xpath("//a[text()='kondigen']/@href") == []


def test_editors_raw_html_is_sanitized_and_their_text_kept(run) -> None:
    page = article_page(run.output, "2024", "handgeschreven-stuk")
    body = " ".join(text(page, "//*[contains(@class, 'article-body')]"))
    assert "Veilige tekst van de redactie." in body and "Gestileerde tekst." in body
    assert "alert('script')" not in body
    assert text(page, "//h1") == ["Handgeschreven stuk"]  # a title is HTML text (as in Pelican): no tags


def test_the_digest_and_its_web_version_hold_no_executable_markup(run) -> None:
    assert run.digest_run.returncode == 0, run.digest_run.stderr
    html = (run.digest / "digest.html").read_text(encoding="utf-8")
    assert dangers(html, theme=True) == []
    message = email.message_from_bytes((run.digest / "digest.eml").read_bytes(), policy=email.policy.default)
    parts = {
        part.get_content_type(): part.get_content() for part in message.walk() if not part.is_multipart()
    }
    assert dangers(parts["text/html"], theme=True) == []
    assert "Veiligheid begint bij de voordeur" in parts["text/plain"]
    assert "\x01" not in parts["text/plain"] and "Stuurtekens in de titel" in parts["text/plain"]
    web = sorted((run.output / "nieuwsbrief").rglob("*.html"))
    assert web and all(dangers(path.read_text(encoding="utf-8"), theme=True) == [] for path in web)
