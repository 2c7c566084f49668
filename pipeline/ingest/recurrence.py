"""On how many pages of a batch each short line occurs: the one table of a batch that grows with its pages.

A short line found on `recurring_min_pages` pages is site furniture, and its reason says on how many; so every
distinct short line of the batch needs an exact count (a title is on one page until two more list it), and the
table cannot be bounded. It is made small instead: 8-byte line hashes and 4-byte counts in two flat arrays, a
hash table with open addressing that is at most 2/3 full, 18 to 36 bytes a distinct line (a ``Counter`` of
8-byte ``bytes`` keys takes about 90, in small objects scattered over the heap).
"""

from __future__ import annotations

from array import array

HASH_SIZE = 8  # bytes of a line hash
FIRST_SLOTS = 1024  # a power of two, as every size after it


class LineCounts:
    """Pages per line hash: ``add`` one page's line hashes at a time; ``of`` gives a page's lines' counts."""

    def __init__(self) -> None:
        self.keys = array("Q", [0]) * FIRST_SLOTS
        self.pages = array("I", [0]) * FIRST_SLOTS  # 0: an empty slot
        self.size = 0

    def add(self, hashes: bytes | None) -> None:
        """Count one page's distinct short lines: their hashes, joined (None: the page could not be read)."""
        for key in array("Q", hashes or b""):
            slot = self._slot(key)
            if not self.pages[slot]:
                self.keys[slot] = key
                self.size += 1
            self.pages[slot] += 1
            if 3 * self.size > 2 * len(self.keys):
                self._grow()

    def of(self, hashes: bytes | None) -> dict[bytes, int]:
        """The counts of one page's lines (their hashes, joined), by line hash."""
        return {
            line: self.pages[self._slot(key)]
            for line, key in zip(split(hashes), array("Q", hashes or b""), strict=True)
        }

    def _slot(self, key: int) -> int:
        """The slot that holds `key`, or the empty one where it goes."""
        keys, pages, mask = self.keys, self.pages, len(self.keys) - 1
        slot = key & mask
        while pages[slot] and keys[slot] != key:
            slot = (slot + 1) & mask
        return slot

    def _grow(self) -> None:
        keys, pages = self.keys, self.pages
        self.keys, self.pages = array("Q", [0]) * (2 * len(keys)), array("I", [0]) * (2 * len(keys))
        for key, count in zip(keys, pages, strict=True):
            if count:
                slot = self._slot(key)
                self.keys[slot], self.pages[slot] = key, count


def split(hashes: bytes | None) -> list[bytes]:
    """A page's line hashes, one by one."""
    if not hashes:
        return []
    return [hashes[i : i + HASH_SIZE] for i in range(0, len(hashes), HASH_SIZE)]
