"""The one gate for markup: every HTML fragment that reaches a page, a feed or an email passes `html()`.

An allowlist sanitizer (nh3, the Python binding of Rust's ammonia) keeps text markup, links, images and tables
and drops everything else: scripts, iframes, objects, forms, event-handler and style attributes, and every URL
whose scheme is not on the list (so no ``javascript:``, ``vbscript:`` or ``data:``). Text that merely *says*
``<script>`` arrives here as ``&lt;script&gt;`` and stays text.

`text()` is the gate for plain strings (titles, names, summaries): it removes the characters XML 1.0 forbids
and the C1 controls, so a feed stays well-formed whatever a source file held.
"""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass, field

import nh3

# Characters XML 1.0 does not allow (C0 controls but tab/newline/return, surrogates, U+FFFE/U+FFFF), and the
# C1 controls and DEL, which XML allows but no text needs (they are what is left of a wrongly decoded page).
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class Policy:
    """What markup may stay: tags, attributes per tag ("*": any tag), URL schemes (relative URLs may stay)."""

    tags: frozenset[str]
    attributes: dict[str, frozenset[str]] = field(default_factory=dict)
    url_schemes: frozenset[str] = frozenset({"http", "https", "mailto"})

    def clean(self, fragment: str) -> str:
        return nh3.clean(
            text(fragment),
            tags=set(self.tags),
            attributes={tag: set(names) for tag, names in self.attributes.items()},
            url_schemes=set(self.url_schemes),
            clean_content_tags={"script", "style"},
            strip_comments=True,
            link_rel=None,  # no `target` may stay, so a link cannot reach back into our page
        )


_TEXT_TAGS = {"p", "br", "a", "em", "strong", "b", "i", "u", "s", "small", "mark", "sub", "sup", "q", "cite"}
_BLOCK_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "hr", "div", "span"}
_OTHER_TAGS = {"abbr", "code", "pre", "kbd", "del", "ins", "dl", "dt", "dd", "figure", "figcaption", "img"}
_TABLE_TAGS = {"table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td"}

# Article bodies, theme descriptions and summaries on the site and in the feeds: what Markdown (with Pelican's
# `extra`: tables, footnotes, abbreviations, attribute lists) can produce, without scripts or styles.
ARTICLE = Policy(
    tags=frozenset(_TEXT_TAGS | _BLOCK_TAGS | _OTHER_TAGS | _TABLE_TAGS),
    attributes={
        "*": frozenset({"class", "title", "lang", "dir"}),
        "a": frozenset({"href", "hreflang"}),
        "img": frozenset({"src", "alt", "width", "height"}),
        "ol": frozenset({"start"}),
        "th": frozenset({"colspan", "rowspan", "scope"}),
        "td": frozenset({"colspan", "rowspan"}),
        "blockquote": frozenset({"cite"}),
        # ids for anchors (headings, footnotes); no script on our pages looks elements up by id
        **{tag: frozenset({"id"}) for tag in ("h2", "h3", "h4", "h5", "h6", "li", "sup", "div")},
    },
)

# The editor's word in an email: text markup and web links only; an email client gets nothing else from us.
EMAIL = Policy(
    tags=frozenset({"p", "a", "em", "strong", "ul", "ol", "li", "blockquote", "br", "h2", "h3"}),
    attributes={"a": frozenset({"href"})},
    url_schemes=frozenset({"http", "https"}),
)


def text(value: str) -> str:
    """``value`` without the characters XML forbids and the C1 controls (each becomes a space)."""
    return _NOT_TEXT.sub(" ", value)


def html(fragment: str, policy: Policy = ARTICLE) -> str:
    """The fragment with only what ``policy`` allows."""
    return policy.clean(fragment)


def plain(fragment: str) -> str:
    """The fragment's text on one line: tags dropped, entities decoded; for places that take no markup."""
    return " ".join(html_lib.unescape(nh3.clean(text(fragment), tags=set())).split())
