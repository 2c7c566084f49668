"""Evaluate the ingest against a hand-annotated corpus of scraped HTML pages, annotated by text.

Line numbers do not work for HTML (the ingest splits a page into blocks its own way), so each page
``<name>.html`` (or ``.htm``) in the folder has a sidecar ``<name>.json`` that quotes the page's text::

    {"series": "blog" | "interview" | "opinion",
     "title": "...", "date": "YYYY-MM-DD" | null, "authors": ["Name", ...],
     "article": ["every paragraph, heading, list item, quote and question of the body, as on the page"],
     "chrome": ["the text of every block of site furniture that must not be in the body"],
     "metadata": ["title line, date line, byline, type label, author bio: removed or kept, either is fine"]}

The real ingest command (``python -m pipeline ingest SRC --out CONTENT --report REPORT.json``) is run on a
copy of the pages; the body of each written Markdown file is turned back into plain text (Markdown
escapes, entities, ``##``, ``>``, ``-``, ``**`` and ``{: .class }`` taken off) and compared by text:

- an article snippet is kept when its normalised text occurs in the normalised body;
- a chrome snippet has leaked when it occurs, as whole words, in what is left of the body after every article
  and metadata snippet found there has been cut out (so "Inloggen" in a menu does not count as leaked because
  a paragraph says "inloggen op het portaal").

Normalised: NFKC, every kind of quote as ``'``, dashes as ``-``, soft hyphens and zero-width characters
dropped, whitespace collapsed, case-folded.

    python tests/ingest_eval_html.py [FOLDER]        # per-page table, what went wrong, totals
    python tests/ingest_eval_html.py FOLDER --json   # the totals as JSON

``evaluate(folder)`` returns the totals (and the per-page results under ``"pages"``) for tests.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ingest_eval import _cut, _python, norm_name, norm_text

REPO = Path(__file__).resolve().parent.parent
DEFAULT_FOLDER = Path(__file__).resolve().parent / "fixtures" / "eval-html"
PAGE_SUFFIXES = (".html", ".htm")
_QUOTES = re.compile("[\"'‘’‚‛“”„‟«»‹›`´]")
_DASHES = re.compile("[‐‑‒–—―−]")
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>|~:\"'&])")
_ATTR_LIST = re.compile(r"\s*\{:[^}]*\}\s*$")
_BLOCK_PREFIX = re.compile(r"^\s*(?:#{1,6}\s+|(?:>\s?)+|[-*+]\s+|\d+[.)]\s+)")


def norm_match(text: str | None) -> str:
    """The form in which snippets and body are compared: NFKC, quotes and dashes evened out, case-folded."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text)
    text = _QUOTES.sub("'", text)
    text = _DASHES.sub("-", text)
    return re.sub(r"\s+", " ", text).strip().casefold()


def norm_snippet(text: str | None) -> str:
    """A snippet of the annotation in matching form: also without a leading bullet or surrounding quotes."""
    text = norm_match(text)
    prev = None
    while prev != text:
        prev = text
        text = re.sub(r"^[-•*·]\s+", "", text).strip("' ")
    return text


def markdown_body(md: str) -> str:
    """The body of a written article (everything after the metadata header's first blank line)."""
    lines = md.splitlines()
    for i, line in enumerate(lines):
        if not line.strip():
            return "\n".join(lines[i + 1 :])
    return ""


def body_blocks(body: str) -> list[str]:
    """The body's blocks (paragraphs, headings, list items, quotes) as plain text."""
    blocks: list[str] = []
    current: list[str] = []

    def flush() -> None:
        if current:
            blocks.append(" ".join(current))
            current.clear()

    for raw in body.splitlines():
        if not raw.strip() or re.fullmatch(r"\s*\{:[^}]*\}\s*", raw):
            flush()
            continue
        line = _ATTR_LIST.sub("", raw)
        starts_block = bool(_BLOCK_PREFIX.match(line))
        prev = None
        while prev != line:  # "> - text", "> ## text"
            prev = line
            line = _BLOCK_PREFIX.sub("", line, count=1)
        if starts_block:
            flush()
        line = re.sub(r"(?<!\\)(\*\*|__)", "", line)
        line = re.sub(r"(?<![\\\w])[*_](?=\S)|(?<=\S)(?<!\\)[*_](?!\w)", "", line)
        line = re.sub(r"(?<!\\)\[([^\]]*)\]\([^)]*\)", r"\1", line)  # [text](url) -> text
        line = _MD_ESCAPE.sub(r"\1", line)
        line = html.unescape(line)
        if line.strip():
            current.append(line.strip())
    flush()
    return blocks


def _find_removed(snippet: str, removed: list[dict]) -> list[dict]:
    """The report's removed lines that hold the snippet (or a part of it)."""
    want = norm_snippet(snippet)
    hits = []
    for r in removed:
        got = norm_match(r.get("text", ""))
        if got and (want in got or (len(got) >= 12 and got in want)):
            hits.append(r)
    return hits


