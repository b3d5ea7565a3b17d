"""Cognito's CSV dialect: unquoted values, ``\\,`` for a comma in a value, trimmed, UTF-8 without BOM.

What docs/facts.md leaves unconfirmed (quotes, other backslashes, newlines in values) is rejected, row by
row, with a reason that names the problem, rather than guessed.
"""

from __future__ import annotations

from dataclasses import dataclass

# Cognito's limits and the BOM come from the one copy of the facts; the reading below is the emulator's own.
from cognito_user_csv.facts import BOM, MAX_FILE_BYTES, MAX_ROW_CHARS, MAX_USERS


class CsvFormatError(Exception):
    """The file cannot be read at all: the whole job fails with this message."""


@dataclass(frozen=True)
class CsvRow:
    #: The physical line in the file: the header is line 1, the first user line 2.
    line_number: int
    #: Column name -> trimmed value; None when the row itself cannot be read.
    values: dict[str, str] | None
    #: Why the row cannot be read (no user data in it).
    error: str | None = None


@dataclass(frozen=True)
class CsvFile:
    header: list[str]
    rows: list[CsvRow]


def split_values(line: str) -> list[str]:
    """Split one line on commas; ``\\,`` is a comma inside a value. Raises ValueError on other escapes."""
    values: list[str] = []
    current: list[str] = []
    chars = iter(line)
    for char in chars:
        if char == "\\":
            following = next(chars, "")
            if following != ",":
                raise ValueError("a backslash not followed by a comma (only \\, is an escape)")
            current.append(",")
        elif char == ",":
            values.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    values.append("".join(current).strip())
    return values


def read_csv(data: bytes) -> CsvFile:
    if len(data) > MAX_FILE_BYTES:
        raise CsvFormatError(f"The CSV file is larger than {MAX_FILE_BYTES} bytes.")
    if data.startswith(BOM):
        raise CsvFormatError(
            "The CSV file starts with a UTF-8 byte-order mark; save it as UTF-8 without BOM."
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CsvFormatError(f"The CSV file is not valid UTF-8 (byte {error.start}).") from None
    lines = text.split("\n")
    if not lines or not lines[0].strip():
        raise CsvFormatError("The CSV file is empty or its first line (the header) is blank.")
    try:
        header = split_values(lines[0].rstrip("\r"))
    except ValueError as error:
        raise CsvFormatError(f"The CSV header cannot be read: {error}.") from None
    duplicates = sorted({name for name in header if header.count(name) > 1})
    if duplicates:
        raise CsvFormatError(f"The CSV header repeats the columns: {', '.join(duplicates)}.")
    rows: list[CsvRow] = []
    for index, raw in enumerate(lines[1:], start=2):
        line = raw.rstrip("\r")
        if not line.strip():
            continue  # blank lines (such as the one after a final newline) hold no user
        rows.append(_read_row(index, line, header))
        if len(rows) > MAX_USERS:
            raise CsvFormatError(f"The CSV file has more than {MAX_USERS} users.")
    return CsvFile(header=header, rows=rows)


def _read_row(line_number: int, line: str, header: list[str]) -> CsvRow:
    if len(line) > MAX_ROW_CHARS:
        return CsvRow(line_number, None, f"The row is longer than {MAX_ROW_CHARS} characters.")
    if '"' in line:
        return CsvRow(
            line_number, None, "The row contains a double quote; Cognito's CSV values are unquoted."
        )
    try:
        values = split_values(line)
    except ValueError as error:
        return CsvRow(line_number, None, f"The row contains {error}.")
    if len(values) != len(header):
        return CsvRow(
            line_number, None, f"The row has {len(values)} values but the header has {len(header)} columns."
        )
    return CsvRow(line_number, dict(zip(header, values, strict=True)))
