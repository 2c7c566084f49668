"""Scraped HTML -> ``Page``: the page's text blocks in document order, one block a line, site chrome marked.

Every block of the page becomes a ``Line`` (numbered from 1) so that the ingest report can account for each
removed line: blocks outside the article, and blocks inside navigation, headers, footers, forms, cookie
banners, share widgets, sign-up blocks or comments, get ``Role.CHROME`` and a one-line reason.

The article is the page's ``<article>``/``<main>`` (or ``role=main``, ``itemprop=articleBody``, a common
content class) when that holds the page's prose; otherwise it is found by text and link density, as jusText
does (Pomikálek 2011): long blocks with many stopwords and few links are good, link-dense blocks are bad,
short blocks take the class of their neighbours.

lxml is used directly: it builds the same tree as BeautifulSoup's "lxml" parser at a fraction of the cost,
and its ``iterwalk`` walks any depth of nesting without recursion.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from urllib.parse import urljoin

from lxml import etree

from pipeline.ingest.decode import Rejected
from pipeline.model import Line, Page, Role

RULES = tomllib.loads((Path(__file__).parent.parent / "rules" / "html.toml").read_text("utf-8"))
DENSITY = RULES["density"]
STOPWORDS = frozenset(" ".join(RULES["stopwords"].values()).split())
CONTENT_CLASSES = frozenset(RULES["semantic"]["content_classes"])
CHROME_TAGS: dict[str, tuple[str, bool]] = {
    tag: (why, only) for tag, (why, only) in RULES["chrome"]["tags"].items()
}
CHROME_ROLES: dict[str, str] = RULES["chrome"]["roles"]
CHROME_TOKENS: dict[str, str] = RULES["chrome"]["tokens"]
CHROME_TOKEN_PARTS: dict[str, str] = RULES["chrome"]["token_parts"]
OUTSIDE_ONLY = frozenset(RULES["chrome"]["outside_article_only"])
TITLE_AREA = frozenset(RULES["chrome"]["title_area"])
META_RULES = RULES["meta"]

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
HEADINGS = frozenset(["h1", "h2", "h3", "h4", "h5", "h6"])
BOLD = frozenset(("b", "strong"))
BUILDER_TAGS = HINT_TAGS | BOLD | {"a"}  # the tags the block builder tracks
CANDIDATE_TAGS = frozenset(("article", "main"))
MARKER_ATTRIBUTES = frozenset(("class", "id", "role", "hidden", "style", "itemprop"))
NO_MARKS: list[Marked] = []  # shared, never appended to
SAFE_SCHEMES = frozenset(("http", "https", "mailto"))
MAX_HREF = 2048
MAX_ATTRIBUTE = 300
MAX_META = 500
MAX_JSON_LD = 1_000_000
MAX_JSON_NODES = 5000

MAX_DEPTH = 1000
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
_WORD = re.compile(r"\w+")
_CLASS_SPLIT = re.compile(r"[^a-z0-9]+")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_URL_STRIP = "".join(chr(c) for c in range(33))
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_TITLE_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " · ")
TITLE_MIN_CHARS = 8  # a shorter line ("Home") that happens to start the <title> is not taken for the title


@dataclass
class Block:
    """A run of text between block boundaries, before it becomes a ``Line``."""

    text: str
    hint: str
    links: list[tuple[str, str]]
    link_chars: int
    stopword_density: float = 0.0
    klass: str = ""  # jusText class: good, neargood, short, bad
    reason: str = ""  # chrome reason from an enclosing element
    kind: str = ""  # what that element is ("navigation", "site header" ...)

    @property
    def link_density(self) -> float:
        return self.link_chars / len(self.text) if self.text else 0.0


@dataclass
class Marked:
    """An element that matters after the walk: a chrome container or an article candidate."""

    element: etree._Element
    start: int  # index of its first block
    end: int = -1  # one past its last block
    why: str = ""
    kind: str = ""
    outside_only: bool = False


@dataclass
class Walk:
    """What one pass over the body yields."""

    blocks: list[Block] = field(default_factory=list)
    chrome: list[Marked] = field(default_factory=list)
    candidates: list[Marked] = field(default_factory=list)


def read_html(source: str, text: str) -> Page:
    """The page's text blocks as lines, chrome marked with a reason, and metadata from the markup."""
    root = _parse(text)
    body = root.find("body")
    if body is None:
        raise Rejected("HTML page without any text")
    json_ld = _json_ld_texts(root)
    etree.strip_tags(body, *MISNESTED_VOID)  # their (mis-nested) children stay, in place
    etree.strip_elements(body, *DROP, with_tail=False)
    walk = _walk(body, _base_url(root))
    if not walk.blocks:
        raise Rejected("HTML page without any text")
    _mark_initial(walk.blocks)
    _promote_if_no_good(walk.blocks)
    article = _choose_article(walk)
    _mark_chrome(walk, article)
    if article is None:
        _classify_by_density(walk.blocks)
    lines = _lines(walk.blocks, article, _title_text(root))
    meta = _meta(root, json_ld, lines, article)
    return Page(source=source, lines=lines, meta=meta)


