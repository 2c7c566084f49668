"""What images add to the site build: 2,000 articles with one image each, built cold (every image made) and
again with nothing changed (no image made: the variants come from IMAGES_CACHE_PATH), against the same
articles without images. docs/bench.md, "Images".

    python -m pipeline.bench.images [--articles 2000] [--repeat 1] [--work bench-out/images]

Each build is the Pelican step of `make publish` (publishconf.py: theme, plugins, Pagefind) as its own
process, timed around the process as the rest of the bench is (pipeline/bench/runners.py).
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import sys
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw

from pipeline.bench.measure import BenchError, Run, measured
from pipeline.bench.runners import PELICAN, ROOT, environment, fresh

PHOTO = (1600, 1000)  # a typical saved article photo
PARAGRAPH = (
    "Sociaal werkers zien elke dag wat er in de wijk gebeurt. Ze praten met bewoners aan de keukentafel, "
    "kennen de voorzieningen en weten wie er hulp nodig heeft voordat het misgaat. "
)


def photo() -> bytes:
    """A photo-like JPEG (gradient and shapes: something for the encoders to do)."""
    image = Image.new("RGB", PHOTO)
    draw = ImageDraw.Draw(image)
    width, height = PHOTO
    for y in range(height):
        t = y / height
        draw.line([(0, y), (width, y)], fill=(int(60 + 150 * t), int(90 + 60 * t), int(200 - 120 * t)))
    for i in range(40):
        x, y, r = (i * 397) % width, (i * 211) % height, 20 + (i * 53) % 140
        draw.ellipse([x - r, y - r, x + r, y + r], fill=((i * 40) % 256, (i * 90) % 256, (i * 25) % 256))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def corpus(folder: Path, articles: int, *, images: bool) -> Path:
    """`articles` Markdown articles; with `images`, each with its own lead image (the same picture with a
    different tail after the JPEG's end, so every file has its own hash and is made on its own)."""
    fresh(folder)
    base = photo() if images else b""
    for number in range(articles):
        slug = f"artikel-{number}"
        header = [
            f"Title: Artikel {number}",
            f"Date: 2020-{1 + number % 12:02d}-{1 + number % 28:02d}",
            f"Category: {('Blog', 'Interview', 'Opinie')[number % 3]}",
            f"Slug: {slug}",
            f"Summary: Samenvatting van artikel {number}.",
        ]
        if images:
            name = f"{number:016x}.jpg"
            (folder / "images" / slug).mkdir(parents=True)
            (folder / "images" / slug / name).write_bytes(base + number.to_bytes(4, "big"))
            header += [f"Image: images/{slug}/{name}", f"Image_alt: Foto bij artikel {number}"]
        body = "\n\n".join([PARAGRAPH * 3] * 4)
        (folder / f"{slug}.md").write_text("\n".join(header) + "\n\n" + body + "\n", encoding="utf-8")
    return folder


def build(content: Path, work: Path, cache: Path) -> Run:
    """The project's Pelican build of `content` into a fresh output, image variants kept in `cache`; its
    wall time, peak memory and CPU time (every process of the build: on a shared machine the steadier
    figure)."""
    output = fresh(work / "output")
    command = [
        PELICAN,
        str(content),
        "-o",
        str(output),
        "-s",
        str(ROOT / "publishconf.py"),
        "--fatal",
        "errors",
    ]
    command += ["-e", f"CACHE_PATH={json.dumps(str(work / 'cache'))}"]
    command += [f"IMAGES_CACHE_PATH={json.dumps(str(cache))}"]
    before = _cpu()
    run = measured(command, cwd=ROOT, log=work / "pelican.log", env=environment())
    return Timed(run.seconds, run.peak_rss_mb, _cpu() - before)


@dataclass(frozen=True)
class Timed(Run):
    cpu_seconds: float = 0.0


def _cpu() -> float:
    """User and system time of every child process this one has waited for, so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def fastest(runs: list[Timed]) -> Timed:
    """Best of N: the shortest wall time, the least CPU time, the highest peak memory."""
    return Timed(
        min(r.seconds for r in runs), max(r.peak_rss_mb for r in runs), min(r.cpu_seconds for r in runs)
    )


def made(cache: Path) -> dict[str, int]:
    """Every file in the image cache with its modification time: a build that made nothing leaves it as is."""
    return {str(path): path.stat().st_mtime_ns for path in cache.rglob("*") if path.is_file()}


def measure(articles: int, repeat: int, work: Path) -> dict[str, float]:
    """The three builds, each `repeat` times in turn (so a busy spell of the machine falls on all of them)."""
    plain = corpus(work / "plain", articles, images=False)
    pictured = corpus(work / "pictured", articles, images=True)
    plain_runs, cold_runs, warm_runs = [], [], []
    for _ in range(repeat):
        plain_runs.append(build(plain, work / "build-plain", work / "unused-cache"))
        cache = fresh(work / "image-cache")
        cold_runs.append(build(pictured, work / "build-cold", cache))
        before = made(cache)
        warm_runs.append(build(pictured, work / "build-warm", cache))
        if made(cache) != before:
            raise BenchError("the build with nothing changed made images again")
    without, cold, warm = fastest(plain_runs), fastest(cold_runs), fastest(warm_runs)
    variants = sum(1 for _ in (work / "build-warm" / "output" / "images").rglob("*.*"))
    return {
        "articles": articles,
        "variants": variants,
        "without_images_s": round(without.seconds, 2),
        "cold_s": round(cold.seconds, 2),
        "unchanged_s": round(warm.seconds, 2),
        "extra_cold_s": round(cold.seconds - without.seconds, 2),
        "extra_unchanged_s": round(warm.seconds - without.seconds, 2),
        "without_images_cpu_s": round(without.cpu_seconds, 2),
        "cold_cpu_s": round(cold.cpu_seconds, 2),
        "unchanged_cpu_s": round(warm.cpu_seconds, 2),
        "extra_cold_cpu_s": round(cold.cpu_seconds - without.cpu_seconds, 2),
        "extra_unchanged_cpu_s": round(warm.cpu_seconds - without.cpu_seconds, 2),
        "peak_rss_mb": round(max(cold.peak_rss_mb, warm.peak_rss_mb), 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pipeline.bench.images", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=1, help="best of this many runs of each build")
    parser.add_argument("--work", type=Path, default=ROOT / "bench-out" / "images")
    args = parser.parse_args(argv)
    figures = measure(args.articles, args.repeat, args.work.resolve())
    (args.work / "images.json").write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    f = figures
    print(
        f"{f['articles']} articles, one image each ({f['variants']} variants); wall time, CPU time:\n"
        f"  without images             {f['without_images_s']:7.2f} s  {f['without_images_cpu_s']:7.2f} s\n"
        f"  with images, cold          {f['cold_s']:7.2f} s  {f['cold_cpu_s']:7.2f} s"
        f"  (extra {f['extra_cold_s']:.2f} s, {f['extra_cold_cpu_s']:.2f} s CPU)\n"
        f"  with images, unchanged     {f['unchanged_s']:7.2f} s  {f['unchanged_cpu_s']:7.2f} s"
        f"  (extra {f['extra_unchanged_s']:.2f} s, {f['extra_unchanged_cpu_s']:.2f} s CPU; no image made)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
