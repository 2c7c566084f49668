"""Structure: the roles of a page's lines become an ``Article``: its fields and its blocks of body text."""

from __future__ import annotations

import bisect
import itertools
import re
from functools import lru_cache
from urllib.parse import urlsplit

from pipeline.ingest import dates, fields
from pipeline.ingest.rules import Rules
from pipeline.model import Article, Author, Block, BlockKind, Line, Page, Role

LIST_MARKER = re.compile(r"^(?:[-•*·–▪●]\s+|(?P<number>\d{1,2})[.)]\s+)")  # "- ", "• ", "3. ", "3) "
_QUOTES = "‘’'\"“”„«»"
_NORMAL = re.compile(r"[\W_]+")


def structure(page: Page, rules: Rules) -> Article:
    article = Article(source=page.source)
    _title(article, page, rules)
    dates.date_article(article, page, rules)
    _authors(article, page, rules)
    _provenance(article, page, rules)
    article.source_name = source_name(article, page)
    _theme(article, page)
    article.labels += [_label_of(line, rules) for line in page.with_role(Role.LABEL)]
    article.blocks = _blocks(page.with_role(Role.BODY), rules)
    _lede(article, rules)
    _untitled(article, rules)
    return article


def _untitled(article: Article, rules: Rules) -> None:
    """A page without a title is titled after its first words (nothing added: the ingest invents no text),
    and the report says so: an article needs a title (Pelican builds none without), and a page is not
    rejected for lacking one."""
    if article.title or not article.blocks:
        return
    article.title = " ".join(article.blocks[0].text.split()[: rules.limits["untitled_words"]])
    article.warnings.append("no title found on the page; titled after its first words")


def _label_of(line: Line, rules: Rules) -> str:
    match = rules.label_line.match(line.text)
    return match["label"].lower() if match else ""


def _title(article: Article, page: Page, rules: Rules) -> None:
    titles = page.with_role(Role.TITLE)
    if not titles:
        article.title = page.meta.get("title", "")
        return
    text = titles[0].text
    if page.markup and page.meta.get("language") != rules.raw["language_name"]:
        article.title = text  # "Column: ..." is a label in the rules' language only
        return
    if match := rules.label_prefix.match(text):
        article.labels.append(match["label"].lower())
        text = match["rest"]
    elif (first := text.split(maxsplit=1)[0].lower()) in rules.labels:
        article.labels.append(first)  # "Interview Jan Jansen: ‘...’" keeps its title whole
    article.title = text


def _authors(article: Article, page: Page, rules: Rules) -> None:
    found: list[Author] = []
    for line in page.with_role(Role.BYLINE, Role.DATE):
        if line.role is Role.DATE:
            dated = fields.date_line(line.text, rules)
            found += fields.people(dated.byline, rules) if dated and dated.byline else []
        elif byline := fields.byline(line.text, rules):
            found += byline.authors
            article.labels += [byline.label] if byline.label in rules.labels else []
        else:
            found += fields.bio(line.text, rules)
            article.closing_bios = True
    if not found and page.meta.get("authors"):
        found = [Author(name.strip()) for name in page.meta["authors"].split(";") if name.strip()]
    article.authors = _merge(found)


def _merge(authors: list[Author]) -> list[Author]:
    """One entry per name, keeping the first role found."""
    merged: dict[str, Author] = {}
    for author in authors:
        known = merged.setdefault(author.name, Author(author.name, author.role))
        known.role = known.role or author.role
    return list(merged.values())


def _provenance(article: Article, page: Page, rules: Rules) -> None:
    for line in page.with_role(Role.PROVENANCE):
        article.source_note = article.source_note or line.text
        if match := rules.magazine.search(line.text):
            article.source_magazine = article.source_magazine or match.group(1)


def source_name(article: Article, page: Page) -> str:
    """Whom the piece is from, to credit it when it names no author: the publication it names, else the
    site's name in its markup (og:site_name), else the domain of its address; "" when the page says none."""
    domain = urlsplit(page.meta.get("url", "")).hostname or ""
    return article.source_magazine or page.meta.get("site_name", "") or domain.removeprefix("www.")


def _theme(article: Article, page: Page) -> None:
    names = page.with_role(Role.THEME_NAME)
    if not names:
        return
    theme = names[0].text
    article.tags.append(theme)
    intro = [line.text for line in page.with_role(Role.THEME_INTRO)]
    if intro:
        article.tag_descriptions[theme] = "\n\n".join(intro)


def _blocks(lines: list[Line], rules: Rules) -> list[Block]:
    questions = _questions(lines, rules)
    longer = _Longer(lines)
    blocks = []
    for index, line in enumerate(lines):
        kind = _kind(lines, index, rules, questions, longer)
        blocks.append(Block(kind, line.text, line.number, line.links))
    return blocks


