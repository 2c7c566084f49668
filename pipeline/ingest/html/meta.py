"""Metadata from the markup: title, date, authors, description, section, type label, language, site name.

Keys are set only where the page has a value; JSON-LD that is broken, huge or deeply nested is ignored.
"""

from __future__ import annotations

import json
import re
from datetime import date

from lxml import etree

from pipeline.ingest.html.chrome import has_class_word
from pipeline.ingest.html.rules import RULES
from pipeline.model import Line, Role

META_RULES = RULES.meta
MAX_META = 500
MAX_JSON_NODES = 5000
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


def meta(
    root: etree._Element, json_ld: list[str], lines: list[Line], scope: etree._Element
) -> dict[str, str]:
    """Metadata from the markup; keys only where the page has a value."""
    tags = _meta_tags(root)
    ld = _json_ld(json_ld)
    h1 = next((line.text for line in lines if line.hint == "h1" and line.role == Role.BODY), "")
    if h1 and (other := _title_beside(title_text(root), h1)):
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


def title_text(root: etree._Element) -> str:
    """The text of the first <title> element, whitespace collapsed (looked for in the <head> first: it is
    there on nearly every page, and the head comes first)."""
    head = root.find("head")
    title = head.find(".//title") if head is not None else None
    if title is None:
        title = root.find(".//title")
    return " ".join((title.text or "").split()) if title is not None else ""


def title_halves(page_title: str) -> list[tuple[str, str]]:
    """The <title> cut in two at its first and at its last separator: ("Title", "Opinie | Site"), ..."""
    halves = []
    for separator in META_RULES.title_separators:
        if separator in page_title:
            halves.append(tuple(part.strip() for part in page_title.split(separator, 1)))
            halves.append(tuple(part.strip() for part in page_title.rsplit(separator, 1)))
    return halves


def _title_beside(page_title: str, name: str) -> str:
    """The other part of a <title> such as "Site - Title" or "Title | Site" when one part is ``name``: when it
    is the longer one, or when ``name`` closes the <title> (where sites put their name)."""
    name = name.casefold()
    for head, tail in title_halves(page_title):
        if name in (head.casefold(), tail.casefold()):
            other = tail if head.casefold() == name else head
            return other if len(other) > len(name) or tail.casefold() == name else ""
    return ""


def _page_title(root: etree._Element, tags: dict[str, str]) -> str:
    """<title> without the site name after " | " or " - "."""
    text = title_text(root)
    site = tags.get("og:site_name", "")
    for separator in META_RULES.title_separators:
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
    article_types = META_RULES.article_types
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
    if labelled := _labelled_author(tags):
        return labelled
    for xpath in (".//*[@itemprop='author']", ".//a[@rel='author']"):
        names = [_author_name(element) for element in scope.xpath(xpath)]
        if any(names):
            return "; ".join(dict.fromkeys(name for name in names if name))
    tokens = META_RULES.author_tokens
    for element in scope.iterfind(".//*[@class]"):
        if has_class_word(element, tokens):
            name = _author_name(element)
            if name:
                return name
    return ""


def _labelled_author(tags: dict[str, str]) -> str:
    """The author in labelled meta data (twitter:label1 "Geschreven door", twitter:data1 "X": Yoast SEO on
    WordPress sites)."""
    for number in range(1, 5):
        label = tags.get(f"twitter:label{number}", "").casefold().rstrip(" :")
        if label in META_RULES.author_labels:
            return tags.get(f"twitter:data{number}", "")
    return ""


def _author_name(element: etree._Element) -> str:
    named = element.xpath(".//*[@itemprop='name']")
    text = " ".join((named[0] if named else element).itertext())
    text = " ".join(text.split())
    lowered = text.lower()
    for prefix in META_RULES.author_prefixes:
        if lowered.startswith(prefix + " ") or (prefix.endswith(":") and lowered.startswith(prefix)):
            text = text[len(prefix) :].strip(" :")
            break
    return text if 0 < len(text) <= 100 else ""


def _type_label(scope: etree._Element) -> str:
    """A short type label ("Blog", "Interview") from an element with a label-like class."""
    tokens = META_RULES.label_tokens
    for element in scope.iterfind(".//*[@class]"):
        if has_class_word(element, tokens):
            text = " ".join(" ".join(element.itertext()).split())
            if 0 < len(text) <= 30:
                return text
    return ""
