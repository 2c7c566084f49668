"""An article's images, from the references the page makes to files in ``content/images/<slug>/``.

- **Found**: each reference is looked for where a saved page keeps its pictures: the path the page gives,
  beside the page, or in the page's ``<name>_files/`` folder as a browser's "save page, complete" writes it
  (the folder names are in ``pipeline/rules/images.toml``). An address on a remote server whose file is not
  at hand is never hot-linked: it is listed as not available.
- **Checked** (``check``): Pillow must open and decode the file; its type, bytes, pixels and sides must stay
  within the limits of the rules file. SVG is refused whatever its name says: a vector file can carry
  scripts, and nothing of it may reach a page, a feed or an email.
- **Kept** (``copy_into``): under a name made of its content's hash, written atomically.

Every image that is not kept gets one line in ``Article.images_dropped``: its address and why.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from pipeline.ingest.figures import rules
from pipeline.ingest.overrides import FILE_NAME as OVERRIDES_FILE
from pipeline.model import Article, ArticleImage, ImageRef, Page

if TYPE_CHECKING:
    from PIL import Image

IMAGES_FOLDER = "images"
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
KEPT_NAME = re.compile(r"^[0-9a-f]{16}\.(?:jpg|png|webp|gif)$")
_SVG = re.compile(rb"<svg[\s>]|<!doctype\s+svg", re.IGNORECASE)


class Refused(Exception):
    """An image that is not kept; the message says why, on one line."""


@dataclass(frozen=True)
class Checked:
    """An image file that passed ``check``."""

    path: Path
    name: str  # "<hash>.<ext>"
    width: int
    height: int


def locate(src: str, page_path: Path, source_root: Path) -> Path:
    """The file `src` refers to, beside the page or in its `_files` folder; never outside `source_root`."""
    parts = urlsplit(src)
    if parts.scheme.lower() not in ("", "http", "https"):
        raise Refused(f"not available: a {parts.scheme}: address is never read")
    name = unquote(parts.path.rsplit("/", 1)[-1])
    candidates = [] if parts.scheme or parts.netloc else [page_path.parent / unquote(parts.path)]
    candidates += [page_path.parent / folder.format(stem=page_path.stem) / name for folder in _folders()]
    candidates.append(page_path.parent / name)
    root = source_root.resolve()
    for candidate in candidates:
        if name and candidate.is_file() and candidate.resolve().is_relative_to(root):
            return candidate
    if parts.scheme:
        raise Refused("not available: only on a remote server (never hot-linked), no copy beside the page")
    raise Refused("not available: no such file beside the page")


def _folders() -> list[str]:
    return rules()["source"]["files_folders"]


def resource_folders(page_path: Path) -> list[Path]:
    """The folders a browser's "save page, complete" writes beside this page, those that exist."""
    folders = (page_path.parent / folder.format(stem=page_path.stem) for folder in _folders())
    return [folder for folder in folders if folder.is_dir()]


def is_resource(name: str) -> str:
    """The resource folder (of a saved page) that the file ``name`` (relative to the source folder) lies in,
    or ""."""
    parts = name.split("/")
    for depth in range(len(parts) - 1):
        for folder in _folders():
            prefix, _, suffix = folder.partition("{stem}")
            if (
                parts[depth].startswith(prefix)
                and parts[depth].endswith(suffix)
                and len(parts[depth]) > len(suffix)
            ):
                return "/".join(parts[: depth + 1])
    return ""


def check(path: Path) -> Checked:
    """`path` as a kept image: Pillow opens and decodes it within the limits; else ``Refused``."""
    limits = rules()["limits"]
    size = path.stat().st_size
    if size > limits["max_bytes"]:
        raise Refused(f"refused: {size:,} bytes, more than {limits['max_bytes']:,}")
    data = path.read_bytes()
    if path.suffix.lower() in (".svg", ".svgz") or _SVG.search(data[:4096]):
        raise Refused("refused: SVG (a vector file can carry scripts); save it as PNG or JPEG")
    image = _open(data)
    kind, (width, height) = image.format or "", image.size
    if kind not in limits["types"]:
        raise Refused(f"refused: type {kind or 'unknown'} (kept: {', '.join(limits['types'])})")
    if width * height > limits["max_pixels"]:
        raise Refused(f"refused: {width}x{height} pixels, more than {limits['max_pixels']:,}")
    if min(width, height) < limits["min_side"]:
        raise Refused(f"refused: {width}x{height} pixels, an icon or spacer (under {limits['min_side']})")
    _decode(image)
    digest = hashlib.sha256(data).hexdigest()[:16]
    return Checked(path, f"{digest}.{EXTENSIONS[kind]}", width, height)


