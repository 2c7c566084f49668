"""Clean: give every line of a page its role; chrome is removed with a reason, nothing is lost silently.

Signals that generalise across sites, in this order:
1. rules kept as data (``pipeline/rules/nl.toml``): calls to act, login prompts, share widgets, dates ...
2. lines that recur on several pages of the same batch (site furniture);
3. the page's shape: the article's core is the span of paragraphs of running text; runs of short lines
   without sentence punctuation outside it are menus; what follows the article's closing signature under
   a heading of its own is a box of the site, not the article.
When a line fits none of these it stays in the article.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from pipeline.ingest import fields
from pipeline.ingest.rules import ChromeRule, Rules
from pipeline.model import Line, Page, Role

_QUOTES = "‘’'\"“”„«»"
_WORD = re.compile(r"\w+")

Recurrence = Callable[[str], int]  # how many pages of the batch hold this (normalised) line


def recurrence_key(text: str) -> str:
    """The form in which lines are compared across pages."""
    return " ".join(text.lower().split())


def words(line: Line) -> int:
    return fields.word_count(line.text)


def ends_sentence(line: Line, rules: Rules) -> bool:
    return bool(rules.sentence_end.search(line.text))


def is_paragraph(line: Line, rules: Rules) -> bool:
    """A paragraph of running text: long enough, and ending as a sentence ends."""
    return (
        line.role is Role.BODY
        and words(line) >= rules.limits["core_min_words"]
        and ends_sentence(line, rules)
    )


def is_short(line: Line, rules: Rules) -> bool:
    return words(line) <= rules.limits["menu_item_max_words"] and not ends_sentence(line, rules)


def mark(line: Line, role: Role, reason: str) -> None:
    line.role, line.reason = role, reason


LINK_LIST = "html: link list"  # the HTML reader's reason for a block mostly made of links


def clean(page: Page, rules: Rules, recurrence: Recurrence | None = None) -> Page:
    if page.markup:
        _linked_metadata(page.lines, rules)
    lines = [line for line in page.lines if line.role is Role.BODY]  # HTML chrome arrives marked already
    matched = _by_rules(lines, rules, shapes=not page.markup)
    _magazine_boilerplate(lines, rules)
    recurring = _recurring(lines, rules, recurrence, page.markup) if recurrence else set()
    start = _article_start(lines, rules)
    core = _core(lines, rules, start)
    if core is None:
        _title(lines, rules, (start, len(lines)), recurring, page)
        return page
    first, last = core
    last = min(last, _tails(lines, matched, first))
    _lists(lines, rules, matched)
    if not page.markup or page.meta.get("language") == rules.raw["language_name"]:
        # a bio told by its shape: the rules' own language only (an English sentence is no Dutch bio)
        _closing_bios(lines, rules, first)
        last = _signature(lines, rules, first, last)
    _title(lines, rules, (start, first), recurring, page)
    _header_bylines(lines, rules, start, first)
    if not page.markup:  # the shape of lines tells menus only where no markup told the article's bounds
        _menus(lines, rules, first, last)
        _above_title(lines, rules, start)
        _after_article(lines, rules, last)
    if page.markup:
        _duplicates(
            lines, rules, rules.limits["duplicate_min_words_html"], rules.limits["duplicate_max_gap_html"]
        )
    else:
        _duplicates(lines, rules, rules.limits["duplicate_min_words"])
    return page


def _linked_metadata(lines: list[Line], rules: Rules) -> None:
    """A date line or byline whose words are links ("Geplaatst op <date> door <author>") is the article's
    metadata, not a link list: the HTML reader removed it for its links."""
    for line in lines:
        if line.role is Role.CHROME and line.reason.startswith(LINK_LIST):
            if fields.date_line(line.text, rules):
                mark(line, Role.DATE, "date line (kept as metadata)")
            elif fields.byline(line.text, rules):
                mark(line, Role.BYLINE, "byline (kept as metadata)")


def _by_rules(lines: list[Line], rules: Rules, *, shapes: bool) -> dict[int, ChromeRule]:
    """Lines that a rule recognises on their own; returns which chrome rule matched which line.
    ``shapes``: also menus told by the shape of a line alone (glued or capitalised words)."""
    seen_paragraph = False
    matched = {}
    for index, line in enumerate(lines):
        if rule := _by_rule(line, rules, top=not seen_paragraph, shapes=shapes):
            matched[index] = rule
        seen_paragraph = seen_paragraph or is_paragraph(line, rules)
    return matched


def _by_rule(line: Line, rules: Rules, *, top: bool, shapes: bool) -> ChromeRule | None:
    text, count = line.text, words(line)
    if top and rules.theme_header.match(text):
        mark(line, Role.THEME, "theme page header")
    elif match := rules.label_line.match(text):
        mark(line, Role.LABEL, f"type label '{match['label']}'")
    elif fields.date_line(text, rules):
        mark(line, Role.DATE, "date line (kept as metadata)")
    elif count <= 40 and rules.provenance.search(text):
        mark(line, Role.PROVENANCE, "where the article appeared before (kept as metadata)")
    elif fields.byline(text, rules):
        mark(line, Role.BYLINE, "byline (kept as metadata)")
    elif rule := _chrome_rule(text.lower(), count, rules):
        mark(line, Role.CHROME, rule.reason)
        return rule
    elif shapes and _glued_menu(line, rules):
        mark(line, Role.CHROME, rules.raw["glued_menu"]["reason"])
    elif shapes and _title_case_menu(line, rules):
        mark(line, Role.CHROME, "menu in one line (capitalised words)")
    return None


def _chrome_rule(lower: str, count: int, rules: Rules) -> ChromeRule | None:
    """The first chrome rule that matches the (lower-cased) line of `count` words."""
    for rule in rules.chrome_for(count):
        if rule.pattern.search(lower):
            return rule
    return None


def _glued_menu(line: Line, rules: Rules) -> bool:
    spec = rules.raw["glued_menu"]
    if words(line) > spec["max_words"] or ends_sentence(line, rules):
        return False
    joints = list(rules.glue_joint.finditer(line.text))
    if len(joints) >= spec["min_joints"]:
        return True
    if not joints:
        return False
    cut = joints[0].start() + 1
    parts = (line.text[:cut].lower().strip(), line.text[cut:].lower().strip())
    return any(part.endswith(word) or part.startswith(word) for part in parts for word in spec["menu_words"])


def _title_case_menu(line: Line, rules: Rules) -> bool:
    tokens = [token for token in line.text.split() if token[0].isalpha()]
    return (
        len(tokens) >= rules.raw["glued_menu"]["title_case_min_words"]
        and all(token[0].isupper() for token in tokens)
        and not ends_sentence(line, rules)
        and words(line) <= rules.raw["glued_menu"]["max_words"]
    )


def _tails(lines: list[Line], matched: dict[int, ChromeRule], first: int) -> int:
    """A comment section after the article: everything from its heading on is chrome.

    Returns the index of the article's last line before it (or of the page's last line).
    """
    start = next((i for i, rule in sorted(matched.items()) if rule.tail and i > first), None)
    if start is None:
        return len(lines) - 1
    heading = lines[start].text
    for line in lines[start + 1 :]:
        mark(line, Role.CHROME, f"{matched[start].reason} (after '{heading}')")
    return start - 1


def _lists(lines: list[Line], rules: Rules, matched: dict[int, ChromeRule]) -> None:
    """The titles listed under "Lees ook" are links to other articles, not the article."""
    for index, rule in sorted(matched.items()):
        if not rule.list or words(lines[index]) > rules.limits["menu_item_max_words"]:
            continue  # "Lees ook: <title>" names its one article itself
        for at in range(index + 1, len(lines)):
            line = lines[at]
            if line.role is not Role.BODY:
                continue
            if ends_sentence(line, rules) and not line.text.endswith("?"):
                break
            if words(line) > rules.limits["title_max_words"] or _heads_text(lines, at, rules):
                break
            mark(line, Role.CHROME, f"{rule.reason} (listed under '{lines[index].text}')")


def _heads_text(lines: list[Line], index: int, rules: Rules) -> bool:
    """Whether the next line of the page is running text (so this line is the article's subheading)."""
    following = _next_body(lines, index)
    return following is not None and is_paragraph(lines[following], rules)


def _header_bylines(lines: list[Line], rules: Rules, start: int, first: int) -> None:
    """Above the article's text, a line of names only is its byline ("Youssef Bakkali en Ellen Schouten")."""
    title = next((i for i in range(start, first) if lines[i].role is Role.TITLE), None)
    if title is None:
        return
    for line in lines[title + 1 : first]:
        if line.role is Role.BODY and _names_only(line, rules):
            mark(line, Role.BYLINE, "byline, names only (kept as metadata)")


def _names_only(line: Line, rules: Rules) -> bool:
    if ends_sentence(line, rules):
        return False
    names = fields.people(line.text, rules)
    return bool(names) and all(not a.role and len(a.name.split()) >= 2 for a in names)


def _magazine_boilerplate(lines: list[Line], rules: Rules) -> None:
    """After a provenance line, lines that name the magazine again are its boilerplate."""
    for index, line in enumerate(lines):
        if line.role is not Role.PROVENANCE or not (found := rules.magazine.search(line.text)):
            continue
        name = found.group(1)
        for after in lines[index + 1 :]:
            if after.role is Role.BODY and name in after.text:
                mark(after, Role.CHROME, f"{rules.raw['provenance']['boilerplate_reason']} ({name})")
            elif after.role is Role.BODY:
                break


def _recurring(lines: list[Line], rules: Rules, recurrence: Recurrence, markup: bool) -> set[int]:
    """Short lines found on several pages of the batch are the site's, not an article's.

    On a page read from HTML the lines left are inside the article's container: there only links recur as
    navigation does; a table cell, a list item or a paragraph that other pages share stays.
    Returns their indexes: the title may be one of them (other pages list it under "Lees ook").
    """
    limit, least = rules.limits["recurring_max_words"], rules.limits["recurring_min_pages"]
    found = set()
    for index, line in enumerate(lines):
        if line.role is not Role.BODY or words(line) > limit or (markup and not _a_link(line)):
            continue
        pages = recurrence(recurrence_key(line.text))
        if pages >= least and not _heads_paragraph(lines, index, rules):
            mark(line, Role.CHROME, recurring_reason(pages))
            found.add(index)
    return found


def _a_link(line: Line) -> bool:
    """Whether most of the line is the text of its links."""
    return 2 * sum(len(text) for text, _ in line.links) >= len(line.text)


def recurring_reason(pages: int) -> str:
    """The reason of a line removed for recurring; the ingest cache fills the count in afresh each run."""
    return f"recurs on {pages} pages of this batch"


def _heads_paragraph(lines: list[Line], index: int, rules: Rules) -> bool:
    """Whether the line is a subheading between paragraphs of running text."""
    return (
        not ends_sentence(lines[index], rules)
        and _heads_text(lines, index, rules)
        and _previous_is_paragraph(lines, index, rules)
    )


def _previous_is_paragraph(lines: list[Line], index: int, rules: Rules) -> bool:
    before = [line for line in lines[:index] if line.role is Role.BODY]
    return bool(before) and is_paragraph(before[-1], rules)


def _next_body(lines: list[Line], index: int) -> int | None:
    return next((i for i in range(index + 1, len(lines)) if lines[i].role is Role.BODY), None)


def _closing_bios(lines: list[Line], rules: Rules, first: int) -> None:
    """Near the end, lines that are only the authors' bios ("X is directeur van Y. Z is wethouder te W.")."""
    tail = max(first + 1, len(lines) - max(len(lines) * 2 // 5, 3))
    for line in lines[tail:]:
        if line.role is Role.BODY and fields.bio(line.text, rules):
            mark(line, Role.BYLINE, "the authors' bios (kept as metadata)")


def _article_start(lines: list[Line], rules: Rules) -> int:
    """Where the article starts: at a type label followed by a title, when text of the page precedes it.

    A theme page shows a header, the theme's name and its introduction above the article
    ("Themaoverzicht / Sociale Basis & Preventie / Hoofdthema's / intro ... / Blog / <title> / ...").
    """
    for index, line in enumerate(lines):
        if line.role is not Role.LABEL or not any(is_paragraph(before, rules) for before in lines[:index]):
            continue
        title = _next_body(lines, index)
        if title is None or not _title_like(lines[title], rules):
            continue
        if not any(is_paragraph(after, rules) for after in lines[title + 1 :]):
            continue
        _preamble(lines[:index], rules, lines[index].text)
        return index
    return 0


def _preamble(lines: list[Line], rules: Rules, label: str) -> None:
    """The text above the article: a theme's name and introduction on a theme page, else the site's."""
    theme_page = any(line.role is Role.THEME for line in lines)
    named = False
    for line in lines:
        if line.role is not Role.BODY:
            continue
        if not theme_page:
            mark(line, Role.CHROME, f"page text above the article's type label '{label}'")
        elif not named and not ends_sentence(line, rules):
            mark(line, Role.THEME_NAME, "the theme of the page (kept as a tag)")
            named = True
        else:
            mark(line, Role.THEME_INTRO, "the theme's introduction (kept as the tag's description)")


def _title_like(line: Line, rules: Rules, *, also: bool = False) -> bool:
    """A line that could be the title; ``also``: consider it even though it was marked as chrome."""
    if line.role is not Role.BODY and not also:
        return False
    if rules.label_prefix.match(line.text):
        return True
    return words(line) <= rules.limits["title_max_words"] and not line.text.endswith((".", ",", ";"))


def _core(lines: list[Line], rules: Rules, start: int) -> tuple[int, int] | None:
    """The first and last paragraph of running text from ``start`` on."""
    found = [i for i in range(start, len(lines)) if is_paragraph(lines[i], rules)]
    return (found[0], found[-1]) if found else None


def _signature(lines: list[Line], rules: Rules, first: int, last: int) -> int:
    """A byline after the article's text closes it; what follows under headings of its own is a box.

    Returns the index of the article's last line.
    """
    closing = next(
        (i for i in range(first + 1, len(lines)) if lines[i].role is Role.BYLINE),
        None,
    )
    if closing is None or closing > last:
        return last
    box = ""
    for line in lines[closing + 1 :]:
        if line.role is not Role.BODY:
            continue
        if not box and fields.heading_shape(line.text, rules):
            box = line.text
        if box:
            mark(line, Role.CHROME, f"box after the article's signature ('{box}')")
    return closing


def _menus(lines: list[Line], rules: Rules, first: int, last: int) -> None:
    """Runs of short lines outside the article's core are menus."""
    for run in _short_runs(lines, rules, outside=(first, last)):
        items = [lines[i] for i in run if lines[i].role is Role.BODY or _stray_label(lines, i)]
        for item in items:
            mark(item, Role.CHROME, f"menu ({len(run)} short lines in a row)")


def _stray_label(lines: list[Line], index: int) -> bool:
    """A type label that does not stand above the title is a menu item ("Nieuws" in a menu)."""
    if lines[index].role is not Role.LABEL:
        return False
    following = next((line for line in lines[index + 1 :] if line.role is not Role.CHROME), None)
    return following is None or following.role not in {Role.TITLE, Role.LABEL, Role.DATE}


def _short_runs(lines: list[Line], rules: Rules, outside: tuple[int, int] = (-1, -1)) -> list[list[int]]:
    """Runs of at least ``menu_run_min`` short lines (or chrome) in a row, not crossing ``outside``'s span."""
    runs, run = [], []
    for index, line in enumerate([*lines, None]):
        inside = outside[0] <= index <= outside[1]
        if line is not None and not inside and (line.role in MENU_ROLES or _menu_item(line, rules)):
            run.append(index)
            continue
        if len(run) >= rules.limits["menu_run_min"]:
            runs.append(run)
        run = []
    return runs


MENU_ROLES = frozenset({Role.CHROME, Role.LABEL})  # a type label among menu items is a menu item


def _menu_item(line: Line, rules: Rules) -> bool:
    return line.role is Role.BODY and is_short(line, rules) and not line.text.endswith("?")


def _title(lines: list[Line], rules: Rules, span: tuple[int, int], recurring: set[int], page: Page) -> None:
    """The title line: on an HTML page the one its markup names, else the best title-like line."""
    named = page.meta.get("title", "")
    if page.markup and _marked_up_title(lines, named, rules):
        return
    if not page.markup or page.meta.get("language") == rules.raw["language_name"]:
        _title_by_shape(lines, rules, span, recurring, named)


def _marked_up_title(lines: list[Line], named: str, rules: Rules) -> bool:
    """The line that is the title the markup names (OpenGraph, <h1>, JSON-LD, <title>), or else the page's
    headline: its first <h1> above the running text, when it and the named title share most of their words
    ("Opinion | Republicans Are ..." names the <h1> "Republicans Are ..."; "Title - Blog" not the <h1>
    "Blog"). Without one, a page in another language than the rules' takes its title from the markup alone:
    by the shape of lines a date, a byline or a credit above the text was taken for it."""
    comparable = _comparable(named)
    found = next(
        (line for line in lines if line.role is Role.BODY and _comparable(line.text) == comparable), None
    )
    if not comparable or found is None:
        found = _headline(lines, named, rules)
    if found is not None:
        mark(found, Role.TITLE, "title (kept as metadata)")
        return True
    return False


def _headline(lines: list[Line], named: str, rules: Rules) -> Line | None:
    """The first <h1> of the article above its first paragraph, if the named title (if any) says the same."""
    for line in lines:
        if is_paragraph(line, rules):
            return None
        if line.role is Role.BODY and line.hint == "h1":
            own, title = _words(line.text), _words(named)
            enough = rules.limits["headline_shared_words"] * max(len(own), len(title))
            return line if own and (len(own & title) >= enough or not named) else None
    return None


def _words(text: str) -> set[str]:
    return set(_WORD.findall(text.casefold()))


def _title_by_shape(
    lines: list[Line], rules: Rules, span: tuple[int, int], recurring: set[int], named: str
) -> None:
    """The title: the first title-like line above the first paragraph, preferring two words or more.

    A line that recurs on other pages may still be the title (listed there as a related article), but a line
    of this page alone is preferred; a line that is the title the page's markup names (``named``: OpenGraph,
    ``<h1>``, JSON-LD, ``<title>``) is preferred over a site's name or slogan above it.
    """
    start, end = span
    named = _comparable(named)
    candidates = [i for i in range(start, end) if _title_like(lines[i], rules, also=i in recurring)]
    if not candidates:
        return
    in_menu = {index for run in _short_runs(lines, rules) for index in run}
    text_start = next((i for i in range(start, end + 1) if i < len(lines) and _is_text(lines[i], rules)), end)
    before_text = [i for i in candidates if i < text_start] or candidates
    nearest = before_text[-1]
    first_free = next((i for i in candidates if i not in in_menu), None)

    def score(index: int) -> float:
        line = lines[index]
        neighbours = {lines[i].role for i in (index - 1, index + 1) if 0 <= i < len(lines)}
        return (
            min(words(line), 12)
            + 3 * (index == nearest)
            + 2 * (index == first_free)
            - 5 * ("..." in line.text or "…" in line.text)
            + 3 * bool(neighbours & {Role.DATE, Role.BYLINE, Role.LABEL})
            - 10 * (index in in_menu)
            - 5 * (words(line) < 2)
            - 8 * (index > text_start)
            - 6 * _names_only(line, rules)
            - 4 * (index in recurring)
            + 8 * bool(named and _comparable(line.text) == named)
        )

    chosen = max(candidates, key=lambda index: (score(index), -index))
    mark(lines[chosen], Role.TITLE, "title (kept as metadata)")


def _comparable(text: str) -> str:
    return " ".join(text.split()).strip(_QUOTES).casefold()


def _is_text(line: Line, rules: Rules) -> bool:
    """A line of the article's running text (not a title): it ends as a sentence ends."""
    return line.role is Role.BODY and ends_sentence(line, rules) and words(line) >= 6


def _above_title(lines: list[Line], rules: Rules, start: int) -> None:
    """Lines above the title: a theme page's text is handled already; short lines are navigation."""
    title = next((i for i, line in enumerate(lines) if line.role is Role.TITLE), None)
    if title is None:
        return
    for line in lines[start:title]:
        if line.role is Role.BODY and not ends_sentence(line, rules):
            mark(line, Role.CHROME, "short line above the title (navigation)")


def _after_article(lines: list[Line], rules: Rules, last: int) -> None:
    """After the article's last paragraph, short lines are the site's."""
    for line in lines[last + 1 :]:
        if (
            line.role is Role.BODY
            and not ends_sentence(line, rules)
            and words(line) <= rules.limits["heading_max_words"]
        ):
            mark(line, Role.CHROME, "short line after the article (navigation, footer)")


def _duplicates(lines: list[Line], rules: Rules, least: int, gap: int | None = None) -> None:
    """A teaser cut from the article's start, and a paragraph of at least `least` words repeated whole,
    appear once. With a `gap` (HTML pages), only a repeat at most that many lines away: a template's double
    (a standfirst shown in the header and again above the text); further apart, a page repeats on purpose
    (a meal plan for each of three weeks, a recipe's steps)."""
    body = [line for line in lines if line.role is Role.BODY]
    far = len(body) if gap is None else gap
    seen: dict[str, int] = {}
    for at, line in enumerate(body):
        key = recurrence_key(line.text)
        if key in seen and words(line) >= least and at - seen[key] <= far:
            mark(line, Role.DUPLICATE, f"repeats line {body[seen[key]].number}")
            continue
        seen[key] = at
        teaser = line.text.rstrip(".… ").rstrip()
        if len(teaser) < rules.limits["teaser_min_chars"]:
            continue
        if not (line.text.endswith(("...", "…")) or not ends_sentence(line, rules)):
            continue  # a teaser is cut off: only such a line is compared with the others
        near = body[max(0, at - far) : at + far + 1]
        origin = next(
            (
                other
                for other in near
                if other is not line and len(other.text) > len(line.text) and other.text.startswith(teaser)
            ),
            None,
        )
        if origin is not None:
            mark(line, Role.DUPLICATE, f"teaser repeating the start of line {origin.number}")
