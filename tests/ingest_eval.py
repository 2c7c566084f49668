"""Evaluate the ingest against a hand-annotated corpus of scraped pages.

Each page ``<name>.txt`` in the folder has a sidecar ``<name>.json``::

    {"series": "blog" | "interview" | "opinion",
     "title": "...", "date": "YYYY-MM-DD" | null, "authors": ["Name", ...],
     "chrome_lines": [1-based line numbers of site chrome],
     "metadata_lines": [1-based line numbers of title, type label, date, byline, bio]}

Every other non-blank line is article text that must stay in the body.

The real ingest command (``python -m pipeline ingest SRC --out CONTENT --report REPORT.json``) is run on a
copy of the pages; the report's ``removed`` list (every non-body line with its source line number) is
compared with the annotation.

    python tests/ingest_eval.py [FOLDER]        # per-page table, what went wrong, totals
    python tests/ingest_eval.py FOLDER --json   # the totals as JSON

``evaluate(folder)`` returns the totals (and the per-page results under ``"pages"``) for tests.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_FOLDER = Path(__file__).resolve().parent / "fixtures" / "eval"
QUOTES = "'\"‘’‚‛“”„‟«»‹›`´"


def _python() -> str:
    """The interpreter that runs the ingest: $INGEST_PYTHON, the repository's .venv, or this one."""
    if os.environ.get("INGEST_PYTHON"):
        return os.environ["INGEST_PYTHON"]
    venv = REPO / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def norm_text(text: str | None) -> str:
    """NFC, spaces collapsed, surrounding whitespace and quotes stripped, case-folded."""
    if text is None:
        return ""
    text = unicodedata.normalize("NFC", text)
    text = re.sub(r"\s+", " ", text).strip()
    prev = None
    while prev != text:
        prev = text
        text = text.strip().strip(QUOTES).strip()
    return text.casefold()


