"""The lifecycle column of the matrix: what comes before the request under test, the request itself,
and what a person expects afterwards."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from handler_world import create_world

from matrix_harness import PRE_EXISTING, Cell

HEADER = "cognito:username,email,email_verified\n"
ROWS = {name: f"{name},{name}@example.com,true\n" for name in ("ana", "bo", "cy", "zed", "dee", "eve")}


def users_file(*names: str) -> str:
    return HEADER + "".join(ROWS[name] for name in names)


FILE_A = users_file("ana", "bo", "cy", "zed")


@dataclass
class Expect:
    status: str
    data: dict[str, str] = field(default_factory=dict)
    """Expected values of these Data keys."""
    new_jobs: int = 0
    """Jobs the request under test creates (at most one, whatever the delivery)."""
    users: set[str] | None = None
    """The pool's usernames afterwards."""


@dataclass
class Lifecycle:
    name: str
    prepare: Callable[[Cell], dict[str, Any]]
    """Runs the steps before, answers the request under test (an event)."""
    expect: Expect
    has_job: bool
    after: Callable[[Cell, dict[str, Any]], None] | None = None
    """What CloudFormation sends next (a clean-up Delete), once the request is answered."""


def _props(cell: Cell, body: str, key: str = "a.csv", **extra: str) -> dict[str, str]:
    # The whole quota: the matrix is about deliveries; pacing has tests of its own.
    return cell.world.put_source(body, key=key) | {"RemoveUsersOnDelete": "true", "QuotaShare": "1"} | extra


def _create(cell: Cell, props: dict[str, str]) -> dict[str, Any]:
    return cell.world.event("Create", props)


def _update(cell: Cell, props: dict[str, str], old: dict[str, str], physical_id: str) -> dict[str, Any]:
    return cell.world.event("Update", props, old_properties=old, physical_id=physical_id)


def _created(cell: Cell) -> tuple[dict[str, str], str]:
    """The resource created from FILE_A: (its properties, its physical id)."""
    props = _props(cell, FILE_A)
    answer = cell.send(_create(cell, props))
    assert answer["Status"] == "SUCCESS", answer["Reason"]
    return props, answer["PhysicalResourceId"]


def create(cell: Cell) -> dict[str, Any]:
    return _create(cell, _props(cell, FILE_A))


def unchanged_update(cell: Cell) -> dict[str, Any]:
    props, physical_id = _created(cell)
    return _update(cell, _props(cell, FILE_A, key="a-again.csv"), props, physical_id)


def rows_added(cell: Cell) -> dict[str, Any]:
    props, physical_id = _created(cell)
    added = _props(cell, users_file("ana", "bo", "cy", "zed", "dee", "eve"), key="b.csv")
    return _update(cell, added, props, physical_id)


def rows_removed(cell: Cell) -> dict[str, Any]:
    props, physical_id = _created(cell)
    return _update(cell, _props(cell, users_file("ana", "bo", "zed"), key="c.csv"), props, physical_id)


def settings_only(cell: Cell) -> dict[str, Any]:
    props, physical_id = _created(cell)
    return _update(cell, props | {"TimeoutSeconds": "150", "MaxFailedUsers": "1"}, props, physical_id)


def replacing(cell: Cell) -> dict[str, Any]:
    props, physical_id = _created(cell)
    new_pool = create_world(cell.emulator.url, pool_name="replacement-pool").pool_id
    moved = props | {"UserPoolId": new_pool, "JobName": "renamed-import"}
    return _update(cell, moved, props, physical_id)


def cleanup_delete(cell: Cell, event: dict[str, Any]) -> None:
    """CloudFormation deletes the old physical id after an update answered with a new one."""
    answer = cell.answers(event)[0]
    if answer["Status"] == "SUCCESS" and answer["PhysicalResourceId"] != event["PhysicalResourceId"]:
        delete = cell.world.event(
            "Delete", event["OldResourceProperties"], physical_id=event["PhysicalResourceId"]
        )
        assert cell.send(delete)["Status"] == "SUCCESS"


def failed_update(cell: Cell) -> dict[str, Any]:
    props, physical_id = _created(cell)
    cell.emulator.faults.fail_next_jobs(1)
    added = _props(cell, users_file("ana", "bo", "cy", "zed", "dee"), key="b.csv")
    return _update(cell, added, props, physical_id)


def rollback(cell: Cell) -> dict[str, Any]:
    failing = failed_update(cell)
    assert cell.send(failing)["Status"] == "FAILED"
    # CloudFormation's rollback: the previous properties, the failed ones as old.
    return _update(
        cell, failing["OldResourceProperties"], failing["ResourceProperties"], failing["PhysicalResourceId"]
    )


def delete(cell: Cell) -> dict[str, Any]:
    props, physical_id = _created(cell)
    return cell.world.event("Delete", props, physical_id=physical_id)


