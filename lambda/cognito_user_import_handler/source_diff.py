"""Which rows of a new users file are unchanged since the file the resource last applied.

Those rows were imported, or found to exist, by that deployment: an Update looks up only the rest.
The comparison needs only the old file's row digests, which the ledger keeps, not the old file
(which least privilege does not let the handler read).
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from cognito_user_csv.facts import ALIASES, BOM, USERNAME
from cognito_user_csv.reading import ByteSource, binary_lines


def _lines(source: BinaryIO | ByteSource) -> Iterator[bytes]:
    for number, raw in enumerate(binary_lines(source)):
        line = raw.rstrip(b"\r\n")
        yield line.removeprefix(BOM) if number == 0 else line


DIGEST_SIZE = 8


def _digest(line: bytes) -> bytes:
    return hashlib.blake2b(line, digest_size=DIGEST_SIZE).digest()


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
    """Usernames whose row in the new file is byte-for-byte a row of the last applied file."""
    rows: int
    """Rows in the new file."""
    digests: bytes
    """The new file's digests, to store for the next comparison: the header's, then each row's."""

    @property
    def changed(self) -> int:
        return self.rows - len(self.unchanged)


def diff_against(new: BinaryIO | ByteSource, applied: bytes | None) -> SourceDiff:
    """Compare a users file with the digests of the last applied one (None: nothing applied yet).

    Holds one 8-byte digest per row. A changed header (columns added, renamed or reordered) makes every
    row count as changed.
    """
    lines = _lines(new)
    first = next(lines, None)
    header = _header(first)
    header_digest = _digest(first or b"")
    old_rows: set[bytes] = set()
    if applied is not None and applied[:DIGEST_SIZE] == header_digest:
        old_rows = {applied[i : i + DIGEST_SIZE] for i in range(DIGEST_SIZE, len(applied), DIGEST_SIZE)}
    column = header.index(USERNAME) if USERNAME in header else None
    digests = bytearray(header_digest)
    unchanged: list[bytes] = []
    rows = 0
    for line in lines:
        if line:
            rows += 1
            digest = _digest(line)
            digests += digest
            if digest in old_rows:
                unchanged.append(line)
    names = set(_usernames(unchanged, column)) if column is not None else set()
    return SourceDiff(names, rows, bytes(digests))


def _usernames(lines: Iterable[bytes], column: int) -> Iterator[str]:
    for line in lines:
        values = next(csv.reader([line.decode("utf-8", "replace")]), [])
        if len(values) > column:
            yield values[column].strip()
