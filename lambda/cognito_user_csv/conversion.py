"""Streaming conversion of an ordinary CSV file into Cognito's import dialect, checking every row.

Input: RFC 4180 CSV (quoted fields, LF or CRLF line ends), UTF-8, a byte-order mark dropped.
Output: Cognito's dialect (:mod:`cognito_user_csv.writing`): the pool's header in order, no quoting,
a comma inside a value written ``\\,``, booleans in lower case, ``\\n`` line ends.

Line numbers are physical lines of the input: the header is line 1, the first user line 2. A quoted
value spanning lines (refused anyway) takes the number of the line it starts on, and later rows keep
their true line numbers. Blank lines are skipped and not written, so line numbers in Cognito's job
log refer to the *converted* file: map them back with
:func:`cognito_user_csv.reading.iter_usernames` on that file.

The rows are never all in memory: each row is checked and written as it is read. Duplicate usernames
are found with :class:`~cognito_user_csv.username_index.UsernameIndex` (about 12 bytes a user).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Protocol, TextIO

from cognito_user_csv.column_plan import plan_columns
from cognito_user_csv.facts import ALIASES
from cognito_user_csv.problems import Problem, ProblemLog, Report, ValidationError
from cognito_user_csv.reading import ByteSource, TextSink, decoded_lines
from cognito_user_csv.row_checks import RowChecks
from cognito_user_csv.schema import PoolSchema
from cognito_user_csv.username_index import UsernameIndex
from cognito_user_csv.writing import CognitoFile, CognitoRows

KeepRow = Callable[[str, list[str]], bool]
"""Whether a checked row goes into the output, given its username and values."""


class _CsvReader(Protocol):
    """What csv.reader returns: rows, and the physical line it has read up to."""

    @property
    def line_num(self) -> int: ...

    def __iter__(self) -> Iterator[list[str]]: ...

    def __next__(self) -> list[str]: ...


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
    problems = ProblemLog(file_name, max_problems)
    undecodable: list[tuple[int, str]] = []
    reader = csv.reader(decoded_lines(source, undecodable), strict=False)
    header = _read_header(reader, undecodable, problems)
    if header is None:
        return ConversionResult(0, UsernameIndex(), problems.items, problems.count, file_name=file_name)
    plan = plan_columns(schema, header, password_hashing_algorithm=password_hashing_algorithm)
    for column, message in plan.problems:
        problems.add(1, None, column, None, message)
    checks = RowChecks(plan, schema, problems.add)
    output = CognitoFile(sink, plan.out_header, problems)
    rows = _convert_rows(
        reader,
        undecodable,
        checks,
        CognitoRows(plan, problems.add),
        _keep_filter(keep, plan.columns, sign_in_columns),
        output,
        problems.add,
    )
    _report_undecodable(undecodable, None, problems.add)  # the last lines, after the last row
    output.close()
    return ConversionResult(
        rows=rows,
        usernames=checks.usernames,
        problems=problems.items,
        problem_count=problems.count,
        written=output.written,
        bytes_written=output.bytes_written,
        header=plan.out_header,
        file_name=file_name,
    )


def _read_header(
    reader: _CsvReader, undecodable: list[tuple[int, str]], problems: ProblemLog
) -> list[str] | None:
    """The header's names (trimmed, aliases resolved), or None when the file cannot be converted."""
    try:
        header = next(reader, None)
    except csv.Error as error:
        header = []
        problems.add(1, None, None, None, f"the header cannot be read as CSV: {error}")
    for number, message in undecodable:
        problems.add(number, None, None, None, message)
    undecodable.clear()
    if header is None:
        problems.add(1, None, None, None, "the file is empty; its first line must be the header")
        return None
    if not header:
        problems.add(1, None, None, None, "the header line is empty; the first line must name the columns")
    separator = _other_separator(header)
    if separator is not None:
        # Every other message would follow from the wrong separator: this one says what to do.
        problems.add(1, None, None, None, f"this file looks {separator}; save it as comma-separated CSV")
        return None
    return [ALIASES.get(h.strip(" \t"), h.strip(" \t")) for h in header]


def _convert_rows(
    reader: _CsvReader,
    undecodable: list[tuple[int, str]],
    checks: RowChecks,
    cognito_rows: CognitoRows,
    keep_row: KeepRow | None,
    output: CognitoFile,
    report: Report,
) -> int:
    """Check each row after the header, render it in Cognito's dialect and write the rows kept; lines
    that are not UTF-8 are reported as they pass, a row csv cannot parse is reported and skipped.
    Returns the rows seen (blank lines not counted)."""
    rows = 0
    check, render, add = checks.check, cognito_rows.render, output.add
    prev = reader.line_num
    # A for loop is the fastest way through the rows; a row csv cannot parse restarts it.
    while True:
        try:
            for row in reader:
                line = prev + 1
                prev = reader.line_num
                if undecodable:
                    _report_undecodable(undecodable, checks.username_of(row), report)
                if not row:
                    continue  # a blank line
                rows += 1
                checked = check(line, row)
                if checked is None:
                    continue  # not as wide as the header: nothing to write
                name, joined = checked
                out = render(line, name, row, joined)
                if keep_row is not None and name and not keep_row(name, row):
                    continue
                add(line, name, out)
            return rows
        except csv.Error as error:
            report(prev + 1, None, None, None, f"cannot be read as CSV: {error}")
            prev = reader.line_num


def _report_undecodable(undecodable: list[tuple[int, str]], name: str | None, report: Report) -> None:
    for number, message in undecodable:
        report(number, name, None, None, message)
    undecodable.clear()


def _keep_filter(
    keep: Callable[..., bool] | None, columns: list[str], sign_in_columns: Sequence[str]
) -> KeepRow | None:
    """``keep`` called with the username and the row's non-empty sign-in values, trimmed."""
    if keep is None:
        return None
    sign_in = [columns.index(c) for c in sign_in_columns if c in columns]

    def keep_row(name: str, row: list[str]) -> bool:
        return keep(name, *[row[i].strip() for i in sign_in if row[i]])

    return keep_row


def _other_separator(header: list[str]) -> str | None:
    """How a header read as one column seems to be separated, when not by commas."""
    if len(header) != 1:
        return None
    if ";" in header[0]:
        return "semicolon-separated"
    if "\t" in header[0]:
        return "tab-separated"
    return None


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
