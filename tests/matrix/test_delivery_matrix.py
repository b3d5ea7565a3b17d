"""The lifecycle x delivery matrix: the real handler, each invocation its own process, against the emulator.

Invariants in every cell: at most one job per request, one consistent answer (every answer the same),
no job on a rollback or when nothing is new, no user removed that the resource did not create, and
no poll rule, permission or converted file left behind. Each cell also ends as the lifecycle expects.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from cognito_user_import_emulator import Emulator

from lifecycles import LIFECYCLES, Lifecycle
from matrix_harness import KILLED, PRE_EXISTING, Cell, Zygote, new_cell

BY_NAME = {lifecycle.name: lifecycle for lifecycle in LIFECYCLES}
# A failing job ends at once in the emulator: no hand-over, so no poll to deliver late.
WITH_JOB = [
    lifecycle.name for lifecycle in LIFECYCLES if lifecycle.has_job and lifecycle.name != "failed_update"
]


def check(cell: Cell, lifecycle: Lifecycle, event: dict[str, Any], jobs_before: int) -> None:
    answers = cell.answers(event)
    assert answers, "no answer"
    first = answers[0]
    assert all(answer == first for answer in answers), f"answers differ: {answers}"
    expect = lifecycle.expect
    assert first["Status"] == expect.status, first.get("Reason")
    for key, value in expect.data.items():
        assert first["Data"].get(key) == value, (key, first["Data"])
    pool = event["ResourceProperties"]["UserPoolId"]
    assert len(cell.jobs_of(event, pool)) == expect.new_jobs, cell.jobs_of(event, pool)
    if pool == cell.world.pool_id:
        assert len(cell.jobs()) == jobs_before + expect.new_jobs
    assert not [job for job in cell.jobs(pool) if job["Status"] in ("Pending", "InProgress")]
    if lifecycle.after is not None:
        lifecycle.after(cell, event)
    users = cell.usernames()
    assert PRE_EXISTING in users, "a user the resource did not create was removed"
    if expect.users is not None:
        assert users == expect.users
    assert cell.leftovers() == []


def prepare(cell: Cell, lifecycle: Lifecycle) -> tuple[dict[str, Any], int]:
    event = lifecycle.prepare(cell)
    return event, len(cell.jobs())


READ_POOL = {"DescribeUserPool": 1, "GetCSVHeader": 1}
MAKE_JOB = {"ListUserImportJobs": 1, "CreateUserImportJob": 1, "StartUserImportJob": 1}
COGNITO_CALLS: dict[str, dict[str, int]] = {
    # One listing of the pool (1 page), then the job budget, create and start.
    "create": READ_POOL | {"ListUsers": 1} | MAKE_JOB,
    # Every row unchanged since the applied file (the ledger's digests): nothing is looked up.
    "unchanged_update": READ_POOL,
    "rows_added": READ_POOL | {"ListUsers": 1} | MAKE_JOB,
    "rows_removed": READ_POOL,
    "settings_only": {},  # answered from the ledger
    "replacing": READ_POOL | {"ListUsers": 1} | MAKE_JOB,
    # One new row in a pool of four: one filtered ListUsers instead of a listing.
    "failed_update": READ_POOL | {"ListUsers": 1} | MAKE_JOB,
    "rollback": {},  # answered from the ledger
    "delete": {"AdminDeleteUser": 3},  # exactly the three users the resource created
    "delete_after_failed_create": {},
    # The steps after the job: the groups checked once, each password and membership one call.
    "accounts_create": READ_POOL
    | {"ListUsers": 1, "ListGroups": 1}
    | MAKE_JOB
    | {"AdminSetUserPassword": 2, "AdminAddUserToGroup": 3},
    # Both rows changed in a pool of three: one listing to find them, one to read their attributes.
    "accounts_update": READ_POOL
    | {"ListUsers": 2, "ListGroups": 1, "AdminUpdateUserAttributes": 1, "AdminRemoveUserFromGroup": 1},
}
"""Each lifecycle's Cognito calls when delivered once, besides DescribeUserImportJob (its number
follows the job's duration): what a deployment costs in the account's shared quotas."""


@pytest.mark.parametrize("name", BY_NAME)
def test_delivered_once(cell: Cell, name: str, tmp_path: Path) -> None:
    event, jobs_before = prepare(cell, BY_NAME[name])
    call_log = tmp_path / "calls.txt"
    cell.invoke(event, call_log=call_log)
    cell.settle(event)
    check(cell, BY_NAME[name], event, jobs_before)
    calls = Counter(call for call in call_log.read_text().split() if call in COGNITO_OPERATIONS)
    del calls["DescribeUserImportJob"]
    assert dict(calls) == COGNITO_CALLS[name]


@pytest.mark.parametrize("name", BY_NAME)
def test_delivered_twice_in_a_row(cell: Cell, name: str) -> None:
    event, jobs_before = prepare(cell, BY_NAME[name])
    for _ in range(2):
        cell.invoke(event)
        cell.settle(event)
    assert len(cell.answers(event)) == 2
    check(cell, BY_NAME[name], event, jobs_before)


@pytest.mark.parametrize("name", BY_NAME)
def test_delivered_twice_at_once(cell: Cell, name: str) -> None:
    event, jobs_before = prepare(cell, BY_NAME[name])
    started = [cell.start(event), cell.start(event)]
    assert [cell.finish(one) for one in started] == [0, 0]
    cell.settle(event)
    check(cell, BY_NAME[name], event, jobs_before)


@pytest.mark.parametrize("name", WITH_JOB)
def test_a_late_poll_after_the_answer_changes_nothing(cell: Cell, name: str) -> None:
    event, jobs_before = prepare(cell, BY_NAME[name])
    cell.emulator.settings.min_run_seconds = 2.5
    cell.timeout = 11.0  # one second of waiting: the job outlives the invocation
    cell.invoke(event)
    fired = cell.settle(event)
    assert fired, "the job should have been handed over to the scheduled polls"
    cell.invoke(fired[-1])  # EventBridge delivers the last poll again, after the answer
    cell.invoke(fired[0])
    check(cell, BY_NAME[name], event, jobs_before)


@pytest.mark.parametrize("name", BY_NAME)
def test_killed_after_each_write_and_delivered_again(
    fresh_emulator: Emulator, zygote: Zygote, tmp_path: Path, name: str
) -> None:
    lifecycle = BY_NAME[name]
    reference = new_cell(fresh_emulator, zygote, tmp_path / "reference")
    event, jobs_before = prepare(reference, lifecycle)
    call_log = tmp_path / "calls.txt"
    reference.invoke(event, call_log=call_log)
    reference.settle(event)
    check(reference, lifecycle, event, jobs_before)
    calls = call_log.read_text().split()
    for point in kill_points(calls, name):
        cell = new_cell(fresh_emulator, zygote, tmp_path / f"kill-{point}")
        cell.claim_seconds = 0.3  # one delivery at a time here: the dead one's claim may lapse soon
        event, jobs_before = prepare(cell, lifecycle)
        assert cell.invoke(event, kill_after=point) == KILLED, f"not killed after call {point}"
        cell.invoke(event)  # Lambda's retry of the same event
        cell.settle(event)
        try:
            check(cell, lifecycle, event, jobs_before)
        except AssertionError as error:
            raise AssertionError(f"killed after call {point} ({calls[point - 1]}): {error}") from error
        cell.world.close()


ACCOUNT_WRITES = {
    "AdminSetUserPassword",
    "AdminAddUserToGroup",
    "AdminRemoveUserFromGroup",
    "AdminUpdateUserAttributes",
}
COGNITO_OPERATIONS = {
    *("DescribeUserPool", "GetCSVHeader", "ListUsers", "AdminDeleteUser", "ListGroups"),
    *ACCOUNT_WRITES,
    *("ListUserImportJobs", "CreateUserImportJob", "StartUserImportJob", "StopUserImportJob"),
    "DescribeUserImportJob",
}

WRITES = {
    "PutObject",
    "DeleteObjects",
    "CreateUserImportJob",
    "Upload",
    "StartUserImportJob",
    "StopUserImportJob",
    "AdminDeleteUser",
    "PutRule",
    "PutTargets",
    "AddPermission",
    "RemoveTargets",
    "RemovePermission",
    "DeleteRule",
    *ACCOUNT_WRITES,
}
"""Calls that change something. A kill right after a read leaves what a kill after the write before it
leaves, so killing after every write (and after the last call) reaches every state a retry can find."""


SAME_PATH_AS_CREATE = {"rows_added", "replacing", "accounts_create"}
"""Lifecycles whose request takes create's path from a different start (a ledger state, another pool):
their sweep kills after the first write of each kind, create's sweep after every write."""


def kill_points(calls: list[str], lifecycle: str) -> list[int]:
    writes = [(number, operation) for number, operation in enumerate(calls, start=1) if operation in WRITES]
    if lifecycle in SAME_PATH_AS_CREATE:
        first: dict[str, int] = {}
        for number, operation in writes:
            first.setdefault(operation, number)
        return sorted(set(first.values()) | {len(calls)})
    return sorted({number for number, _ in writes} | {len(calls)})