def _word_pattern(snippet: str) -> re.Pattern:
    return re.compile(r"(?<!\w)" + re.escape(snippet) + r"(?!\w)")


def score_page(name: str, ann: dict, doc: dict | None, body: str | None) -> dict:
    ok = doc is not None and doc.get("status", "ok") == "ok" and body is not None
    removed = (doc or {}).get("removed", []) if ok else []
    blocks = [norm_match(b) for b in body_blocks(body or "")]
    text = "\n".join(blocks)
    flat = " ".join(blocks)  # a paragraph the ingest split in two still matches

    article = list(dict.fromkeys(s for s in ann["article"] if norm_snippet(s)))
    chrome = list(dict.fromkeys(s for s in ann["chrome"] if norm_snippet(s)))
    metadata = list(dict.fromkeys(s for s in ann.get("metadata", []) if norm_snippet(s)))

    lost = []
    for s in article:
        if not ok or norm_snippet(s) not in flat:
            hits = _find_removed(s, removed)
            reason = "; ".join(sorted({f"{r.get('role', '?')}: {r.get('reason', '?')}" for r in hits}))
            lost.append({"text": s, "reason": reason or ("not published" if not ok else "not in body")})
    # cut every article and metadata snippet out of the body, then look for chrome in what is left
    residue = text
    for s in sorted(article, key=lambda x: -len(norm_snippet(x))):
        residue = residue.replace(norm_snippet(s), "\n")
    beside_article = residue  # metadata counts as in the body only outside the article's own text
    for s in sorted(metadata, key=lambda x: -len(norm_snippet(x))):
        residue = residue.replace(norm_snippet(s), "\n")
    leaked = []
    meta_in_body = []
    if ok:
        for s in chrome:
            m = _word_pattern(norm_snippet(s)).search(residue)
            if m:
                line = residue[: m.start()].rsplit("\n", 1)[-1] + residue[m.start() :].split("\n", 1)[0]
                leaked.append({"text": s, "in": line.strip()})
        meta_in_body = [
            {"text": s} for s in metadata if _word_pattern(norm_snippet(s)).search(beside_article)
        ]

    got = doc or {}
    got_names = [a["name"] if isinstance(a, dict) else a for a in got.get("authors") or []]
    return {
        "page": name,
        "status": got.get("status", "missing") if doc else "missing",
        "article_snippets": len(article),
        "article_kept": len(article) - len(lost),
        "chrome_snippets": len(chrome),
        "chrome_removed": len(chrome) - len(leaked),
        "metadata_snippets": len(metadata),
        "metadata_in_body": len(meta_in_body),
        "series_ok": ok and got.get("series") == ann["series"],
        "title_ok": ok and norm_text(got.get("title")) == norm_text(ann["title"]),
        "date_ok": ok and (got.get("date") or None) == ann["date"],
        "authors_ok": ok
        and sorted({norm_name(a) for a in got_names}) == sorted({norm_name(a) for a in ann["authors"]}),
        "want": {key: ann[key] for key in ("series", "title", "date", "authors")},
        "got": {
            "series": got.get("series"),
            "title": got.get("title"),
            "date": got.get("date"),
            "authors": got_names,
        },
        "lost": lost,
        "leaked": leaked,
        "meta_in_body": meta_in_body,
    }


