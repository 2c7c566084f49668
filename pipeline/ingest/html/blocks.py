"""Blocks: one pass over the body turns it into runs of text between block boundaries, in document order.

Each block knows its text, a structural hint (h2, li, blockquote ...), its links and how much of it is link
text. The same pass records, for every container element, which blocks it holds, so that ``main.py`` can
weigh any container by the prose inside it without walking the tree again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

from lxml import etree

from pipeline.ingest.html import chrome
from pipeline.ingest.html.parse import MAX_HREF
from pipeline.ingest.html.rules import RULES

BLOCK = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "caption",
        "center",
        "dd",
        "details",
        "dialog",
        "dir",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "hr",
        "html",
        "legend",
        "li",
        "main",
        "menu",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
        "button",
        "br",
    ]
)
HINT_TAGS = frozenset(
    [
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "dt",
        "dd",
        "blockquote",
        "figcaption",
        "td",
        "th",
        "pre",
        "caption",
    ]
)
HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
BOLD = frozenset(("b", "strong"))
BUILDER_TAGS = HINT_TAGS | BOLD | {"a"}  # the tags the block builder tracks
# Elements whose blocks are weighed together when the article's container is looked for.
CONTAINER_TAGS = frozenset(
    [
        "article",
        "aside",
        "blockquote",
        "body",
        "center",
        "details",
        "div",
        "dl",
        "figure",
        "footer",
        "form",
        "header",
        "main",
        "nav",
        "ol",
        "section",
        "table",
        "tbody",
        "td",
        "ul",
    ]
)
# Elements read as one block each: they are chrome whatever they hold (their tag says so and never yields to
# prose, see main.py), so their text is gathered whole instead of block by block.
FOLDED = frozenset(RULES.chrome.folded_tags)
# ... except a tag that is chrome only outside the article, inside an <article> or <main> (a <footer> there
# holds the byline).
FOLDED_OUTSIDE_ONLY = frozenset(tag for tag in FOLDED if RULES.chrome.tags.get(tag, ("", False))[1])
ROOTS = frozenset(("article", "main"))
# Inline elements hold words, not blocks: never weighed as containers, whatever their attributes say.
INLINE = frozenset(
    [
        "font",
        "a",
        "abbr",
        "b",
        "bdi",
        "br",
        "cite",
        "code",
        "data",
        "dfn",
        "em",
        "i",
        "img",
        "input",
        "kbd",
        "label",
        "mark",
        "q",
        "s",
        "samp",
        "small",
        "source",
        "strong",
        "sub",
        "sup",
        "time",
        "u",
        "var",
    ]
)
SAFE_SCHEMES = frozenset(("http", "https", "mailto"))
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_URL_STRIP = "".join(chr(c) for c in range(33))


@dataclass(slots=True)
class Block:
    """A run of text between block boundaries, before it becomes a ``Line``."""

    text: str
    hint: str
    links: list[tuple[str, str]]
    link_chars: int
    klass: str = ""  # jusText class in context: good or bad
    initial: str = ""  # jusText class of the block alone: good, neargood, short, bad
    reason: str = ""  # why it is not part of the article
    kind: str = ""  # what the element that removed it is ("navigation", "site header" ...)

    @property
    def link_density(self) -> float:
        return self.link_chars / len(self.text) if self.text else 0.0


@dataclass(slots=True)
class Container:
    """An element that holds blocks: where they start and end, and what its markup says of it."""

    element: etree._Element
    tag: str
    start: int  # index of its first block
    end: int = -1  # one past its last block
    depth: int = 0
    chrome: chrome.Marker | None = None  # what its own markup says
    semantic: bool = False  # <article>, <main>, a content class


@dataclass
class Walk:
    """What one pass over the body yields."""

    blocks: list[Block] = field(default_factory=list)
    containers: list[Container] = field(default_factory=list)  # in document order, outer before inner


def walk(body: etree._Element) -> Walk:
    """One iterative pass in document order: blocks of text, and the blocks each container holds."""
    result = Walk()
    found, containers = result.blocks, result.containers
    builder = _BlockBuilder(found)
    open_containers: list[Container | None] = []
    roots = 0  # open <article> and <main> elements
    events = etree.iterwalk(body, events=("start", "end"))
    for event, element in events:
        tag = element.tag  # always a name: the parser drops comments and processing instructions
        if event == "start":
            container = None if tag in INLINE else _container(element, tag, len(found), len(open_containers))
            if builder.texts and (tag in BLOCK or container):
                builder.flush()
            if container:
                containers.append(container)
            open_containers.append(container)
            if tag in ROOTS:
                roots += 1
            if tag in FOLDED and not (roots and tag in FOLDED_OUTSIDE_ONLY):
                builder.fold(element, tag)
                events.skip_subtree()
                continue
            if tag in BUILDER_TAGS:
                builder.enter(element, tag)
            if text := element.text:
                builder.add(text)
        else:
            if tag in BUILDER_TAGS:
                builder.leave(tag)
            if tag in ROOTS:
                roots -= 1
            container = open_containers.pop()
            if builder.texts and (container or tag in BLOCK):
                builder.flush()
            if container:
                container.end = len(found)
            if (tail := element.tail) and element is not body:
                builder.add(tail)
    builder.flush()
    return result


def _container(element: etree._Element, tag: str, start: int, depth: int) -> Container | None:
    """The container this element opens, if it is one (a layout element, or one its markup marks)."""
    attrs = chrome.attributes(element)
    if tag not in CONTAINER_TAGS and tag not in chrome.CHROME.tags and attrs is chrome.NONE:
        return None
    found, semantic = chrome.judge(tag, attrs)
    if tag not in CONTAINER_TAGS and not found and not semantic:
        return None
    if tag == "span" and (not found or found.kind in chrome.CHROME.metadata_kinds):
        return None  # a span holds words of a line: only a chrome one (a caption, a label) is cut out of it
    return Container(element, tag, start, depth=depth, chrome=found, semantic=semantic)


class _BlockBuilder:
    """Collects text pieces between block boundaries and turns them into ``Block``s."""

    def __init__(self, blocks: list[Block]) -> None:
        self.blocks = blocks
        self.texts: list[str] = []  # the pieces of the block being built
        self.linked: list[tuple[int, str]] = []  # its pieces inside a link: (anchor number, text)
        self.bold_chars = 0  # characters of its pieces in bold
        self.hints: list[str] = ["p"]
        self.anchors: list[int] = [0]  # the open links' numbers (0: none)
        self.hrefs: dict[int, str] = {}
        self.anchor_count = 0
        self.bold = 0
        self.hint = ""

    def enter(self, element: etree._Element, tag: str) -> None:
        if tag in HINT_TAGS:
            layout_cell = tag in ("td", "th") and any(child.tag in BLOCK for child in element)
            self.hints.append(self.hints[-1] if layout_cell else tag)
        elif tag == "a":
            self.anchor_count += 1
            self.anchors.append(self.anchor_count)
            # as written: made safe and absolute for the article's lines only
            self.hrefs[self.anchor_count] = element.get("href") or ""
        elif tag in BOLD:
            self.bold += 1

    def fold(self, element: etree._Element, tag: str) -> None:
        """The whole element as one block: its text and how much of it is links, gathered by lxml without a
        Python step per element inside it (navigation and sidebars hold a third of a page's elements)."""
        text = " ".join(" ".join(element.itertext()).split())
        if text:
            link_chars = sum(len(" ".join(" ".join(a.itertext()).split())) for a in element.iter("a"))
            self.blocks.append(Block(text, tag, [], min(link_chars, len(text))))

    def leave(self, tag: str) -> None:
        if tag in HINT_TAGS:
            self.hints.pop()
        elif tag == "a":
            self.anchors.pop()
        elif tag in BOLD:
            self.bold -= 1

    def add(self, text: str) -> None:
        if not self.texts:
            self.hint = self.hints[-1]
        self.texts.append(text)
        if self.anchors[-1]:
            self.linked.append((self.anchors[-1], text))
        if self.bold:
            self.bold_chars += len(text.strip())

    def flush(self) -> None:
        if not self.texts:
            return
        texts, linked, bold = self.texts, self.linked, self.bold_chars
        self.texts, self.linked, self.bold_chars = [], [], 0
        text = " ".join("".join(texts).split())
        if not text:
            return
        links, link_chars = self._links(linked) if linked else ([], 0)
        in_bold = bold and bold >= 0.9 * len(text.replace(" ", ""))
        hint = "strong" if self.hint == "p" and in_bold else self.hint
        self.blocks.append(Block(text, hint, links, link_chars))

    def _links(self, linked: list[tuple[int, str]]) -> tuple[list[tuple[str, str]], int]:
        texts: dict[int, list[str]] = {}
        for anchor, piece in linked:
            texts.setdefault(anchor, []).append(piece)
        links = []
        link_chars = 0
        for anchor, parts in texts.items():
            anchor_text = " ".join("".join(parts).split())
            link_chars += len(anchor_text)
            if anchor_text and self.hrefs[anchor]:
                links.append((anchor_text, self.hrefs[anchor]))
        return links, link_chars


def safe_href(href: str, base: str) -> str:
    """The href as given (or absolute against the page's base URL); "" for script, data and other schemes."""
    href = href.strip(_URL_STRIP).replace("\t", "").replace("\n", "").replace("\r", "")
    if not href or href.startswith("#") or len(href) > MAX_HREF:
        return ""
    scheme = _SCHEME.match(href.strip())
    if scheme:
        return href if scheme.group(1).lower() in SAFE_SCHEMES else ""
    if ":" in href.split("/", 1)[0]:
        return ""  # "\u00a0javascript:..." and other disguised schemes
    return urljoin(base, href) if base else href
