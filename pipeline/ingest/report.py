"""The ingest report: JSON for tools and editors, and a short table on the terminal."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from pipeline.ingest.batch import Outcome, Result


def entry(outcome: Outcome) -> dict[str, Any]:
    article = outcome.article
    from_page = bool(article and article.date and not article.date_source.startswith("fallback"))
    return {
        "source": outcome.source,
        "status": "ok" if outcome.ok else "rejected",
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
        "tags": article.tags if article else [],
        "summary": article.summary if article else None,
        "source_magazine": (article.source_magazine or None) if article else None,
        "overridden": article.overridden if article else [],
        "warnings": (article.warnings if article else []) + outcome.notes,
        "removed": outcome.removed,
    }


def as_json(result: Result) -> str:
    data = {"documents": [entry(outcome) for outcome in result.outcomes], "ignored": result.ignored}
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def save(result: Result, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(as_json(result), encoding="utf-8")


def show(result: Result, console: Console, errors: Console) -> None:
    """The table of what was ingested; rejections and ignored files one line each on stderr."""
    table = Table(title="Ingest", title_justify="left")
    for column in ("source", "series", "conf.", "title"):
        table.add_column(column, overflow="fold")
    for outcome in result.outcomes:
        if outcome.article:
            a = outcome.article
            table.add_row(outcome.source, a.series, f"{a.confidence:.2f}", a.title)
    if table.row_count:
        console.print(table)
    for outcome in result.outcomes:
        if outcome.error:
            errors.print(
                f"rejected {outcome.source}: {outcome.error}", markup=False, highlight=False, soft_wrap=True
            )
        for note in outcome.notes:
            errors.print(f"note {outcome.source}: {note}", markup=False, highlight=False, soft_wrap=True)
    for line in result.ignored:
        errors.print(f"ignored {line}", markup=False, highlight=False, soft_wrap=True)
    ok = sum(outcome.ok for outcome in result.outcomes)
    console.print(
        f"{ok} written, {len(result.outcomes) - ok} rejected, {len(result.ignored)} ignored",
        markup=False,
        highlight=False,
    )