# -- parsing ---------------------------------------------------------------------------------------------


def _parse(text: str) -> etree._Element:
    """An lxml tree of any string: broken, unclosed or deeply nested markup included."""
    text = _NOT_XML.sub(" ", _XML_DECLARATION.sub("", text, count=1))
    if not text.strip():
        raise Rejected("HTML page without any text")
    parser = etree.HTMLParser(
        encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True, huge_tree=True
    )
    try:
        root = etree.fromstring(text.encode("utf-8", errors="replace"), parser)
    except (etree.LxmlError, ValueError) as error:
        raise Rejected(f"unreadable HTML ({str(error).splitlines()[0][:80]})") from None
    if root is not None and any("Excessive depth" in error.message for error in parser.error_log):
        root = etree.fromstring(_flatten(text).encode("utf-8", errors="replace"), parser)
    if root is None:
        raise Rejected("HTML page without any text")
    return root


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


def _base_url(root: etree._Element) -> str:
    """The URL relative links resolve against: <base href>, else the canonical URL, else none."""
    for xpath in ("//base/@href", "//link[@rel='canonical']/@href", "//meta[@property='og:url']/@content"):
        for value in root.xpath(xpath):
            value = str(value).strip()
            if value.lower().startswith(("http://", "https://")) and len(value) <= MAX_HREF:
                return value
    return ""


def _json_ld_texts(root: etree._Element) -> list[str]:
    scripts = root.xpath("//script[contains(translate(@type, 'LDJSON', 'ldjson'), 'ld+json')]")
    return [script.text for script in scripts if script.text and len(script.text) <= MAX_JSON_LD]


# -- the walk ----------------------------------------------------------------------------------------------


def _walk(body: etree._Element, base: str) -> Walk:
    """One iterative pass in document order: blocks of text, and where chrome and candidates start and end."""
    walk = Walk()
    builder = _BlockBuilder(walk.blocks, base)
    open_marks: list[list[Marked]] = []
    for event, element in etree.iterwalk(body, events=("start", "end")):
        tag = element.tag
        if not isinstance(tag, str):
            continue
        if event == "start":
            marks = _marks(walk, element, tag)
            if builder.pieces and (tag in BLOCK or marks):
                builder.flush()
            open_marks.append(marks)
            if tag in BUILDER_TAGS:
                builder.enter(element, tag)
            if element.text:
                builder.add(element.text)
        else:
            if tag in BUILDER_TAGS:
                builder.leave(tag)
            marks = open_marks.pop()
            if builder.pieces and (marks or tag in BLOCK):
                builder.flush()
            for mark in marks:
                mark.end = len(walk.blocks)
            if element.tail and element is not body:
                builder.add(element.tail)
    builder.flush()
    return walk