def run_ingest(folder: Path, workdir: Path) -> dict:
    """Copy the pages (``*.html``, ``*.htm``) to ``workdir/src``, run the ingest, return the parsed report."""
    src = workdir / "src"
    src.mkdir()
    for page in sorted(folder.iterdir()):
        if page.suffix.lower() in PAGE_SUFFIXES:
            shutil.copy2(page, src / page.name)
    report = workdir / "report.json"
    cmd = [
        _python(),
        "-m",
        "pipeline",
        "ingest",
        str(src),
        "--out",
        str(workdir / "content"),
        "--report",
        str(report),
        "--quiet",
    ]
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, env={**os.environ, "COLUMNS": "200"})
    if not report.exists():
        raise RuntimeError(f"ingest wrote no report (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return json.loads(report.read_text(encoding="utf-8"))


def _read_output(doc: dict, workdir: Path) -> str | None:
    out = doc.get("output")
    if not out:
        return None
    path = Path(out)
    if not path.is_absolute():
        for base in (workdir, REPO, workdir / "content"):
            if (base / path).exists():
                path = base / path
                break
    return path.read_text(encoding="utf-8") if path.exists() else None


def evaluate(folder: str | os.PathLike = DEFAULT_FOLDER) -> dict:
    """Run the ingest on ``folder`` and score it against the sidecar annotations; return the totals."""
    folder = Path(folder)
    pages_src = sorted(
        p
        for p in folder.iterdir()
        if p.suffix.lower() in PAGE_SUFFIXES and (folder / f"{p.stem}.json").exists()
    )
    if not pages_src:
        raise FileNotFoundError(f"no annotated pages (<name>.html + <name>.json) in {folder}")
    pages = []
    with tempfile.TemporaryDirectory(prefix="ingest-eval-html-") as tmp:
        report = run_ingest(folder, Path(tmp))
        docs = {Path(d.get("source", "")).name: d for d in report.get("documents", [])}
        for page in pages_src:
            ann = json.loads((folder / f"{page.stem}.json").read_text(encoding="utf-8"))
            doc = docs.get(page.name)
            md = _read_output(doc, Path(tmp)) if doc else None
            pages.append(score_page(page.stem, ann, doc, markdown_body(md) if md is not None else None))
    n = len(pages)
    art = sum(p["article_snippets"] for p in pages)
    chr_ = sum(p["chrome_snippets"] for p in pages)
    meta = sum(p["metadata_snippets"] for p in pages)
    return {
        "pages": pages,
        "n_pages": n,
        "series_accuracy": sum(p["series_ok"] for p in pages) / n,
        "title_accuracy": sum(p["title_ok"] for p in pages) / n,
        "date_accuracy": sum(p["date_ok"] for p in pages) / n,
        "authors_accuracy": sum(p["authors_ok"] for p in pages) / n,
        "article_snippets": art,
        "article_kept": sum(p["article_kept"] for p in pages) / art if art else 1.0,
        "chrome_snippets": chr_,
        "chrome_removed": sum(p["chrome_removed"] for p in pages) / chr_ if chr_ else 1.0,
        "metadata_snippets": meta,
        "metadata_out_of_body": 1 - sum(p["metadata_in_body"] for p in pages) / meta if meta else 1.0,
        "pages_all_article_kept": sum(p["article_kept"] == p["article_snippets"] for p in pages) / n,
        "pages_all_chrome_removed": sum(p["chrome_removed"] == p["chrome_snippets"] for p in pages) / n,
    }


def print_report(totals: dict, out=sys.stdout) -> None:
    def mark(ok: bool) -> str:
        return "ok" if ok else "XX"

    w = max(len(p["page"]) for p in totals["pages"])
    head = f"{'page':{w}}  {'article':>9}  {'chrome':>9}  meta  series  title  date  authors"
    print(head, file=out)
    print("-" * len(head), file=out)
    for p in totals["pages"]:
        print(
            f"{p['page']:{w}}  {p['article_kept']:>4}/{p['article_snippets']:<4}  "
            f"{p['chrome_removed']:>4}/{p['chrome_snippets']:<4}  {p['metadata_in_body']:>4}  "
            f"{mark(p['series_ok']):>6}  {mark(p['title_ok']):>5}  {mark(p['date_ok']):>4}  "
            f"{mark(p['authors_ok']):>7}",
            file=out,
        )
    print(file=out)
    for p in totals["pages"]:
        problems = []
        if p["status"] != "ok":
            problems.append(f"  status: {p['status']}")
        for key in ("series", "title", "date", "authors"):
            if not p[f"{key}_ok"]:
                problems.append(f"  {key}: want {p['want'][key]!r}, got {p['got'][key]!r}")
        for x in p["lost"]:
            problems.append(f"  article lost      [{x['reason']}] {_cut(x['text'])}")
        for x in p["leaked"]:
            problems.append(f"  chrome kept       {_cut(x['text'], 50)}   (in: {_cut(x['in'], 60)})")
        for x in p["meta_in_body"]:
            problems.append(f"  metadata in body  {_cut(x['text'])}")
        if problems:
            print(p["page"], file=out)
            print("\n".join(problems), file=out)
    print(file=out)
    print(f"pages                    {totals['n_pages']}", file=out)
    print(f"series right             {totals['series_accuracy']:.1%}", file=out)
    print(f"title right              {totals['title_accuracy']:.1%}", file=out)
    print(f"date right               {totals['date_accuracy']:.1%}", file=out)
    print(f"authors right            {totals['authors_accuracy']:.1%}", file=out)
    print(f"article snippets kept    {totals['article_kept']:.2%} of {totals['article_snippets']}", file=out)
    print(f"chrome snippets removed  {totals['chrome_removed']:.2%} of {totals['chrome_snippets']}", file=out)
    print(
        f"metadata out of body     {totals['metadata_out_of_body']:.2%} of {totals['metadata_snippets']}",
        file=out,
    )
    print(f"pages with every article snippet kept   {totals['pages_all_article_kept']:.1%}", file=out)
    print(f"pages with every chrome snippet removed {totals['pages_all_chrome_removed']:.1%}", file=out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", default=str(DEFAULT_FOLDER))
    parser.add_argument(
        "--json", action="store_true", help="print the totals (without per-page detail) as JSON"
    )
    args = parser.parse_args(argv)
    totals = evaluate(args.folder)
    if args.json:
        print(json.dumps({k: v for k, v in totals.items() if k != "pages"}, indent=2))
    else:
        print_report(totals)
    return 0


if __name__ == "__main__":
    sys.exit(main())
