"""Main content: the container that holds the article, and the reason each other block is not the article.

Every container is weighed by the prose inside it minus a fraction of its other text (menus, link lists,
teasers, boilerplate), and the best one holds the article, whatever its tag or class: the evidence is where
the prose mass is, how much of it is links, and which container holds most of it. Markup only adds evidence
on top: a container whose class or tag says chrome (share, related, newsletter, comments ...) is chrome unless
it holds most of the prose, or, for a layout word (sidebar, widget, overlay), unless its text is mostly prose.
"""

from __future__ import annotations

import re
from itertools import accumulate

from lxml import etree

from pipeline.ingest.html import chrome
from pipeline.ingest.html.blocks import HEADINGS, Block, Container, Walk
from pipeline.ingest.html.rules import RULES

DENSITY = RULES.density
NEVER_WRAPPING = chrome.CHROME.never_wrapping
FIGURE_MEDIA = ("img", "picture", "video", "iframe")
FIGURE_TEXT = ("table", "blockquote", "pre", "ol", "ul")
# A link that shows its own address ("http://amzn.to/2iJFhRj"): a source or shop link the article gives, in
# any language; a menu or a list of teasers shows words.
_ADDRESS = re.compile(r"(?:https?://|www\.)\S+$")
_STRING = etree.XPath("string()")  # an element's text, compiled once (element.xpath compiles at every call)


class Mass:
    """Prefix sums of prose and other characters over the blocks: any container's mass in O(1)."""

    def __init__(self, blocks: list[Block], excluded: list[bool] | None = None) -> None:
        prose = [_prose(block) if not (excluded and excluded[i]) else 0 for i, block in enumerate(blocks)]
        links = [block.link_chars for block in blocks]
        other = [len(block.text) - p for block, p in zip(blocks, prose, strict=True)]
        self._prose = [0, *accumulate(prose)]
        self._other = [0, *accumulate(other)]
        self._links = [0, *accumulate(links)]

    def prose(self, start: int, end: int) -> int:
        return self._prose[end] - self._prose[start]

    def other(self, start: int, end: int) -> int:
        return self._other[end] - self._other[start]

    def score(self, container: Container) -> float:
        start, end = container.start, container.end
        links = self._links[end] - self._links[start]
        plain = self.other(start, end) - links
        return self.prose(start, end) - DENSITY.link_weight * links - DENSITY.plain_weight * plain


def _prose(block: Block) -> int:
    """Running text: good in context, or near-good on its own (between quotes and embeds, say)."""
    good = block.klass == "good" or block.initial in ("good", "neargood")
    return len(block.text) - block.link_chars if good else 0


def find(walk: Walk, metadata_is_chrome: bool = True) -> Container | None:
    """The container of the article, chrome marked on every block that is not part of it.
    ``metadata_is_chrome``: bylines and dates marked by their class are removed here (else left to the text
    rules, which read them with their roles)."""
    blocks = walk.blocks
    if not any(block.klass == "good" for block in blocks):
        _short_prose(blocks)
    mass = Mass(blocks)
    if mass.prose(0, len(blocks)) == 0:
        for block in blocks:
            block.reason, block.kind = "html: no running text on the page", "outside the article"
        return None
    marked = [c for c in walk.containers if c.chrome and _counts(c, mass, metadata_is_chrome)]
    # the prose a wrapper is weighed against: not the comments', cookie texts' and footers' (a long thread)
    readable = Mass(blocks, _covered(len(blocks), [c for c in marked if c.chrome.kind in NEVER_WRAPPING]))
    chrome_marks = [c for c in marked if not _exempt(c, mass, readable.prose(0, len(blocks)))]
    weighed = Mass(blocks, _covered(len(blocks), chrome_marks))
    least = max(DENSITY.coverage * weighed.prose(0, len(blocks)), 1)
    held = [c for c in walk.containers if weighed.prose(c.start, c.end) >= least] or walk.containers[:1]
    best = max(held, key=weighed.score)  # the first of equals: the outer one
    if not metadata_is_chrome:  # the text rules read the header's date and byline lines with their roles
        best = _widened(best, walk.containers, weighed)
    outer = [c for c in chrome_marks if c.end <= best.start or c.start >= best.end]
    _mark_with_markers(blocks, outer)
    _mark_outside(blocks, best)
    inner = [c for c in chrome_marks if best.start <= c.start and c.end <= best.end and c is not best]
    _mark_inside(blocks, best, inner, (mass, readable), walk.containers, metadata_is_chrome)
    _restore_hidden_body(blocks, walk.containers)
    return best