class _Longer:
    """The words of a page's lines, to ask whether a longer line than a given one contains its words.

    Made on the first question: every line's words, longest line first, joined into one text (a separator
    that no words contain between them), so that one search in C answers, not a loop over the lines.
    """

    def __init__(self, lines: list[Line]) -> None:
        self.lines = lines
        self.joined = ""
        self.ends: list[int] = []  # where the words of the n longest lines end in `joined`
        self.lengths: list[int] = []  # the lines' lengths, negated, longest first

    def contain(self, index: int) -> bool:
        """Whether the words of line `index` stand in a line of more characters."""
        if not self.ends:
            self._make()
        line = self.lines[index]
        own = normal(line.text)
        before = bisect.bisect_left(self.lengths, -len(line.text))  # lines longer than this one
        return bool(own) and before > 0 and self.joined.find(own, 0, self.ends[before - 1]) >= 0

    def _make(self) -> None:
        ordered = sorted(self.lines, key=lambda line: -len(line.text))
        self.lengths = [-len(line.text) for line in ordered]
        texts = [normal(line.text) for line in ordered]
        self.ends = list(itertools.accumulate(len(text) + 1 for text in texts))
        self.joined = "\x00".join(texts)


def _kind(lines: list[Line], index: int, rules: Rules, questions: set[int], longer: _Longer) -> BlockKind:
    line = lines[index]
    if index in questions:
        return BlockKind.QUESTION
    if LIST_MARKER.match(line.text) or line.hint == "li":
        return BlockKind.LIST_ITEM
    if line.hint in {"h1", "h2", "h3", "h4", "h5", "h6"} or _is_heading(lines, index, rules):
        return BlockKind.HEADING
    if _repeats_body(lines, index, rules, longer):
        return BlockKind.PULLQUOTE
    if line.hint == "blockquote":
        return BlockKind.QUOTE
    return BlockKind.PARAGRAPH


def _is_heading(lines: list[Line], index: int, rules: Rules) -> bool:
    """A short line without closing punctuation, with text after it, is a subheading."""
    text = lines[index].text
    if index == len(lines) - 1 or not text[0].isupper() or not fields.heading_shape(text, rules):
        return False
    following = lines[index + 1].text
    return fields.word_count(following) > fields.word_count(text) or bool(
        rules.sentence_end.search(following)
    )


@lru_cache(maxsize=8192)
def normal(text: str) -> str:
    """Text reduced to its words, for comparing a quote with the sentence it repeats (cached: a line is
    compared as a quote and as a paragraph)."""
    return _NORMAL.sub(" ", text.lower()).strip()


def _repeats_body(lines: list[Line], index: int, rules: Rules, longer: _Longer) -> bool:
    """A pull quote: a sentence-like line that the article says again, in a longer paragraph."""
    line = lines[index]
    count = fields.word_count(line.text)
    quoted = line.text[0] in _QUOTES
    if count < 6 or count > rules.limits["pullquote_max_words"]:
        return False
    if not (quoted or rules.sentence_end.search(line.text)):
        return False
    return longer.contain(index)


def _questions(lines: list[Line], rules: Rules) -> set[int]:
    """Interview questions: question lines answered by the next line, when a page has several such turns."""
    prefix = rules.cues["question_prefix"]
    turns = {
        i
        for i, line in enumerate(lines[:-1])
        if (
            line.text.endswith("?")
            and fields.word_count(line.text) >= 3
            and not lines[i + 1].text.endswith("?")
        )
        or prefix.match(line.text)
    }
    return turns if len(turns) >= rules.limits["qa_min_questions"] else set()


def _lede(article: Article, rules: Rules) -> None:
    """The standfirst: a first paragraph of moderate length, before any subheading, with text after it."""
    blocks = article.blocks
    paragraphs = [block for block in blocks if block.kind is BlockKind.PARAGRAPH]
    if not paragraphs:
        article.summary = article.title
        return
    first = paragraphs[0]
    before_heading = all(block.kind is not BlockKind.HEADING for block in blocks[: blocks.index(first)])
    if (
        before_heading
        and len(paragraphs) > 1
        and fields.word_count(first.text) <= rules.limits["lede_max_words"]
    ):
        article.lede = first.text
        article.summary = first.text
        return
    article.summary = _opening(first.text, rules.limits["summary_max_chars"])


def _opening(text: str, limit: int) -> str:
    """The first sentences of ``text`` within ``limit`` characters; a long first sentence is cut at a word."""
    sentences = re.split(r"(?<=[.!?])\s+", text)
    summary = sentences[0]
    for sentence in sentences[1:]:
        if len(summary) + 1 + len(sentence) > limit:
            break
        summary += " " + sentence
    if len(summary) <= limit:
        return summary
    return summary[:limit].rsplit(" ", 1)[0] + " …"
