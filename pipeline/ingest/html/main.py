"""Main content: the container that holds the article, and the reason each other block is not the article.

Every container is weighed by the prose inside it minus a fraction of its other text (menus, link lists,
teasers, boilerplate), and the best one holds the article, whatever its tag or class: the evidence is where
the prose mass is, how much of it is links, and which container holds most of it. Markup only adds evidence
on top: a container whose class or tag says chrome (share, related, newsletter, comments ...) is chrome unless
it holds most of the prose, or, for a layout word (sidebar, widget, overlay), unless its text is mostly prose.
"""

from __future__ import annotations

from itertools import accumulate

from pipeline.ingest.html import chrome
from pipeline.ingest.html.blocks import Block, Container, Walk
from pipeline.ingest.html.rules import RULES

DENSITY = RULES.density


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


def find(walk: Walk) -> Container | None:
    """The container of the article, chrome marked on every block that is not part of it."""
    blocks = walk.blocks
    if not any(block.klass == "good" for block in blocks):
        _short_prose(blocks)
    mass = Mass(blocks)
    if mass.prose(0, len(blocks)) == 0:
        for block in blocks:
            block.reason, block.kind = "html: no running text on the page", "outside the article"
        return None
    marked = [c for c in walk.containers if c.chrome]
    chrome_marks = [c for c in marked if not _exempt(c, mass, (0, len(blocks)))]
    weighed = Mass(blocks, _covered(len(blocks), chrome_marks))
    least = max(DENSITY.coverage * weighed.prose(0, len(blocks)), 1)
    held = [c for c in walk.containers if weighed.prose(c.start, c.end) >= least] or walk.containers[:1]
    best = max(held, key=weighed.score)  # the first of equals: the outer one
    outer = [c for c in chrome_marks if c.end <= best.start or c.start >= best.end]
    _mark_with_markers(blocks, outer)
    _mark_outside(blocks, best)
    inner = [c for c in chrome_marks if best.start <= c.start and c.end <= best.end and c is not best]
    _mark_inside(blocks, best, inner, mass, walk.containers)
    return best


def _short_prose(blocks: list[Block]) -> None:
    """A page without any block long enough to be good: its link-free blocks of some words are the prose."""
    for block in blocks:
        if (
            block.link_density <= DENSITY.max_link_density
            and len(block.text.split()) >= 4
            and "©" not in block.text
        ):
            block.klass = "good"


def _exempt(container: Container, mass: Mass, scope: tuple[int, int]) -> bool:
    """A chrome-marked container that is the article's wrapper after all: it holds most of the prose of
    ``scope``, or a layout word marks a container whose text is mostly prose."""
    marker = container.chrome
    assert marker is not None
    start, end = container.start, container.end
    prose = mass.prose(start, end)
    if marker.kind in chrome.CHROME.never_wrapping or prose == 0:
        return False
    by_tag = marker.source == "tag" and container.tag not in chrome.CHROME.wrapping_tags
    if prose >= DENSITY.exempt_share * mass.prose(*scope) and not by_tag:
        return True
    if marker.source not in ("class", "hidden"):
        return False
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
        for block in blocks[mark.start : mark.end]:
            if not block.reason:
                block.reason, block.kind = mark.chrome.reason, mark.chrome.kind


def _mark_outside(blocks: list[Block], best: Container) -> None:
    where = f"html: outside the article <{best.tag}>"
    for block in blocks[: best.start] + blocks[best.end :]:
        if not block.reason:
            block.reason = f"{where} (link density {block.link_density:.1f})"
            block.kind = "outside the article"


def _mark_inside(
    blocks: list[Block], best: Container, marks: list[Container], mass: Mass, containers: list[Container]
) -> None:
    """Chrome inside the article's container: marked containers, link lists, and (in a loose container, one
    with more other text than prose) the blocks that are not prose."""
    prose = mass.prose(best.start, best.end)
    _mark_with_markers(
        blocks,
        [
            mark
            for mark in marks
            if mark.chrome
            and not chrome.outside_only(mark.tag, mark.chrome.kind)
            and not _exempt(mark, mass, (best.start, best.end))
        ],
    )
    for container in teaser_lists(best, containers):
        for block in blocks[container.start : container.end]:
            if not block.reason:
                block.reason, block.kind = "html: list of teasers (links to other pages)", "related links"
    loose = mass.other(best.start, best.end) > DENSITY.loose_ratio * prose
    for block in blocks[best.start : best.end]:
        if block.reason:
            continue
        if block.link_density > DENSITY.inside_link_density:
            block.reason = f"html: link list inside the article (link density {block.link_density:.1f})"
            block.kind = "outside the article"
        elif loose and block.klass != "good" and block.initial not in ("good", "neargood", "short"):
            block.reason = _density_reason(block)
            block.kind = "outside the article"


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
    text = len(" ".join(element.xpath("string()").split()))  # type: ignore[attr-defined]
    if not text or text > DENSITY.teaser_max_chars:
        return False
    longest = max((len(" ".join(a.xpath("string()").split())) for a in element.iter("a")), default=0)  # type: ignore[attr-defined]
    return longest >= DENSITY.teaser_link_chars and longest >= DENSITY.teaser_link_share * text


def _density_reason(block: Block) -> str:
    if block.link_density > DENSITY.max_link_density:
        return f"html: outside the article (link density {block.link_density:.1f})"
    if len(block.text) < DENSITY.length_low:
        return "html: outside the article (short text away from the prose)"
    return f"html: outside the article (stopword density {block.stopword_density:.2f})"
