"""Properties of the ingest on arbitrary text: it never crashes, never invents text, and is idempotent."""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.ingest import batch, rules
from pipeline.ingest.decode import decode
from pipeline.ingest.read import text_lines

WORDS = st.sampled_from(
    [
        "Door",
        "Blog",
        "Home",
        "sociaal",
        "werk",
        "Inloggen",
        "Meld",
        "je",
        "aan",
        "wijk",
        "Oproep:",
        "15",
        "juni",
        "2018",
        "|",
        "‘",
        "’",
        "?",
        ".",
        "Jan",
        "de",
        "Vries",
        "is",
        "directeur",
        "#",
        "*",
        "<script>",
        "Title:",
        "&",
        "Themaoverzicht",
        "Lees",
        "ook",
        "-",
        "1.",
        "{: .x }",
        "\u00a0",
        "\u200b",
        "Interview",
        "zegt",
        ":",
    ]
)
LINE = st.one_of(
    st.lists(WORDS, min_size=0, max_size=30).map(" ".join),
    st.text(max_size=120),
)
PAGE = st.lists(LINE, min_size=0, max_size=25).map("\n".join)
SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def ingest_one(text: str) -> batch.Outcome:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "p.txt"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        config = batch.Config(Path(folder), Path(folder) / "out")
        return batch.process(path, "p.txt", config, rules.load(), Counter(), {})


@SETTINGS
@given(PAGE)
def test_never_crashes(text: str) -> None:
    outcome = ingest_one(text)
    assert (outcome.article is None) != (outcome.error is None)
    assert not (outcome.error or "").startswith("internal error")
    assert "\n" not in (outcome.error or "")


@SETTINGS
@given(PAGE)
def test_never_invents_text(text: str) -> None:
    outcome = ingest_one(text)
    if outcome.article is None:
        return
    decoded = decode(text.encode("utf-8", errors="surrogatepass"))  # decoding may repair mojibake
    source = "\n".join(line.text for line in text_lines(decoded))
    for block in outcome.article.blocks:
        assert block.text in source
    assert outcome.article.title in source


@SETTINGS
@given(st.lists(PAGE, min_size=1, max_size=4))
def test_idempotent(pages: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "src"
        source.mkdir()
        for index, text in enumerate(pages):
            (source / f"{index}.txt").write_text(text, encoding="utf-8", errors="surrogatepass")
        out = Path(folder) / "out"
        batch.run(batch.Config(source, out))
        first = {p.relative_to(out): p.read_bytes() for p in out.rglob("*.md")}
        batch.run(batch.Config(source, out))
        assert first == {p.relative_to(out): p.read_bytes() for p in out.rglob("*.md")}
