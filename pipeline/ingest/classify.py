"""Classify: file an article in a series (blog, interview, opinion), with a confidence and the evidence.

An explicit label on the page wins. Otherwise the text decides, from cues kept as data in the rules:
question-and-answer turns, quotes attributed to named people and a conversation make an interview; a personal
first-person account makes a blog; an argued, normative position, often with the authors' bios at the end,
makes an opinion piece.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from pipeline.ingest import fields
from pipeline.ingest.rules import Rules
from pipeline.model import SERIES, Article, BlockKind
from pipeline.plural import count

_QUOTED = re.compile(r"[‘“„\"](.+?)[’”\"]")


def classify(article: Article, rules: Rules) -> Article:
    labelled = _by_label(article, rules)
    if labelled:
        article.series, article.confidence = labelled, 0.95
        return article
    scores, evidence = _scores(article, rules)
    article.series = max(SERIES, key=lambda series: (scores[series], -list(SERIES).index(series)))
    article.confidence = round(_softmax(scores)[article.series], 2)
    article.evidence += evidence
    return article


def _by_label(article: Article, rules: Rules) -> str:
    """The series named by the page's labels, when they name exactly one."""
    named = {rules.labels[label] for label in article.labels if rules.labels.get(label)}
    if len(named) != 1:
        if len(named) > 1:
            article.evidence.append(
                f"labels disagree ({', '.join(sorted(article.labels))}): the text decides"
            )
        return ""
    series = named.pop()
    shown = ", ".join(sorted({label for label in article.labels if rules.labels.get(label) == series}))
    article.evidence.append(f"label on the page: {shown}")
    return series


def _scores(article: Article, rules: Rules) -> tuple[Counter[str], list[str]]:
    cues, weights = rules.cues, rules.weights
    text = "\n".join(block.text for block in article.blocks if block.kind is not BlockKind.PULLQUOTE)
    own = _own_voice(article)
    per100 = 100 / max(fields.word_count(own), 1)
    scores: Counter[str] = Counter({series: 0.0 for series in SERIES})
    evidence: list[str] = []

    def add(series: str, value: float, note: str) -> None:
        if value > 0:
            scores[series] += value
            evidence.append(f"{series} +{value:.1f}: {note}")

    questions = sum(block.kind is BlockKind.QUESTION for block in article.blocks)
    add(
        "interview",
        weights["qa_turns"] * bool(questions),
        count(questions, "question-and-answer turn", "question-and-answer turns"),
    )
    attributed = len(cues["attributed_quote"].findall(text)) + len(cues["quote_then_speaker"].findall(text))
    add(
        "interview",
        weights["attributed_quotes"] * min(attributed, 4),
        count(attributed, "quote", "quotes") + " attributed to people",
    )
    talk = len(cues["conversation"].findall(text.lower()))
    add(
        "interview",
        weights["conversation"] * min(talk, 2),
        count(talk, "phrase", "phrases") + " framing a conversation",
    )
    share = sum(len(quote) for quote in _QUOTED.findall(text)) / max(len(text), 1)
    add("interview", weights["quote_share"] * share, f"{share:.0%} of the text in quotes")

    # The writer's own voice counts for these: not quotes, not the answers in an interview.
    own_words = own.lower()  # the word cues are written, and searched, in lower case (rules.LOWER_CASE_CUES)
    singular = len(cues["first_person_singular"].findall(own_words)) * per100
    add(
        "blog",
        weights["first_person_singular"] * min(singular, 6),
        f"first person singular {singular:.1f}/100 words",
    )
    plural = len(cues["first_person_plural"].findall(own_words)) * per100
    add(
        "opinion",
        weights["first_person_plural"] * min(plural, 4),
        f"first person plural {plural:.1f}/100 words",
    )
    normative = len(cues["normative"].findall(own_words)) * per100
    add("opinion", weights["normative"] * min(normative, 4), f"normative words {normative:.1f}/100 words")
    if article.closing_bios:  # one writer's bio closes many a blog too; co-authors' bios, an opinion piece
        weight = weights["bio_authors"] if len(article.authors) > 1 else weights["bio_author"]
        add("opinion", weight, "the authors' bios close the piece")
    return scores, evidence


def _own_voice(article: Article) -> str:
    """The writer's own sentences: paragraphs that answer no interview question, without quoted speech."""
    blocks = article.blocks
    own = [
        block.text
        for index, block in enumerate(blocks)
        if block.kind is BlockKind.PARAGRAPH and not (index and blocks[index - 1].kind is BlockKind.QUESTION)
    ]
    return _QUOTED.sub(" ", "\n".join(own))


def _softmax(scores: Counter[str]) -> dict[str, float]:
    top = max(scores.values())
    exps = {series: math.exp(score - top) for series, score in scores.items()}
    total = sum(exps.values())
    return {series: value / total for series, value in exps.items()}
