"""``cognito-user-import plan FILE --user-pool-id ID``: what a deployment of FILE would do, read-only.

It runs the handler's own planning (``cognito_user_import_handler.planning.make_plan``) against the
pool with the caller's credentials (or the emulator with ``--endpoint``), with a ledger that holds
nothing and keeps nothing: what it prints is what a deployment of this file does when its rows are
new to the resource (a first deployment, or rows changed since the last one). It calls only
DescribeUserPool, GetCSVHeader, ListUsers, ListGroups and, with ``--passwords-secret``,
GetSecretValue. Passwords are never printed.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO, TextIO

from cognito_user_csv.account_rows import read_account_rows
from cognito_user_import_handler.account_plan import LastApplied
from cognito_user_import_handler.accounts import ADD, ATTRIBUTES, PASSWORD, REMOVE, Step
from cognito_user_import_handler.clients import AwsClients
from cognito_user_import_handler.ledger import Ledger
from cognito_user_import_handler.planning import Plan, make_plan
from cognito_user_import_handler.properties import ExistingUsers, ImportProperties
from cognito_user_import_handler.report import ImportFailed

DEFAULT_REGION = "us-east-1"


class NoLedger(Ledger):
    """A ledger with no history that keeps nothing: the plan writes nowhere."""

    def __init__(self) -> None:
        pass

    def read_json(self, name: str) -> tuple[dict[str, Any] | None, str | None]:
        return None, None

    def write_json(self, name: str, value: dict[str, Any], **_conditions: Any) -> str:
        return ""

    def write_bytes(self, name: str, data: bytes) -> None:
        return None

    def read_bytes(self, name: str) -> bytes | None:
        return None

    def owned_usernames(self) -> set[str]:
        return set()


@dataclass
class UserPlan:
    line: int
    username: str
    action: str
    """import, skip (why) or update (which attributes)."""
    steps: list[Step] = field(default_factory=list)
    """The account steps a deployment takes for this user."""

    def groups(self, op: str) -> list[str]:
        return [step.group for step in self.steps if step.op == op]

    @property
    def sets_password(self) -> bool:
        return any(step.op == PASSWORD for step in self.steps)

    @property
    def details(self) -> list[str]:
        found = ["password set"] if self.sets_password else []
        for op, what in ((ADD, "groups added"), (REMOVE, "groups removed")):
            if self.groups(op):
                found.append(f"{what}: {', '.join(self.groups(op))}")
        return found


def plan_file(
    path: str,
    *,
    user_pool_id: str,
    existing_users: ExistingUsers = ExistingUsers.SKIP,
    passwords_secret_arn: str | None = None,
    clients: AwsClients | None = None,
) -> list[UserPlan]:
    """Each user's plan, in file order; ImportFailed when a deployment would fail before any job."""
    props = ImportProperties(
        user_pool_id=user_pool_id,
        logs_role_arn="",
        source_bucket="",
        source_key=path,
        source_hash="plan",
        source_name=path,
        job_name="plan",
        timeout_seconds=3600,
        existing_users=existing_users,
        passwords_secret_arn=passwords_secret_arn,
        quota_share=0.5,
    )
    plan = make_plan(clients or AwsClients(), props, NoLedger(), LastApplied(None, ""), _opener(path))
    try:
        return _user_plans(path, plan, existing_users)
    finally:
        plan.discard()


def _opener(path: str) -> Callable[[], BinaryIO]:
    """The local file, read as the handler reads the S3 object (the caller closes it)."""
    return lambda: open(path, "rb")


def _user_plans(path: str, plan: Plan, existing_users: ExistingUsers) -> list[UserPlan]:
    steps: dict[str, list[Step]] = {}
    for step in plan.accounts.steps:
        steps.setdefault(step.username, []).append(step)
    imported = set(plan.usernames())
    plans = []
    with open(path, "rb") as body:
        for row in read_account_rows(body):
            own = steps.get(row.username, [])
            plans.append(
                UserPlan(row.line, row.username, _action(row.username, imported, own, existing_users), own)
            )
    return plans


def _action(username: str, imported: set[str], steps: list[Step], existing_users: ExistingUsers) -> str:
    if username in imported:
        return "import"
    updates = [s for s in steps if s.op == ATTRIBUTES]
    if updates:
        return f"update ({', '.join(sorted(updates[0].attributes))})"
    if existing_users is ExistingUsers.UPDATE:
        return "skip (exists, attributes already as in the file)"
    return "skip (exists; changed attributes are not applied with existing_users SKIP)"


def counts(plans: list[UserPlan]) -> dict[str, int]:
    """The counts a deployment reports: imported, skipped, updated, passwords, memberships."""
    actions = Counter(p.action.split(" ", 1)[0] for p in plans)
    return {
        "users": len(plans),
        "to_import": actions["import"],
        "existing": actions["skip"] + actions["update"],
        "to_update": actions["update"],
        "passwords_to_set": sum(p.sets_password for p in plans),
        "group_memberships_to_change": sum(len(p.groups(ADD)) + len(p.groups(REMOVE)) for p in plans),
    }


def summary(plans: list[UserPlan]) -> str:
    """The counts in one line."""
    c = counts(plans)
    return (
        f"{c['users']} users: {c['to_import']} to import, {c['existing']} existing"
        f" ({c['to_update']} to update); {c['passwords_to_set']} passwords to set;"
        f" {c['group_memberships_to_change']} group memberships to change"
    )


def as_json(plans: list[UserPlan]) -> str:
    """For scripts: each user's line, action and details, and the counts (never a password)."""
    users = [
        {"line": p.line, "username": p.username, "action": p.action, "details": p.details} for p in plans
    ]
    return json.dumps({"users": users, "summary": counts(plans)}, indent=1)


def run_plan(args: Any, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """The console command: the counts (per-user lines first with --details; all as JSON with --json);
    exit 1 with the reason a deployment would fail."""
    out, err = out or sys.stdout, err or sys.stderr
    with _endpoint(args.endpoint):
        try:
            plans = plan_file(
                args.file,
                user_pool_id=args.user_pool_id,
                existing_users=ExistingUsers(args.existing_users.upper()),
                passwords_secret_arn=args.passwords_secret,
            )
        except ImportFailed as error:
            print(
                str(error).replace("No import job was created", "A deployment would create no job"), file=err
            )
            return 1
    if getattr(args, "json", False):
        print(as_json(plans), file=out)
        return 0
    details_wanted = getattr(args, "details", False)
    for plan in plans if details_wanted else []:
        details = "".join(f"; {d}" for d in plan.details)
        print(f"line {plan.line}: {plan.username}: {plan.action}{details}", file=out)
    print(summary(plans), file=out)
    if not details_wanted and plans:
        print("(--details lists each user; --json gives all of it to a script)", file=out)
    return 0


@contextlib.contextmanager
def _endpoint(url: str | None) -> Iterator[None]:
    """Point the handler's clients at an emulator for this command (AWS otherwise)."""
    if url is None:
        yield
        return
    saved = {k: os.environ.get(k) for k in ("AWS_ENDPOINT_URL", "AWS_DEFAULT_REGION")}
    os.environ["AWS_ENDPOINT_URL"] = url
    os.environ.setdefault("AWS_DEFAULT_REGION", DEFAULT_REGION)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
