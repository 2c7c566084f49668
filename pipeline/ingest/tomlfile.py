"""The editors' TOML files beside the seeds (overrides.toml, .published.toml), read one way."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any


def read(path: Path, error: type[Exception]) -> dict[str, Any]:
    """The file's tables; {} when there is none; ``error`` with one line when it is not valid TOML."""
    if not path.is_file():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise error(f"{path}: not valid TOML ({exc})") from None
