"""Responsive images, made at build time with Pillow: each picture of an article (its lead image, the
`Image:` header, and the figures in its body) in a few widths, as WebP with a JPEG fallback.

- Pages get ``<picture>`` markup with `srcset`, `sizes`, `width`/`height` (no layout shift) and
  `loading="lazy"` below the fold; the templates call the ``picture`` global for the lead image and the cards,
  figures in the body are rewritten when an article is read.
- An image is named by its content: the sha256 of its bytes and of the settings that shape its variants
  (IMAGES_WIDTHS, the qualities). The variants are made once into IMAGES_CACHE_PATH and linked into the
  output; an unchanged image is never decoded again (``stats`` counts what a build made).
- Output carries no metadata (no EXIF, no ICC profile, no timestamps): the same image gives the same bytes.
- Only files inside the content folder are read; a missing or unreadable file is logged and left out.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import multiprocessing
import os
import re
import shutil
import tempfile
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markupsafe import Markup
from pelican import signals
from pelican.contents import Article, Page
from PIL import Image, ImageOps

log = logging.getLogger(__name__)
OUTPUT_FOLDER = "images"
KINDS = ("webp", "jpg")  # the variants of each width: WebP, and JPEG for what cannot show WebP
FALLBACK_WIDTH = 800  # the `src` of a browser that knows no srcset: the variant at most this wide
POOL_FROM = 4  # fewer images to make than this: made in this process (a pool costs more to start)
_IMG = re.compile(r"<img\b[^>]*>")
_ATTRIBUTE = re.compile(r'([a-z-]+)="([^"]*)"')
ORIENTATION = 0x0112
VERSION = 2  # raise when `make` changes what it writes: every image gets a new key
WEBP_METHOD = 2  # libwebp effort (0-6): a third of the default 4's time, for files a tenth larger


@dataclass(frozen=True)
class Variant:
    width: int
    height: int

    def path(self, key: str, kind: str) -> str:
        return f"{OUTPUT_FOLDER}/{key}/{self.width}.{kind}"


@dataclass(frozen=True)
class Picture:
    """One image as pages show it: its variants (smallest first), alt text, caption and credit."""

    key: str
    source: str  # the file, absolute
    variants: tuple[Variant, ...]
    alt: str = ""
    caption: str = ""
    credit: str = ""

    @property
    def largest(self) -> Variant:
        return self.variants[-1]

    @property
    def width(self) -> int:
        return self.largest.width

    @property
    def height(self) -> int:
        return self.largest.height

    def srcset(self, prefix: str, kind: str) -> str:
        return ", ".join(f"{prefix}/{v.path(self.key, kind)} {v.width}w" for v in self.variants)

    def url(self, prefix: str, kind: str = "jpg", most: int = 0) -> str:
        """The address of the widest variant (at most `most` pixels wide, when given)."""
        fitting = [v for v in self.variants if not most or v.width <= most] or [self.variants[0]]
        return f"{prefix}/{fitting[-1].path(self.key, kind)}"

    def size(self, most: int) -> tuple[int, int]:
        """(width, height) of the widest variant at most `most` pixels wide."""
        fitting = [v for v in self.variants if v.width <= most] or [self.variants[0]]
        return fitting[-1].width, fitting[-1].height


@dataclass
class Stats:
    """What a build did with images (logged with `pelican --debug`)."""

    made: int = 0  # images whose variants were made this build
    cached: int = 0  # images whose variants came from the cache
    keys: dict[str, Picture] = field(default_factory=dict)  # every picture of the build, by key


stats = Stats()


def picture_html(picture: Picture, prefix: str, sizes: str, *, lazy: bool = True) -> Markup:
    """The ``<picture>`` of an image: WebP sources, a JPEG ``<img>`` with width, height and alt; `lazy`
    for pictures below the fold."""
    alt = html.escape(picture.alt)
    loading = ' loading="lazy"' if lazy else ""
    return Markup(
        f'<picture><source type="image/webp" srcset="{picture.srcset(prefix, "webp")}" sizes="{sizes}">'
        f'<img src="{picture.url(prefix, most=FALLBACK_WIDTH)}" srcset="{picture.srcset(prefix, "jpg")}" '
        f'sizes="{sizes}" alt="{alt}" width="{picture.width}" height="{picture.height}"{loading} '
        'decoding="async"></picture>'
    )


# -- planning: what an image becomes (cheap: a hash and the image's header) --------------------------------


def signature(settings: dict[str, Any]) -> str:
    """The settings that shape the variants, as a string that goes into every image's key."""
    shaping = [settings["IMAGES_WIDTHS"], settings["IMAGES_JPEG_QUALITY"], settings["IMAGES_WEBP_QUALITY"]]
    return json.dumps([*shaping, WEBP_METHOD, VERSION])