def delete_after_failed_create(cell: Cell) -> dict[str, Any]:
    cell.emulator.faults.fail_next_jobs(1)
    props = _props(cell, FILE_A)
    answer = cell.send(_create(cell, props))
    assert answer["Status"] == "FAILED"
    return cell.world.event("Delete", props, physical_id=answer["PhysicalResourceId"])


ACCOUNTS_HEADER = "cognito:username,email,email_verified,given_name,groups\n"
PASSWORD = "Matrix-Passw0rd!3e"


def _accounts_world(cell: Cell) -> str:
    """Groups in the pool and a passwords secret for ana and bo; answers the secret's ARN."""
    cognito = cell.world.client("cognito-idp")
    for group in ("admins", "testers"):
        cognito.create_group(UserPoolId=cell.world.pool_id, GroupName=group)
    secrets = cell.world.client("secretsmanager")
    value = json.dumps({"ana": PASSWORD, "bo": PASSWORD})
    return str(secrets.create_secret(Name=f"matrix-{uuid.uuid4().hex}", SecretString=value)["ARN"])


def accounts_create(cell: Cell) -> dict[str, Any]:
    """A Create whose users then get passwords and groups (the steps after the job)."""
    secret = _accounts_world(cell)
    body = (
        ACCOUNTS_HEADER + "ana,ana@example.com,true,Ana,admins testers\nbo,bo@example.com,true,Bo,testers\n"
    )
    return _create(cell, _props(cell, body, PasswordsSecretArn=secret))


def accounts_update(cell: Cell) -> dict[str, Any]:
    """An Update that changes an attribute (UPDATE), moves ana out of a group and sets no password."""
    body = (
        ACCOUNTS_HEADER + "ana,ana@example.com,true,Ana,admins testers\nbo,bo@example.com,true,Bo,testers\n"
    )
    props = _props(cell, body, ExistingUsers="UPDATE")
    _accounts_world(cell)
    answer = cell.send(_create(cell, props))
    assert answer["Status"] == "SUCCESS", answer["Reason"]
    changed = body.replace("Bo,testers", "Bob,testers").replace("admins testers", "admins")
    return _update(
        cell, _props(cell, changed, key="b.csv", ExistingUsers="UPDATE"), props, answer["PhysicalResourceId"]
    )


CREATED = {"ImportedUsers": "3", "SkippedUsers": "1", "FailedUsers": "0"}
ALL = {"ana", "bo", "cy", "zed"}
ACCOUNTS = {"ana", "bo", PRE_EXISTING}

LIFECYCLES = [
    Lifecycle("create", create, Expect("SUCCESS", {"Status": "Succeeded", **CREATED}, 1, ALL), True),
    Lifecycle(
        "unchanged_update",
        unchanged_update,
        Expect("SUCCESS", {"Status": "NothingToImport", "ImportedUsers": "0", "SkippedUsers": "4"}, 0, ALL),
        False,
    ),
    Lifecycle(
        "rows_added",
        rows_added,
        Expect("SUCCESS", {"Status": "Succeeded", "ImportedUsers": "2"}, 1, ALL | {"dee", "eve"}),
        True,
    ),
    Lifecycle(
        "rows_removed",
        rows_removed,
        Expect("SUCCESS", {"Status": "NothingToImport", "SkippedUsers": "3"}, 0, ALL),
        False,
    ),
    Lifecycle(
        "settings_only", settings_only, Expect("SUCCESS", {"Status": "Succeeded", **CREATED}, 0, ALL), False
    ),
    Lifecycle(
        "replacing",
        replacing,
        Expect("SUCCESS", {"Status": "Succeeded", "ImportedUsers": "4"}, 1, ALL),
        True,
        after=cleanup_delete,
    ),
    Lifecycle("failed_update", failed_update, Expect("FAILED", {}, 1, ALL), True),
    Lifecycle("rollback", rollback, Expect("SUCCESS", {"Status": "Succeeded", **CREATED}, 0, ALL), False),
    Lifecycle("delete", delete, Expect("SUCCESS", {}, 0, {PRE_EXISTING}), False),
    Lifecycle(
        "accounts_create",
        accounts_create,
        Expect("SUCCESS", {"ImportedUsers": "2", "PasswordsSet": "2", "GroupMemberships": "3"}, 1, ACCOUNTS),
        True,
    ),
    Lifecycle(
        "accounts_update",
        accounts_update,
        Expect(
            "SUCCESS",
            {"Status": "NothingToImport", "UpdatedUsers": "1", "GroupMemberships": "1", "PasswordsSet": "0"},
            0,
            ACCOUNTS,
        ),
        False,
    ),
    Lifecycle(
        "delete_after_failed_create",
        delete_after_failed_create,
        Expect("SUCCESS", {}, 0, None),
        False,
    ),
]