def _widened(best: Container, containers: list[Container], mass: Mass) -> Container:
    """The <article> (or <main>, or content-class element) around the best container when it adds little
    besides: its header with title, date and byline belongs to the article too."""
    for container in reversed(containers[: containers.index(best)]):
        if container.start > best.start or container.end < best.end or not container.semantic:
            continue
        extra_prose = mass.prose(container.start, container.end) - mass.prose(best.start, best.end)
        extra_other = mass.other(container.start, container.end) - mass.other(best.start, best.end)
        if extra_prose + extra_other <= DENSITY.widen_share * mass.prose(best.start, best.end):
            best = container
    return best


def _restore_hidden_body(blocks: list[Block], containers: list[Container]) -> None:
    """The articleBody of hidden structured data (schema.org microdata) is kept when the visible text does
    not say it already: some pages show a teaser and put the whole article there."""
    kept: set[str] | None = None  # the words kept already, made for the first candidate
    for container in containers:
        if (container.element.get("itemprop") or "").lower() != "articlebody" or container.chrome:
            continue
        inside = blocks[container.start : container.end]
        if not inside or not all(block.reason for block in inside):
            continue
        if kept is None:
            kept = {word for block in blocks if not block.reason for word in block.text.lower().split()}
        words = [word for block in inside for word in block.text.lower().split()]
        if words and sum(word in kept for word in words) < DENSITY.hidden_body_new * len(words):
            for block in inside:
                block.reason, block.kind = "", ""


def _counts(container: Container, mass: Mass, metadata_is_chrome: bool) -> bool:
    """Whether a marker counts. Bylines, dates and author boxes only where no text rule reads them, and only
    on a container of their size: a byline or date is a line, an author box a few (WordPress puts
    "author-<name>" on the whole post)."""
    assert container.chrome is not None
    kind = container.chrome.kind
    if kind not in chrome.CHROME.metadata_kinds:
        return True
    if container.semantic:
        return False  # an <article> or content element holds the post: "author-<name>" names its writer
    size = mass.prose(container.start, container.end) + mass.other(container.start, container.end)
    short = kind in chrome.CHROME.short_metadata_kinds
    return metadata_is_chrome and size <= (
        DENSITY.metadata_max_chars if short else DENSITY.author_box_max_chars
    )


def _short_prose(blocks: list[Block]) -> None:
    """A page without any block long enough to be good: its link-free blocks of some words are the prose."""
    for block in blocks:
        if (
            block.link_density <= DENSITY.max_link_density
            and len(block.text.split()) >= 4
            and "©" not in block.text
        ):
            block.klass = "good"


def _exempt(container: Container, mass: Mass, readable: int) -> bool:
    """A chrome-marked container that is the article's wrapper after all: it holds most of the ``readable``
    prose around it, or a layout word marks a container whose text is mostly prose."""
    marker = container.chrome
    assert marker is not None
    start, end = container.start, container.end
    prose = mass.prose(start, end)
    if prose == 0 or marker.kind in NEVER_WRAPPING:
        return False
    # a tag or role states what the element is; a class word or a wrapping tag (<form>) may be a wrapper's
    by_name = marker.source in ("class", "hidden") or container.tag in chrome.CHROME.wrapping_tags
    if prose >= DENSITY.exempt_share * readable and by_name:
        return True
    if marker.source not in ("class", "hidden"):
        return False
    if marker.source == "hidden" and container.element.get("itemscope") is not None:
        return False  # a hidden copy of the article's data for machines (schema.org microdata)
    if marker.source == "class" and marker.kind not in chrome.CHROME.structural:
        return False
    return prose >= DENSITY.exempt_density * (prose + mass.other(start, end))


def _covered(count: int, marks: list[Container]) -> list[bool]:
    covered = [False] * count
    for mark in marks:
        covered[mark.start : mark.end] = [True] * (mark.end - mark.start)
    return covered


def _mark_with_markers(blocks: list[Block], marks: list[Container]) -> None:
    """Each block in a chrome container gets the reason of the outermost one."""
    for mark in marks:
        assert mark.chrome is not None
        _mark_unmarked(blocks[mark.start : mark.end], mark.chrome.reason, mark.chrome.kind)


