"""Blocks become the page's numbered lines; the title above the article's container is kept with it."""

from __future__ import annotations

from pipeline.ingest.html.blocks import Block, Container, safe_href
from pipeline.ingest.html.chrome import has_class_word
from pipeline.ingest.html.meta import title_halves
from pipeline.ingest.html.rules import RULES
from pipeline.ingest.html.stamps import is_stamp
from pipeline.model import Line, Role


def lines_of(
    blocks: list[Block],
    page_title: str,
    base: str = "",
    *,
    titled: frozenset[int] = frozenset(),
    stamps: bool = False,
) -> list[Line]:
    """One line a block, chrome marked, the article's links made safe and absolute against ``base`` (chrome's
    are dropped: nothing shows them); the title kept (``titled``: blocks whose class says title); with
    ``stamps``, date and byline lines above and below the article's text removed (on pages the text rules do
    not read)."""
    lines = [
        Line(
            number,
            block.text,
            Role.CHROME if block.reason else Role.BODY,
            block.reason,
            block.hint,
            [] if block.reason else _safe(block.links, base),
        )
        for number, block in enumerate(blocks, start=1)
    ]
    _keep_title(lines, blocks, page_title, titled)
    if stamps:
        _stamps(lines, blocks)
    return lines


def _stamps(lines: list[Line], blocks: list[Block]) -> None:
    """Date and byline lines between the title and the first paragraph that reads as running text on its own,
    or after the last: a few at most (more are the article's: a schedule, tour dates); never list items or
    table cells."""
    prose = [i for i, line in enumerate(lines) if line.role is Role.BODY and blocks[i].initial == "good"]
    if not prose:
        return
    for region in (range(prose[0]), range(prose[-1] + 1, len(lines))):
        found = [i for i in region if lines[i].role is Role.BODY and _stamp(lines[i])]
        if len(found) <= RULES.stamps.max_lines:
            for i in found:
                lines[i].role = Role.CHROME
                lines[i].reason = "html: date or byline line above or below the article"


def _stamp(line: Line) -> bool:
    return line.hint not in ("h1", "li", "td", "th", "dd") and is_stamp(line.text)


def _safe(links: list[tuple[str, str]], base: str) -> list[tuple[str, str]]:
    return [(text, href) for text, raw in links if (href := safe_href(raw, base))]


def titled_blocks(containers: list[Container]) -> frozenset[int]:
    """The blocks that an element of their own, with a class word such as "title" or "headline", holds."""
    tokens = RULES.meta.title_tokens
    return frozenset(
        container.start
        for container in containers
        if container.end - container.start == 1 and has_class_word(container.element, tokens)
    )


def _keep_title(lines: list[Line], blocks: list[Block], page_title: str, titled: frozenset[int]) -> None:
    """The article's title is part of the article also where it sits above it (in a page header).

    The title is the <h1>, or the nearest line above the article that its class calls a title (a <title> that
    is only the site's name names the logo), or, on pages that mark nothing up, the line the <title> element
    starts with (it then counts as the <h1>). With it, the short link-free lines between it and the article
    (date, byline) and a short label just above it are kept too.
    """
    first = next((i for i, line in enumerate(lines) if line.role == Role.BODY), None)
    if first is None or any(line.hint == "h1" and line.role == Role.BODY for line in lines):
        return
    inside = [line for line in lines[first : first + 5] if line.role == Role.BODY]
    if named := next((line for line in inside if _starts(page_title, line.text)), None):
        named.hint = "h1"  # the title opens the article's container, marked up as bold or a plain div
        return
    title = next(
        (
            i
            for i in range(first - 1, -1, -1)
            if (lines[i].hint == "h1" or i in titled or _starts(page_title, lines[i].text))
            and _title_area(lines[i], blocks[i])
        ),
        None,
    )
    if title is None:
        return
    lines[title].hint = "h1"
    keep = [title]
    if title > 0 and len(lines[title - 1].text) <= 30 and _title_area(lines[title - 1], blocks[title - 1]):
        keep.append(title - 1)
    for i in range(title + 1, min(first, title + 5)):
        if len(lines[i].text) > 150 or not _title_area(lines[i], blocks[i]):
            break
        keep.append(i)
    for i in keep:
        lines[i].role, lines[i].reason = Role.BODY, ""


def _starts(page_title: str, text: str) -> bool:
    """Whether the <title> is ``text``, or ``text`` beside the site's name ("Text | Site", "Site - Text"), or
    ``text`` is the longer title the <title> shortened ("Site - Text" for "Text: and a subtitle")."""
    text, shortest = text.casefold(), RULES.meta.title_min_chars
    if len(text) < shortest:
        return False
    halves = title_halves(page_title.casefold())
    return (
        page_title.casefold() == text
        or any(text in pair for pair in halves)
        or any(len(half) >= shortest and text.startswith(half) for pair in halves for half in pair)
    )


def _title_area(line: Line, block: Block) -> bool:
    return (
        not block.link_chars
        and (not block.kind or block.kind in RULES.chrome.title_area)
        and line.hint != "li"
    )