def norm_name(name: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", name)).strip().casefold()


def run_ingest(folder: Path, workdir: Path) -> dict:
    """Copy the pages (``*.txt`` only) to ``workdir/src``, run the ingest, return the parsed report."""
    src = workdir / "src"
    src.mkdir()
    for page in sorted(folder.glob("*.txt")):
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
    ]
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, env={**os.environ, "COLUMNS": "200"})
    if not report.exists():
        raise RuntimeError(f"ingest wrote no report (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return json.loads(report.read_text(encoding="utf-8"))


def score_page(name: str, lines: list[str], ann: dict, doc: dict | None) -> dict:
    chrome = set(ann["chrome_lines"])
    meta = set(ann["metadata_lines"])
    article = {n for n, line in enumerate(lines, 1) if line.strip() and n not in chrome and n not in meta}
    ok = doc is not None and doc.get("status", "ok") == "ok"
    removed = {r["line"]: r for r in (doc or {}).get("removed", [])} if ok else {}
    if ok:
        lost = sorted(article & removed.keys())
        leaked = sorted(chrome - removed.keys())
        meta_in_body = sorted(meta - removed.keys())
    else:  # nothing published: every article line is lost, no chrome leaks
        lost, leaked, meta_in_body = sorted(article), [], []
    got = doc or {}
    got_names = [a["name"] if isinstance(a, dict) else a for a in got.get("authors") or []]
    got_authors = sorted({norm_name(a) for a in got_names})
    want_authors = sorted({norm_name(a) for a in ann["authors"]})
    result = {
        "page": name,
        "status": got.get("status", "missing") if doc else "missing",
        "article_lines": len(article),
        "article_kept": len(article) - len(lost),
        "chrome_lines": len(chrome),
        "chrome_removed": len(chrome) - len(leaked),
        "metadata_lines": len(meta),
        "metadata_in_body": len(meta_in_body),
        "series_ok": ok and got.get("series") == ann["series"],
        "title_ok": ok and norm_text(got.get("title")) == norm_text(ann["title"]),
        "date_ok": ok and (got.get("date") or None) == ann["date"],
        "authors_ok": ok and got_authors == want_authors,
        "want": {key: ann[key] for key in ("series", "title", "date", "authors")},
        "got": {
            "series": got.get("series"),
            "title": got.get("title"),
            "date": got.get("date"),
            "authors": got_names,
        },
        "lost": [
            {"line": n, "text": lines[n - 1], "reason": removed.get(n, {}).get("reason", "not published")}
            for n in lost
        ],
        "leaked": [{"line": n, "text": lines[n - 1]} for n in leaked],
        "meta_in_body": [{"line": n, "text": lines[n - 1]} for n in meta_in_body],
    }
    return result


def evaluate(folder: str | os.PathLike = DEFAULT_FOLDER) -> dict:
    """Run the ingest on ``folder`` and score it against the sidecar annotations; return the totals."""
    folder = Path(folder)
    names = sorted(p.stem for p in folder.glob("*.txt") if (folder / f"{p.stem}.json").exists())
    if not names:
        raise FileNotFoundError(f"no annotated pages (<name>.txt + <name>.json) in {folder}")
    with tempfile.TemporaryDirectory(prefix="ingest-eval-") as tmp:
        report = run_ingest(folder, Path(tmp))
    docs = {Path(d.get("source", "")).name: d for d in report.get("documents", [])}
    pages = []
    for name in names:
        lines = (folder / f"{name}.txt").read_text(encoding="utf-8").splitlines()
        ann = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
        pages.append(score_page(name, lines, ann, docs.get(f"{name}.txt")))
    n = len(pages)
    art = sum(p["article_lines"] for p in pages)
    chr_ = sum(p["chrome_lines"] for p in pages)
    meta = sum(p["metadata_lines"] for p in pages)
    return {
        "pages": pages,
        "n_pages": n,
        "series_accuracy": sum(p["series_ok"] for p in pages) / n,
        "title_accuracy": sum(p["title_ok"] for p in pages) / n,
        "date_accuracy": sum(p["date_ok"] for p in pages) / n,
        "authors_accuracy": sum(p["authors_ok"] for p in pages) / n,
        "article_lines": art,
        "article_kept": sum(p["article_kept"] for p in pages) / art if art else 1.0,
        "chrome_lines": chr_,
        "chrome_removed": sum(p["chrome_removed"] for p in pages) / chr_ if chr_ else 1.0,
        "metadata_lines": meta,
        "metadata_out_of_body": 1 - sum(p["metadata_in_body"] for p in pages) / meta if meta else 1.0,
        "pages_all_article_kept": sum(p["article_kept"] == p["article_lines"] for p in pages) / n,
        "pages_all_chrome_removed": sum(p["chrome_removed"] == p["chrome_lines"] for p in pages) / n,
    }


def _cut(text: str, width: int = 90) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def print_report(totals: dict, out=sys.stdout) -> None:
    def mark(ok: bool) -> str:
        return "ok" if ok else "XX"

    w = max(len(p["page"]) for p in totals["pages"])
    head = f"{'page':{w}}  {'article':>9}  {'chrome':>9}  meta  series  title  date  authors"
    print(head, file=out)
    print("-" * len(head), file=out)
    for p in totals["pages"]:
        print(
            f"{p['page']:{w}}  {p['article_kept']:>4}/{p['article_lines']:<4}  "
            f"{p['chrome_removed']:>4}/{p['chrome_lines']:<4}  {p['metadata_in_body']:>4}  "
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
            problems.append(f"  article line lost  {x['line']:>3} [{x['reason']}] {_cut(x['text'])}")
        for x in p["leaked"]:
            problems.append(f"  chrome kept        {x['line']:>3} {_cut(x['text'])}")
        for x in p["meta_in_body"]:
            problems.append(f"  metadata in body   {x['line']:>3} {_cut(x['text'])}")
        if problems:
            print(p["page"], file=out)
            print("\n".join(problems), file=out)
    print(file=out)
    print(f"pages                 {totals['n_pages']}", file=out)
    print(f"series right          {totals['series_accuracy']:.1%}", file=out)
    print(f"title right           {totals['title_accuracy']:.1%}", file=out)
    print(f"date right            {totals['date_accuracy']:.1%}", file=out)
    print(f"authors right         {totals['authors_accuracy']:.1%}", file=out)
    print(f"article lines kept    {totals['article_kept']:.2%} of {totals['article_lines']}", file=out)
    print(f"chrome lines removed  {totals['chrome_removed']:.2%} of {totals['chrome_lines']}", file=out)
    print(
        f"metadata out of body  {totals['metadata_out_of_body']:.2%} of {totals['metadata_lines']}", file=out
    )
    print(f"pages with every article line kept   {totals['pages_all_article_kept']:.1%}", file=out)
    print(f"pages with every chrome line removed {totals['pages_all_chrome_removed']:.1%}", file=out)


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
