"""trafilatura over a folder of pages, as a user would run it instead of our ingest (the baseline).

    python -m pipeline.bench.extract SRC OUT

Every page of SRC (name order) is read, a .txt page wrapped as HTML (one ``<p>`` per line, escaped), and
extracted with trafilatura as Markdown with its metadata (title, date, author: what our ingest recovers too),
comments left out; the result goes to OUT/<name>.md. One process, one page after another.
"""

from __future__ import annotations

import html
import sys
from pathlib import Path

import trafilatura

from pipeline.bench import corpus


def as_html(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    if path.suffix != ".txt":
        return text
    paragraphs = "\n".join(f"<p>{html.escape(line)}</p>" for line in text.splitlines() if line.strip())
    return f"<html><body>\n{paragraphs}\n</body></html>"


def main(source: Path, out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    for path in corpus.files(source):
        result = trafilatura.extract(
            as_html(path), output_format="markdown", with_metadata=True, include_comments=False
        )
        (out / f"{path.stem}.md").write_text(result or "", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
