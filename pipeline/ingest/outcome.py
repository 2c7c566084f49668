"""What became of one source page: the record the batch hands to the writer and the report."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pipeline.model import Article


@dataclass
class Outcome:
    """What became of one source page; one entry of the report."""

    source: str
    article: Article | None = None
    error: str | None = None
    output: str | None = None
    removed: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    cached: bool = False  # taken from the ingest cache, not ingested again

    @property
    def ok(self) -> bool:
        return self.error is None
