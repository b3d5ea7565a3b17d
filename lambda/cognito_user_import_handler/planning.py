"""The plan: what a Create or Update would import, worked out before anything is created.

Reads the pool and the users file, checks every row, leaves out rows unchanged since the last applied
file and users that already exist, and writes the rest in Cognito's dialect to a file in /tmp. A bad
file raises ImportFailed here, so no job exists for a file that fails validation.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
import time
from collections.abc import Callable, Container, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from cognito_user_csv.account_rows import read_account_rows
from cognito_user_csv.conversion import convert
from cognito_user_csv.problems import ValidationError
from cognito_user_csv.reading import iter_usernames
from cognito_user_csv.schema import PoolSchema

from .account_plan import AccountPlan, LastApplied, plan_accounts
from .clients import AwsClients
from .existing_users import ExistingUsernames, LookedUpUsernames, username_folder
from .ledger import Ledger
from .properties import ExistingUsers, ImportProperties
from .report import ImportFailed, name_some, plural
from .source_diff import diff_against

logger = logging.getLogger(__name__)

NAMES_IN_REASON = 20
SOURCE_ERRORS = {
    "NoSuchKey": "no such object",
    "NoSuchBucket": "no such bucket",
    "NoSuchVersion": "no such version of the object",
    "InvalidArgument": "the version id is not valid for this object",
    "AccessDenied": "access denied to the handler's role",
    "403": "access denied to the handler's role",
    "404": "no such object",
}
"""S3's answers that mean the file cannot be had, and how a person reads them."""
WORK_DIR = os.path.join(tempfile.gettempdir(), "cognito-user-import")


@dataclass
class Plan:
    """A converted file ready for a job (path), or nothing to import (path None)."""

    path: str | None
    rows: int
    skipped: int
    pool_name: str
    not_applied: str = ""
    """Users that exist whose new or changed rows were left out, named (see report.name_some)."""
    accounts: AccountPlan = field(default_factory=AccountPlan)
    """What the users need after the import: attribute updates, passwords, groups."""
    existing: set[str] = field(default_factory=set)
    """Usernames of the file's new or changed rows that exist in the pool (left out of the job)."""

    def usernames(self) -> Iterator[str]:
        """The converted file's usernames in upload order (Cognito's line 2 is the first)."""
        if self.path is None:
            return
        with open(self.path, "rb") as handle:
            for _, name in iter_usernames(handle):
                yield name

    def discard(self) -> None:
        """Remove the converted file (up to 100 MB): /tmp is shared by warm invocations."""
        if self.path is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.path)
            self.path = None


LAMBDA_MAX_SECONDS = 900.0
"""No invocation lives longer: a converted file older than this belongs to none that still runs."""


def clear_work_dir(now: float | None = None) -> None:
    """Remove converted files left by invocations killed before their clean-up (a warm container
    keeps /tmp). Only stale ones: another process on the same machine (tests, local deploys) may be
    using a newer one."""
    cutoff = (time.time() if now is None else now) - LAMBDA_MAX_SECONDS
    with contextlib.suppress(FileNotFoundError):
        for entry in os.scandir(WORK_DIR):
            with contextlib.suppress(OSError):
                if entry.stat().st_mtime < cutoff:
                    os.unlink(entry.path)


class RowFilter:
    """Which rows go into the job: not unchanged since last time, not already in the pool."""

    def __init__(
        self,
        unchanged: set[str],
        existing: Container[str],
        owned: set[str] | None,
        fold: Callable[[str], str],
    ) -> None:
        self._unchanged = unchanged
        self._existing = existing
        self._owned = owned  # None: existing users are fine (SKIP); else FAIL unless the resource made them
        self._fold = fold
        self.skipped = 0
        self.conflicts: list[str] = []
        self.conflict_count = 0
        self.existing: list[str] = []
        self.existing_count = 0
        self.existing_names: set[str] = set()
        """Every row's username that exists (the account steps update, or leave, those users)."""

    def __call__(self, username: str, *sign_in_values: str) -> bool:
        """Keep the row? `sign_in_values`: its email or phone number where users sign in with those
        (Cognito names such users itself, so the row's username alone cannot find them)."""
        if username in self._unchanged:
            self.skipped += 1
            return False
        if username in self._existing or any(value in self._existing for value in sign_in_values):
            self.skipped += 1
            self.existing_count += 1
            self.existing_names.add(username)
            if len(self.existing) < NAMES_IN_REASON:
                self.existing.append(username)
            if self._owned is not None:
                self._conflict(username)
            return False
        return True

    def _conflict(self, username: str) -> None:
        assert self._owned is not None
        if self._fold(username) in self._owned:
            return
        self.conflict_count += 1
        if len(self.conflicts) < NAMES_IN_REASON:
            self.conflicts.append(username)


Opener = Callable[[], AbstractContextManager[Any]]
"""Opens the users file for one read (the plan reads it up to three times, streaming)."""


