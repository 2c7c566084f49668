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
    return len(block.text) - block.link_chars if block.klass == "good" else 0


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
    free = Mass(blocks, _covered(len(blocks), marked))  # the prose no marker claims
    chrome_marks = [c for c in marked if not _exempt(c, mass, free, (0, len(blocks)))]
    weighed = Mass(blocks, _covered(len(blocks), chrome_marks))
    least = DENSITY.coverage * weighed.prose(0, len(blocks))
    held = [c for c in walk.containers if weighed.prose(c.start, c.end) >= least > 0] or walk.containers[:1]
    best = max(held, key=weighed.score)  # the first of equals: the outer one
    _mark_outside(blocks, best)
    inner = [c for c in chrome_marks if best.start <= c.start and c.end <= best.end and c is not best]
    _mark_inside(blocks, best, inner, (mass, free))
    return best


def _short_prose(blocks: list[Block]) -> None:
    """A page without any block long enough to be good: its link-free blocks of several words are the prose."""
    for block in blocks:
        if block.link_density <= DENSITY.max_link_density and len(block.text.split()) >= 4:
            block.klass = "good"


def _exempt(container: Container, mass: Mass, free: Mass, scope: tuple[int, int]) -> bool:
    """A chrome-marked container that is the article's wrapper after all: it holds most of the prose of
    ``scope`` (and most of the prose no marker claims), or a layout word marks a container of prose."""
    start, end = container.start, container.end
    prose = mass.prose(start, end)
    by_tag = container.tag in chrome.CHROME.tags and container.tag not in chrome.CHROME.wrapping_tags
    unclaimed = free.prose(*scope)
    if (
        not by_tag
        and prose >= DENSITY.exempt_share * mass.prose(*scope)
        and (unclaimed == 0 or free.prose(start, end) >= DENSITY.exempt_share * unclaimed)
    ):
        return True
    assert container.chrome is not None
    if not _by_class(container) or container.chrome[1] not in chrome.CHROME.structural or prose == 0:
        return False
    return prose >= DENSITY.exempt_density * (prose + mass.other(start, end))


def _by_class(container: Container) -> bool:
    """Whether only a class or id word marks the container (not its tag, role or hidden state)."""
    return container.chrome is not None and container.chrome[0].endswith("')") and " (role '" not in (
        container.chrome[0]
    )


def _covered(count: int, marks: list[Container]) -> list[bool]:
    covered = [False] * count
    for mark in marks:
        covered[mark.start : mark.end] = [True] * (mark.end - mark.start)
    return covered


def _mark_outside(blocks: list[Block], best: Container) -> None:
    where = f"html: outside the article <{best.tag}>"
    for block in blocks[: best.start] + blocks[best.end :]:
        block.reason = f"{where} (link density {block.link_density:.1f})"
        block.kind = "outside the article"


def _mark_inside(blocks: list[Block], best: Container, marks: list[Container], masses: tuple[Mass, Mass]) -> None:
    """Chrome inside the article's container: marked containers, link lists, and (in a loose container, one
    with more other text than prose) the blocks that are not prose."""
    mass, free = masses
    prose = mass.prose(best.start, best.end)
    for mark in marks:  # outer before inner: the outer reason stays
        assert mark.chrome is not None
        if chrome.outside_only(mark.tag, mark.chrome[1]) or _exempt(mark, mass, free, (best.start, best.end)):
            continue
        for block in blocks[mark.start : mark.end]:
            if not block.reason:
                block.reason, block.kind = mark.chrome
    loose = mass.other(best.start, best.end) > DENSITY.loose_ratio * prose
    for block in blocks[best.start : best.end]:
        if block.reason:
            continue
        if block.link_density > DENSITY.inside_link_density:
            block.reason = f"html: link list inside the article (link density {block.link_density:.1f})"
            block.kind = "outside the article"
        elif loose and block.klass != "good":
            block.reason = _density_reason(block)
            block.kind = "outside the article"


def _density_reason(block: Block) -> str:
    if block.link_density > DENSITY.max_link_density:
        return f"html: outside the article (link density {block.link_density:.1f})"
    if len(block.text) < DENSITY.length_low:
        return "html: outside the article (short text away from the prose)"
    return f"html: outside the article (stopword density {block.stopword_density:.2f})"