def _marks(walk: Walk, element: etree._Element, tag: str) -> list[Marked]:
    """Marks opened by this element: as a chrome container and/or as an article candidate."""
    if tag not in CHROME_TAGS and tag not in CANDIDATE_TAGS and MARKER_ATTRIBUTES.isdisjoint(element.keys()):
        return NO_MARKS
    attrib = element.attrib
    marks = []
    start = len(walk.blocks)
    chrome = _own_chrome(tag, attrib)
    if chrome is not None:
        why, kind, outside_only = chrome
        marks.append(Marked(element, start, why=why, kind=kind, outside_only=outside_only))
        walk.chrome.append(marks[-1])
    if _is_candidate(tag, attrib):
        marks.append(Marked(element, start, kind=tag))
        walk.candidates.append(marks[-1])
    return marks


class _BlockBuilder:
    """Collects text pieces between block boundaries and turns them into ``Block``s."""

    def __init__(self, blocks: list[Block], base: str) -> None:
        self.blocks = blocks
        self.base = base
        self.pieces: list[tuple[str, int, bool]] = []  # text, anchor number (0: none), in bold
        self.hints: list[str] = ["p"]
        self.anchors: list[tuple[int, str]] = [(0, "")]
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
            href = _safe_href(element.get("href") or "", self.base)
            self.anchors.append((self.anchor_count, href))
            self.hrefs[self.anchor_count] = href
        elif tag in BOLD:
            self.bold += 1

    def leave(self, tag: str) -> None:
        if tag in HINT_TAGS:
            self.hints.pop()
        elif tag == "a":
            self.anchors.pop()
        elif tag in BOLD:
            self.bold -= 1

    def add(self, text: str) -> None:
        if not self.pieces:
            self.hint = self.hints[-1]
        self.pieces.append((text, self.anchors[-1][0], self.bold > 0))

    def flush(self) -> None:
        if not self.pieces:
            return
        pieces, self.pieces = self.pieces, []
        text = " ".join("".join(piece for piece, _, _ in pieces).split())
        if not text:
            return
        links, link_chars = self._links(pieces)
        bold = sum(len(piece.strip()) for piece, _, in_bold in pieces if in_bold)
        hint = "strong" if self.hint == "p" and bold >= 0.9 * len(text.replace(" ", "")) else self.hint
        self.blocks.append(Block(text, hint, links, link_chars))

    def _links(self, pieces: list[tuple[str, int, bool]]) -> tuple[list[tuple[str, str]], int]:
        texts: dict[int, list[str]] = {}
        for piece, anchor, _ in pieces:
            if anchor:
                texts.setdefault(anchor, []).append(piece)
        links = []
        link_chars = 0
        for anchor, parts in texts.items():
            anchor_text = " ".join("".join(parts).split())
            link_chars += len(anchor_text)
            if anchor_text and self.hrefs[anchor]:
                links.append((anchor_text, self.hrefs[anchor]))
        return links, link_chars


def _safe_href(href: str, base: str) -> str:
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


# -- chrome markers ------------------------------------------------------------------------------------------


def _own_chrome(tag: str, attrib: etree._Attrib) -> tuple[str, str, bool] | None:
    """(reason, kind, only outside the article) when the element itself is site chrome."""
    if tag in CHROME_TAGS:
        why, outside_only = CHROME_TAGS[tag]
        kind = why.split(" ", 1)[1]
        return f"html: {why}", kind, outside_only
    if not attrib:
        return None
    role = (attrib.get("role") or "").strip().lower()
    if role in CHROME_ROLES:
        kind = CHROME_ROLES[role]
        return f"html: {kind} (role '{role}')", kind, kind in OUTSIDE_ONLY
    if "hidden" in attrib or _HIDDEN_STYLE.search((attrib.get("style") or "")[:MAX_ATTRIBUTE]):
        return "html: hidden element", "hidden element", False
    for name in ("class", "id"):
        value = attrib.get(name)
        if value:
            found = _token_chrome(value[:MAX_ATTRIBUTE].lower())
            if found:
                kind, word = found
                return f"html: {kind} ({name} '{word}')", kind, kind in OUTSIDE_ONLY
    return None


