"""Write: an ``Article`` becomes a Pelican Markdown file in ``content/`` (format: docs/content-format.md).

Text from a page is escaped so it can never become HTML, Markdown structure or metadata. Every file carries
a ``Generator_hash``: a file whose text no longer matches it was changed by an editor and is left alone, as
is every hand-written file.
"""

from __future__ import annotations

import dataclasses
import hashlib
import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline import slugs
from pipeline.ingest.structure import LIST_MARKER
from pipeline.ingest.walk import walk
from pipeline.model import SERIES, Article, ArticleImage, Block, BlockKind

GENERATOR = "pipeline ingest"
DATED_HERE = "first-publication"  # Dated_by: the page gives no date; Date is its first publication here

_HASH_LINE = re.compile(r"^Generator_hash: (?P<hash>[0-9a-f]{64})\n", re.MULTILINE)
_META_LINE = re.compile(r"^(?P<key>[A-Za-z_][\w-]*):\s*(?P<value>.*)$")
_INLINE = re.compile(r"([\\`*_{}\[\]])")
_BLOCK_START = re.compile(r"^(#|\+|-)")
_NUMBERED = re.compile(r"^(\d+)([.)])(?=\s|$)")
_SAFE_HREF = re.compile(r"^(https?://|mailto:|/|\.{0,2}/?[\w-])", re.IGNORECASE)


def escape(text: str) -> str:
    """Text as Markdown that renders as exactly this text: no HTML, no emphasis, no block structure."""
    text = html_text(text)
    text = _INLINE.sub(r"\\\1", text)
    text = _NUMBERED.sub(r"\1\\\2", _BLOCK_START.sub(r"\\\1", text))
    return "&#58;" + text[1:] if text.startswith(":") else text


