"""The account steps of a request, worked out with the plan, before any job.

Refuses what cannot be applied (a group the pool lacks, a secret naming users the file lacks) while
nothing exists yet, and keeps in the ledger what the next file's plan needs (each user's groups).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Container, Mapping
from dataclasses import dataclass, field
from typing import Any

from cognito_user_csv.account_rows import AccountRow

from .accounts import AccountInputs, Step, groups_by_user, lines_by_group, plan_steps
from .clients import AwsClients
from .existing_users import CurrentAttributes, username_folder
from .ledger import Ledger
from .passwords import Passwords, read_passwords, refuse_unknown_users
from .properties import ExistingUsers, ImportProperties
from .report import ImportFailed, plural

logger = logging.getLogger(__name__)


@dataclass
class AccountPlan:
    steps: list[Step] = field(default_factory=list)
    passwords_version: str = ""


@dataclass(frozen=True)
class LastApplied:
    """What the last applied file left that the account steps depend on."""

    source_hash: str | None
    """None: treat every row as changed (first deploy, or a setting that changes what applies)."""
    passwords_version: str = ""


def plan_accounts(
    clients: AwsClients,
    props: ImportProperties,
    ledger: Ledger,
    pool: Mapping[str, Any],
    rows: list[AccountRow],
    *,
    unchanged: Container[str],
    existing: set[str],
    applied: LastApplied,
    previous_groups: Mapping[str, tuple[str, ...]],
) -> AccountPlan:
    """The steps, or ImportFailed when the file's groups or the secret's users cannot be applied."""
    _refuse_missing_groups(clients, props, rows)
    passwords = _passwords(clients, props, pool, rows)
    ledger.write_json(Ledger.groups_name(props.source_hash), groups_by_user(rows))
    changed = _Changed(unchanged)
    update = props.existing_users is ExistingUsers.UPDATE
    address = _address_of(pool)
    wanted = {
        address(row) or row.username for row in rows if row.username in existing and row.username in changed
    }
    inputs = AccountInputs(
        changed=changed,
        existing=existing,
        update_existing=update,
        current_attributes=CurrentAttributes(clients.cognito, pool, wanted) if update and wanted else _none,
        previous_groups=previous_groups,
        passwords=_secret_keys(passwords, rows, username_folder(pool)) if passwords else {},
        new_passwords=passwords is not None and passwords.version_id != applied.passwords_version,
        address=address,
    )
    steps = list(plan_steps(rows, inputs))
    if steps:
        logger.info("%s after the import", plural(len(steps), "account step"))
    return AccountPlan(steps, passwords.version_id if passwords else "")


def _address_of(pool: Mapping[str, Any]) -> Callable[[AccountRow], str]:
    """In pools that sign in with email or phone number, Cognito names each user itself (its sub):
    the Admin calls find the user by the row's address instead of the file's username."""
    attributes = [a for a in ("email", "phone_number") if a in pool.get("UsernameAttributes", [])]

    def address(row: AccountRow) -> str:
        return next((row.attributes[a] for a in attributes if row.attributes.get(a)), "")

    return address


def _secret_keys(passwords: Passwords, rows: list[AccountRow], fold: Callable[[str], str]) -> dict[str, str]:
    """Each row's username that the secret lists, with the secret's own key for it."""
    keys = {fold(key): key for key in passwords.by_username}
    return {row.username: keys[fold(row.username)] for row in rows if fold(row.username) in keys}


class _Changed:
    """Usernames of rows that are not unchanged since the applied file."""

    def __init__(self, unchanged: Container[str]) -> None:
        self._unchanged = unchanged

    def __contains__(self, username: object) -> bool:
        return username not in self._unchanged


def _none(_username: str) -> Mapping[str, str]:
    return {}


def _passwords(
    clients: AwsClients, props: ImportProperties, pool: Mapping[str, Any], rows: list[AccountRow]
) -> Passwords | None:
    if not props.passwords_secret_arn:
        return None
    passwords = read_passwords(clients.secrets, props.passwords_secret_arn)
    fold: Callable[[str], str] = username_folder(pool)
    refuse_unknown_users(
        passwords, (row.username for row in rows), fold, props.passwords_secret_arn, props.source_name
    )
    return passwords


def _refuse_missing_groups(clients: AwsClients, props: ImportProperties, rows: list[AccountRow]) -> None:
    used = lines_by_group(rows)
    if not used:
        return
    missing = sorted(set(used) - pool_groups(clients.cognito, props.user_pool_id))
    if missing:
        named = "; ".join(
            f"{group} (line{'s' if len(used[group]) > 1 else ''} {', '.join(map(str, used[group]))})"
            for group in missing[:10]
        )
        more = f" and {len(missing) - 10} more" if len(missing) > 10 else ""
        raise ImportFailed(
            f"No import job was created: {props.source_name} names"
            f" {plural(len(missing), 'group')} that pool {props.user_pool_id} does not have: {named}{more}."
            " Create the groups first (cognito.CfnUserPoolGroup, with the import depending on it), or remove"
            " them from the groups column (names there are separated by spaces, commas or semicolons, so a"
            " group whose name holds one of those cannot be seeded)."
        )


def pool_groups(cognito: Any, user_pool_id: str) -> set[str]:
    """The pool's group names (ListGroups, 60 a page)."""
    names: set[str] = set()
    request: dict[str, Any] = {"UserPoolId": user_pool_id, "Limit": 60}
    while True:
        page = cognito.list_groups(**request)
        names.update(str(group["GroupName"]) for group in page.get("Groups", []))
        token = page.get("NextToken")
        if not token:
            return names
        request["NextToken"] = token
