"""Writing Cognito's dialect: each checked row mapped onto the pool's header and escaped
(:class:`CognitoRows`), and the file itself, held to Cognito's limits (:class:`CognitoFile`).

Cognito's dialect: the pool's header in order, no quoting, a comma inside a value written ``\\,``,
UTF-8 without a byte-order mark, ``\\n`` line ends (docs/facts.md, "The CSV").
"""

from __future__ import annotations

import operator
from collections.abc import Callable

from cognito_user_csv.column_plan import ColumnPlan
from cognito_user_csv.facts import MAX_FILE_BYTES, MAX_ROW_CHARS, MAX_USERS
from cognito_user_csv.problems import ProblemLog, Report
from cognito_user_csv.reading import TextSink

_FLUSH_ROWS = 2048
"""Rows written to the sink at once: fewer, larger writes."""


def encoded_size(text: str) -> int:
    """Bytes of ``text`` in UTF-8 (ASCII text is counted without encoding it)."""
    return len(text) if text.isascii() else len(text.encode("utf-8"))


class CognitoRows:
    """Each checked row as a line of Cognito's file: the pool's columns in order (those the file lacks
    filled in), values unquoted, commas escaped; a line longer than Cognito allows is reported."""

    def __init__(self, plan: ColumnPlan, report: Report) -> None:
        self._report = report
        width = len(plan.columns)
        # A file in the pool's own column order is written as read.
        self._as_read = plan.source_index == list(range(width))
        self._fills = plan.fills
        self._pick = _picker(plan.source_index, width)

    def render(self, line: int, name: str | None, row: list[str], joined: str | None) -> str:
        """The row in Cognito's dialect; ``joined`` is the row's values joined by newlines, when known."""
        if self._as_read:
            text = joined if joined is not None else "\n".join(row)
        else:
            row.extend(self._fills)
            text = "\n".join(self._pick(row))
        out = text.replace(",", "\\,").replace("\n", ",") if "," in text else text.replace("\n", ",")
        if len(out) > MAX_ROW_CHARS:
            self._report(
                line,
                name,
                None,
                None,
                f"is {len(out):,} characters long in Cognito's format; allowed: at most {MAX_ROW_CHARS:,}",
            )
        return out


def _picker(source_index: list[int], width: int) -> Callable[[list[str]], tuple[str, ...]]:
    """Picks the output's values from a row with the fills appended, in one C call a row: a column the
    file lacks (-1) is taken from the fills, which follow the row's ``width`` values."""
    picks = list(source_index)
    fill_at = width
    for k, i in enumerate(picks):
        if i < 0:
            picks[k] = fill_at
            fill_at += 1
    if len(picks) > 1:
        return operator.itemgetter(*picks)
    return lambda r: (r[picks[0]],)


class CognitoFile:
    """The file Cognito receives, written as rows pass: users and bytes counted against Cognito's
    limits, and rows written only while the file is clean (a file with a problem is never uploaded)."""

    def __init__(self, sink: TextSink, header: list[str], problems: ProblemLog) -> None:
        self._sink = sink
        self._problems = problems
        text = ",".join(header)
        sink.write(text + "\n")
        self.bytes_written = encoded_size(text) + 1
        self.written = 0
        self._buffer: list[str] = []
        self._over_users = self._over_bytes = False

    def add(self, line: int, name: str | None, out: str) -> None:
        """Count and write one user's line (``out``, without its line end)."""
        self.written += 1
        self.bytes_written += (len(out) if out.isascii() else len(out.encode("utf-8"))) + 1
        if self.written > MAX_USERS and not self._over_users:
            self._over_users = True
            self._problems.add(
                line,
                name,
                None,
                None,
                f"is user {self.written:,}; a file may hold at most {MAX_USERS:,}: split it",
            )
        if self.bytes_written > MAX_FILE_BYTES and not self._over_bytes:
            self._over_bytes = True
            self._problems.add(
                line,
                name,
                None,
                None,
                f"takes the file past {MAX_FILE_BYTES:,} bytes in Cognito's format; "
                "allowed: at most 100 MB a file: split it",
            )
        if self._problems.count == 0:
            self._buffer.append(out)
            if len(self._buffer) >= _FLUSH_ROWS:
                self._sink.write("\n".join(self._buffer) + "\n")
                self._buffer.clear()

    def close(self) -> None:
        """Write the rows still buffered, if the file is still clean."""
        if self._buffer and self._problems.count == 0:
            self._sink.write("\n".join(self._buffer) + "\n")
