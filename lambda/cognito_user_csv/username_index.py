"""A compact set of usernames for files of up to 500,000 users (about 12 bytes a name)."""

from __future__ import annotations

from array import array


class UsernameIndex:
    """The usernames of a file as a compact set: 64-bit hashes with the line each was first seen on.

    Open addressing over two flat arrays (12 bytes a slot, at most half full). Two different names
    share a 64-bit hash with odds of about 1e-8 in a file of 500,000 users; the index would then call
    the second a duplicate. Hashes are Python's and so valid only within this process.
    """

    def __init__(self) -> None:
        self._mask = (1 << 10) - 1
        self._hashes = array("q", bytes(8 * (self._mask + 1)))
        self._lines = array("I", bytes(4 * (self._mask + 1)))
        self._count = 0

    @staticmethod
    def _hash(name: str) -> int:
        return hash(name) or 1  # 0 marks an empty slot

    def _slot(self, h: int) -> int:
        hashes, mask = self._hashes, self._mask
        i = h & mask
        while hashes[i] != 0 and hashes[i] != h:
            i = (i + 1) & mask
        return i

    def add(self, name: str, line: int) -> int:
        """Record ``name`` seen on ``line``; return the line it was first seen on, or 0 if new."""
        h = hash(name) or 1
        hashes, mask = self._hashes, self._mask
        i = h & mask
        # The probe is inlined (not _slot) because it runs once a row.
        while True:
            seen = hashes[i]
            if seen == 0:
                break
            if seen == h:
                return self._lines[i]
            i = (i + 1) & mask
        hashes[i] = h
        self._lines[i] = line
        self._count += 1
        if self._count * 2 > mask:
            self._grow()
        return 0

    def _grow(self) -> None:
        old_hashes, old_lines = self._hashes, self._lines
        self._mask = self._mask * 2 + 1
        self._hashes = array("q", bytes(8 * (self._mask + 1)))
        self._lines = array("I", bytes(4 * (self._mask + 1)))
        for h, line in zip(old_hashes, old_lines, strict=True):
            if h:
                i = self._slot(h)
                self._hashes[i] = h
                self._lines[i] = line

    def line_of(self, name: str) -> int | None:
        """The line ``name`` was first seen on, or None."""
        h = self._hash(name)
        i = self._slot(h)
        return self._lines[i] if self._hashes[i] == h else None

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.line_of(name) is not None

    def __len__(self) -> int:
        return self._count