@lru_cache(maxsize=4096)
def _token_chrome(value: str) -> tuple[str, str] | None:
    """(kind, class word) for a class or id value with a chrome token in it."""
    for word in value.split():
        for token in _CLASS_SPLIT.split(word):
            if token in CHROME_TOKENS:
                return CHROME_TOKENS[token], word
        for part, kind in CHROME_TOKEN_PARTS.items():
            if part in word:
                return kind, word
    return None


def _is_candidate(tag: str, attrib: etree._Attrib) -> bool:
    if tag in CANDIDATE_TAGS:
        return True
    if not attrib:
        return False
    if (attrib.get("role") or "").lower() == "main" or (
        attrib.get("itemprop") or ""
    ).lower() == "articlebody":
        return True
    classes = (
        f"{attrib.get('class') or ''} {attrib.get('id') or ''}"[:MAX_ATTRIBUTE].lower().replace("_", "-")
    )
    return any(word in CONTENT_CLASSES for word in classes.split())


# -- finding the article ---------------------------------------------------------------------------------


def _mark_initial(blocks: list[Block]) -> None:
    """jusText's context-free classes: bad (link-dense), short, neargood, good."""
    for block in blocks:
        words = _WORD.findall(block.text.lower())
        block.stopword_density = len([w for w in words if w in STOPWORDS]) / len(words) if words else 0.0
        length = len(block.text)
        if block.link_density > DENSITY["max_link_density"] or "©" in block.text:
            block.klass = "bad"
        elif length < DENSITY["length_low"]:
            block.klass = "bad" if block.link_chars else "short"
        elif block.stopword_density >= DENSITY["stopwords_high"]:
            block.klass = "good" if length > DENSITY["length_high"] else "neargood"
        elif block.stopword_density >= DENSITY["stopwords_low"]:
            block.klass = "neargood"
        else:
            block.klass = "bad"


def _promote_if_no_good(blocks: list[Block]) -> None:
    """On a page of short paragraphs no block is long enough to be good: the near-good ones are the prose."""
    if not any(block.klass == "good" for block in blocks):
        for block in blocks:
            if block.klass == "neargood":
                block.klass = "good"


def _prose(blocks: list[Block], start: int, end: int) -> int:
    return sum(len(block.text) for block in blocks[start:end] if block.klass in ("good", "neargood"))


def _choose_article(walk: Walk) -> Marked | None:
    """The semantic element holding the article, or None when the page has none that holds its prose.

    An <article> wins over <main> and content classes (it carries the title); among several <article>s
    (teaser lists, comments) the one with the most prose.
    """
    blocks = walk.blocks
    total = _prose(blocks, 0, len(blocks))
    valid = [c for c in walk.candidates if c.end > c.start and _holds_prose(blocks, c, total)]
    if not valid:
        return None
    articles = [c for c in valid if c.kind == "article"]
    others = [c for c in valid if c.kind != "article"]
    if articles:
        return max(articles, key=lambda c: _prose(blocks, c.start, c.end))
    # the most specific: the smallest candidate that still holds the share of prose
    return min(others, key=lambda c: c.end - c.start)


def _holds_prose(blocks: list[Block], candidate: Marked, total: int) -> bool:
    if total == 0:
        return True
    return _prose(blocks, candidate.start, candidate.end) >= DENSITY["root_share"] * total


def _mark_chrome(walk: Walk, article: Marked | None) -> None:
    """Give each block the reason of its outermost chrome container.

    Containers that hold the article (or, without one, most of the prose) are page wrappers, not chrome.
    """
    blocks = walk.blocks
    total = _prose(blocks, 0, len(blocks))
    wrappers = set(article.element.iterancestors()) | {article.element} if article else set()
    covered = 0
    for mark in walk.chrome:  # in document order, outer containers before inner ones
        if mark.start < covered or mark.end <= mark.start or mark.element in wrappers:
            continue
        inside = article is not None and article.start <= mark.start and mark.end <= article.end
        if mark.outside_only and inside:
            continue
        if (
            article is None
            and total
            and _prose(blocks, mark.start, mark.end) >= DENSITY["exempt_share"] * total
        ):
            continue
        for block in blocks[mark.start : mark.end]:
            block.reason, block.kind = mark.why, mark.kind
        covered = mark.end


