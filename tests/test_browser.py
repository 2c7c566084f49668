"""Real headless Chromium on the seeds site: home, an article, a series page and search at 375 and 1280 px.

Requests for SITEURL are answered from the build folder (tests.sitekit.serve_from); nothing leaves here.
Screenshots go to screenshots/ (gitignored) for a person to look at.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

from tests.sitekit import CHROMIUM, CHROMIUM_ARGS, ROOT, SCREENSHOTS, SITEURL, ingest, pelican, serve_from

PAGES = {
    "home": "",
    "article": "2018/sociaal-werk-vertrouw-op-je-kracht-en-bouw-aan-een-nieuwe-taal/",
    "series": "reeks/blog/",
    "search": "zoeken/?q=wijkteams",
}
WIDTHS = (375, 1280)
pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("browser")
    ingest(ROOT / "seeds", root / "content", root / "ingest.json")
    pelican(root / "content", root / "output")
    return root / "output"


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PAGES)
def test_page_in_chromium(browser, site, name, width):
    page = browser.new_page(viewport={"width": width, "height": 900})
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    serve_from(page, site)
    page.goto(f"{SITEURL}/{PAGES[name]}", wait_until="networkidle")
    if name == "search":
        page.wait_for_selector(".pagefind-ui__result", timeout=10_000)
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
    assert problems == []
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{overflow}px of horizontal scrolling"
    violations = Axe().run(page).response["violations"]
    serious = [
        (v["id"], v["impact"], len(v["nodes"])) for v in violations if v["impact"] in ("serious", "critical")
    ]
    assert serious == []
    page.close()


def test_search_finds_dutch_words_by_their_stem(browser, site):
    page = browser.new_page()
    serve_from(page, site)
    page.goto(f"{SITEURL}/zoeken/?q=wijkteam", wait_until="networkidle")
    page.wait_for_selector(".pagefind-ui__result-link", timeout=10_000)
    titles = page.locator(".pagefind-ui__result-link").all_inner_texts()
    assert "Een sociaal wijkteam is geen container" in titles
    page.close()


def test_skip_link_is_the_first_stop_and_visible(browser, site):
    page = browser.new_page()
    serve_from(page, site)
    page.goto(f"{SITEURL}/")
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "[document.activeElement.textContent, document.activeElement.getBoundingClientRect().top]"
    )
    assert focused[0] == "Naar de inhoud" and focused[1] >= 0
    page.close()
