"""The fixture pages' images in real headless Chromium at 375 and 1280 px: the article, the home page and the
digest show their pictures without layout shift or horizontal scrolling, and axe finds no image without alt.

Requests for SITEURL are answered from the build folder (tests.sitekit.serve_from); nothing leaves here.
Screenshots go to screenshots/ (gitignored) for a person to look at.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from pipeline.digest.editions import Window
from pipeline.digest.publish import edition_for, read_content
from pipeline.digest.render import render
from tests.digestkit import config
from tests.imagekit import build_site
from tests.sitekit import SCREENSHOTS, SITEURL, chromium, serve_from

PAGES = {
    "article": "2021/interview-anna-de-vries-wijkwerk-begint-bij-luisteren/",
    "home": "",
    "digest": "digest-test.html",
}
WIDTHS = (375, 1280)
pytestmark = pytest.mark.browser
# Every layout shift from the first paint on, as Chromium measures it (the Layout Instability API).
WATCH_SHIFTS = """
window.__shifts = 0;
new PerformanceObserver(list => {
  for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__shifts += entry.value;
}).observe({type: "layout-shift", buffered: true});
"""
SCROLL_THROUGH = """
async () => {
  for (let y = 0; y < document.documentElement.scrollHeight; y += 400) {
    window.scrollTo(0, y);
    await new Promise(resolve => setTimeout(resolve, 50));
  }
}
"""
IMAGES = """
[...document.images].map(img => ({
  src: img.currentSrc || img.src, width: img.getAttribute("width"), height: img.getAttribute("height"),
  alt: img.getAttribute("alt"), loaded: img.complete && img.naturalWidth > 0,
  shown: img.getBoundingClientRect().width,
}))
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    built = build_site(tmp_path_factory.mktemp("images-browser"))
    settings = config(siteurl=SITEURL)
    edition = edition_for(
        settings, read_content(settings, built["content"]), Window(22, date(2021, 1, 1), date(2021, 4, 30))
    )
    (built["output"] / PAGES["digest"]).write_text(render(edition).html, encoding="utf-8")
    return built["output"]


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PAGES)
def test_images_show_without_shift_scroll_or_missing_alt(browser, site, name, width):
    page = browser.new_page(viewport={"width": width, "height": 900})
    serve_from(page, site)
    page.add_init_script(WATCH_SHIFTS)
    page.goto(f"{SITEURL}/{PAGES[name]}", wait_until="networkidle")
    page.evaluate(SCROLL_THROUGH)  # as a reader does: the lazy images below the fold load on the way
    page.wait_for_load_state("networkidle")
    page.wait_for_function("[...document.images].every(img => img.complete)", timeout=10_000)
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"images-{name}-{width}.png"), full_page=True)
    images = page.evaluate(IMAGES)
    assert images, "no image on the page"
    for image in images:
        assert image["width"] and image["height"], image
        assert image["alt"] is not None and image["loaded"] and 0 < image["shown"] <= width, image
        assert image["src"].startswith(f"{SITEURL}/images/"), image
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{overflow}px of horizontal scrolling"
    assert page.evaluate("window.__shifts") < 0.01
    violations = Axe().run(page).response["violations"]
    assert [
        v["id"] for v in violations if v["id"] in ("image-alt", "role-img-alt", "image-redundant-alt")
    ] == []
    if name != "digest":  # the email's tables are Outlook's, not a web page's; test_digest_browser checks it
        assert [v["id"] for v in violations if v["impact"] in ("serious", "critical")] == []
    page.close()


def test_the_phone_gets_a_small_variant_and_a_wide_screen_a_larger_one(browser, site):
    chosen = {}
    for width in WIDTHS:
        page = browser.new_page(viewport={"width": width, "height": 900}, device_scale_factor=1)
        serve_from(page, site)
        page.goto(f"{SITEURL}/{PAGES['article']}", wait_until="networkidle")
        chosen[width] = page.evaluate("document.querySelector('.article-lead img').currentSrc")
        page.close()
    assert chosen[375].endswith("/400.webp") and chosen[1280].endswith("/800.webp")


def test_the_digest_reads_well_with_images_off(browser, site):
    page = browser.new_page(viewport={"width": 600, "height": 900})
    serve_from(page, site)
    page.route("**/images/**", lambda route: route.abort())  # a mail client that blocks images
    page.goto(f"{SITEURL}/{PAGES['digest']}", wait_until="load")
    text = page.inner_text("body")
    assert "Interview Anna de Vries" in text and "Lees verder" in text
    box = page.evaluate(
        "(() => { const r = document.images[0].getBoundingClientRect(); return [r.width, r.height]; })()"
    )
    assert box[0] > 0 and box[1] > 0  # the space is kept, the alt text shows in it
    page.screenshot(path=str(SCREENSHOTS / "images-digest-images-off.png"), full_page=True)
    page.close()
