"""The ingest command as an editor runs it: report, exit status, overrides, bad input answered in one line."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

from ingestkit import ROOT, documents, run_ingest, write_pages

PARA = (
    "Eenzaamheid onder jongeren is de afgelopen jaren sterk gegroeid, en jongerenwerkers merken dat "
    "vooral in de avonduren, als de buurthuizen dicht zijn."
)
PARA2 = (
    "Een avondopenstelling kost de gemeente weinig en levert veel op, zeggen de jongerenwerkers die het "
    "afgelopen jaar in drie wijken hebben geprobeerd."
)
GOOD = f"Jongeren en de avond\n14 februari 2023\n{PARA}\n{PARA2}"

REPORT_KEYS = {
    "source",
    "status",
    "error",
    "output",
    "series",
    "confidence",
    "evidence",
    "title",
    "authors",
    "date",
    "date_source",
    "removed",
}


EPOCH_2026_12_01 = {"SOURCE_DATE_EPOCH": "1796083200"}  # 2026-12-01 00:00 UTC


def ingest_cli(
    source: Path, out: Path, *extra: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pipeline", "ingest", str(source), "--out", str(out), *extra]
    environment = {**os.environ, **(env or {})}
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=120, env=environment)


def test_bad_files_are_rejected_in_one_line_and_the_rest_goes_on(tmp_path: Path) -> None:
    source = write_pages(
        tmp_path / "src",
        {
            "a-goed.txt": GOOD,
            "b-leeg.txt": "   \n\n",
            "c-binair.txt": bytes(range(256)) * 4,
            "d-gzip.txt": gzip.compress(GOOD.encode()),
            "e-alleen-chrome.txt": "Home\nNieuws\nContact\nInloggen\nZoeken",
            "notities.docx": b"PK\x03\x04",
        },
    )
    report = tmp_path / "report.json"
    done = ingest_cli(source, tmp_path / "out", "--report", str(report))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr + done.stdout
    rejected = [line for line in done.stderr.splitlines() if line.startswith("rejected ")]
    assert [line.split(":")[0] for line in rejected] == [
        "rejected b-leeg.txt",
        "rejected c-binair.txt",
        "rejected d-gzip.txt",
        "rejected e-alleen-chrome.txt",
    ]
    assert "ignored notities.docx: not a page (.txt, .html or .htm)" in done.stderr
    docs = documents(json.loads(report.read_text(encoding="utf-8")))
    assert docs["a-goed.txt"]["status"] == "ok" and Path(docs["a-goed.txt"]["output"]).exists()
    assert all(
        doc["error"] and "\n" not in doc["error"] for name, doc in docs.items() if name != "a-goed.txt"
    )
    assert all(set(doc) >= REPORT_KEYS for doc in docs.values())


def test_all_good_exits_zero_and_shows_a_table(tmp_path: Path) -> None:
    done = ingest_cli(write_pages(tmp_path / "src", {"a.txt": GOOD}), tmp_path / "out")
    assert done.returncode == 0
    assert "Jongeren en de avond" in done.stdout
    assert "1 written, 0 rejected, 0 ignored" in done.stdout


def test_usage_errors_are_one_line_with_status_2(tmp_path: Path) -> None:
    done = ingest_cli(tmp_path / "bestaat-niet", tmp_path / "out")
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "is not a folder" in done.stderr
    source = write_pages(
        tmp_path / "src", {"a.txt": GOOD, "overrides.toml": '["a.txt"]\nseries = "nieuws"\n'}
    )
    done = ingest_cli(source, tmp_path / "out")
    assert done.returncode == 2
    assert "series must be one of blog, interview, opinion" in done.stderr
    assert "Traceback" not in done.stderr


def test_overrides_win_and_the_report_says_so(tmp_path: Path) -> None:
    overrides = """
["a.txt"]
series = "opinion"
title = "Avonden open voor jongeren"
date = "2023-03-01"
authors = ["Lotte Visser", { name = "Ravi Sewdien", role = "jongerenwerker" }]
tags = ["Jongerenwerk"]
status = "draft"
"""
    source = write_pages(tmp_path / "src", {"a.txt": GOOD, "overrides.toml": overrides})
    status, report = run_ingest(source, tmp_path / "out")
    doc = documents(report)["a.txt"]
    assert status == 0
    assert (doc["series"], doc["title"], doc["date"], doc["date_source"]) == (
        "opinion",
        "Avonden open voor jongeren",
        "2023-03-01",
        "override",
    )
    assert doc["overridden"] == ["series", "title", "date", "authors", "tags", "status"]
    text = Path(doc["output"]).read_text(encoding="utf-8")
    for line in (
        "Category: Opinie",
        "Status: draft",
        "Tags: Jongerenwerk",
        "Authors: Lotte Visser; Ravi Sewdien",
        "Author_roles: ; jongerenwerker",
    ):
        assert f"\n{line}\n" in text


def test_a_page_without_a_date_is_dated_by_its_first_publication_here_once(tmp_path: Path) -> None:
    """No invented date: the day the ingest first saw the page (SOURCE_DATE_EPOCH), recorded beside the pages
    and kept on later runs; a date the text only mentions is a hint, reported and not applied."""
    text = f"Zonder datum\n{PARA}\nOp 5 oktober 2023 kun je meepraten over de avonden.\n{PARA2}"
    source = write_pages(tmp_path / "src", {"a.txt": text})
    first = ingest_cli(source, tmp_path / "out", "--report", str(tmp_path / "r.json"), env=EPOCH_2026_12_01)
    assert first.returncode == 0
    assert "undated a.txt: no date on the page; dated 2026-12-01" in first.stderr
    doc = documents(json.loads((tmp_path / "r.json").read_text(encoding="utf-8")))["a.txt"]
    assert (doc["date"], doc["written_date"]) == (None, "2026-12-01")
    assert doc["date_source"] == "first publication on this site"
    assert doc["date_evidence"] == []
    assert doc["date_hints"] == [
        "line 3 mentions 2023-10-05: Op 5 oktober 2023 kun je meepraten over de avonden."
    ]
    written = Path(doc["output"]).read_text(encoding="utf-8")
    assert "\nDate: 2026-12-01\n" in written and "\nDated_by: first-publication\n" in written
    assert (source / ".published.toml").read_text(encoding="utf-8").endswith('"a.txt" = 2026-12-01\n')

    later = ingest_cli(source, tmp_path / "out", env={"SOURCE_DATE_EPOCH": "1893456000"})  # 2030
    assert later.returncode == 0 and "dated 2026-12-01" in later.stderr  # recorded once, kept


def test_a_date_in_the_removed_chrome_dates_the_article_and_the_report_says_where(tmp_path: Path) -> None:
    page = f"Home\nNieuws\nContact\nGeplaatst op 3 maart 2022\nJongeren en de avond\n{PARA}\n{PARA2}"
    source = write_pages(tmp_path / "src", {"a.txt": page, "b.txt": GOOD})
    status, report = run_ingest(source, tmp_path / "out")
    docs = documents(report)
    assert status == 0
    assert docs["a.txt"]["date"] == "2022-03-03" and docs["a.txt"]["date_evidence"][0].startswith(
        "2022-03-03"
    )
    assert docs["b.txt"]["date_evidence"] == ["2023-02-14 (page, line 2)"]
