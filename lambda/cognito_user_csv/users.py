"""Users written in Python (``UserCsv.from_users``): typed records rendered as an ordinary CSV file.

The rendered file goes through the same rules and conversion as a user's own file
(:func:`cognito_user_csv.conversion.convert`), so a record is checked exactly like a row, with line
numbers counted in the rendered file (the first record is line 2).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from cognito_user_csv.account_rows import GROUPS, parse_groups
from cognito_user_csv.facts import MFA_ENABLED, USERNAME

_FLAGS = ("email_verified", "phone_number_verified", MFA_ENABLED)


@dataclass(frozen=True)
class UserRecord:
    """One user to import.

    ``attributes`` holds standard attributes (``email``, ``name``, ...) and custom ones under their
    full name (``custom:team``). The flags are written ``true``/``false``; None leaves them out (for
    ``mfa_enabled``, the pool's MFA setting then decides).
    """

    username: str
    attributes: Mapping[str, str] = field(default_factory=dict)
    email_verified: bool | None = None
    phone_number_verified: bool | None = None
    mfa_enabled: bool | None = None
    groups: Sequence[str] = ()
    """The groups the user is to be in (the ``groups`` column); the pool must have them."""

    def __post_init__(self) -> None:
        if not isinstance(self.username, str):
            raise TypeError(f"UserRecord.username must be a str, got {type(self.username).__name__}")
        for name, value in self.attributes.items():
            if not isinstance(name, str) or not isinstance(value, str):
                raise TypeError(f"UserRecord {self.username!r}: attribute {name!r} must map a str to a str")
            if name in (USERNAME, "username") or name in _FLAGS or name == "mfa_enabled":
                raise ValueError(
                    f"UserRecord {self.username!r}: give {name!r} as a field of UserRecord, "
                    "not as an attribute"
                )
        self._check_groups()

    def _check_groups(self) -> None:
        if isinstance(self.groups, str):
            raise TypeError(f"UserRecord {self.username!r}: groups must be a list of names, not a str")
        for group in self.groups:
            if not isinstance(group, str) or parse_groups(group) != (group,):
                raise ValueError(
                    f"UserRecord {self.username!r}: group {group!r} cannot be seeded: names are separated "
                    f"by spaces, commas or semicolons in the groups column, so a name may hold none of them"
                )

    def values(self) -> dict[str, str]:
        """The record as CSV columns and values (flags as ``true``/``false``; unset ones left out)."""
        row = {USERNAME: self.username, **self.attributes}
        if self.groups:
            row[GROUPS] = " ".join(self.groups)
        for column, flag in zip(
            _FLAGS, (self.email_verified, self.phone_number_verified, self.mfa_enabled), strict=True
        ):
            if flag is not None:
                row[column] = "true" if flag else "false"
        return row


def render_users(records: Iterable[UserRecord]) -> str:
    """An ordinary CSV (quoted as needed, ``\\n`` line ends) whose header is the union of the columns
    the records use: ``cognito:username`` first, then the others in the order they first appear."""
    records = list(records)
    set_mfa = [r for r in records if r.mfa_enabled is not None]
    if set_mfa and len(set_mfa) < len(records):
        unset = next(r for r in records if r.mfa_enabled is None)
        # Cognito needs cognito:mfa_enabled on every row once the column exists; only the pool can fill it.
        raise ValueError(
            f"UserRecord {unset.username!r} leaves mfa_enabled unset while others set it: set it on "
            "every record, or on none (the pool's MFA setting then decides)"
        )
    rows = [record.values() for record in records]
    header: dict[str, None] = {USERNAME: None}
    for row in rows:
        header.update(dict.fromkeys(row))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(column, "") for column in header])
    return out.getvalue()
