"""The email in real headless Chromium, at a phone's width and at the 600 px of the layout."""

from __future__ import annotations

from pathlib import Path

import pytest
from digestkit import FIXTURE
from sitekit import SCREENSHOTS, chromium

from pipeline.cli import main

# The right edge of the rightmost visible element: text cut off inside an overflow:hidden box counts too.
RIGHTMOST = """Math.max(...[...document.body.querySelectorAll('*')]
    .filter(e => e.getClientRects().length && getComputedStyle(e).visibility !== 'hidden')
    .map(e => e.getBoundingClientRect().right))"""

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("digest")
    site = tmp_path_factory.mktemp("site")
    assert main(["digest", "--content", str(FIXTURE), "--out", str(out), "--web", str(site)]) == 0
    return {"email": out / "digest.html", "web": site / "nieuwsbrief" / "30" / "index.html"}


@pytest.mark.parametrize("width", [375, 600])
@pytest.mark.parametrize("kind", ["email", "web"])
def test_no_horizontal_scrolling_and_nothing_fetched(pages, kind, width):
    requests: list[str] = []
    with chromium() as browser:
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.on("request", lambda request: requests.append(request.url))
        page.goto(pages[kind].as_uri(), timeout=30_000)
        scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        widest = page.evaluate(RIGHTMOST)
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=SCREENSHOTS / f"digest-{kind}-{width}.png", full_page=True)
    assert scroll <= inner, f"{kind} scrolls sideways at {width}px: {scroll} > {inner}"
    assert widest <= width, f"an element of the {kind} version sticks out to {widest}px at {width}px"
    assert [url for url in requests if not url.startswith("file://")] == []  # no fonts, no trackers
