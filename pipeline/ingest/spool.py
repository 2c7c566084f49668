"""A spool: values written one by one to a temporary file and read back in order.

What a batch gathers page by page and needs again later (each page's line hashes for the second pass, what the
terminal shows at the end) goes here, so that it lies on disk, not in memory.
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Iterator
from typing import Generic, Self, TypeVar

T = TypeVar("T")


class Spool(Generic[T]):
    """Append every value first, then read them back (as often as needed); the file is gone once closed."""

    def __init__(self) -> None:
        self.file = tempfile.TemporaryFile()  # noqa: SIM115 (open as long as the spool; closed by close)
        self.count = 0

    def append(self, value: T) -> None:
        pickle.dump(value, self.file, protocol=pickle.HIGHEST_PROTOCOL)
        self.count += 1

    def __iter__(self) -> Iterator[T]:
        """The values in the order they were appended; one reader at a time."""
        self.file.seek(0)
        for _ in range(self.count):
            yield pickle.load(self.file)

    def close(self) -> None:
        self.file.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
