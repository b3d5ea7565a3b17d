"""The checks every user row goes through, prepared once from the file's column plan (:class:`RowChecks`).

The checks run in the order their problems are reported: the row's width, its username (empty,
malformed, repeated), values Cognito's unquoted CSV cannot carry, booleans, each column's own rule,
values the pool needs unique, usernames that are another user's sign-in value, an auto-verified
attribute marked verified, and the length of standard attributes.

Rows are screened with one pass of C-speed tests; only the rare row that fails them is inspected
value by value. The hot path is one method: every call a row costs time on 500,000 rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from cognito_user_csv.column_plan import ColumnPlan
from cognito_user_csv.facts import MAX_STANDARD_VALUE_CHARS, STANDARD_ATTRIBUTES, USERNAME
from cognito_user_csv.problems import Report
from cognito_user_csv.schema import PoolSchema
from cognito_user_csv.username_index import UsernameIndex
from cognito_user_csv.value_checks import (
    check_standard_length,
    check_username,
    edge_whitespace_message,
    unreadable_message,
    username_is_bad,
)

_EDGE = frozenset({" ", "\t"})
BOOLEAN_MESSAGE = "is not a boolean; allowed: true or false (any case)"

CheckedRow = tuple[str | None, str | None]
"""(username, the row's values joined by newlines or None when a value was rewritten)."""


class RowChecks:
    """The checks of one file's user rows; :attr:`usernames` holds the usernames seen so far."""

    def __init__(self, plan: ColumnPlan, schema: PoolSchema, report: Report) -> None:
        self.usernames = UsernameIndex()
        self.columns = plan.columns
        self.username_column = plan.username
        self._report = report
        self._width = len(plan.columns)
        self._booleans = plan.booleans
        self._rules = plan.checks
        self._verified_pairs = plan.verified_pairs
        self._verify_message = (
            f"no auto-verified attribute is marked verified; each user needs {plan.verify_hint}"
        )
        self._unknown = plan.unknown
        self._standard_columns = [
            i for i, c in enumerate(plan.columns) if c in STANDARD_ATTRIBUTES and i not in plan.unknown
        ]
        # In a case-insensitive pool BOB is bob's duplicate; the index then holds folded names.
        self._fold: Callable[[str], str] | None = None if schema.case_sensitive else str.casefold
        # In a pool whose usernames are emails or phone numbers, a username and those values name a user
        # alike: one index holds them all, so a username that is another row's email is a duplicate too.
        self._identities = UsernameIndex() if schema.username_attributes else None
        self._unique = [(i, why, self._index_of(plan.columns[i], schema)) for i, why in plan.unique]
        self._identity_message = _identity_message(schema.username_attributes)

    def _index_of(self, column: str, schema: PoolSchema) -> UsernameIndex:
        """Where a unique column's values are kept: with the usernames when users sign in with it."""
        if self._identities is not None and column in schema.username_attributes:
            return self._identities
        return UsernameIndex()

    def username_of(self, row: list[str]) -> str | None:
        """The row's username as written, when the file has the column and the row reaches it."""
        u = self.username_column
        return row[u] if u is not None and u < len(row) else None

    def check(self, line: int, row: list[str]) -> CheckedRow | None:
        """Check one row and report its problems; values are trimmed and booleans lower-cased in place.

        None when the row is not as wide as the header (nothing more can be said of it).
        """
        report = self._report
        if len(row) != self._width:
            report(line, self.username_of(row), None, None, _field_count_message(len(row), self._width))
            return None
        joined = "\n".join(row)
        unreadable = None
        if _needs_inspection(joined, row, self._width - 1):
            unreadable = _trim_and_inspect(row, self._unknown)
            joined = "\n".join(row)
        name, repeated = self._check_username(line, row)
        if unreadable:
            for i, message in unreadable:
                report(line, name, self.columns[i], row[i], message)
        changed = False
        for i in self._booleans:
            v = row[i]
            if v and v != "true" and v != "false":
                low = v.lower()
                if low == "true" or low == "false":
                    row[i] = low
                    changed = True
                else:
                    report(line, name, self.columns[i], v, BOOLEAN_MESSAGE)
        for i, column, rule, empty in self._rules:
            v = row[i]
            if not v:
                if empty is not None:
                    report(line, name, column, None, empty)
            elif rule is not None:
                issue = rule(v)
                if issue is not None:
                    report(line, name, column, v, issue)
        if self._unique:
            self._check_unique(line, name, row)
        if self._identities is not None and name:
            self._check_identity(line, name, repeated)
        if self._verified_pairs:
            for a, flag in self._verified_pairs:
                if row[flag] == "true" and row[a]:
                    break
            else:
                report(line, name, None, None, self._verify_message)
        if len(joined) > MAX_STANDARD_VALUE_CHARS:
            self._check_standard_lengths(line, name, row)
        return name, (None if changed else joined)

    def _check_username(self, line: int, row: list[str]) -> tuple[str | None, bool]:
        """The row's username (None without the column) and whether an earlier row had it."""
        u = self.username_column
        if u is None:
            return None, False
        name = row[u]
        if not name:
            self._report(line, None, USERNAME, None, "is empty; every user needs a username")
            return name, False
        if username_is_bad(name):
            self._report(line, name, USERNAME, name, check_username(name) or "")
        fold = self._fold
        first = self.usernames.add(name if fold is None else fold(name), line)
        if first:
            self._report(line, name, USERNAME, name, _duplicate_message(first, fold is not None))
        return name, bool(first)

    def _check_unique(self, line: int, name: str | None, row: list[str]) -> None:
        for i, why, seen in self._unique:
            v = row[i]
            # Folded whatever the pool's case setting: whether Cognito compares email
            # and preferred_username aliases ignoring case is unconfirmed, so refuse.
            first = seen.add(v.casefold(), line) if v else 0
            if first:
                self._report(line, name, self.columns[i], v, f"is also on line {first}; {why}")

    def _check_identity(self, line: int, name: str, repeated: bool) -> None:
        # After the row's own values: a username equal to its own email is the usual case.
        # Folded like those values, whatever the pool's case rule (refuse, not guess).
        identities = self._identities
        first = identities.add(name.casefold(), line) if identities is not None else 0
        if first and first != line and not repeated:
            self._report(line, name, USERNAME, name, f"is also on line {first}; {self._identity_message}")

    def _check_standard_lengths(self, line: int, name: str | None, row: list[str]) -> None:
        for i in self._standard_columns:
            if len(row[i]) > MAX_STANDARD_VALUE_CHARS:
                self._report(line, name, self.columns[i], row[i], check_standard_length(row[i]) or "")


def _needs_inspection(joined: str, row: list[str], separators: int) -> bool:
    """Whether a row may hold a value Cognito cannot read as written, or one to trim: one pass of
    C-speed tests over the row joined by newlines (``separators`` of them when no value has one)."""
    return (
        '"' in joined
        or "\\" in joined
        or "\r" in joined
        or joined.count("\n") != separators
        or " \n" in joined
        or "\n " in joined
        or "\t\n" in joined
        or "\n\t" in joined
        or joined[:1] in _EDGE
        or joined[-1:] in _EDGE
        # control characters and Unicode spaces (rare): inspected for where they stand
        or not "".join(row).isprintable()
    )


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