def _open(data: bytes) -> Image.Image:
    from PIL import Image  # imported only for a page with a local image: Pillow costs every process ~15 ms

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return Image.open(io.BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Refused("refused: too many pixels (a decompression bomb)") from None
    except Exception as exc:  # Pillow raises many kinds for a file that is no image
        raise Refused(f"refused: not an image Pillow can read ({type(exc).__name__})") from None


def _decode(image: Image.Image) -> None:
    try:
        image.load()
    except Exception as exc:
        raise Refused(f"refused: broken image file ({' '.join(str(exc).split())[:80]})") from None


def prepare(
    article: Article, page: Page, page_path: Path, source_root: Path, fixed: dict[str, Any] | None = None
) -> Article:
    """Find and check the page's images (``page.images``) and keep them on ``article.images``, the lead first.

    `fixed` is the page's entry in overrides.toml: `image` (a file, relative to the source folder) replaces
    the lead image; `image = false` drops it (the other keys are set by ``overrides.apply``).
    """
    override = (fixed or {}).get("image")
    refs = list(page.images)
    chosen = None
    if isinstance(override, str) and override.strip():
        chosen = ImageRef(src=override.strip(), lead=True, alt=next((r.alt for r in refs if r.lead), ""))
        refs = [chosen, *(ref for ref in refs if not ref.lead)]
    kept: dict[str, tuple[ImageRef, Checked]] = {}
    for ref in refs:
        if ref.reason:
            article.images_dropped.append(f"{ref.src}: {ref.reason}")
            continue
        # the editor's file is named relative to the source folder, the page's relative to the page
        base = source_root / OVERRIDES_FILE if ref is chosen else page_path
        try:
            checked = check(locate(ref.src, base, source_root))
        except Refused as why:
            article.images_dropped.append(f"{ref.src}: {why}")
            continue
        except OSError as exc:
            article.images_dropped.append(f"{ref.src}: not available ({exc.strerror or exc})")
            continue
        if checked.name in kept:
            article.images_dropped.append(f"{ref.src}: the same file as {kept[checked.name][0].src}")
            continue
        kept[checked.name] = (ref, checked)
    article.images = _arrange(list(kept.values()), source_root, article)
    if override is False and article.images and article.images[0].lead:
        dropped = article.images.pop(0)
        article.images_dropped.append(f"{dropped.source}: lead image dropped by the editor (overrides.toml)")
    return article


def _arrange(kept: list[tuple[ImageRef, Checked]], source_root: Path, article: Article) -> list[ArticleImage]:
    """The lead first (the article's first figure; else the og:image; else the first image at hand), then
    the figures in page order. An og:image that is not the lead is not shown."""
    figures = [pair for pair in kept if not pair[0].fallback]
    fallback = next((pair for pair in kept if pair[0].fallback), None)
    if figures and figures[0][0].lead:
        lead, rest = figures[0], figures[1:]
    elif fallback:
        lead, rest = fallback, figures
    elif figures:
        lead, rest = figures[0], figures[1:]
    else:
        return []
    if fallback and fallback is not lead:
        article.images_dropped.append(f"{fallback[0].src}: og:image not used, the article has a lead image")
    images = [_image(*pair, source_root, lead=pair is lead) for pair in [lead, *rest]]
    if not images[0].alt:
        article.warnings.append(f"lead image {images[0].name} has no alt text (overrides.toml: image_alt)")
    return images


def _image(ref: ImageRef, checked: Checked, source_root: Path, *, lead: bool) -> ArticleImage:
    return ArticleImage(
        name=checked.name,
        source=checked.path.relative_to(source_root).as_posix(),
        width=checked.width,
        height=checked.height,
        alt=ref.alt,
        caption=ref.caption,
        credit=ref.credit,
        lead=lead,
        anchor="" if lead else ref.anchor,
    )


def folder(content: Path, slug: str) -> Path:
    """Where an article's images are kept: ``content/images/<slug>/``."""
    return content / IMAGES_FOLDER / slug


def copy_into(article: Article, source_root: Path, content: Path) -> None:
    """Copy the article's images into ``content/images/<slug>/`` (its slug must be final), each written to a
    temporary file and renamed into place; files of ours no longer used there are removed."""
    target = folder(content, article.slug)
    names = {image.name for image in article.images}
    if target.is_dir():
        for old in target.iterdir():
            if KEPT_NAME.match(old.name) and old.name not in names:
                old.unlink()
    for image in article.images:
        path = target / image.name
        if not path.is_file():
            target.mkdir(parents=True, exist_ok=True)
            _atomic_write(path, (source_root / image.source).read_bytes())


def _atomic_write(path: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