def html_text(text: str) -> str:
    """Text for a field Pelican and its themes treat as HTML (the title): ``&``, ``<``, ``>`` as entities."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def meta_value(text: str) -> str:
    """A metadata value on one line; list separators inside a value would split it, so they are replaced."""
    return " ".join(text.split())


def slugify(text: str) -> str:
    """The slug Pelican gives the title ``text`` as written (``pipeline.slugs``): "Ærø" -> "aero"."""
    return slugs.slugify(html_text(text))


def _with_links(block: Block) -> str:
    """The block's text, escaped, with each link on the first occurrence of its words that no earlier link
    holds (never a link inside a link's words or address: "Chris Smith" then "Smith")."""
    parts: list[tuple[str, bool]] = [(escape(block.text), False)]  # (Markdown, is a link already)
    for anchor, href in block.links:
        if not anchor.strip() or not _SAFE_HREF.match(href) or "{" in href:
            continue
        target = escape(anchor)
        at = next((i for i, (text, linked) in enumerate(parts) if not linked and target in text), None)
        if at is None:
            continue
        url = href.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
        before, _, after = parts[at][0].partition(target)
        parts[at : at + 1] = [(before, False), (f"[{target}]({url})", True), (after, False)]
    return "".join(text for text, _ in parts)


def render_block(block: Block, *, lede: bool = False) -> str:
    text = _with_links(block)
    match block.kind:
        case BlockKind.HEADING:
            return f"## {text}"
        case BlockKind.PULLQUOTE:
            return f"> {text}\n{{: .pullquote }}"
        case BlockKind.QUESTION:
            return f"**{text}**\n{{: .question }}"
        case BlockKind.LIST_ITEM:
            return _list_item(block)
        case BlockKind.QUOTE:
            return f"> {text}"
        case _:
            return f"{text}\n{{: .lede }}" if lede else text


def _list_item(block: Block) -> str:
    """A list item with its links; a numbered one keeps its number (an ordered list starting there: the
    site's Markdown has sane_lists), a bulleted one loses only its bullet."""
    marker = LIST_MARKER.match(block.text)
    text = (
        _with_links(dataclasses.replace(block, text=block.text[marker.end() :]))
        if marker
        else _with_links(block)
    )
    number = marker["number"] if marker else None
    return f"{number}. {text}" if number else f"- {text}"


def image_path(article: Article, image: ArticleImage) -> str:
    """Where the image is kept, relative to the content folder: ``images/<slug>/<name>``."""
    return f"images/{article.slug}/{image.name}"


def render_figure(article: Article, image: ArticleImage) -> str:
    """An inline figure as an HTML block (Markdown has no figure): the image, its caption and credit."""
    attributes = f'src="{image_path(article, image)}" alt="{html.escape(image.alt)}"'
    attributes += f' width="{image.width}" height="{image.height}"'
    caption = html.escape(image.caption, quote=False)
    if image.credit:
        caption += (
            f'{" " if caption else ""}<small class="credit">{html.escape(image.credit, quote=False)}</small>'
        )
    figcaption = f"<figcaption>{caption}</figcaption>" if caption else ""
    return f'<figure class="figure"><img {attributes}>{figcaption}</figure>'


def _placed(article: Article) -> dict[int, list[ArticleImage]]:
    """The inline figures by the index of the block they go before (len(blocks): after the text)."""
    placed: dict[int, list[ArticleImage]] = {}
    for image in article.images:
        if image.lead:
            continue
        anchor = " ".join(image.anchor.split()).casefold()
        index = next(
            (
                i
                for i, block in enumerate(article.blocks)
                if anchor and anchor in " ".join(block.text.split()).casefold()
            ),
            len(article.blocks),
        )
        placed.setdefault(index, []).append(image)
    return placed


def render_body(article: Article) -> str:
    parts: list[str] = []
    previous: BlockKind | None = None
    figures = _placed(article)
    for index, block in enumerate(article.blocks):
        parts += [render_figure(article, image) for image in figures.get(index, [])]
        previous = None if index in figures else previous
        rendered = render_block(block, lede=bool(article.lede) and block.text == article.lede)
        if block.kind is BlockKind.LIST_ITEM and previous is BlockKind.LIST_ITEM:
            parts[-1] += "\n" + rendered
        else:
            parts.append(rendered)
        previous = block.kind
    parts += [render_figure(article, image) for image in figures.get(len(article.blocks), [])]
    return "\n\n".join(parts) + "\n"


def metadata(article: Article) -> list[tuple[str, str]]:
    pullquote = next((b.text for b in article.blocks if b.kind is BlockKind.PULLQUOTE), "")
    fields = [
        ("Title", html_text(article.title)),
        ("Date", article.date or ""),
        ("Modified", article.date or ""),
        ("Dated_by", DATED_HERE if article.dated_here else ""),
        ("Category", SERIES[article.series]),
        ("Tags", "; ".join(meta_value(tag).replace(";", ",") for tag in article.tags)),
        ("Authors", "; ".join(meta_value(a.name).replace(";", ",") for a in article.authors)),
        ("Author_roles", "; ".join(meta_value(a.role).replace(";", ",") for a in article.authors)),
        ("Slug", article.slug),
        ("Summary", escape(article.summary)),
        ("Lang", "nl"),
        ("Status", article.status),
        ("Series_confidence", f"{article.confidence:.2f}"),
        ("Source_file", article.source),
        ("Source_magazine", article.source_magazine),
        ("Source_name", article.source_name),
        ("Source_note", article.source_note),
        ("Pullquote", pullquote),
        *_lead_image(article),
        ("Generator", GENERATOR),
    ]
    if not any(a.role for a in article.authors):
        fields = [(key, value) for key, value in fields if key != "Author_roles"]
    return [(key, meta_value(value)) for key, value in fields if value.strip()]


def _lead_image(article: Article) -> list[tuple[str, str]]:
    lead = next((image for image in article.images if image.lead), None)
    if lead is None:
        return []
    return [
        ("Image", image_path(article, lead)),
        ("Image_alt", lead.alt),
        ("Image_caption", lead.caption),
        ("Image_credit", lead.credit),
    ]


def with_hash(header: list[tuple[str, str]], body: str) -> str:
    """The file's text, with a last header line that hashes everything else."""
    head = "".join(f"{key}: {value}\n" for key, value in header)
    text = f"{head}\n{body}"
    digest = hashlib.sha256(text.encode()).hexdigest()
    return f"{head}Generator_hash: {digest}\n\n{body}"


def render(article: Article) -> str:
    return with_hash(metadata(article), render_body(article))


def render_tag(name: str, slug: str, description: str, source: str) -> str:
    header = [("Title", meta_value(name)), ("Slug", slug), ("Source_file", source), ("Generator", GENERATOR)]
    body = "\n\n".join(escape(paragraph) for paragraph in description.split("\n\n")) + "\n"
    return with_hash(header, body)


@dataclass(frozen=True)
class Existing:
    """A Markdown file already in the content folder."""

    path: Path
    meta: dict[str, str]
    edited: bool  # generated by us, then changed by an editor
    generated: bool


def read_existing(path: Path) -> Existing:
    text = path.read_text(encoding="utf-8", errors="replace")
    meta: dict[str, str] = {}
    for line in text.split("\n"):
        match = _META_LINE.match(line)
        if not match:
            break
        meta[match["key"].lower()] = match["value"].strip()
    found = _HASH_LINE.search(text)
    generated = meta.get("generator") == GENERATOR and found is not None
    edited = False
    if generated and found:
        original = text[: found.start()] + text[found.end() :]
        edited = hashlib.sha256(original.encode()).hexdigest() != found["hash"]
    return Existing(path, meta, edited, generated)


def scan(folder: Path) -> Iterator[Existing]:
    """Every Markdown file of the content folder (``sorted(folder.rglob("*.md"))``), one at a time."""
    if folder.is_dir():
        for name in walk(folder):
            if name.endswith(".md"):
                yield read_existing(folder / name)
