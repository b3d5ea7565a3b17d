"""Streaming conversion of an ordinary CSV file into Cognito's import dialect, checking every row.

Input: RFC 4180 CSV (quoted fields, LF or CRLF line ends), UTF-8, a byte-order mark dropped.
Output, Cognito's dialect: the pool's header in order, no quoting, a comma inside a value written
``\\,``, booleans in lower case, UTF-8 without a byte-order mark, ``\\n`` line ends.

Line numbers are physical lines of the input: the header is line 1, the first user line 2. A quoted
value spanning lines (refused anyway) takes the number of the line it starts on, and later rows keep
their true line numbers. Blank lines are skipped and not written, so line numbers in Cognito's job
log refer to the *converted* file: map them back with :func:`iter_usernames` on that file.

The rows are never all in memory: each row is checked and written as it is read. Duplicate usernames
are found with :class:`UsernameIndex`, 64-bit hashes in flat arrays (about 12 bytes a user).
"""

from __future__ import annotations

import csv
import io
import operator
import re
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Protocol, TextIO

from cognito_user_csv.rules import (
    ALIASES,
    MAX_FILE_BYTES,
    MAX_ROW_CHARS,
    MAX_STANDARD_VALUE_CHARS,
    MAX_USERS,
    STANDARD_ATTRIBUTES,
    USERNAME,
    PoolSchema,
    Problem,
    ValidationError,
    check_standard_length,
    check_username,
    edge_whitespace_message,
    is_secret,
    plan_columns,
    unreadable_message,
    username_is_bad,
)

BOM = b"\xef\xbb\xbf"
_EDGE = frozenset({" ", "\t"})
_UNESCAPED_COMMA = re.compile(r"(?<!\\),")
_FLUSH_ROWS = 2048


class ByteSource(Protocol):
    """Anything with read(n) -> bytes: a binary file, io.BytesIO, botocore's StreamingBody."""

    def read(self, size: int = ..., /) -> bytes: ...


class TextSink(Protocol):
    """Anything with write(str): a text file, io.StringIO, a NamedTemporaryFile in text mode."""

    def write(self, text: str, /) -> object: ...


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


@dataclass
class ConversionResult:
    """What :func:`convert` found. The output is usable only when ``problem_count`` is 0."""

    rows: int
    """Users in the file (blank lines not counted), whether written or left out by ``keep``."""
    usernames: UsernameIndex
    problems: list[Problem]
    """The first problems, up to the cap."""
    problem_count: int
    """All problems, including those past the cap."""
    written: int = 0
    """Users written to the output."""
    bytes_written: int = 0
    """Size of the output in bytes, header included."""
    header: list[str] = field(default_factory=list)
    """The output's header."""
    file_name: str = ""

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    def raise_for_problems(self) -> None:
        """Raise :class:`ValidationError` when the file broke any rule."""
        if self.problem_count:
            raise ValidationError(self.problems, self.problem_count, file=self.file_name)


class _Problems:
    def __init__(self, file_name: str, cap: int) -> None:
        self.file_name = file_name
        self.cap = cap
        self.items: list[Problem] = []
        self.count = 0

    def add(
        self, line: int, username: str | None, column: str | None, value: str | None, message: str
    ) -> None:
        self.count += 1
        if len(self.items) < self.cap:
            # A password-like value is not even kept, so it cannot leak through repr() or logs.
            self.items.append(
                Problem(
                    self.file_name,
                    line,
                    username or None,
                    column,
                    None if is_secret(column) else value,
                    message,
                )
            )


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


def _decoded_lines(source: BinaryIO | ByteSource, bad: list[tuple[int, str]]) -> Iterator[str]:
    """The lines as text; a line that is not UTF-8 is noted in ``bad`` and decoded with replacements."""
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