def _classify_by_density(blocks: list[Block]) -> None:
    """jusText's context-sensitive pass over the blocks that are not chrome already."""
    rest = [block for block in blocks if not block.reason]
    _headings_near_good(rest)
    classes = [block.klass for block in rest]
    for i, block in enumerate(rest):
        if classes[i] != "short":
            continue
        before, after = _neighbour(classes, i, -1, True), _neighbour(classes, i, 1, True)
        if before == after:
            block.klass = before
        elif (before == "bad" and _neighbour(classes, i, -1, False) == "neargood") or (
            after == "bad" and _neighbour(classes, i, 1, False) == "neargood"
        ):
            block.klass = "good"
        else:
            block.klass = "good" if "good" in (before, after) and block.hint in HEADINGS else "bad"
    classes = [block.klass for block in rest]
    for i, block in enumerate(rest):
        if classes[i] == "neargood":
            before, after = _neighbour(classes, i, -1, True), _neighbour(classes, i, 1, True)
            block.klass = "bad" if before == after == "bad" else "good"


def _headings_near_good(blocks: list[Block]) -> None:
    """A short heading within a few hundred characters before a good block is the article's subheading."""
    for i, block in enumerate(blocks):
        if block.hint not in HEADINGS or block.klass not in ("short", "bad") or block.link_chars:
            continue
        distance = 0
        for later in blocks[i + 1 :]:
            if later.klass == "good":
                block.klass = "neargood"
                break
            distance += len(later.text)
            if distance > DENSITY["max_heading_distance"]:
                break


def _neighbour(classes: list[str], i: int, step: int, ignore_neargood: bool) -> str:
    skip = {"short", "neargood"} if ignore_neargood else {"short"}
    j = i + step
    while 0 <= j < len(classes):
        if classes[j] not in skip:
            return classes[j]
        j += step
    return "bad"


# -- lines ---------------------------------------------------------------------------------------------------


def _lines(blocks: list[Block], article: Marked | None, page_title: str) -> list[Line]:
    lines = []
    for number, block in enumerate(blocks, start=1):
        reason = block.reason or _outside_reason(block, number - 1, article)
        role = Role.CHROME if reason else Role.BODY
        lines.append(Line(number, block.text, role, reason, block.hint, block.links))
    _keep_title(lines, blocks, page_title)
    return lines


def _outside_reason(block: Block, index: int, article: Marked | None) -> str:
    if article is not None:
        if article.start <= index < article.end:
            return ""
        return f"html: outside the article <{article.kind}> (link density {block.link_density:.1f})"
    if block.klass == "good":
        return ""
    if block.link_density > DENSITY["max_link_density"]:
        return f"html: outside the article (link density {block.link_density:.1f})"
    if len(block.text) < DENSITY["length_low"]:
        return "html: outside the article (short text away from the prose)"
    return f"html: outside the article (stopword density {block.stopword_density:.2f})"


