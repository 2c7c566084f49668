"""The figures against their targets (issue #6), as a rich table, JSON and a Markdown table for the README."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

# Peak RSS of the largest corpus over that of the smallest: "memory does not grow with the number of pages".
# 1.2 leaves room for allocator noise; anything that keeps a record per page grows with 5x the pages far
# past it.
MEMORY_GROWTH_MAX = 1.2
# Pages per CPU-second of the ingest over trafilatura's, both in one process, same pages, Markdown with
# metadata (issue 12): at least as fast on generated pages, twice as fast on real ones.
GENERATED_VS_TRAFILATURA_MIN = 1.0
REAL_VS_TRAFILATURA_MIN = 2.0
BUILD_VS_BARE_MAX = 1.5
UNCHANGED_VS_COLD_MAX = 0.2
NEW_PAGE_VS_COLD_MAX = 0.7
DIGEST_MS_MAX = 20.0
DIGEST_TARGET_ITEMS = 20


@dataclass(frozen=True)
class Verdict:
    name: str
    figure: float
    unit: str  # "x" (a ratio) or "ms"
    target: str
    met: bool


def _ratio(name: str, figure: float, bound: float, at_least: bool) -> Verdict:
    met = figure >= bound if at_least else figure <= bound
    return Verdict(name, round(figure, 2), "x", f"{'>=' if at_least else '<='} {bound:g}x", met)


def _by_size(figures: dict[str, Any]) -> list[tuple[str, Any]]:
    """Entries keyed by a page or item count, smallest first (JSON sorts "10000" before "2000")."""
    return sorted(figures.items(), key=lambda item: int(item[0]))


def verdicts(results: dict[str, Any]) -> list[Verdict]:
    """Every target of the issue, for every size it was measured at."""
    found = []
    for size, ingest in _by_size(results["ingest"]):
        speed = ingest["pages_per_cpu_s"] / results["trafilatura"][size]["pages_per_cpu_s"]
        label = f"ingest pages/CPU-s vs trafilatura, {int(size):,} generated pages"
        found.append(_ratio(label, speed, GENERATED_VS_TRAFILATURA_MIN, True))
    if real := results.get("real"):
        speed = real["ingest"]["pages_per_cpu_s"] / real["trafilatura"]["pages_per_cpu_s"]
        label = f"ingest pages/CPU-s vs trafilatura, {real['pages']} real pages"
        found.append(_ratio(label, speed, REAL_VS_TRAFILATURA_MIN, True))
    sizes = sorted(results["ingest"], key=int)
    growth = results["ingest"][sizes[-1]]["peak_rss_mb"] / results["ingest"][sizes[0]]["peak_rss_mb"]
    label = f"ingest peak RSS, {int(sizes[-1]):,} vs {int(sizes[0]):,} pages"
    found.append(_ratio(label, growth, MEMORY_GROWTH_MAX, False))
    for size, build in _by_size(results["build"]):
        pages = f"{int(size):,} pages"
        bare = build["project_pelican"]["seconds"] / build["bare_pelican"]["seconds"]
        found.append(_ratio(f"project build vs bare Pelican, {pages}", bare, BUILD_VS_BARE_MAX, False))
        cold = build["publish_cold"]["seconds"]
        unchanged = build["publish_unchanged"]["seconds"] / cold
        label = f"make publish, nothing changed vs cold, {pages}"
        found.append(_ratio(label, unchanged, UNCHANGED_VS_COLD_MAX, False))
        new = build["publish_new_page"]["seconds"] / cold
        found.append(_ratio(f"make publish, one new page vs cold, {pages}", new, NEW_PAGE_VS_COLD_MAX, False))
    email = results["digest"][str(DIGEST_TARGET_ITEMS)]["email_ms"]
    label = f"digest render, {DIGEST_TARGET_ITEMS} items"
    found.append(Verdict(label, round(email, 1), "ms", f"< {DIGEST_MS_MAX:g} ms", email < DIGEST_MS_MAX))
    return found


def _rows(results: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(measurement, pages or items, time, throughput and memory) for every figure."""
    rows = []
    for tool in ("ingest", "trafilatura"):
        runs = [(f"{int(size):,}", run) for size, run in _by_size(results[tool])]
        if real := results.get("real"):
            runs.append((f"{real['pages']} real", real[tool]))
        for pages, run in runs:
            rate = f"{run['pages_per_cpu_s']:,.0f} pages/CPU-s, peak {run['peak_rss_mb']:,.0f} MB"
            rows.append((f"{tool} (1 process)", pages, f"{run['seconds']:.1f} s", rate))
    names = {
        "bare_pelican": "bare Pelican (simple theme, default feeds)",
        "project_pelican": "project Pelican step (theme, plugins, Pagefind)",
        "publish_cold": "make publish, cold",
        "publish_unchanged": "make publish, nothing changed",
        "publish_new_page": "make publish, one new page",
    }
    for size, build in _by_size(results["build"]):
        for key, name in names.items():
            memory = f"peak {build[key]['peak_rss_mb']:,.0f} MB"
            rows.append((name, f"{int(size):,}", f"{build[key]['seconds']:.1f} s", memory))
    for items, times in _by_size(results["digest"]):
        for version in ("email", "web"):
            rows.append(
                (f"digest render, {version}", f"{items} items", f"{times[f'{version}_ms']:.1f} ms", "")
            )
    return rows


def _figure(verdict: Verdict) -> str:
    return f"{verdict.figure:.2f}x" if verdict.unit == "x" else f"{verdict.figure:.1f} {verdict.unit}"


def note(results: dict[str, Any]) -> str:
    """How the figures were taken, for under the table."""
    settings = results["settings"]
    runs = "one run each" if settings["repeat"] == 1 else f"best of {settings['repeat']} runs"
    built = ", ".join(f"{size:,}" for size in settings["build_sizes"])
    return f"{runs}; site built at {built} pages; digest: median of {settings['digest_runs']} renderings"


def show(results: dict[str, Any], console: Console) -> None:
    figures = Table("measurement", "pages", "time", "rate / memory", title="Figures", caption=note(results))
    for row in _rows(results):
        figures.add_row(*row)
    targets = Table("target", "figure", "target", "", title="Targets (issue #6)")
    for v in map(lambda item: Verdict(**item), results["targets"]):
        verdict = "[green]met[/]" if v.met else "[red]not met[/]"
        targets.add_row(v.name, _figure(v), v.target, verdict)
    console.print(figures, targets)


def markdown(results: dict[str, Any]) -> str:
    """Both tables in Markdown, as the README shows them."""
    lines = ["| measurement | pages | time | rate / memory |", "| --- | ---: | ---: | --- |"]
    lines += [f"| {' | '.join(row)} |" for row in _rows(results)]
    lines += [
        "",
        f"{note(results)[0].upper()}{note(results)[1:]}.",
        "",
        "| target | figure | target | |",
        "| --- | ---: | --- | --- |",
    ]
    for v in map(lambda item: Verdict(**item), results["targets"]):
        lines.append(f"| {v.name} | {_figure(v)} | {v.target} | {'met' if v.met else 'not met'} |")
    return "\n".join(lines) + "\n"


def finish(results: dict[str, Any]) -> dict[str, Any]:
    return {**results, "targets": [asdict(v) for v in verdicts(results)]}


def save(results: dict[str, Any], path: Path) -> None:
    """JSON with sorted keys (the timings differ run to run; the shape does not)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n", encoding="utf-8")
