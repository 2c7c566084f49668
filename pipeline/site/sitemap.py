"""`sitemap.xml`: every HTML page of the build, in path order, with `lastmod` for article pages.

Built after everything is written, from the output folder itself, so it lists exactly what is published.
An article page's lastmod is its Modified date, read back from its `article:modified_time` meta tag.
"""

from __future__ import annotations

import re
from pathlib import Path
from xml.sax.saxutils import escape

from pelican import signals

from pipeline.site.magazine import base_url

EXCLUDED = {"404.html"}
_MODIFIED = re.compile(r'<meta property="article:modified_time" content="([^"]+)"')


def page_url(siteurl: str, relative: str) -> str:
    """The public URL of an output file: `x/index.html` is served as `x/`."""
    if relative == "index.html":
        relative = ""
    elif relative.endswith("/index.html"):
        relative = relative[: -len("index.html")]
    return f"{siteurl}/{relative}"


def entries(output: Path, siteurl: str) -> list[str]:
    lines = []
    for path in sorted(output.rglob("*.html")):
        relative = path.relative_to(output).as_posix()
        if relative in EXCLUDED or relative.startswith("pagefind/"):
            continue
        loc = f"    <loc>{escape(page_url(siteurl, relative))}</loc>\n"
        found = _MODIFIED.search(path.read_text(encoding="utf-8"))
        lastmod = f"    <lastmod>{found.group(1)}</lastmod>\n" if found else ""
        lines.append(f"  <url>\n{loc}{lastmod}  </url>\n")
    return lines


def write_sitemap(pelican) -> None:
    output = Path(pelican.output_path)
    body = "".join(entries(output, base_url(pelican.settings)))
    (output / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{body}</urlset>\n",
        encoding="utf-8",
    )


def register() -> None:
    signals.finalized.connect(write_sitemap)
