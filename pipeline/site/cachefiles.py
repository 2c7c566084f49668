"""Pelican's cache files (its content cache for the site, the digest's reader cache), written through the
pipeline's write helper and read back without trusting them.

Pelican writes its cache with ``open(path, "wb")`` and reads it back catching only some errors: a kill while
it wrote left a truncated file, and a 0-byte file stopped every later build with an EOFError. Here a cache
is saved whole or not at all (``fsio.atomic_write_bytes``), and one that cannot be read back as a cache
(truncated, garbage, another version's classes, not a dict) is dropped with one warning and built again: it
only ever costs time, never a wrong page. A plugin: listed first in PLUGINS, and imported by the digest.
"""

from __future__ import annotations

import gzip
import logging
import pickle
from pathlib import Path
from typing import Any

from pelican.cache import FileDataCacher

from pipeline import fsio

logger = logging.getLogger(__name__)
_pelican_init = FileDataCacher.__init__


def load(path: Path, zipped: bool) -> dict[Any, Any]:
    """The cache at `path`; {} when there is none, and when it is broken (then it is removed, with a line)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return {}
    try:
        cache = pickle.loads(gzip.decompress(data) if zipped else data)
        if not isinstance(cache, dict):
            raise TypeError(f"a {type(cache).__name__}, not a dict")
    except Exception as exc:  # whatever a broken pickle raises: EOFError, UnpicklingError, ImportError ...
        logger.warning(
            "the cache %s was unreadable (%s: %s); it is built again", path, type(exc).__name__, exc
        )
        path.unlink(missing_ok=True)
        return {}
    return cache


def save(path: Path, cache: dict[Any, Any], zipped: bool) -> None:
    data = pickle.dumps(cache, protocol=pickle.HIGHEST_PROTOCOL)
    fsio.atomic_write_bytes(path, gzip.compress(data, mtime=0) if zipped else data)


def _init(
    self: FileDataCacher, settings: dict, cache_name: str, caching_policy: bool, load_policy: bool
) -> None:
    _pelican_init(self, settings, cache_name, caching_policy, False)
    if load_policy:
        self._cache = load(Path(self._cache_path), settings["GZIP_CACHE"])


def _save_cache(self: FileDataCacher) -> None:
    if self._cache_data_policy:
        save(Path(self._cache_path), self._cache, self.settings["GZIP_CACHE"])


FileDataCacher.__init__ = _init  # type: ignore[method-assign]
FileDataCacher.save_cache = _save_cache  # type: ignore[method-assign]


def register() -> None:
    """Nothing to connect: importing this module puts its loading and saving in place."""