def _encoded_size(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8"))


def convert(
    source: BinaryIO | ByteSource,
    sink: TextIO | TextSink,
    *,
    schema: PoolSchema,
    file_name: str,
    keep: Callable[..., bool] | None = None,
    max_problems: int = 20,
    password_hashing_algorithm: str | None = None,
    sign_in_columns: Sequence[str] = (),
) -> ConversionResult:
    """Read ordinary CSV from ``source``, check every row, write Cognito's dialect to ``sink``.

    ``keep(username)`` returning False leaves that row out of the output (it is still checked and
    counted). Once a problem is found nothing more is written: the output is for a clean file only.
    ``sign_in_columns``: keep is called as ``keep(username, *values)`` with the row's non-empty values
    of these columns (a pool whose users sign in with email or phone number is matched by them).
    ``password_hashing_algorithm``: the job's PasswordHashingAlgorithm; only with one may the file
    have a ``password_hash`` column.
    """
    problems = _Problems(file_name, max_problems)
    index = UsernameIndex()
    bad: list[tuple[int, str]] = []
    reader = csv.reader(_decoded_lines(source, bad), strict=False)

    try:
        header = next(reader, None)
    except csv.Error as error:
        header = []
        problems.add(1, None, None, None, f"the header cannot be read as CSV: {error}")
    for number, message in bad:
        problems.add(number, None, None, None, message)
    bad.clear()
    if header is None:
        problems.add(1, None, None, None, "the file is empty; its first line must be the header")
        return ConversionResult(0, index, problems.items, problems.count, file_name=file_name)
    if not header:
        problems.add(1, None, None, None, "the header line is empty; the first line must name the columns")
    separator = _other_separator(header)
    if separator is not None:
        # Every other message would follow from the wrong separator: this one says what to do.
        problems.add(1, None, None, None, f"this file looks {separator}; save it as comma-separated CSV")
        return ConversionResult(0, index, problems.items, problems.count, file_name=file_name)

    plan = plan_columns(
        schema,
        [ALIASES.get(h.strip(" \t"), h.strip(" \t")) for h in header],
        password_hashing_algorithm=password_hashing_algorithm,
    )
    for column, message in plan.problems:
        problems.add(1, None, column, None, message)
    columns = plan.columns
    ncols = len(columns)
    sign_in = [columns.index(c) for c in sign_in_columns if c in columns]
    out_header = ",".join(plan.out_header)
    sink.write(out_header + "\n")
    nbytes = _encoded_size(out_header) + 1

    # Map file columns onto the pool's header with one C call per row; lacking columns come from fills.
    identity = plan.source_index == list(range(ncols))
    picks = [i if i >= 0 else -1 for i in plan.source_index]
    fill_at = ncols
    for k, i in enumerate(picks):
        if i < 0:
            picks[k] = fill_at
            fill_at += 1
    getter: Callable[[list[str]], tuple[str, ...]] = (
        operator.itemgetter(*picks) if len(picks) > 1 else (lambda r: (r[picks[0]],))
    )
    fills = plan.fills
    standard_columns = [
        i for i, c in enumerate(columns) if c in STANDARD_ATTRIBUTES and i not in plan.unknown
    ]

    u = plan.username
    booleans = plan.booleans
    checks = plan.checks
    pairs = plan.verified_pairs
    verify_message = f"no auto-verified attribute is marked verified; each user needs {plan.verify_hint}"
    n1 = ncols - 1
    report = problems.add
    # In a case-insensitive pool BOB is bob's duplicate; the index then holds folded names.
    fold: Callable[[str], str] | None = None if schema.case_sensitive else str.casefold
    # In a pool whose usernames are emails or phone numbers, a username and those values name a user
    # alike: one index holds them all, so a username that is another row's email is a duplicate too.
    identities = UsernameIndex() if schema.username_attributes else None
    unique = [
        (
            i,
            why,
            identities
            if identities is not None and columns[i] in schema.username_attributes
            else UsernameIndex(),
        )
        for i, why in plan.unique
    ]
    identity_message = _identity_message(schema.username_attributes)
    buffer: list[str] = []
    rows = written = 0
    over_users = over_bytes = False

    prev = reader.line_num
    # A for loop is the fastest way through the rows; a row csv cannot parse restarts it.
    while True:
        try:
            for row in reader:
                line = prev + 1
                prev = reader.line_num
                if bad:
                    for number, message in bad:
                        report(
                            number, row[u] if u is not None and u < len(row) else None, None, None, message
                        )
                    bad.clear()
                if not row:
                    continue  # a blank line
                rows += 1
                if len(row) != ncols:
                    name = row[u] if u is not None and u < len(row) else None
                    report(line, name, None, None, _field_count_message(len(row), ncols))
                    continue

                joined = "\n".join(row)
                # One pass of C-speed tests; the rare row that fails them is inspected value by value.
                if (
                    '"' in joined
                    or "\\" in joined
                    or "\r" in joined
                    or joined.count("\n") != n1
                    or " \n" in joined
                    or "\n " in joined
                    or "\t\n" in joined
                    or "\n\t" in joined
                    or joined[:1] in _EDGE
                    or joined[-1:] in _EDGE
                    # control characters and Unicode spaces (rare): inspected for where they stand
                    or not "".join(row).isprintable()
                ):
                    unreadable = _trim_and_inspect(row, plan.unknown)
                    joined = "\n".join(row)
                else:
                    unreadable = None

                name = None
                repeated = False
                if u is not None:
                    name = row[u]
                    if not name:
                        report(line, None, USERNAME, None, "is empty; every user needs a username")
                    else:
                        if username_is_bad(name):
                            report(line, name, USERNAME, name, check_username(name) or "")
                        first = index.add(name if fold is None else fold(name), line)
                        if first:
                            repeated = True
                            report(line, name, USERNAME, name, _duplicate_message(first, fold is not None))
                if unreadable:
                    for i, message in unreadable:
                        report(line, name, columns[i], row[i], message)

                changed = False
                for i in booleans:
                    v = row[i]
                    if v and v != "true" and v != "false":
                        low = v.lower()
                        if low == "true" or low == "false":
                            row[i] = low
                            changed = True
                        else:
                            report(
                                line,
                                name,
                                columns[i],
                                v,
                                "is not a boolean; allowed: true or false (any case)",
                            )
                for i, column, check, empty in checks:
                    v = row[i]
                    if not v:
                        if empty is not None:
                            report(line, name, column, None, empty)
                    elif check is not None:
                        issue = check(v)
                        if issue is not None:
                            report(line, name, column, v, issue)
                for i, why, seen in unique:
                    v = row[i]
                    # Folded whatever the pool's case setting: whether Cognito compares email
                    # and preferred_username aliases ignoring case is unconfirmed, so refuse.
                    first = seen.add(v.casefold(), line) if v else 0
                    if first:
                        report(line, name, columns[i], v, f"is also on line {first}; {why}")
                if identities is not None and name:
                    # After the row's own values: a username equal to its own email is the usual case.
                    # Folded like those values, whatever the pool's case rule (refuse, not guess).
                    first = identities.add(name.casefold(), line)
                    if first and first != line and not repeated:
                        report(line, name, USERNAME, name, f"is also on line {first}; {identity_message}")
                if pairs:
                    for a, flag in pairs:
                        if row[flag] == "true" and row[a]:
                            break
                    else:
                        report(line, name, None, None, verify_message)
                if len(joined) > MAX_STANDARD_VALUE_CHARS:
                    for i in standard_columns:
                        if len(row[i]) > MAX_STANDARD_VALUE_CHARS:
                            report(
                                line,
                                name,
                                columns[i],
                                row[i],
                                check_standard_length(row[i]) or "",
                            )

                if identity:
                    text = "\n".join(row) if changed else joined
                else:
                    row.extend(fills)
                    text = "\n".join(getter(row))
                out = text.replace(",", "\\,").replace("\n", ",") if "," in text else text.replace("\n", ",")
                if len(out) > MAX_ROW_CHARS:
                    report(
                        line,
                        name,
                        None,
                        None,
                        f"is {len(out):,} characters long in Cognito's format; "
                        f"allowed: at most {MAX_ROW_CHARS:,}",
                    )
                if keep is not None and name and not keep(name, *[row[i].strip() for i in sign_in if row[i]]):
                    continue
                written += 1
                nbytes += (len(out) if out.isascii() else len(out.encode("utf-8"))) + 1
                if written > MAX_USERS and not over_users:
                    over_users = True
                    report(
                        line,
                        name,
                        None,
                        None,
                        f"is user {written:,}; a file may hold at most {MAX_USERS:,}: split it",
                    )
                if nbytes > MAX_FILE_BYTES and not over_bytes:
                    over_bytes = True
                    report(
                        line,
                        name,
                        None,
                        None,
                        f"takes the file past {MAX_FILE_BYTES:,} bytes in Cognito's format; "
                        "allowed: at most 100 MB a file: split it",
                    )
                if problems.count == 0:
                    buffer.append(out)
                    if len(buffer) >= _FLUSH_ROWS:
                        sink.write("\n".join(buffer) + "\n")
                        buffer.clear()
            break
        except csv.Error as error:
            report(prev + 1, None, None, None, f"cannot be read as CSV: {error}")
            prev = reader.line_num
    for number, message in bad:
        report(number, None, None, None, message)
    if buffer and problems.count == 0:
        sink.write("\n".join(buffer) + "\n")
    return ConversionResult(
        rows=rows,
        usernames=index,
        problems=problems.items,
        problem_count=problems.count,
        written=written,
        bytes_written=nbytes,
        header=plan.out_header,
        file_name=file_name,
    )


def _other_separator(header: list[str]) -> str | None:
    """How a header read as one column seems to be separated, when not by commas."""
    if len(header) != 1:
        return None
    if ";" in header[0]:
        return "semicolon-separated"
    if "\t" in header[0]:
        return "tab-separated"
    return None


def _field_count_message(fields: int, columns: int) -> str:
    if fields > columns:
        # Extra fields: most likely an unquoted comma inside a value.
        return (
            f"has {fields} fields but the header has {columns} columns; "
            'a value containing a comma must be quoted ("a,b")'
        )
    return (
        f"has {fields} fields, the header has {columns}; "
        "every row needs a value (maybe empty) for each column"
    )


def _identity_message(attributes: Iterable[str]) -> str:
    names = " and ".join(sorted(attributes))
    return (
        f"the pool uses {names} as the username, so a username may not be another user's {names} or username"
    )


def _duplicate_message(first: int, folded: bool) -> str:
    if folded:
        return (
            f"is a duplicate of line {first} when case is ignored (the pool's usernames are "
            "case-insensitive); usernames must be unique"
        )
    return f"is a duplicate of line {first}; usernames must be unique"


def _trim_and_inspect(row: list[str], skip: set[int]) -> list[tuple[int, str]]:
    """Trim spaces and tabs around values (Cognito trims them too) and say which values it cannot read."""
    found = []
    for i, value in enumerate(row):
        value = row[i] = value.strip(" \t")
        if i not in skip:
            message = unreadable_message(value)
            if message is None and value and (value[0].isspace() or value[-1].isspace()):
                message = edge_whitespace_message(value)
            if message is not None:
                found.append((i, message))
    return found


class _NullSink(io.TextIOBase):
    def write(self, text: str) -> int:
        return len(text)


def validate_file(
    path: str | Path,
    *,
    schema: PoolSchema,
    display_name: str | None = None,
    password_hashing_algorithm: str | None = None,
) -> ConversionResult:
    """Check a file without writing anything; problems name it ``display_name`` (default: the path)."""
    with open(path, "rb") as source:
        return convert(
            source,
            _NullSink(),
            schema=schema,
            file_name=display_name or str(path),
            password_hashing_algorithm=password_hashing_algorithm,
        )


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
