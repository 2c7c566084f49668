"""The ingest against the held-out evaluation corpus (tests/fixtures/eval, not used for tuning).

Thresholds from the issue: series right for at least 90% of the pages, at least 99% of the article lines kept,
at least 95% of the chrome lines removed, titles right for at least 90% of the pages.
Run ``python tests/ingest_eval.py`` to see per page what went wrong.
"""

from __future__ import annotations

import pytest
from ingest_eval import DEFAULT_FOLDER, evaluate


@pytest.fixture(scope="module")
def totals() -> dict:
    return evaluate(DEFAULT_FOLDER)


def _failing(totals: dict, key: str) -> list[str]:
    return [p["page"] for p in totals["pages"] if not p[key]]


def test_corpus_is_complete(totals):
    assert totals["n_pages"] >= 30
    series = [p["want"]["series"] for p in totals["pages"]]
    for name in ("blog", "interview", "opinion"):
        assert series.count(name) >= 8, name


def test_series_right_for_90_percent_of_pages(totals):
    assert totals["series_accuracy"] >= 0.90, _failing(totals, "series_ok")


def test_titles_right_for_90_percent_of_pages(totals):
    assert totals["title_accuracy"] >= 0.90, _failing(totals, "title_ok")


def test_99_percent_of_article_lines_kept(totals):
    lost = [f"{p['page']}:{x['line']}" for p in totals["pages"] for x in p["lost"]]
    assert totals["article_kept"] >= 0.99, lost


def test_95_percent_of_chrome_lines_removed(totals):
    leaked = [f"{p['page']}:{x['line']}" for p in totals["pages"] for x in p["leaked"]]
    assert totals["chrome_removed"] >= 0.95, leaked
