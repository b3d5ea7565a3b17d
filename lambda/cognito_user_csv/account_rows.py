"""What each row asks of its account beyond the import: groups, and the attribute values it sets.

Read from a file that has already passed the checks (conversion), so this reader stays simple: it
never judges a value, it only says which user wants what.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from cognito_user_csv.facts import ALIASES, BOM, USERNAME
from cognito_user_csv.reading import ByteSource, binary_lines

GROUPS = "groups"
"""The column that lists a user's groups. It never goes to Cognito: the handler adds the memberships."""
GROUP_SEPARATORS = " ,;"
"""What separates group names in the column; a group whose name holds one of these cannot be seeded."""
_SEPARATOR_RUN = re.compile(f"[{re.escape(GROUP_SEPARATORS)}]+")
NOT_ATTRIBUTES = frozenset({USERNAME, GROUPS, "cognito:mfa_enabled", "password_hash"})
"""Columns that are not user attributes AdminUpdateUserAttributes could set."""


GROUP_NAME_MAX = 128
"""Cognito's GroupName: 1-128 characters of letters, marks, symbols, numbers and punctuation."""
_NOT_IN_GROUP_NAMES = re.compile(r"[\x00-\x1f\x7f]")


def groups_check(cell: str) -> str | None:
    """Why a groups cell cannot be applied, or None (an empty cell: no groups)."""
    for name in parse_groups(cell):
        if len(name) > GROUP_NAME_MAX:
            return f"names a group of {len(name)} characters; allowed: group names of 1-{GROUP_NAME_MAX}"
        if _NOT_IN_GROUP_NAMES.search(name):
            return f"names a group with a control character ({name!r}); Cognito's group names have none"
    return None


def parse_groups(cell: str) -> tuple[str, ...]:
    """The group names of one cell, in order, each once: ``"admins, testers;ops"`` -> three names."""
    names = [name for name in _SEPARATOR_RUN.split(cell.strip()) if name]
    return tuple(dict.fromkeys(names))


@dataclass(frozen=True)
class AccountRow:
    line: int
    """The row's physical line in the file (the header is line 1)."""
    username: str
    groups: tuple[str, ...] | None = None
    """The listed groups; None when the file has no groups column (then it manages no groups)."""
    attributes: Mapping[str, str] = field(default_factory=dict)
    """The row's non-empty attribute values: an empty value leaves an attribute alone."""


def _text_lines(source: ByteSource) -> Iterator[str]:
    for number, raw in enumerate(binary_lines(source), 1):
        yield (raw.removeprefix(BOM) if number == 1 else raw).decode("utf-8")


def read_account_rows(
    source: ByteSource, *, usernames: Iterable[str] | None = None, only_with_groups: bool = False
) -> Iterator[AccountRow]:
    """Each user row's groups and attribute values; only the rows of ``usernames`` when given, and
    none at all when ``only_with_groups`` and the file has no groups column."""
    wanted = None if usernames is None else set(usernames)
    reader = csv.reader(_text_lines(source), strict=False)
    header = [ALIASES.get(name.strip(" \t"), name.strip(" \t")) for name in next(reader, [])]
    if USERNAME not in header or (only_with_groups and GROUPS not in header):
        return
    for values in reader:
        row = {name: value.strip(" \t") for name, value in zip(header, values, strict=False)}
        username = row.get(USERNAME, "")
        if not username or (wanted is not None and username not in wanted):
            continue
        yield AccountRow(
            line=reader.line_num,
            username=username,
            groups=parse_groups(row[GROUPS]) if GROUPS in row else None,
            attributes={k: v for k, v in row.items() if v and k not in NOT_ATTRIBUTES},
        )


def has_groups_column(path: str | Path) -> bool:
    """Whether the file's header names the groups column (the construct grants group rights then)."""
    with open(path, "rb") as handle:
        header = next(csv.reader([handle.readline().removeprefix(BOM).decode("utf-8", "replace")]), [])
    return GROUPS in {ALIASES.get(name.strip(" \t"), name.strip(" \t")) for name in header}
