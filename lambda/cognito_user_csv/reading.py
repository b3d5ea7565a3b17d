"""Reading user files: bytes from any source split into lines, decoded, and (for files already in
Cognito's dialect or quote-free ordinary CSV) the values of each line.

Line numbers are physical lines of the file: the header is line 1, the first user line 2.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO, Protocol

from cognito_user_csv.facts import ALIASES, BOM, USERNAME

_UNESCAPED_COMMA = re.compile(r"(?<!\\),")


class ByteSource(Protocol):
    """Anything with read(n) -> bytes: a binary file, io.BytesIO, botocore's StreamingBody."""

    def read(self, size: int = ..., /) -> bytes: ...


class TextSink(Protocol):
    """Anything with write(str): a text file, io.StringIO, a NamedTemporaryFile in text mode."""

    def write(self, text: str, /) -> object: ...


class _RawAdapter(io.RawIOBase):
    """Lets io.BufferedReader split lines of anything with read(n) (e.g. botocore's StreamingBody)."""

    def __init__(self, source: ByteSource) -> None:
        self._source = source

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        data = self._source.read(len(view))
        view[: len(data)] = data
        return len(data)


def binary_lines(source: BinaryIO | ByteSource) -> Iterable[bytes]:
    """The lines of a binary source, ends kept, split in C (also for objects with only read(n))."""
    # botocore's StreamingBody is an IOBase too, but iterates in 1 KB chunks, not lines.
    if isinstance(source, io.BufferedIOBase | io.RawIOBase):
        return source  # a binary IOBase iterates its lines in C
    return io.BufferedReader(_RawAdapter(source), 1 << 16)


def decoded_lines(source: BinaryIO | ByteSource, bad: list[tuple[int, str]]) -> Iterator[str]:
    """The lines as text, a BOM dropped; a line that is not UTF-8 is noted in ``bad`` (line number,
    message) and decoded with replacements."""
    lines = iter(binary_lines(source))
    first = next(lines, None)
    if first is None:
        return
    for number, raw in enumerate((first.removeprefix(BOM),), 1):
        yield _decode(raw, number, bad)
    for number, raw in enumerate(lines, 2):
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError:
            yield _decode(raw, number, bad)


def _decode(raw: bytes, number: int, bad: list[tuple[int, str]]) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        bad.append(
            (
                number,
                f"is not valid UTF-8 (byte 0x{raw[error.start]:02x} at byte {error.start + 1} of the line); "
                "save the file as UTF-8",
            )
        )
        return raw.decode("utf-8", "replace")


# ---- the values of files already checked (Cognito's dialect, or ordinary CSV without quotes)


def _split_line(text: str) -> list[str]:
    """One line of either dialect: quoted ordinary CSV if it has a double quote, else Cognito's."""
    text = text.rstrip("\r\n")
    if '"' in text:
        return next(csv.reader([text]), [])
    return [v.replace("\\,", ",") for v in _UNESCAPED_COMMA.split(text)] if text else []


def _line_values(source: BinaryIO | ByteSource) -> Iterator[tuple[int, list[str]]]:
    """(physical line number, values) of each line, the header first; a BOM is dropped."""
    for number, raw in enumerate(binary_lines(source), 1):
        yield number, _split_line((raw.removeprefix(BOM) if number == 1 else raw).decode("utf-8", "replace"))


def _header_names(values: list[str]) -> list[str]:
    return [ALIASES.get(v.strip(), v.strip()) for v in values]


def read_cognito_rows(source: BinaryIO | ByteSource) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, {column: value}) for each user of a file in Cognito's dialect (or a quote-free
    ordinary CSV). Blank lines are skipped but counted; the header is line 1."""
    lines = _line_values(source)
    header = _header_names(next(lines, (0, []))[1])
    for number, values in lines:
        if values:
            yield number, dict(zip(header, values, strict=False))


def iter_usernames(source: BinaryIO | ByteSource) -> Iterator[tuple[int, str]]:
    """(line, username) for each user of a Cognito-dialect or ordinary CSV file.

    Lines are physical lines (header 1); an ordinary CSV's quoted values must not span lines.
    """
    lines = _line_values(source)
    names = _header_names(next(lines, (0, []))[1])
    if USERNAME not in names:
        raise ValueError(f"the header has no {USERNAME} column")
    column = names.index(USERNAME)
    for number, values in lines:
        if len(values) > column:
            yield number, values[column].strip(" \t")
