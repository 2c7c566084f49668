"""What "no executable markup" means, checked the way a browser reads a document: parsed by lxml, then every
element and attribute that can run code, load a frame or an object, or fetch through CSS is listed.

Independent of pipeline.sanitize on purpose: the tests check the sanitizer's output, not its own rules.
"""

from __future__ import annotations

import re
from pathlib import Path

import lxml.etree
import lxml.html

# Elements that run code or embed another document, whatever their attributes.
ACTIVE_ELEMENTS = {
    "script",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "base",
    "form",
    "svg",
    "math",
    "portal",
    "meta",
    "link",
    "style",
}
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "poster",
    "background",
    "xlink:href",
    "srcset",
    "cite",
    "data",
    "ping",
    "lowsrc",
    "dynsrc",
}
BAD_SCHEME = re.compile(r"^(javascript|vbscript|data|livescript|mocha):", re.IGNORECASE)
BAD_STYLE = re.compile(r"url\s*\(|expression\s*\(|@import|behavior\s*:|-moz-binding", re.IGNORECASE)
# What a browser ignores in a URL (WHATWG URL standard): C0 controls and spaces at either end, tabs and
# newlines anywhere ("java\tscript:" is javascript:).
_URL_ENDS = "".join(chr(c) for c in range(0x21))
_IGNORED_IN_URL = re.compile(r"[\t\n\r]")

# What our own theme puts in every page's <head> or on a page of its own: allowed by exact shape.
THEME_SCRIPTS = {"application/ld+json"}
THEME_SCRIPT_SOURCES = re.compile(r"/(pagefind/pagefind-ui\.js|theme/js/zoeken\.js)$")
SIGNUP_ACTION = re.compile(r"^(https?://[^/]+)?(\.\.?/|/)*nieuwsbrief/aanmelden$")  # the newsletter service


def _scheme_of(url: str) -> str:
    return _IGNORED_IN_URL.sub("", url.strip(_URL_ENDS))


def dangers(document: str, *, fragment: bool = False, theme: bool = False) -> list[str]:
    """Every piece of executable markup in an HTML document or fragment, described in a few words.

    ``theme``: a whole page of our site, whose head may hold the theme's own links, metas and scripts.
    """
    if not document.strip():
        return []
    root = (
        lxml.html.fragment_fromstring(document, create_parent="div")
        if fragment
        else lxml.html.document_fromstring(document)
    )
    found = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.lower()
        if tag in ACTIVE_ELEMENTS and not (theme and _theme_element(element, tag)):
            found.append(f"<{tag}> element")
        for name, value in element.attrib.items():
            name = name.lower()
            if name.startswith("on"):
                found.append(f"{name} on <{tag}>")
            elif name == "style" and BAD_STYLE.search(value):
                found.append(f"style with a URL on <{tag}>")
            elif name in URL_ATTRIBUTES and BAD_SCHEME.match(_scheme_of(value)):
                found.append(f"{name}={value[:30]!r} on <{tag}>")
            elif name == "http-equiv" and value.lower() == "refresh":
                found.append("meta refresh")
    return found


def _theme_element(element, tag: str) -> bool:
    """The theme's own elements: JSON-LD and the search scripts, the head's links, metas and URL-free styles
    (MJML puts its CSS there), the search form and the newsletter's sign-up form."""
    in_head = any(parent.tag == "head" for parent in element.iterancestors())
    if tag == "script":
        return element.get("type") in THEME_SCRIPTS or bool(
            THEME_SCRIPT_SOURCES.search(element.get("src", ""))
        )
    if tag == "style":
        return in_head and not BAD_STYLE.search(element.text or "")
    if tag == "form":
        signup = element.get("class") == "signup" and SIGNUP_ACTION.match(element.get("action", ""))
        return element.get("role") == "search" or bool(signup)
    return in_head and tag in {"link", "meta"}


ATOM = "{http://www.w3.org/2005/Atom}"
# RSS elements that readers render as HTML; Atom says per element, with type="html" or "xhtml".
RSS_HTML = {"description", "{http://purl.org/rss/1.0/modules/content/}encoded"}


def feed_dangers(path: Path) -> list[str]:
    """Executable markup in any HTML a feed carries: Atom's html/xhtml constructs, RSS descriptions."""
    tree = lxml.etree.parse(str(path))
    found = []
    for node in tree.iter():
        if not isinstance(node.tag, str):
            continue
        kind = (
            node.get("type", "text")
            if node.tag.startswith(ATOM)
            else ("html" if node.tag in RSS_HTML else "")
        )
        if kind == "html":
            markup = node.text or ""
        elif kind == "xhtml":
            markup = "".join(lxml.etree.tostring(child, encoding="unicode") for child in node)
        else:
            continue
        found += [
            f"{path.name} <{node.tag.split('}')[-1]}>: {danger}" for danger in dangers(markup, fragment=True)
        ]
    return found


def site_dangers(output: Path) -> list[str]:
    """Executable markup in any page or feed of a built site (Pagefind's own bundle aside)."""
    found = []
    for path in sorted(output.rglob("*")):
        rel = path.relative_to(output)
        if "pagefind" in rel.parts or not path.is_file():
            continue
        if path.suffix == ".html":
            found += [f"{rel}: {d}" for d in dangers(path.read_text(encoding="utf-8"), theme=True)]
        elif path.suffix == ".xml":
            found += feed_dangers(path)
    return found
