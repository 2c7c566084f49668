"""The ingest command as an editor runs it: report, exit status, overrides, bad input answered in one line."""

from __future__ import annotations

import gzip
import json
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


def ingest_cli(source: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pipeline", "ingest", str(source), "--out", str(out), *extra]
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=120)


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


def test_page_without_date_gets_the_documented_fallback(tmp_path: Path) -> None:
    source = write_pages(tmp_path / "src", {"a.txt": f"Zonder datum\n{PARA}\n{PARA2}"})
    status, report = run_ingest(source, tmp_path / "out", "--fallback-date", "2001-02-03")
    doc = documents(report)["a.txt"]
    assert status == 0
    assert doc["date"] is None
    assert doc["date_source"].startswith("fallback")
    assert "\nDate: 2001-02-03\n" in Path(doc["output"]).read_text(encoding="utf-8")
    assert any("no date on the page" in warning for warning in doc["warnings"])