def plan(path: Path, settings: dict[str, Any]) -> tuple[str, tuple[Variant, ...]]:
    """(key, variants) of an image file; the variants' sizes come from the cache when it has them."""
    digest = hashlib.sha256(path.read_bytes())
    digest.update(signature(settings).encode())
    key = digest.hexdigest()[:16]
    sizes = _cache(settings) / key / "sizes.json"
    if sizes.is_file():
        return key, tuple(Variant(w, h) for w, h in json.loads(sizes.read_text()))
    with Image.open(path) as image:
        width, height = image.size
        if image.getexif().get(ORIENTATION, 1) in (5, 6, 7, 8):
            width, height = height, width
    return key, variants(width, height, settings["IMAGES_WIDTHS"])


def variants(width: int, height: int, widths: Iterable[int]) -> tuple[Variant, ...]:
    """The widths in IMAGES_WIDTHS narrower than the image, and the image's own width up to the widest."""
    widest = max(widths)
    chosen = sorted({w for w in widths if w < width} | {min(width, widest)})
    return tuple(Variant(w, max(1, round(height * w / width))) for w in chosen)


def _cache(settings: dict[str, Any]) -> Path:
    """IMAGES_CACHE_PATH, or the folder `images` in Pelican's CACHE_PATH when it is empty."""
    return Path(settings.get("IMAGES_CACHE_PATH") or Path(settings["CACHE_PATH"]) / "images")


# -- making the variants (once per key) ----------------------------------------------------------------------


def make(source: str, key: str, sizes: tuple[Variant, ...], cache: str, quality: tuple[int, int]) -> str:
    """Write the variants of one image into ``cache/key/``; `sizes.json` last: a half-made set is redone."""
    folder = Path(cache) / key
    folder.mkdir(parents=True, exist_ok=True)
    with Image.open(source) as opened:
        side = max(sizes[-1].width, sizes[-1].height)
        opened.draft("RGB", (side, side))  # a large JPEG is decoded at 1/2, 1/4 or 1/8 when that is enough
        image = ImageOps.exif_transpose(opened)
        image = _flat(image)
        for variant in reversed(sizes):
            image = image.resize((variant.width, variant.height), Image.Resampling.LANCZOS, reducing_gap=3.0)
            image.info.clear()
            _save(image, folder / f"{variant.width}.jpg", "JPEG", quality=quality[0], progressive=True)
            _save(image, folder / f"{variant.width}.webp", "WEBP", quality=quality[1], method=WEBP_METHOD)
    _atomic(folder / "sizes.json", json.dumps([[v.width, v.height] for v in sizes]).encode())
    return key


def _flat(image: Image.Image) -> Image.Image:
    """RGB; transparency on the page's paper colour (JPEG has none)."""
    if image.mode in ("RGBA", "LA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        paper = Image.new("RGB", rgba.size, (255, 253, 248))
        paper.paste(rgba, mask=rgba.getchannel("A"))
        return paper
    return image.convert("RGB")


def _save(image: Image.Image, path: Path, kind: str, **options: Any) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".part")
    os.close(handle)
    try:
        image.save(temporary, kind, **options)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _atomic(path: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".part")
    with os.fdopen(handle, "wb") as file:
        file.write(data)
    os.replace(temporary, path)


