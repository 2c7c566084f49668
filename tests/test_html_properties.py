"""Property tests: read_html never crashes on arbitrary markup, and script text never becomes a line."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.ingest.decode import Rejected
from pipeline.ingest.html import read_html
from pipeline.model import Role

TAGS = [
    "p",
    "div",
    "span",
    "a",
    "b",
    "article",
    "main",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "ul",
    "li",
    "h1",
    "h2",
    "table",
    "tr",
    "td",
    "blockquote",
    "br",
    "section",
    "time",
    "select",
    "svg",
    "template",
]
ATTRIBUTES = [
    "",
    ' class="cookie-consent"',
    ' class="share social"',
    ' role="main"',
    ' href="javascript:x"',
    ' href="/pad"',
    " hidden",
    ' id="nav"',
    ' itemprop="articleBody"',
    ' class="entry-content"',
    ' datetime="2020-01-02"',
    ' style="display:none"',
    ' class="{}"',
    " href='data:x'",
]
MARKER = "SCRIPTMARKER"

# Plain text is text: no "<" (a stray "<?" makes a browser, and lxml, read "<?<script>" as a bogus comment,
# so the script's body becomes visible text, harmless and as a browser shows it), and never the marker
# itself (Hypothesis also tries the test's own string constants).
TEXT = st.characters(blacklist_categories=("Cs",), blacklist_characters="<")
words = st.text(alphabet=TEXT, max_size=40).filter(lambda word: MARKER not in word)
tags = st.builds(
    lambda tag, attribute, closing: f"<{'/' if closing else ''}{tag}{'' if closing else attribute}>",
    st.sampled_from(TAGS),
    st.sampled_from(ATTRIBUTES),
    st.booleans(),
)
scripts = st.sampled_from(
    [
        f"<script>var x = '{MARKER}';</script>",
        f"<style>p:after{{content:'{MARKER}'}}</style>",
        f"<noscript>{MARKER}</noscript>",
        f"<script type='application/ld+json'>{MARKER}</script>",
        f"<template>{MARKER}</template>",
        f"<svg><text>{MARKER}</text></svg>",
    ]
)
documents = st.lists(
    st.one_of(words, tags, scripts, st.just("<!-- c -->"), st.just("&amp;&#0;&#xD800;")), max_size=60
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
def test_arbitrary_markup_never_crashes_and_never_shows_script_text(parts: list[str]) -> None:
    try:
        page = read_html("random.html", "".join(parts))
    except Rejected as rejected:
        assert str(rejected) and "\n" not in str(rejected)
        return
    assert [line.number for line in page.lines] == list(range(1, len(page.lines) + 1))
    for line in page.lines:
        assert line.text and line.text == " ".join(line.text.split())
        assert line.role in (Role.BODY, Role.CHROME) and bool(line.reason) == (line.role == Role.CHROME)
        assert not any(href.lower().startswith(("javascript:", "data:")) for _, href in line.links)
        assert all(text in line.text for text, _ in line.links)
    assert MARKER not in " ".join(line.text for line in page.lines)
    assert all("\n" not in value for value in page.meta.values())


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_text_never_crashes(text: str) -> None:
    try:
        read_html("text.html", text)
    except Rejected as rejected:
        assert str(rejected) and "\n" not in str(rejected)