def _mark_unmarked(blocks: list[Block], reason: str, kind: str) -> None:
    """The blocks without a reason yet get this one (an outer container's reason comes first)."""
    for block in blocks:
        if not block.reason:
            block.reason, block.kind = reason, kind


def _mark_outside(blocks: list[Block], best: Container) -> None:
    where = f"html: outside the article <{best.tag}>"
    for block in blocks[: best.start] + blocks[best.end :]:
        if not block.reason:
            block.reason = f"{where} (link density {block.link_density:.1f})"
            block.kind = "outside the article"


def _mark_inside(
    blocks: list[Block],
    best: Container,
    marks: list[Container],
    masses: tuple[Mass, Mass],
    containers: list[Container],
    metadata_is_chrome: bool,
) -> None:
    """Chrome inside the article's container: marked containers, lists of teasers, link lists and captions.
    Inside it a block is not judged by its own prose: table cells, list items and short lines are the
    article's as much as its paragraphs (judging them by stopwords cut tables and product lists)."""
    mass, readable = masses
    _mark_with_markers(
        blocks,
        [
            mark
            for mark in marks
            if mark.chrome
            and (
                not chrome.outside_only(mark.tag, mark.chrome.kind)
                or (metadata_is_chrome and mark.tag in chrome.CHROME.metadata_tags)
            )
            and not _exempt(mark, mass, readable.prose(best.start, best.end))
        ],
    )
    for container in _figures(best, containers):
        _mark_unmarked(
            blocks[container.start : container.end], "html: caption or credit of a figure", "caption"
        )
    for container in teaser_lists(best, containers):
        _mark_unmarked(
            blocks[container.start : container.end],
            "html: list of teasers (links to other pages)",
            "related links",
        )
    for block in blocks[best.start : best.end]:
        if block.reason:
            continue
        if block.text.strip(" :|•·").casefold() in chrome.CHROME.control_labels:
            block.reason, block.kind = "html: label of an advertisement or a control", "advertisement"
        elif block.hint == "figcaption":
            block.reason, block.kind = "html: caption of a figure (text of its image)", "caption"
        elif block.link_density > DENSITY.inside_link_density and not _ADDRESS.match(block.text):
            block.reason = f"html: link list inside the article (link density {block.link_density:.1f})"
            block.kind = "outside the article"


def _figures(best: Container, containers: list[Container]) -> list[Container]:
    """The <figure>s inside the article's container that show a picture or a video: all their text is its
    caption and credit. (A <figure> also wraps tables, quotes and code, which are the article's.)"""
    return [
        container
        for container in containers
        if container.tag == "figure"
        and best.start <= container.start
        and container.end <= best.end
        and container is not best
        and next(container.element.iter(*FIGURE_MEDIA), None) is not None
        and next(container.element.iter(*FIGURE_TEXT), None) is None
    ]


def teaser_lists(best: Container, containers: list[Container]) -> list[Container]:
    """Containers inside the article's whose children are mostly teasers: a headline link with a little text
    (related stories, "more from", next-story lists), at least a few of them."""
    found = []
    for container in containers:
        if container.start < best.start or container.end > best.end or container is best:
            continue
        if found and container.end <= found[-1].end:
            continue  # inside a list already found
        children = [child for child in container.element if isinstance(child.tag, str)]
        if len(children) < DENSITY.teasers_min:
            continue
        teasers = sum(_teaser(child) for child in children)
        if teasers >= DENSITY.teasers_min and teasers >= DENSITY.teasers_share * len(children):
            found.append(container)
    return found


def _teaser(element: object) -> bool:
    """A headline link (in a heading, or opening the child's text, after shorter links such as a section
    label) with a little text: a teaser, not a paragraph (a <p> never is one)."""
    if element.tag == "p":  # type: ignore[attr-defined]
        return False
    text = " ".join(_STRING(element).split())
    if not text or len(text) > DENSITY.teaser_max_chars:
        return False
    opening = "".join(text.split())
    before = ""  # the text of the links before this one, without spaces
    for link in element.iter("a"):  # type: ignore[attr-defined]
        words = _STRING(link).split()
        if len(" ".join(words)) >= DENSITY.teaser_link_chars:
            return _in_heading(link, element) or opening.startswith(before + "".join(words))
        before += "".join(words)
    return False


def _in_heading(link: object, within: object) -> bool:
    for parent in link.iterancestors():  # type: ignore[attr-defined]
        if parent is within:
            return False
        if parent.tag in HEADINGS:
            return True
    return False