def make_all(pictures: Iterable[Picture], settings: dict[str, Any]) -> None:
    """Make the variants of every picture not in the cache yet, on every core when there are several."""
    cache = str(_cache(settings))
    quality = (settings["IMAGES_JPEG_QUALITY"], settings["IMAGES_WEBP_QUALITY"])
    todo = [p for p in pictures if not (Path(cache) / p.key / "sizes.json").is_file()]
    stats.made, stats.cached = len(todo), len(stats.keys) - len(todo)
    jobs = [(p.source, p.key, p.variants, cache, quality) for p in todo]
    if len(jobs) < POOL_FROM or (os.cpu_count() or 1) == 1:
        for job in jobs:
            make(*job)
        return
    context = multiprocessing.get_context(
        "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    )
    with ProcessPoolExecutor(os.cpu_count(), mp_context=context) as pool:
        list(pool.map(make, *zip(*jobs, strict=True), chunksize=4))


def publish(pictures: Iterable[Picture], settings: dict[str, Any], output: Path) -> None:
    """Link (or copy) every variant from the cache into the output folder."""
    cache = _cache(settings)
    for picture in pictures:
        target = output / OUTPUT_FOLDER / picture.key
        target.mkdir(parents=True, exist_ok=True)
        for variant in picture.variants:
            for kind in KINDS:
                name = f"{variant.width}.{kind}"
                _link(cache / picture.key / name, target / name)


def _link(source: Path, target: Path) -> None:
    if target.exists():
        return
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


# -- Pelican -------------------------------------------------------------------------------------------------


def _picture(content, value: str, alt: str, caption: str = "", credit: str = "") -> Picture | None:
    """The picture of a file named relative to the content folder, or None (logged) when there is none."""
    settings = content.settings
    root = Path(settings["PATH"]).resolve()
    # "images/a.jpg", and as Pelican's own links name it: "/images/a.jpg", "{static}/images/a.jpg"
    path = (root / value.removeprefix("{static}").lstrip("/")).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        log.warning("%s: image %s is not a file in the content folder; left out", content.source_path, value)
        return None
    try:
        key, sizes = plan(path, settings)
    except Exception as exc:  # Pillow raises many kinds for a file that is no image
        log.warning("%s: image %s cannot be read (%s); left out", content.source_path, value, exc)
        return None
    picture = Picture(key, str(path), sizes, alt, caption, credit)
    stats.keys.setdefault(key, picture)
    return picture


def _prefix(content) -> str:
    """What goes before an output path in the article's HTML: SITEURL, or "../.." for relative builds."""
    settings = content.settings
    if not settings.get("RELATIVE_URLS"):
        return settings.get("SITEURL", "").rstrip("/")
    depth = content.url.count("/") if content.url else 0
    return "/".join([".."] * depth) or "."


def _figure(content, match: re.Match[str]) -> str:
    """An ``<img>`` of the body with a content-folder path, as a ``<picture>``; other images stay."""
    attributes = dict(_ATTRIBUTE.findall(match.group(0)))
    src = html.unescape(attributes.get("src", ""))
    if "://" in src or src.startswith(("//", "data:")):
        return match.group(0)  # an address elsewhere: left as the sanitizer let it through
    picture = _picture(content, src, html.unescape(attributes.get("alt", "")))
    if picture is None:
        return ""
    sizes = content.settings["IMAGES_SIZES"]["figure"]
    return picture_html(picture, _prefix(content), sizes)


def prepare(content) -> None:
    """When an article or page is read: its lead picture, and its body's figures as pictures."""
    if not isinstance(content, Article | Page):
        return
    meta = content.metadata
    lead = meta.get("image")
    if lead and not str(meta.get("image_alt", "")).strip():
        log.warning("%s: Image without Image_alt: shown as a decorative picture", content.source_path)
    content.lead_image = (
        _picture(
            content,
            str(lead),
            str(meta.get("image_alt", "")),
            str(meta.get("image_caption", "")),
            str(meta.get("image_credit", "")),
        )
        if lead
        else None
    )
    if content._content and "<img" in content._content:
        content._content = _IMG.sub(lambda match: _figure(content, match), content._content)


def start(pelican) -> None:
    """A build starts (each run of `pelican --autoreload` too): nothing is known of its images yet. Connected
    to `get_generators`, sent once a run before any content is read; it adds no generator."""
    stats.keys.clear()
    stats.made = stats.cached = 0


def finish(generators) -> None:
    """Every article and page is read: make what the cache lacks, then put the variants in the output."""
    if not stats.keys:
        return
    settings = generators[0].settings
    pictures = list(stats.keys.values())
    make_all(pictures, settings)
    publish(pictures, settings, Path(generators[0].output_path))
    log.debug("images: %d made, %d from the cache", stats.made, stats.cached)


def add_global(generator) -> None:
    generator.env.globals["picture"] = picture_html


def register() -> None:
    signals.get_generators.connect(start)
    signals.generator_init.connect(add_global)
    signals.content_object_init.connect(prepare)
    signals.all_generators_finalized.connect(finish)
