"""Helpers for the ingest tests: run the real command on pages written into a temporary folder."""

from __future__ import annotations

import atexit
import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

from pipeline.cli import main
from pipeline.ingest import clean, rules, structure
from pipeline.ingest.read import text_lines
from pipeline.model import Article, Page

ROOT = Path(__file__).resolve().parent.parent


def _seeds_copy() -> Path:
    """The repository's seeds, copied once per test process into a temporary folder: the ingest locks the
    folder it reads (``.seeds.lock`` beside it) and records first publications in it, and tests never write
    into the working tree."""
    folder = Path(tempfile.mkdtemp(prefix="seeds-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return Path(shutil.copytree(ROOT / "seeds", folder / "seeds"))


SEEDS = _seeds_copy()


def write_pages(folder: Path, pages: dict[str, str | bytes]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in pages.items():
        data = text.encode("utf-8") if isinstance(text, str) else text
        (folder / name).write_bytes(data)
    return folder


def run_ingest(source: Path, out: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    """Run ``python -m pipeline ingest`` in-process; returns the exit status and the report."""
    report = out.parent / f"{out.name}-report.json"
    status = main(["ingest", str(source), "--out", str(out), "--report", str(report), "--quiet", *extra])
    return status, json.loads(report.read_text(encoding="utf-8"))


def documents(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {doc["source"]: doc for doc in report["documents"]}


def page_of(text: str, name: str = "page.txt") -> Page:
    """A page through the read and clean stages."""
    page = Page(name, text_lines(text))
    return clean.clean(page, rules.load())


def article_of(text: str) -> Article:
    return structure.structure(page_of(text), rules.load())


def body_text(markdown_file: Path) -> str:
    """The body of a generated Markdown file (after the metadata header)."""
    return markdown_file.read_text(encoding="utf-8").split("\n\n", 1)[1]
