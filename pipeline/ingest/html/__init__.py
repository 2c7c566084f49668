"""Scraped HTML -> ``Page``: the page's text blocks in document order, one block a line, site chrome marked.

The stages, one module each (as trafilatura splits its extractor): ``parse`` (markup to tree), ``blocks``
(tree to blocks of text, and the blocks each container holds), ``prose`` (which blocks read as running text,
in the page's language), ``chrome`` (what an element's markup says of it), ``main`` (the container that holds
the article, and why every other block is not the article), ``lines`` (blocks to numbered lines) and ``meta``
(title, date, authors ... from the markup). Every block becomes a ``Line`` so that the ingest report accounts
for each removed one with its reason.
"""

from __future__ import annotations

from lxml import etree

from pipeline.ingest import figures
from pipeline.ingest import rules as text_rules
from pipeline.ingest.decode import Rejected
from pipeline.ingest.html import blocks, main, meta, parse, prose
from pipeline.ingest.html.lines import lines_of, titled_blocks
from pipeline.model import Page


def read_html(source: str, text: str, utf8: bytes | None = None) -> Page:
    """The page's text blocks as lines, chrome marked with a reason, and metadata from the markup; `utf8`:
    the text's UTF-8 bytes, when at hand."""
    root = parse.parse(text, utf8)
    json_ld = parse.json_ld_texts(root)
    body = parse.body_of(root)
    base = parse.base_url(root)
    walk = blocks.walk(body)
    if not walk.blocks:
        raise Rejected("HTML page without any text")
    language = prose.language(walk.blocks, root.get("lang") or "")
    prose.classify(walk.blocks, language)
    foreign = language != text_rules.load().raw["language_name"]  # not read by the text rules
    article = main.find(walk, metadata_is_chrome=foreign)
    titled = titled_blocks(walk.containers)
    lines = lines_of(walk.blocks, meta.title_text(root), base, titled=titled, stamps=foreign)
    scope = _scope(article, root)
    found = meta.meta(root, json_ld, lines, scope) | ({"language": language} if language else {})
    if base:
        found["url"] = base  # the page's own address: <base href>, canonical link or og:url
    page = Page(source=source, lines=lines, meta=found, markup=True)
    return figures.attach_images(page, body, article=article.element if article is not None else None)


def _scope(article: blocks.Container | None, root: etree._Element) -> etree._Element:
    """Where the article's own metadata is looked for: the <article> or <main> around its container (its
    header holds the byline), else the container, else the whole page."""
    if article is None or article.tag == "body":
        return root
    for element in (article.element, *article.element.iterancestors("article", "main")):
        if element.tag in ("article", "main"):
            return element
    return article.element
