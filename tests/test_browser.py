"""Real headless Chromium on the seeds site: home, an article, a series page and search at 375 and 1280 px.

Requests for SITEURL are answered from the build folder (tests.sitekit.serve_from); nothing leaves here.
Screenshots are kept in tests.sitekit.SCREENSHOTS (outside the working tree) for a person to look at.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from ingestkit import SEEDS  # a copy: the ingest locks the folder it reads

from tests.sitekit import SCREENSHOTS, SITEURL, chromium, ingest, pelican, serve_from

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
    ingest(SEEDS, root / "content", root / "ingest.json")
    pelican(root / "content", root / "output")
    return root / "output"


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


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


@pytest.mark.parametrize("width", WIDTHS)
def test_search_field_holds_its_magnifier_and_reset_button(browser, site, width):
    """The label stands above the form, so Pagefind's magnifier and Reset button sit inside the field."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    serve_from(page, site)
    page.goto(f"{SITEURL}/zoeken/?q=wijkteams", wait_until="networkidle")
    page.wait_for_selector(".pagefind-ui__search-clear", timeout=10_000)
    field, form, reset, label = (
        page.locator(selector).bounding_box()
        for selector in (
            ".pagefind-ui__search-input",
            ".pagefind-ui__form",
            ".pagefind-ui__search-clear",
            "label.search-label",
        )
    )
    assert label["y"] + label["height"] <= field["y"]
    assert form["y"] == field["y"]  # the magnifier is drawn at the form's top, so at the field's
    assert field["y"] <= reset["y"] and reset["y"] + reset["height"] <= field["y"] + field["height"]
    assert field["x"] <= reset["x"] and reset["x"] + reset["width"] <= field["x"] + field["width"]
    page.screenshot(path=str(SCREENSHOTS / f"search-field-{width}.png"))
    page.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_search_results_show_series_date_and_lede_never_a_byline(browser, site, width):
    page = browser.new_page(viewport={"width": width, "height": 900})
    serve_from(page, site)
    page.goto(f"{SITEURL}/zoeken/?q=sociaal", wait_until="networkidle")
    page.wait_for_selector(".pagefind-ui__result", timeout=10_000)
    results = page.locator(".pagefind-ui__result").all()
    assert len(results) == 5
    for result in results:
        tags = result.locator(".pagefind-ui__result-tags").first.inner_text()
        excerpt = result.locator(".pagefind-ui__result-excerpt").first.inner_text()
        assert "Reeks:" in tags and ("Blog" in tags or "Interview" in tags or "Opinie" in tags)
        assert re.search(r"Datum: (geplaatst op )?\d{1,2} \w+ 20\d\d", tags)
        assert not excerpt.startswith(("Sonja Liefhebber", "Rogier den Uyl", "Radboud Engbersen", "Door"))
    excerpts = page.locator(".pagefind-ui__result-excerpt").all_inner_texts()
    assert any(text.startswith("Wethouder Janny Bakker en directeur sociaal werk") for text in excerpts)
    page.screenshot(path=str(SCREENSHOTS / f"search-results-{width}.png"), full_page=True)
    page.close()
