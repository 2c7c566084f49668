"""The last step of `make publish`: put a finished build in place in one step, and say what was published.

The output folder is a symbolic link to a numbered build in ``OUTPUT.builds/`` (relative, so the tree can be
moved). A publish builds into a new number beside it and flips the link with one rename: a reader of the site
finds the old build or the new one, never a moment without a site or a part of a build. The build the link
left and the new one are kept (a reader may still be fetching from the old one); older builds, and those of
runs that failed or were killed, are removed.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

from pipeline import fsio
from pipeline.errors import UserError
from pipeline.plural import count

BUILDS = ".builds"
STAMP = ".publish-stamp"  # inside a site `make publish` built: which build it is, and for which SITEURL


def stamp(site: Path, fingerprint: str, siteurl: str) -> None:
    """Mark `site` as the publish build of `fingerprint`: `make html` writing into it afterwards changes its
    home page, so the stamp no longer matches and the next publish builds again."""
    record = {"fingerprint": fingerprint, "index": _index_hash(site), "siteurl": siteurl}
    fsio.atomic_write_text(site / STAMP, json.dumps(record, indent=1) + "\n")


def stamped(site: Path) -> dict[str, str]:
    """The stamp of a publish build as it still stands in `site`; {} for any other folder (a `make html`
    build, a publish build written over since, none at all)."""
    try:
        record = json.loads((site / STAMP).read_text(encoding="utf-8"))
        return record if record.get("index") == _index_hash(site) else {}
    except (OSError, ValueError, AttributeError):
        return {}


def _index_hash(site: Path) -> str:
    return hashlib.sha256((site / "index.html").read_bytes()).hexdigest()


def builds(output: Path) -> Path:
    """The folder of the numbered builds of `output`."""
    return output.with_name(output.name + BUILDS)


def new_build(output: Path) -> Path:
    """A fresh, empty build folder, numbered after every build there is (finished or not)."""
    folder = builds(output)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        numbers = [int(entry.name) for entry in folder.iterdir() if entry.name.isdigit()]
        build = folder / str(max(numbers, default=0) + 1)
        build.mkdir()
    except OSError as exc:
        raise fsio.folder_error(folder, exc) from exc
    return build


def swap(build: Path, output: Path) -> None:
    """Make `output` a link to `build` in one rename, then remove the builds no link points to but the last.

    An output folder of the time before builds (a real folder) is moved into the builds first: that once,
    the site is missing between two renames."""
    if not (build / "index.html").is_file():
        raise UserError(f"{build} holds no built site (no index.html); {output} left as it was")
    previous = _target(output)
    try:
        if output.is_dir() and not output.is_symlink():
            previous = new_build(output)
            previous.rmdir()
            output.rename(previous)
        link = output.with_name(f".{output.name}.link")
        link.unlink(missing_ok=True)
        link.symlink_to(os.path.relpath(build, output.parent))
        os.replace(link, output)
    except OSError as exc:
        raise fsio.folder_error(output.parent, exc) from exc
    _prune(builds(output), keep={build.name, previous.name if previous else ""})


def _target(output: Path) -> Path | None:
    """The build `output` links to, if it is a link."""
    if not output.is_symlink():
        return None
    return output.parent / os.readlink(output)


def _prune(folder: Path, keep: set[str]) -> None:
    """Remove the builds not in `keep`, and what belongs to them (``N.digest``, lock files ``.N...lock``)."""
    for entry in folder.iterdir():
        if entry.name.lstrip(".").split(".")[0] in keep:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)


def _is_article(parts: tuple[str, ...]) -> bool:
    """Article pages are saved as YEAR/SLUG/index.html (ARTICLE_SAVE_AS)."""
    return len(parts) == 3 and parts[0].isdigit() and parts[2] == "index.html"


def summary(output: Path, siteurl: str) -> str:
    """What a reader will find: article pages, other pages, feeds, search index, and where."""
    pages = [p for p in output.rglob("*.html") if "pagefind" not in p.relative_to(output).parts]
    articles = [p for p in pages if _is_article(p.relative_to(output).parts)]
    feeds = sorted(p.relative_to(output).as_posix() for p in (output / "feeds").glob("*.xml"))
    lines = [
        f"Published {output}/ for {siteurl}",
        f"  {count(len(articles), 'article', 'articles')}, {count(len(pages), 'HTML page', 'HTML pages')}",
        f"  {count(len(feeds), 'feed', 'feeds')}: {', '.join(feeds)}",
        f"  search index: {'yes' if (output / 'pagefind' / 'pagefind.js').is_file() else 'MISSING'}",
        f"  sitemap: {'yes' if (output / 'sitemap.xml').is_file() else 'MISSING'}",
    ]
    return "\n".join(lines)
