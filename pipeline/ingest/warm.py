"""What every worker process needs before its first page, made once in the fork server the workers are forked
from (``batch.run`` names this module as the fork server's preload), so that no worker makes it again.

Importing this module does the work: the HTML reader's modules (``read`` imports them on the first HTML page),
the compiled rules, and the plural rules (parsed on the first ``count``). Each costs milliseconds to tens of
milliseconds in every process that starts cold.
"""

from __future__ import annotations

from pipeline.ingest import batch, html  # noqa: F401 (imported for the workers)
from pipeline.ingest.rules import load
from pipeline.plural import count

load(batch.Config.language)
count(1, "page", "pages")
