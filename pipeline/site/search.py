"""Site search that works on a static host: Pagefind indexes the built pages into `pagefind/`.

Only the article bodies (`data-pagefind-body` in article.html) are indexed; the pages say `lang="nl"`, so
Pagefind stems Dutch words and its UI speaks Dutch. The Pagefind binary comes from the `pagefind[bin]` wheel.

Determinism: Pagefind 1.5 writes byte-identical index files run after run, except for filters
(`data-pagefind-filter`), whose file comes out in a different order each run (and so gets a different hash
name). The theme therefore sets no filters; tests/test_site.py checks that two builds are identical.
"""

from __future__ import annotations

import subprocess
import sys

from pelican import signals


class SearchIndexError(RuntimeError):
    """Pagefind failed; the build must fail with it, or the site would ship without a working search."""


def index(pelican) -> None:
    command = [sys.executable, "-m", "pagefind", "--site", str(pelican.output_path), "--silent"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SearchIndexError(f"pagefind failed ({result.returncode}): {result.stderr.strip()}")


def register() -> None:
    signals.finalized.connect(index)
