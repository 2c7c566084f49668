"""Parsing: any string of HTML becomes an lxml tree without the elements that are never text.

lxml is used directly rather than through BeautifulSoup: it builds the same tree as BeautifulSoup's "lxml"
parser at a fraction of the cost, and its ``iterwalk`` walks any depth of nesting without recursion.
"""

from __future__ import annotations

import re

from lxml import etree

from pipeline.ingest.decode import Rejected
from pipeline.ingest.html.rules import RULES

# Never text: dropped with their content (their tails stay).
DROP = (
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "math",
    "iframe",
    "object",
    "embed",
    "canvas",
    "select",
    "option",
    "datalist",
    "textarea",
)
# Void elements of HTML5 that libxml2's HTML 4 parser does not know to be empty: it nests everything up to the
# end of their parent inside them (which would be dropped with an <embed>, or misread as inline text).
MISNESTED_VOID = ("embed", "source", "track", "wbr", "keygen")
MAX_DEPTH = 1000
MAX_HREF = 2048
MAX_JSON_LD = 1_000_000
# Elements that never hold nested markup, or whose raw text must stay inside its tags (script, style).
NOT_NESTING = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
        "p",
        "li",
        "dt",
        "dd",
        "tr",
        "td",
        "th",
        "option",
        "script",
        "style",
        "noscript",
        "template",
        "textarea",
        "title",
    ]
)
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9:-]*)[^>]*>")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_CONTROL_BYTES = bytes([*range(0, 9), 11, 12, *range(14, 32)])


def parse(text: str, utf8: bytes | None = None) -> etree._Element:
    """An lxml tree of any string: broken, unclosed or deeply nested markup included. `utf8`: the text's
    UTF-8 bytes when the caller has them (the decoder's input, for most pages), spared encoding it again."""
    declaration = _XML_DECLARATION.match(text)
    if declaration:
        text = text[declaration.end() :]
    data = utf8 if utf8 is not None and not declaration else text.encode("utf-8", errors="replace")
    if _not_xml(text, data):
        text = _NOT_XML.sub(" ", text)
        data = text.encode("utf-8", errors="replace")
    if not text or text.isspace():
        raise Rejected("HTML page without any text")
    parser = etree.HTMLParser(
        encoding="utf-8",
        remove_comments=True,
        remove_pis=True,
        no_network=True,
        huge_tree=True,
        collect_ids=False,  # no lookups by id: building the table cost a third of the parse
    )
    try:
        root = etree.fromstring(data, parser)
    except (etree.LxmlError, ValueError) as error:
        raise Rejected(f"unreadable HTML ({str(error).splitlines()[0][:80]})") from None
    if root is not None and any("Excessive depth" in error.message for error in parser.error_log):
        root = etree.fromstring(_flatten(text).encode("utf-8", errors="replace"), parser)
    if root is None:
        raise Rejected("HTML page without any text")
    return root


def _not_xml(text: str, data: bytes) -> bool:
    """Whether the text (`data`: its UTF-8 bytes) holds characters XML cannot (C0 controls, U+FFFE, U+FFFF;
    a lone surrogate was replaced when encoding): told in C, so the regular expression runs only on the rare
    page that has them. Controls are looked for in the bytes (a byte under 0x20 is always that character),
    one byte value at a time (memchr: twice as fast as deleting them all with ``translate``), U+FFFE and
    U+FFFF in the text (searching it for one character is ten times faster than searching the bytes for
    three)."""
    controls = any(byte in data for byte in _CONTROL_BYTES)
    return controls or "\ufffe" in text or "\uffff" in text


def body_of(root: etree._Element) -> etree._Element:
    """The <body>, stripped of what is never text; Rejected when there is none, or when it has more elements
    than an article page has (counted by libxml2, before any Python walks them)."""
    body = root.find("body")
    if body is None:
        raise Rejected("HTML page without any text")
    count, most = int(body.xpath("count(.//*)")), RULES.limits.max_elements
    if count > most:
        raise Rejected(f"{count:,} elements, over the limit of {most:,}: not an article page")
    etree.strip_tags(body, *MISNESTED_VOID)  # their (mis-nested) children stay, in place
    etree.strip_elements(body, *DROP, with_tail=False)
    return body


def _flatten(text: str) -> str:
    """Drop the tags nested deeper than MAX_DEPTH (libxml2 stops parsing at 2048 levels), keeping the text.

    An approximation of HTML's nesting (void and self-closing elements don't nest); only used on pages that
    exceeded libxml2's limit.
    """
    open_tags: list[str] = []
    dropped: dict[str, int] = {}

    def keep(match: re.Match[str]) -> str:
        closing, name = match.group(1) == "/", match.group(2).lower()
        if name in NOT_NESTING:
            return match.group(0)
        if not closing:
            if len(open_tags) < MAX_DEPTH:
                open_tags.append(name)
                return match.group(0)
            dropped[name] = dropped.get(name, 0) + 1
            return ""
        if dropped.get(name):
            dropped[name] -= 1
            return ""
        if name in open_tags:
            del open_tags[len(open_tags) - 1 - open_tags[::-1].index(name) :]
        return match.group(0)

    return _TAG.sub(keep, text)


# Where a page says its own address, in order of trust: (attribute, and the attribute that must name it).
BASE_SOURCES = {
    "base": ("href", None, None),
    "link": ("href", "rel", "canonical"),
    "meta": ("content", "property", "og:url"),
}


def base_url(root: etree._Element) -> str:
    """The URL relative links resolve against: <base href>, else the canonical URL (<link rel=canonical>,
    og:url), else none; the first usable one of each, found in one pass over those elements."""
    found: dict[str, str] = {}
    for element in root.iter(*BASE_SOURCES):
        tag = element.tag
        attribute, key, wanted = BASE_SOURCES[tag]
        if tag in found or (key and element.get(key) != wanted):
            continue
        value = (element.get(attribute) or "").strip()
        if value.lower().startswith(("http://", "https://")) and len(value) <= MAX_HREF:
            found[tag] = value
    return next((found[tag] for tag in BASE_SOURCES if tag in found), "")


def json_ld_texts(root: etree._Element) -> list[str]:
    """The texts of the page's JSON-LD scripts (type "application/ld+json", in any case)."""
    scripts = (script for script in root.iter("script") if "ld+json" in (script.get("type") or "").lower())
    return [script.text for script in scripts if script.text and len(script.text) <= MAX_JSON_LD]
