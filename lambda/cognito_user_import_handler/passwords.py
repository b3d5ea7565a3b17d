"""The passwords secret: a JSON object {"<username>": "<password>"} in Secrets Manager.

Passwords live in memory only while they are applied: never in the ledger, a log, a reason or an
output. The ledger keeps the secret's version id, to know whether the passwords changed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from .report import ImportFailed, name_some, plural


@dataclass(frozen=True)
class Passwords:
    version_id: str
    by_username: Mapping[str, str]

    def __repr__(self) -> str:  # a stray log of this object must not print passwords
        return f"Passwords(version_id={self.version_id!r}, users={len(self.by_username)})"


def read_passwords(secrets: Any, secret_arn: str, version_id: str | None = None) -> Passwords:
    """The secret's passwords (the version given, else the current one), or ImportFailed saying why."""
    request = {"SecretId": secret_arn, **({"VersionId": version_id} if version_id else {})}
    try:
        found = secrets.get_secret_value(**request)
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        raise ImportFailed(
            f"No import job was created: the passwords secret {secret_arn} cannot be read ({code})"
        ) from None
    try:
        value = json.loads(found.get("SecretString") or "")
    except ValueError:
        value = None
    if not isinstance(value, dict) or not all(isinstance(v, str) and v for v in value.values()):
        raise ImportFailed(
            f"No import job was created: the passwords secret {secret_arn} must hold a JSON object of"
            ' usernames and passwords, {"<username>": "<password>", ...}'
        )
    return Passwords(str(found.get("VersionId", "")), {str(k): v for k, v in value.items()})


def refuse_unknown_users(
    passwords: Passwords, usernames: Iterable[str], fold: Callable[[str], str], secret_arn: str, source: str
) -> None:
    """Every user the secret names must be a row of the file: a typo would otherwise pass unseen."""
    in_file = {fold(name) for name in usernames}
    unknown = sorted(name for name in passwords.by_username if fold(name) not in in_file)
    if unknown:
        raise ImportFailed(
            f"No import job was created: the passwords secret {secret_arn} names"
            f" {plural(len(unknown), 'user')} that {source} does not hold:"
            f" {name_some(unknown[:20], len(unknown))}"
        )
