"""Content hashes of what a publish is built from, so `make publish` knows when nothing changed.

A fingerprint covers every input of the site: the source pages (with `overrides.toml`), the content folder
(generated and hand-written files), the theme, the settings files, the pipeline's own code and rules, the
installed packages and the run's parameters (SITEURL, SITENAME, Pelican options, the digest hook). Hashes,
never file times: a copy or a checkout with new times but the same bytes is still unchanged.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import sys
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

from pipeline.fsio import is_temporary

PACKAGE = Path(__file__).resolve().parent.parent  # pipeline/
ENVIRONMENT = ("SITEURL", "SITENAME")  # read by publishconf.py


def tree(digest: hashlib.blake2b, folder: Path, skip: Iterable[str] = ()) -> None:
    """Add every file under `folder` (name and bytes, in name order) to `digest`; nothing for no folder.

    Only regular files count, as only they are read: a named pipe would never end, and a link that loops
    or leads nowhere has no bytes; nor do what a killed write left (``fsio``'s temporary files, removed by
    the next run). A file that cannot be read counts as unreadable (the ingest lists it)."""
    if not folder.is_dir():
        digest.update(b"\0no folder\0")
        return
    skipped = set(skip)
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        leftover = is_temporary(path.name)
        if "__pycache__" in path.parts or relative in skipped or leftover or not _regular(path):
            continue
        name = relative.encode()
        try:
            data = path.read_bytes()
        except OSError:
            data = b"\0unreadable\0"
        digest.update(len(name).to_bytes(8, "big") + name + len(data).to_bytes(8, "big"))
        digest.update(data)


def _regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except (OSError, RuntimeError):  # a dangling link, a loop
        return False


def settings_files(settings: Path) -> list[Path]:
    """The settings file and the `pelicanconf.py` beside it, which `publishconf.py` imports."""
    return sorted({settings, settings.parent / "pelicanconf.py"})


def environment(parameters: Iterable[str]) -> str:
    """What the build depends on beyond files: parameters, environment, Python and package versions.

    Each package counts once: a package is listed again for every entry of `sys.path` that finds it (the
    project's own egg-info is found through the working folder, and again once publishconf.py has added
    its own folder, "."), and the key must not change with that."""
    packages = sorted({f"{d.metadata['Name']}=={d.version}" for d in metadata.distributions()})
    env = {name: os.environ.get(name) for name in ENVIRONMENT}
    return json.dumps([list(parameters), env, sys.version, packages])


def code(digest: hashlib.blake2b, settings: Path, parameters: Iterable[str]) -> None:
    """Settings, pipeline code and rules, packages and parameters: what changes how content is built."""
    for path in settings_files(settings):
        digest.update(path.name.encode() + b"\0" + (path.read_bytes() if path.is_file() else b"") + b"\0")
    tree(digest, PACKAGE)
    digest.update(environment(parameters).encode())


def build_key(settings: Path, parameters: Iterable[str]) -> str:
    """A hash of the settings, code and packages: the name of Pelican's content cache folder, so that a
    change to any of them (a Markdown extension, a plugin) starts a fresh cache instead of trusting it."""
    digest = hashlib.blake2b(digest_size=16)
    code(digest, settings, parameters)
    return digest.hexdigest()


def cache_folder(parent: Path, settings: Path, parameters: Iterable[str]) -> Path:
    """`parent/<build_key>`: a cache for these settings, code and packages; the folders of other keys in
    `parent` (older code or settings) are removed, so the cache does not grow with every change."""
    key = build_key(settings, parameters)
    if parent.is_dir():
        for old in parent.iterdir():
            if old.name != key:
                shutil.rmtree(old, ignore_errors=True)
    return parent / key


def folder_part(folder: Path, skip: Iterable[str] = ()) -> str:
    """The hash of a folder's files but those in `skip` (relative paths): a part of the fingerprint."""
    digest = hashlib.blake2b(digest_size=32)
    tree(digest, folder, skip)
    return digest.hexdigest()


def files_part(folder: Path, names: Iterable[str]) -> str:
    """The hash of the files `names` in `folder` (a missing one counts as missing)."""
    digest = hashlib.blake2b(digest_size=32)
    for name in names:
        path = folder / name
        data = path.read_bytes() if _regular(path) else b"\0missing\0"
        digest.update(name.encode() + b"\0" + len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


def code_part(settings: Path, parameters: Iterable[str]) -> str:
    digest = hashlib.blake2b(digest_size=32)
    code(digest, settings, parameters)
    return digest.hexdigest()


def inputs(
    sources: Path,
    content: Path,
    theme: Path,
    settings: Path,
    parameters: Iterable[str],
    skip: Iterable[str] = (),
) -> dict[str, str]:
    """The fingerprint of everything a publish reads, by part; each part is taken before its readers read
    it, so an edit saved while they read is never counted as published (see ``combine``)."""
    return {
        "sources": folder_part(sources, skip),
        "content": folder_part(content),
        "theme": folder_part(theme),
        "code": code_part(settings, parameters),
    }


def combine(parts: dict[str, str]) -> str:
    """One hash of the parts, as the publish fingerprint file keeps it."""
    return hashlib.blake2b(json.dumps(parts, sort_keys=True).encode(), digest_size=32).hexdigest()
