"""The images of an HTML page: the lead image, the article's figures with alt text, caption and credit, and
the site chrome among them (logos, icons, tracking pixels, avatars, sidebar images) marked with a reason.

The HTML reader calls ``find_images`` once per page with the element that holds the article (or the page's
<body>) and keeps the result on ``Page.images``; ``mark_captions`` then marks the page's caption and credit
lines, so a caption never becomes a heading and a credit never body text. One XPath finds the images; each
is judged by its own attributes and the few elements around it, never by a walk over the whole tree.

The words, hosts and cues are data: ``pipeline/rules/images.toml``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from functools import cache, lru_cache
from itertools import islice
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import etree

from pipeline.model import ImageRef, Page, Role

RULES_FILE = Path(__file__).parent.parent / "rules" / "images.toml"
_WORD_SPLIT = re.compile(r"[^a-z0-9]+")
_SIZE = re.compile(r"^\s*(\d{1,6})")
MAX_ATTRIBUTE = 300
MAX_URL = 2048
ANCHOR_LEVELS, ANCHOR_SIBLINGS = 4, 12  # how far after an image its anchor text is looked for
CAPTION_REASON = "figure caption (kept with its image)"
CREDIT_REASON = "image credit (kept with its image)"


@cache
def rules() -> dict[str, Any]:
    """The image rules, read once."""
    return tomllib.loads(RULES_FILE.read_text("utf-8"))


@cache
def _credit_pattern() -> re.Pattern[str]:
    """ "<caption> Beeld: <credit>" -> the credit from its cue to the end of the text."""
    credit = rules()["credit"]
    cues = "|".join(sorted(map(re.escape, credit["cues"]), key=len, reverse=True))
    signs = "|".join(sorted(map(re.escape, credit["signs"]), key=len, reverse=True))
    return re.compile(
        rf"(?:^|(?<=[\s.(|–—-]))(?P<credit>(?:{cues})\s*:\s*\S.*|(?:{signs})\s*\S.*)$", re.IGNORECASE
    )


def find_images(
    scope: etree._Element, base_url: str = "", article: etree._Element | None = None
) -> list[ImageRef]:
    """Every image in `scope` (the page's <body>), in document order.

    Chrome images get a `reason`, and so does every image outside `article` (the element that holds the
    article, when the reader found one); the first image that is not chrome is the lead. The page's
    og:image (from the <head> of `scope`'s document) comes last as a `fallback` lead, unless it is one of the
    images found. `base_url` makes relative addresses absolute (pass "" to keep them as the page gives them,
    which is what a saved page's `_files` folder needs).
    """
    found: list[ImageRef] = []
    seen: set[str] = set()
    inside = set(article.iter("img")) if article is not None else None
    for img in scope.xpath(".//img"):
        ref = _image(img, scope, base_url, article, inside)
        if ref is None or ref.src in seen:
            continue
        seen.add(ref.src)
        found.append(ref)
    lead = next((ref for ref in found if not ref.reason), None)
    if lead is not None:
        lead.lead = True
    og, og_alt = _og_image(scope, base_url)
    if og and og not in seen:
        found.append(ImageRef(src=og, alt=og_alt, lead=lead is None, fallback=True))
    return found


def mark_captions(page: Page) -> None:
    """Mark the lines that are an article image's caption or credit as ``Role.FIGURE`` (in the body, or taken
    for chrome by the reader), and any other <figcaption> left in the body: never body text or a heading."""
    texts = {}
    for ref in page.images:
        if not ref.reason:
            texts.update({_norm(ref.caption): CAPTION_REASON, _norm(ref.credit): CREDIT_REASON})
            texts[_norm(f"{ref.caption} {ref.credit}")] = CAPTION_REASON
    texts.pop("", None)
    for line in page.lines:
        if line.role not in (Role.BODY, Role.CHROME):
            continue
        reason = texts.get(_norm(line.text)) if texts else None
        if not reason and line.role is Role.BODY and line.hint == "figcaption":
            reason = CAPTION_REASON
        if reason:
            line.role, line.reason = Role.FIGURE, reason


def attach_images(
    page: Page, scope: etree._Element, base_url: str = "", article: etree._Element | None = None
) -> Page:
    """``find_images`` into ``page.images``, then ``mark_captions``: the one call the HTML reader makes."""
    page.images = find_images(scope, base_url, article)
    mark_captions(page)
    return page


def split_credit(text: str) -> tuple[str, str]:
    """("Caption", "Beeld: Name") from "Caption. Beeld: Name"; ("", credit) when the text is all credit."""
    text = " ".join(text.split())
    match = _credit_pattern().search(text)
    if not match:
        return text, ""
    caption = text[: match.start()].rstrip(" |–—-(").strip()
    return caption, match["credit"].rstrip(")").strip()


# -- one image -----------------------------------------------------------------------------------------------


def _image(
    img: etree._Element,
    scope: etree._Element,
    base_url: str,
    article: etree._Element | None,
    inside: set[etree._Element] | None,
) -> ImageRef | None:
    src = _source(img, base_url)
    if not src:
        return None
    width, height = _size(img.get("width")), _size(img.get("height"))
    alt = _text(img.get("alt") or "")
    if inside is not None and img not in inside:  # outside the article: its own size and host, no more
        reason = _pixel(src, width, height) or f"image: outside the article <{article.tag}>"  # type: ignore[union-attr]
        return ImageRef(src=src, alt=alt, reason=reason, width=width, height=height)
    reason = _chrome(img, scope, src, width, height)
    if reason:
        return ImageRef(src=src, alt=alt, reason=reason, width=width, height=height)
    figure = _figure(img, scope)
    caption, credit = _caption(figure) if figure is not None else ("", "")
    anchor = _anchor(figure if figure is not None else img)
    return ImageRef(src, alt, caption, credit, width=width, height=height, anchor=anchor)


def _source(img: etree._Element, base_url: str) -> str:
    """The first usable address among the source attributes; data: and script URLs are not addresses."""
    for name in rules()["source"]["attributes"]:
        value = (img.get(name) or "").strip()
        if name.endswith("srcset") and value:
            value = value.split(",")[0].split()[0]
        scheme = urlsplit(value).scheme.lower() if value else ""
        if value and len(value) <= MAX_URL and scheme in ("", "http", "https", "file"):
            return urljoin(base_url, value) if base_url else value
    return ""


def _figure(img: etree._Element, scope: etree._Element) -> etree._Element | None:
    for ancestor in img.iterancestors():
        if ancestor.tag == "figure":
            return ancestor
        if ancestor is scope:
            break
    return None


def _caption(figure: etree._Element) -> tuple[str, str]:
    """(caption, credit) of a <figure>: the credit from an element of its own, else from the caption's end."""
    classes = set(rules()["credit"]["classes"])
    credit = ""
    for element in figure.iter():
        if isinstance(element.tag, str) and _words(element.get("class")) & classes:
            credit = _text(" ".join(element.itertext()))
            break
    figcaption = figure.find(".//figcaption")
    text = _text(" ".join(figcaption.itertext())) if figcaption is not None else ""
    if credit:
        return _text(text.replace(credit, "")).rstrip(" |–—-").strip(), credit
    return split_credit(text)


def _anchor(element: etree._Element) -> str:
    """The start of the first text after `element` in document order: its tail, a text in one of the next
    few siblings, or the same a few levels up. Bounded, so a gallery of thousands of images stays cheap;
    nothing near: "" (the figure goes after the text)."""
    node: etree._Element | None = element
    for _ in range(ANCHOR_LEVELS):
        if node is None:
            break
        found = next(filter(_has_text, _texts_after(node)), "")
        if found:
            return _text(found)[: rules()["limits"]["anchor_chars"]]
        node = node.getparent()
    return ""


def _texts_after(node: etree._Element) -> Iterator[str]:
    """`node`'s tail, then the texts of the next ANCHOR_SIBLINGS siblings, their tails included."""
    yield node.tail or ""
    for sibling in islice(node.itersiblings(), ANCHOR_SIBLINGS):
        if isinstance(sibling.tag, str):
            yield from sibling.itertext()
        yield sibling.tail or ""


def _has_text(text: str) -> bool:
    return bool(text) and not text.isspace()


# -- chrome --------------------------------------------------------------------------------------------------


def _chrome(img: etree._Element, scope: etree._Element, src: str, width: int, height: int) -> str:
    """Why the image is site chrome, or ""."""
    chrome = rules()["chrome"]
    if pixel := _pixel(src, width, height):
        return pixel
    if width and height and width <= chrome["icon_max"] and height <= chrome["icon_max"]:
        return f"image: icon ({width}x{height})"
    stem = urlsplit(src).path.rsplit("/", 1)[-1].rsplit(".", 1)[0].lower()
    found = _token(stem, "file name") or _token(img.get("class"), "class") or _token(img.get("id"), "id")
    return found or _around(img, scope)


def _pixel(src: str, width: int, height: int) -> str:
    """Why the image is a tracking pixel (by its size or its host), or ""."""
    chrome = rules()["chrome"]
    if width and height and width <= chrome["pixel_max"] and height <= chrome["pixel_max"]:
        return f"image: tracking pixel ({width}x{height})"
    host = (urlsplit(src).hostname or "").lower()
    labels = host.split(".")
    if any(".".join(labels[i:]) in _trackers() for i in range(len(labels) - 1)):
        return f"image: tracking pixel (host {host})"
    return ""


def _around(img: etree._Element, scope: etree._Element) -> str:
    """The reason of the nearest element around the image that is chrome (by tag, class or id), or ""."""
    chrome = rules()["chrome"]
    for ancestor in img.iterancestors():
        tag = ancestor.tag
        if tag in chrome["tags"] and not (tag in chrome["outside_article_only"] and _in_article(ancestor)):
            return f"image: {chrome['tags'][tag]} (inside <{tag}>)"
        found = _token(ancestor.get("class"), f"<{tag}> class") or _token(ancestor.get("id"), f"<{tag}> id")
        if found:
            return found
        if ancestor is scope:
            break
    return ""


def _in_article(element: etree._Element) -> bool:
    return any(ancestor.tag in ("article", "main") for ancestor in element.iterancestors())


def _token(value: str | None, where: str) -> str:
    found = _token_kind(value[:MAX_ATTRIBUTE].lower()) if value else None
    return f"image: {found[0]} ({where} '{found[1]}')" if found else ""


@lru_cache(maxsize=4096)
def _token_kind(value: str) -> tuple[str, str] | None:
    """(why, word) for a class, id or file name with a chrome word in it."""
    tokens = rules()["chrome"]["tokens"]
    for word in value.split():
        for token in (word, *_WORD_SPLIT.split(word)):
            if token in tokens:
                return tokens[token], word
    return None


@cache
def _trackers() -> frozenset[str]:
    return frozenset(rules()["chrome"]["tracker_hosts"])


# -- small helpers -------------------------------------------------------------------------------------------


def _og_image(scope: etree._Element, base_url: str) -> tuple[str, str]:
    """(address, alt text) of the page's og:image, or ("", "")."""
    tags: dict[str, str] = {}  # the first of each (a page may name several images)
    for meta in scope.getroottree().xpath("/html/head/meta[starts-with(@property|@name, 'og:image')]"):
        tags.setdefault(meta.get("property") or meta.get("name") or "", meta.get("content") or "")
    value = tags.get("og:image", "").strip()
    if not value or len(value) > MAX_URL or urlsplit(value).scheme.lower() not in ("", "http", "https"):
        return "", ""
    return (urljoin(base_url, value) if base_url else value), _text(tags.get("og:image:alt", ""))


def _words(value: str | None) -> set[str]:
    return set((value or "")[:MAX_ATTRIBUTE].lower().split())


def _size(value: str | None) -> int:
    match = _SIZE.match(value or "")
    return int(match[1]) if match else 0


def _text(value: str) -> str:
    return " ".join(value.split())


def _norm(value: str) -> str:
    return " ".join(value.split()).casefold()
