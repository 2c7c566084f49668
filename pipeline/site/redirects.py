"""A published article's address never changes for its readers: when it moves (an editor sets the real date
of a page dated by its first publication, so /2026/titel/ becomes /2014/titel/; a new title gives a new slug),
its old address gets a redirect page.

`make publish` records the addresses each source page's article was published at in ``.urls.toml`` beside
the pages (committed with them, as ``.published.toml``), and writes a page at every earlier address that
sends readers, and search engines (canonical link, no index), to the current one.

    "000_2197933cccdd8821.txt" = ["2026/hoe-zijn-we-de-kern-van-het-sociaal-werk-kwijtgeraakt/"]
"""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from pathlib import Path

import jinja2

from pipeline import fsio
from pipeline.errors import UserError
from pipeline.ingest import write

FILE_NAME = ".urls.toml"  # hidden: the ingest reads no hidden file as a page
TEMPLATE = "redirect.html"
HEADER = "# The addresses each page's article was published at, oldest first, by make publish: commit it.\n"


def current(content: Path, article_url: str) -> dict[str, str]:
    """Source page -> the address of its published article, from the ingest's files in ``content``."""
    found = {}
    for existing in write.scan(content):
        meta = existing.meta
        if existing.path.parent != content or not meta.get("source_file") or not meta.get("date"):
            continue
        if meta.get("status", "published") != "published":
            continue
        day = dt.datetime.fromisoformat(meta["date"])
        found[meta["source_file"]] = article_url.format(**{**meta, "date": day})
    return found


def load(folder: Path) -> dict[str, list[str]]:
    """Source page -> its addresses, oldest first; {} without the file."""
    path = folder / FILE_NAME
    try:
        return tomllib.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: not valid TOML ({exc})") from None


def update(sources: Path, content: Path, site: Path, settings: dict) -> int:
    """Record the current addresses in ``sources/.urls.toml`` and write a redirect page into ``site`` at each
    earlier address no page of the site holds; how many were written."""
    known = load(sources)
    now = current(content, settings["ARTICLE_URL"])
    state = {source: [*(u for u in known.get(source, []) if u != url), url] for source, url in now.items()}
    if state != known:
        _save(sources / FILE_NAME, state)
    page = _template(settings)
    root = settings["SITEURL"].rstrip("/")
    written = 0
    for *earlier, url in state.values():
        for old in earlier:
            target = site / old / "index.html"
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(page.render(url=f"{root}/{url}"), encoding="utf-8")
                written += 1
    return written


def _save(path: Path, state: dict[str, list[str]]) -> None:
    """One line a page, in name order (a JSON string or list of strings is TOML too)."""
    lines = [
        f"{json.dumps(name, ensure_ascii=False)} = {json.dumps(urls)}\n"
        for name, urls in sorted(state.items())
    ]
    try:
        fsio.atomic_write_text(path, HEADER + "".join(lines))
    except fsio.FolderError as exc:
        raise UserError(f"cannot record the articles' addresses: {exc}") from None


def _template(settings: dict) -> jinja2.Template:
    loader = jinja2.FileSystemLoader(Path(settings["THEME"]) / "templates")
    return jinja2.Environment(loader=loader, autoescape=True).get_template(TEMPLATE)
