"""After the job: what each account still needs so the pool matches the file for the users it manages.

Three kinds of step, worked out before any job (so a file that cannot be applied fails first):
attribute updates of users that exist (ExistingUsers.UPDATE, only the values that differ), permanent
passwords from the secret, and group memberships (added when listed, removed only when the group was
listed for that user in the previous file). Rows unchanged since the applied file need nothing, unless
the secret holds a new version of the passwords.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Container, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from cognito_user_csv.account_rows import AccountRow

ATTRIBUTES = "attributes"
PASSWORD = "password"
ADD = "add"
REMOVE = "remove"


@dataclass(frozen=True)
class Step:
    """One call to make for one user. Holds no password: that is read from the secret when applied."""

    op: str
    username: str
    line: int
    group: str = ""
    attributes: Mapping[str, str] = field(default_factory=dict)
    target: str = ""
    """The name the calls give Cognito when it is not the username: in pools that sign in with email
    or phone number, Cognito names users itself and finds them by that address."""

    secret_key: str = ""
    """A password step's key in the secret, where it differs from the username (case-insensitive pools)."""

    @property
    def cognito_username(self) -> str:
        return self.target or self.username

    def to_line(self) -> str:
        value: dict[str, Any] = {"op": self.op, "user": self.username, "line": self.line}
        if self.target:
            value["to"] = self.target
        if self.secret_key:
            value["key"] = self.secret_key
        if self.group:
            value["group"] = self.group
        if self.attributes:
            value["attributes"] = dict(self.attributes)
        return json.dumps(value, separators=(",", ":"), sort_keys=True)

    @classmethod
    def from_line(cls, line: str) -> Step:
        value = json.loads(line)
        group, attributes, target = value.get("group", ""), value.get(ATTRIBUTES, {}), value.get("to", "")
        key = value.get("key", "")
        return cls(value["op"], value["user"], int(value["line"]), group, attributes, target, key)


@dataclass(frozen=True)
class AccountInputs:
    """What the steps are worked out from, besides the rows."""

    changed: Container[str]
    """Usernames of rows new or changed since the applied file."""
    existing: Container[str]
    """Usernames (of changed rows) that already exist in the pool."""
    update_existing: bool
    """ExistingUsers.UPDATE: existing users get the file's changed attribute values."""
    current_attributes: Callable[[str], Mapping[str, str]]
    """An existing user's attributes as the pool holds them (asked only with update_existing)."""
    previous_groups: Mapping[str, tuple[str, ...]]
    """The groups each user had in the applied file."""
    passwords: Mapping[str, str] = field(default_factory=dict)
    """The secret's key of each username it lists (the keys match usernames as the pool compares them)."""
    new_passwords: bool = False
    """The secret's version differs from the one last applied: every listed user gets it again."""
    address: Callable[[AccountRow], str] = lambda _row: ""
    """The name Cognito finds a row's user by, when it is not the row's username (see Step.target)."""


def plan_steps(rows: Iterable[AccountRow], inputs: AccountInputs) -> Iterator[Step]:
    """The steps of every row, in file order; per user: attributes, then password, then groups."""
    for row in rows:
        for step in _row_steps(row, inputs):
            target = inputs.address(row)
            yield replace(step, target=target) if target and target != row.username else step


def _row_steps(row: AccountRow, inputs: AccountInputs) -> Iterator[Step]:
    changed = row.username in inputs.changed
    if changed and inputs.update_existing and row.username in inputs.existing:
        current = inputs.current_attributes(inputs.address(row) or row.username)
        differing = _differing(row.attributes, current)
        if differing:
            yield Step(ATTRIBUTES, row.username, row.line, attributes=differing)
    key = inputs.passwords.get(row.username)
    if key is not None and (changed or inputs.new_passwords):
        yield Step(PASSWORD, row.username, row.line, secret_key="" if key == row.username else key)
    if changed:
        yield from _group_steps(row, inputs.previous_groups.get(row.username, ()))


def _differing(wanted: Mapping[str, str], current: Mapping[str, str]) -> dict[str, str]:
    """The file's values the pool does not hold yet. Empty values never reach here: they leave alone."""
    return {name: value for name, value in wanted.items() if current.get(name) != value}


def _group_steps(row: AccountRow, previous: tuple[str, ...]) -> Iterator[Step]:
    if row.groups is None:
        return  # no groups column: the file manages no memberships
    for group in row.groups:
        if group not in previous:
            yield Step(ADD, row.username, row.line, group=group)
    for group in previous:
        if group not in row.groups:
            yield Step(REMOVE, row.username, row.line, group=group)


def groups_by_user(rows: Iterable[AccountRow]) -> dict[str, list[str]]:
    """The file's memberships, kept in the ledger: the next file's removals are worked out from them."""
    return {row.username: list(row.groups) for row in rows if row.groups}  # None and () keep nothing


def lines_by_group(rows: Iterable[AccountRow], limit: int = 3) -> dict[str, list[int]]:
    """The first lines that name each group (for a reason that says where a missing group is used)."""
    found: dict[str, list[int]] = {}
    for row in rows:
        for group in row.groups or ():
            lines = found.setdefault(group, [])
            if len(lines) < limit:
                lines.append(row.line)
    return found
