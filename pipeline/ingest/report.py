"""The ingest report: JSON for tools and editors, and a short table on the terminal."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.fsio import AtomicFile
from pipeline.ingest import overrides
from pipeline.ingest.batch import Outcome, Result
from pipeline.ingest.spool import Spool
from pipeline.model import ArticleImage
from pipeline.plural import count


def entry(outcome: Outcome) -> dict[str, Any]:
    article = outcome.article
    from_page = bool(article and article.date and not article.dated_here)
    return {
        "source": outcome.source,
        "status": "ok" if outcome.ok else "rejected",
        "ingest": "cached" if outcome.cached else "ingested",
        "error": outcome.error,
        "output": outcome.output,
        "series": article.series if article else None,
        "confidence": article.confidence if article else None,
        "evidence": article.evidence if article else [],
        "title": article.title if article else None,
        "authors": [{"name": a.name, "role": a.role} for a in article.authors] if article else [],
        "date": article.date if from_page else None,
        "date_source": article.date_source if article else None,
        "written_date": article.date if article else None,
        "date_evidence": article.date_evidence if article else [],
        "date_hints": article.date_hints if article else [],
        "tags": article.tags if article else [],
        "summary": article.summary if article else None,
        "source_magazine": (article.source_magazine or None) if article else None,
        "source_name": (article.source_name or None) if article else None,
        "overridden": article.overridden if article else [],
        "warnings": (article.warnings if article else []) + outcome.notes,
        "removed": outcome.removed,
        "images": [_image(image) for image in article.images] if article else [],
        "images_dropped": article.images_dropped if article else [],
    }


def _image(image: ArticleImage) -> dict[str, Any]:
    return {
        "name": image.name,
        "source": image.source,
        "lead": image.lead,
        "size": f"{image.width}x{image.height}",
        "alt": image.alt,
        "caption": image.caption,
        "credit": image.credit,
    }


_compact = json.JSONEncoder(ensure_ascii=False).encode  # json.dumps makes a new encoder at every call


def _document(entry: dict[str, Any], level: int) -> str:
    """A report entry as JSON, placed `level` levels deep: a key a line, each removed line on a line of its
    own. (json's indented output is written by its pure-Python encoder, which took longer than reading the
    pages; every value here goes through its C encoder.)"""
    pad, inner = "  " * (level + 1), "  " * (level + 2)
    fields = []
    for key, value in entry.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            items = ",\n".join(inner + _compact(item) for item in value)
            fields.append(f"{pad}{_compact(key)}: [\n{items}\n{pad}]")
        else:
            fields.append(f"{pad}{_compact(key)}: {_compact(value)}")
    return "{\n" + ",\n".join(fields) + "\n" + "  " * level + "}"


class Stream:
    """The JSON report, written entry by entry as pages are done, so no batch is held in memory whole.

    A key a line, a removed line a line (see ``_document``); the file is written beside the report and put
    in place by ``close`` (``fsio.AtomicFile``), so a report is never half written.
    """

    def __init__(self, path: Path) -> None:
        self.file = AtomicFile(path)
        self.file.write(b'{\n  "documents": [')
        self.count = 0

    def add(self, outcome: Outcome) -> None:
        text = ("," if self.count else "") + "\n    " + _document(entry(outcome), 2)
        self.file.write(text.encode("utf-8"))
        self.count += 1

    def close(self, ignored: list[str]) -> None:
        listed = "".join(f"\n    {_compact(item)}," for item in ignored).rstrip(",")
        ignored_json = f"[{listed}\n  ]" if ignored else "[]"
        end = ("\n  ]" if self.count else "]") + f',\n  "ignored": {ignored_json}\n}}\n'
        self.file.write(end.encode("utf-8"))
        self.file.commit()

    def discard(self) -> None:
        """A run that failed leaves the last report as it was."""
        self.file.discard()


@dataclass(frozen=True)
class Summary:
    """What the terminal shows of a page: a row of the table, a rejection, notes."""

    source: str
    error: str | None
    notes: tuple[str, ...]
    series: str
    confidence: float
    title: str
    cached: bool
    dated_here: str  # the day of its first publication here, for a page without a date of its own

    @property
    def ok(self) -> bool:
        return self.error is None

    @classmethod
    def of(cls, outcome: Outcome) -> Summary:
        a = outcome.article
        return cls(
            outcome.source,
            outcome.error,
            tuple(outcome.notes),
            a.series if a else "",
            a.confidence if a else 0.0,
            a.title if a else "",
            outcome.cached,
            (a.date or "") if a and a.dated_here else "",
        )


class Shown(Spool[Summary]):
    """The pages the terminal shows something of, gathered as the batch goes and spooled (a batch's worth of
    them is never in memory), for ``show`` after the batch: the table needs all its rows to size its columns,
    and comes before the messages."""

    def __init__(self, table: bool) -> None:
        super().__init__()
        self.table = table  # whether pages ingested this run are listed (not --quiet)

    def add(self, outcome: Outcome) -> None:
        undated = bool(outcome.article and outcome.article.dated_here)
        if outcome.notes or not outcome.ok or undated or (self.table and not outcome.cached):
            self.append(Summary.of(outcome))


def show(result: Result, shown: Shown, *, quiet: bool) -> None:
    """The table of the pages ingested this run (pages taken unchanged from the cache are only counted) and
    a count, unless `quiet`; rejections, notes and ignored files one line each on stderr, always."""
    rows = [page for page in shown if page.ok and not page.cached] if not quiet else []
    if rows:
        _table(rows)
    for page in shown:
        if page.error:
            _say(f"rejected {page.source}: {page.error}")
        for note in page.notes:
            _say(f"note {page.source}: {note}")
        if page.dated_here:
            _say(
                f"undated {page.source}: no date on the page; dated {page.dated_here}, its first publication"
                f" here (set the real date in {overrides.FILE_NAME})"
            )
    for line in result.ignored:
        _say(f"ignored {line}")
    if not quiet:
        written, rejected = result.pages - result.rejected, result.rejected
        cached = f" ({count(result.cached, 'unchanged page', 'unchanged pages')} from the cache)"
        line = f"{written} written, {rejected} rejected, {len(result.ignored)} ignored"
        print(line + (cached if result.cached else ""), flush=True)


def _table(rows: list[Summary]) -> None:
    """The pages as a table on stdout, by rich (imported only here: a quiet run has no use for it)."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Ingest", title_justify="left")
    for column in ("source", "series", "conf.", "title"):
        table.add_column(column, overflow="fold")
    for page in rows:
        table.add_row(page.source, page.series, f"{page.confidence:.2f}", page.title)
    Console().print(table)


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def undated(report: Path, sources: Path) -> str:
    """What `make publish` ends with: the articles dated by their first publication here, each with the
    line of overrides.toml that sets its real date (and the dates its page only mentions); "" when none."""
    documents = json.loads(report.read_text(encoding="utf-8"))["documents"]
    found = [doc for doc in documents if doc.get("status") == "ok" and doc.get("date") is None]
    if not found:
        return ""
    lines = [
        f'Dated by their first publication here ("geplaatst op"), no date on the page: '
        f"{count(len(found), 'article', 'articles')}. Set the real date with a line in "
        f"{sources / overrides.FILE_NAME}:"
    ]
    for doc in found:
        lines.append(f"  {doc['title']} (geplaatst op {doc['written_date']})")
        lines.append(f'    {json.dumps(doc["source"], ensure_ascii=False)} = {{ date = "YYYY-MM-DD" }}')
        lines += [f"      hint: {hint}" for hint in doc.get("date_hints", [])]
    return "\n".join(lines)