def make_plan(
    clients: AwsClients,
    props: ImportProperties,
    ledger: Ledger,
    applied: LastApplied,
    opener: Opener | None = None,
) -> Plan:
    """Validate and convert the file, and work out the account steps; `applied` names the last
    applied file (its digests and groups) and passwords, if any. `opener`: where the file is read
    from (default: the S3 object the properties name)."""
    opener = opener or (lambda: open_source(clients, props))
    cognito = clients.cognito
    pool = cognito.describe_user_pool(UserPoolId=props.user_pool_id)["UserPool"]
    header = cognito.get_csv_header(UserPoolId=props.user_pool_id)["CSVHeader"]
    schema = PoolSchema.from_describe_user_pool(pool, header)
    unchanged, changed = _unchanged_rows(opener, props, ledger, applied.source_hash)
    existing = _existing_names(clients, pool, changed)
    fold = username_folder(pool)
    owned = None
    if props.existing_users is ExistingUsers.FAIL:
        owned = {fold(name) for name in ledger.owned_usernames()}
    keep = RowFilter(unchanged, existing, owned, fold)
    path, rows = _convert(opener, props, schema, keep)
    not_applied = (
        "" if props.existing_users is ExistingUsers.UPDATE else name_some(keep.existing, keep.existing_count)
    )
    plan = Plan(path, rows, keep.skipped, str(pool["Name"]), not_applied, existing=keep.existing_names)
    try:
        _refuse_conflicts(props, keep)
        plan.accounts = _plan_accounts(clients, opener, props, ledger, pool, keep, unchanged, applied)
    except ImportFailed:
        plan.discard()
        raise
    if keep.skipped == plan.rows:
        plan.discard()
        logger.info("Nothing to import: no job created")
    elif keep.skipped:
        logger.info("%s of %s users exist or are unchanged and are left out", keep.skipped, plan.rows)
    if keep.existing_count:
        logger.info("Not applied (the users exist): %s", plan.not_applied)
    return plan


def _plan_accounts(
    clients: AwsClients,
    opener: Opener,
    props: ImportProperties,
    ledger: Ledger,
    pool: Mapping[str, Any],
    keep: RowFilter,
    unchanged: set[str],
    applied: LastApplied,
) -> AccountPlan:
    """A third read of the file, for the account steps, skipped when nothing can come of it."""
    previous = ledger.read_json(Ledger.groups_name(applied.source_hash))[0] if applied.source_hash else None
    rows_matter = bool(props.passwords_secret_arn or previous) or props.existing_users is ExistingUsers.UPDATE
    with opener() as body:
        rows = list(read_account_rows(body, only_with_groups=not rows_matter))
    if not rows:
        return AccountPlan()
    return plan_accounts(
        clients,
        props,
        ledger,
        pool,
        rows,
        unchanged=unchanged,
        existing=keep.existing_names,
        applied=applied,
        previous_groups={name: tuple(groups) for name, groups in (previous or {}).items()},
    )


def _unchanged_rows(
    opener: Opener, props: ImportProperties, ledger: Ledger, applied_hash: str | None
) -> tuple[set[str], int]:
    """(Usernames of rows unchanged since the applied file, how many rows are not); stores the digests."""
    applied = ledger.read_bytes(Ledger.digests_name(applied_hash)) if applied_hash else None
    with opener() as body:
        diff = diff_against(body, applied)
    ledger.write_bytes(Ledger.digests_name(props.source_hash), diff.digests)
    if applied is not None:
        logger.info("%s of %s rows are unchanged since the last deployment", len(diff.unchanged), diff.rows)
    return diff.unchanged, diff.changed


def _existing_names(clients: AwsClients, pool: Mapping[str, Any], changed: int) -> Container[str]:
    estimated_users = int(pool.get("EstimatedNumberOfUsers", 0))
    if changed <= estimated_users // 60 + 1:
        logger.info("%s rows are new or changed: looking them up one by one", changed)
        return LookedUpUsernames(clients.cognito, pool)
    existing = ExistingUsernames.load(clients.cognito, pool)
    logger.info("Listed the pool: %s usernames and sign-in aliases to match rows against", len(existing))
    return existing


@contextlib.contextmanager
def open_source(clients: AwsClients, props: ImportProperties) -> Iterator[Any]:
    """The users file's body (the version asked for), or ImportFailed naming bucket, key and version."""
    request: dict[str, Any] = {"Bucket": props.source_bucket, "Key": props.source_key}
    if props.source_version:
        request["VersionId"] = props.source_version
    try:
        found = clients.s3.get_object(**request)
    except ClientError as error:
        code = str(error.response.get("Error", {}).get("Code", ""))
        if code not in SOURCE_ERRORS:
            raise
        version = f", version {props.source_version}" if props.source_version else ""
        raise ImportFailed(
            f"No import job was created: the users file {props.source_name} cannot be read"
            f" (bucket {props.source_bucket}, key {props.source_key}{version}): {SOURCE_ERRORS[code]}"
        ) from None
    with found["Body"] as body:
        yield body


def _convert(opener: Opener, props: ImportProperties, schema: PoolSchema, keep: RowFilter) -> tuple[str, int]:
    os.makedirs(WORK_DIR, exist_ok=True)
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", newline="", dir=WORK_DIR, suffix=".csv", delete=False
    ) as sink:
        try:
            with opener() as body:
                result = convert(
                    body,
                    sink,
                    schema=schema,
                    file_name=props.source_name,
                    keep=keep,
                    password_hashing_algorithm=props.password_hashing_algorithm,
                    sign_in_columns=sorted(schema.username_attributes),
                )
        except BaseException:
            sink.close()
            os.unlink(sink.name)
            raise
    if result.problem_count:
        os.unlink(sink.name)
        raise ImportFailed(
            "No import job was created: "
            + str(ValidationError(problems=result.problems, total=result.problem_count))
        )
    return sink.name, result.rows


def _refuse_conflicts(props: ImportProperties, keep: RowFilter) -> None:
    """Users that exist and that ExistingUsers.FAIL forbids fail the request before any job."""
    if keep.conflict_count:
        names = ", ".join(keep.conflicts)
        more = keep.conflict_count - len(keep.conflicts)
        tail = f" and {more} more" if more > 0 else ""
        raise ImportFailed(
            f"No import job was created: {plural(keep.conflict_count, 'user')} of {props.source_name}"
            f" already {'exists' if keep.conflict_count == 1 else 'exist'}"
            f" in pool {props.user_pool_id}: {names}{tail}. Remove them from the file, or set"
            " existing_users=ExistingUsers.SKIP to leave them out."
        )
