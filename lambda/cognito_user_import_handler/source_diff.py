"""Which rows of a new users file are unchanged since the file of the last successful deployment.

Those rows were imported, or found to exist, by that deployment: an Update looks up only the rest.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from .csv_dialect import BOM, ByteSource, binary_lines
from .csv_rules import ALIASES, USERNAME


def _lines(source: BinaryIO | ByteSource) -> Iterator[bytes]:
    for number, raw in enumerate(binary_lines(source)):
        line = raw.rstrip(b"\r\n")
        yield line.removeprefix(BOM) if number == 0 else line


def _digest(line: bytes) -> bytes:
    return hashlib.blake2b(line, digest_size=8).digest()


def _header(line: bytes | None) -> list[str]:
    if line is None:
        return []
    return [
        ALIASES.get(name.strip(), name.strip())
        for name in next(csv.reader([line.decode("utf-8", "replace")]))
    ]


@dataclass(frozen=True)
class SourceDiff:
    unchanged: set[str]
    """Usernames whose row in the new file is byte-for-byte a row of the old file."""
    rows: int
    """Rows in the new file."""

    @property
    def changed(self) -> int:
        return self.rows - len(self.unchanged)


def diff_sources(old: BinaryIO | ByteSource, new: BinaryIO | ByteSource) -> SourceDiff:
    """Compare two users files row by row, holding one 8-byte digest per old row.

    A changed header (columns added, renamed or reordered) makes every row count as changed.
    """
    old_lines = _lines(old)
    new_lines = _lines(new)
    header = _header(next(new_lines, None))
    if not header or USERNAME not in header or _header(next(old_lines, None)) != header:
        return SourceDiff(set(), sum(1 for line in new_lines if line))
    column = header.index(USERNAME)
    seen = {_digest(line) for line in old_lines if line}
    rows = 0
    unchanged: list[bytes] = []
    for line in new_lines:
        if line:
            rows += 1
            if _digest(line) in seen:
                unchanged.append(line)
    return SourceDiff(set(_usernames(unchanged, column)), rows)


def _usernames(lines: Iterable[bytes], column: int) -> Iterator[str]:
    for line in lines:
        values = next(csv.reader([line.decode("utf-8", "replace")]), [])
        if len(values) > column:
            yield values[column].strip()