def _keep_title(lines: list[Line], blocks: list[Block], page_title: str) -> None:
    """The article's title is part of the article also where it sits above it (in a page header).

    The title is the <h1>, or, on pages that mark nothing up, the line the <title> element starts with (it
    then counts as the <h1>). With it, the short link-free lines between it and the article (date, byline)
    and a short label just above it are kept too.
    """
    first = next((i for i, line in enumerate(lines) if line.role == Role.BODY), None)
    if first is None or any(line.hint == "h1" and line.role == Role.BODY for line in lines):
        return
    title = next(
        (
            i
            for i in range(first - 1, -1, -1)
            if (lines[i].hint == "h1" or _starts(page_title, lines[i].text))
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
    """Whether the <title> is ``text``, or ``text`` beside the site's name ("Text | Site", "Site - Text")."""
    text = text.casefold()
    if len(text) < TITLE_MIN_CHARS:
        return False
    return page_title.casefold() == text or any(text in pair for pair in _title_halves(page_title.casefold()))


def _title_area(line: Line, block: Block) -> bool:
    return not block.link_chars and (not block.kind or block.kind in TITLE_AREA) and line.hint != "li"


# -- metadata ------------------------------------------------------------------------------------------------


def _meta(
    root: etree._Element, json_ld: list[str], lines: list[Line], article: Marked | None
) -> dict[str, str]:
    """Metadata from the markup; keys only where the page has a value."""
    tags = _meta_tags(root)
    ld = _json_ld(json_ld)
    scope = article.element if article is not None else root
    h1 = next((line.text for line in lines if line.hint == "h1" and line.role == Role.BODY), "")
    if h1 and (other := _title_beside(_title_text(root), h1)):
        h1 = other  # the <h1> is the site's name (its logo): the <title> holds the article's title beside it
    found = {
        "title": tags.get("og:title") or h1 or ld.get("headline", "") or _page_title(root, tags),
        "date": _first_date(
            [str(v) for v in scope.xpath(".//time/@datetime")],
            [tags.get("article:published_time", ""), ld.get("datePublished", "")],
            [tags.get(k, "") for k in ("date", "dc.date", "dc.date.issued", "dcterms.date", "pubdate")],
            [str(v) for v in root.xpath("//time/@datetime")],
        ),
        "authors": _authors(ld, tags, root, scope),
        "description": tags.get("og:description")
        or tags.get("description")
        or tags.get("twitter:description", ""),
        "section": tags.get("article:section") or ld.get("articleSection", ""),
        "type": ld.get("@type", "") or _type_label(root),
        "lang": (root.get("lang") or "").strip(),
        "site_name": tags.get("og:site_name", ""),
    }
    return {key: _clean(value) for key, value in found.items() if _clean(value)}


def _clean(value: str) -> str:
    return " ".join(str(value).split())[:MAX_META]


def _meta_tags(root: etree._Element) -> dict[str, str]:
    tags: dict[str, str] = {}
    for meta in root.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip().lower()
        value = meta.get("content")
        if key and value and value.strip() and key not in tags:
            tags[key] = value.strip()[:MAX_META]
    return tags


def _title_text(root: etree._Element) -> str:
    """The text of the <title> element, whitespace collapsed."""
    title = root.find(".//title")
    return " ".join((title.text or "").split()) if title is not None else ""


def _title_halves(page_title: str) -> list[tuple[str, str]]:
    """The <title> cut in two at its first and at its last separator: ("Title", "Opinie | Site"), ..."""
    halves = []
    for separator in _TITLE_SEPARATORS:
        if separator in page_title:
            halves.append(tuple(part.strip() for part in page_title.split(separator, 1)))
            halves.append(tuple(part.strip() for part in page_title.rsplit(separator, 1)))
    return halves


def _title_beside(page_title: str, name: str) -> str:
    """The other part of a <title> such as "Site - Title" or "Title | Site" when one part is ``name``."""
    name = name.casefold()
    for head, tail in _title_halves(page_title):
        if name in (head.casefold(), tail.casefold()):
            other = tail if head.casefold() == name else head
            return other if len(other) > len(name) else ""
    return ""


def _page_title(root: etree._Element, tags: dict[str, str]) -> str:
    """<title> without the site name after " | " or " - "."""
    text = _title_text(root)
    site = tags.get("og:site_name", "")
    for separator in _TITLE_SEPARATORS:
        if separator in text:
            head, tail = text.rsplit(separator, 1)
            if head and (tail == site or len(tail) <= 40):
                return head
    return text


def _first_date(*sources: list[str]) -> str:
    for values in sources:
        for value in values:
            match = _ISO_DATE.search(value or "")
            if match:
                try:
                    found = date(int(match[1]), int(match[2]), int(match[3]))
                except ValueError:
                    continue
                if 1990 <= found.year <= 2100:
                    return found.isoformat()
    return ""


def _json_ld(texts: list[str]) -> dict[str, str]:
    """Fields of the first article-like JSON-LD object; broken, huge or deeply nested JSON is ignored."""
    article_types = set(META_RULES["article_types"])
    for text in texts:
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            continue
        for node in _json_nodes(data):
            types = node.get("@type")
            types = types if isinstance(types, list) else [types]
            if any(t in article_types for t in types if isinstance(t, str)) or "datePublished" in node:
                return _json_ld_fields(node, [t for t in types if isinstance(t, str)])
    return {}


def _json_nodes(data: object) -> list[dict]:
    """The JSON objects in ``data`` breadth-first, at most MAX_JSON_NODES of them, without recursion."""
    nodes: list[dict] = []
    queue = [data]
    seen = 0
    while queue and seen < MAX_JSON_NODES:
        item = queue.pop(0)
        seen += 1
        if isinstance(item, dict):
            nodes.append(item)
            queue.extend(value for value in item.values() if isinstance(value, dict | list))
        elif isinstance(item, list):
            queue.extend(value for value in item[:MAX_JSON_NODES] if isinstance(value, dict | list))
    return nodes


def _json_ld_fields(node: dict, types: list[str]) -> dict[str, str]:
    fields = {"@type": next((t for t in types if t != "WebPage"), "")}
    for key in ("headline", "datePublished", "articleSection"):
        value = node.get(key)
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value if isinstance(v, str | int))
        if isinstance(value, str | int):
            fields[key] = str(value)
    fields["author"] = "; ".join(_json_ld_names(node.get("author")))
    return {key: value for key, value in fields.items() if value}


def _json_ld_names(value: object) -> list[str]:
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items[:20]:
        if isinstance(item, dict):
            item = item.get("name")
        if isinstance(item, str) and item.strip():
            names.append(item.strip())
    return names


def _authors(ld: dict[str, str], tags: dict[str, str], root: etree._Element, scope: etree._Element) -> str:
    """Authors from JSON-LD, meta name=author, itemprop/rel=author, or a class author/byline; "; "-joined."""
    if ld.get("author"):
        return ld["author"]
    if tags.get("author"):
        return tags["author"]
    for xpath in (".//*[@itemprop='author']", ".//a[@rel='author']"):
        names = [_author_name(element) for element in scope.xpath(xpath)]
        if any(names):
            return "; ".join(dict.fromkeys(name for name in names if name))
    tokens = set(META_RULES["author_tokens"])
    for element in scope.iter():
        classes = _CLASS_SPLIT.split((element.get("class") or "")[:MAX_ATTRIBUTE].lower())
        if tokens.intersection(classes):
            name = _author_name(element)
            if name:
                return name
    return ""


def _author_name(element: etree._Element) -> str:
    named = element.xpath(".//*[@itemprop='name']")
    text = " ".join((named[0] if named else element).itertext())
    text = " ".join(text.split())
    lowered = text.lower()
    for prefix in META_RULES["author_prefixes"]:
        if lowered.startswith(prefix + " ") or (prefix.endswith(":") and lowered.startswith(prefix)):
            text = text[len(prefix) :].strip(" :")
            break
    return text if 0 < len(text) <= 100 else ""


def _type_label(scope: etree._Element) -> str:
    """A short type label ("Blog", "Interview") from an element with a label-like class."""
    tokens = set(META_RULES["label_tokens"])
    for element in scope.iter():
        value = element.get("class") if isinstance(element.tag, str) else None
        if value and tokens.intersection(_CLASS_SPLIT.split(value[:MAX_ATTRIBUTE].lower())):
            text = " ".join(" ".join(element.itertext()).split())
            if 0 < len(text) <= 30:
                return text
    return ""
