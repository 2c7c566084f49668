"""The last step of `make publish`: swap a finished build into place and say what was published.

`make publish` builds into a staging folder next to the output folder; only when that build (and the digest's
web version) succeeded does this module put it in place, so a failed build leaves the last good site online.

    python -m pipeline.site.publish STAGING OUTPUT SITEURL
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
from pathlib import Path

from pipeline.plural import count

STAMP = ".publish-stamp"  # inside a site `make publish` built: which build it is, and for which SITEURL


def stamp(site: Path, fingerprint: str, siteurl: str) -> None:
    """Mark `site` as the publish build of `fingerprint`: `make html` writing into it afterwards changes its
    home page, so the stamp no longer matches and the next publish builds again."""
    record = {"fingerprint": fingerprint, "index": _index_hash(site), "siteurl": siteurl}
    (site / STAMP).write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")


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


def swap(staging: Path, output: Path) -> None:
    """Replace `output` by `staging`: two renames on one filesystem, the old site removed last."""
    if not (staging / "index.html").is_file():
        raise SystemExit(f"publish: {staging} holds no built site (no index.html); {output} left as it was")
    previous = output.with_name(output.name + ".previous")
    shutil.rmtree(previous, ignore_errors=True)
    if output.exists():
        output.rename(previous)
    staging.rename(output)
    shutil.rmtree(previous, ignore_errors=True)


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


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[-1].strip(), file=sys.stderr)
        return 2
    staging, output, siteurl = Path(argv[0]), Path(argv[1]), argv[2]
    swap(staging, output)
    print(summary(output, siteurl))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
