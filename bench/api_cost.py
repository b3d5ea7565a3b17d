"""api_cost (issue 13): what a deployment costs in Cognito calls, and how much of each quota it takes.

The real handler (cold, production poll interval, QuotaShare at its default 0.5) runs in this process
against an Emulator of its own in AWS-quota mode (``aws_quotas`` on, the default call latency of
30 ms), so every Cognito call is admitted or throttled as AWS would. Three lifecycle paths:

(a) Create of 10,000 users into an empty pool;
(b) the redeploy of (a) adding 2 users: an Update whose previous state (row digests) is in the ledger;
(c) Create of a 100,000-user seed into a pool that already holds them (10,000 with --quick); the pool
    is filled beforehand through one import job run directly on the job API (not counted);
(d) Create of 10,000 users (1,000 with --quick), each in a group and with a password from a secret: the
    job, then 20,000 account steps paced at half of UserUpdate (25/s) and UserAccountRecovery (30/s).
    The function's own timeout (5 minutes) ends the first invocation; scheduled polls (40 s each,
    fired here at once instead of a minute apart) finish the steps.

For each: the emulator's ``/_emulator/calls`` (reset before the request) gives the calls per category
and the peak calls in any one-second window; the peak share is peak_rps / quota_rps, per category and
per pool and operation where AWS sets a per-pool rate. The handler's S3 calls (the users file and the
ledger) are counted with a botocore hook on its S3 client. Wall time: from the call to the response's
arrival at the ResponseURL.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from bench._result import Measurement
from bench._world import LambdaContext, World, cold_handler, create_world, set_aws_environment, user_rows
from bench.redeploy_10k import _import_directly

NAME = "api_cost"
USERS = 10_000
FULL_POOL_USERS = 100_000
QUICK_FULL_POOL_USERS = 10_000
SHARE_LIMIT = 0.5
UPDATE_CALLS_LIMIT = 200
UPDATE_SECONDS_LIMIT = 10.0


@dataclass
class Cost:
    """One request's cost."""

    seconds: float
    calls: dict[str, Any]
    s3: Counter[str] = field(default_factory=Counter)
    answer: dict[str, Any] = field(default_factory=dict)

    @property
    def cognito_calls(self) -> int:
        return sum(int(c["calls"]) for c in self.calls["categories"].values())

    def per_category(self) -> dict[str, int]:
        return {name: int(c["calls"]) for name, c in self.calls["categories"].items() if c["calls"]}

    def shares(self) -> dict[str, float]:
        """Peak share of each quota used: per category, and per pool and operation where AWS sets one."""
        shares: dict[str, float] = {}
        categories = self.calls["categories"]
        for name, c in categories.items():
            if c["calls"]:
                shares[name] = c["peak_rps"] / c["quota_rps"]
        for operation, c in self.calls["operations"].items():
            per_pool = categories.get(c["category"] or "", {}).get("per_pool_quota_rps")
            if per_pool:
                shares[f"{operation} (per pool)"] = c["peak_rps"] / per_pool
        return shares

    def throttled(self) -> int:
        return sum(int(c["throttled"]) for c in self.calls["categories"].values())

    def describe(self) -> str:
        categories = ", ".join(f"{name} {count}" for name, count in self.per_category().items())
        operations = ", ".join(
            f"{name} {c['calls']} (peak {c['peak_rps']}/s)" for name, c in self.calls["operations"].items()
        )
        shares = ", ".join(f"{name} {share:.2f}" for name, share in self.shares().items())
        s3 = ", ".join(f"{name} {count}" for name, count in sorted(self.s3.items()))
        return (
            f"{self.cognito_calls} Cognito calls ({categories}); throttled {self.throttled()};"
            f" operations: {operations}; peak shares: {shares}; S3 calls {sum(self.s3.values())} ({s3});"
            f" answer: {self.answer.get('Status')} {self.answer.get('Data')}"
        )


def _count_s3(counts: Counter[str]) -> None:
    """Count the calls of every S3 client the handler makes from now on (the users file and the ledger)."""
    from cognito_user_import_handler import clients

    original = clients.AwsClients._client

    def counting(self: Any, service: str, retries: dict[str, Any] | None = None) -> Any:
        client = original(self, service, retries)
        if service == "s3":

            def before_call(model: Any, **_: Any) -> None:
                counts[model.name] += 1

            client.meta.events.register("before-call", before_call)
        return client

    clients.AwsClients._client = counting  # type: ignore[method-assign]


def _request(emulator: Any, world: World, event: dict[str, Any], s3: Counter[str]) -> Cost:
    """One request through a cold handler, its calls counted from a reset."""
    s3.clear()
    handler = cold_handler()
    emulator.calls.reset()
    arrivals = len(world.responses.arrivals)
    invoked_at = time.time()
    handler(event, LambdaContext(900.0))
    if len(world.responses.arrivals) <= arrivals:
        raise RuntimeError("the handler sent no response")
    seconds = world.responses.arrivals[-1] - invoked_at
    body = world.responses.responses[-1]
    if body["Status"] != "SUCCESS":
        raise RuntimeError(f"the request failed: {body.get('Reason')}")
    return Cost(seconds, emulator.calls.to_json(), Counter(s3), body)


def _create_then_update(emulator: Any, users: int, s3: Counter[str]) -> tuple[Cost, Cost]:
    """(a) a Create of `users` users into an empty pool, (b) the Update adding 2 rows to that file."""
    world = create_world(emulator.url)
    try:
        first = world.put_source(user_rows(users))
        create = _request(emulator, world, world.event("Create", first), s3)
        physical_id = create.answer["PhysicalResourceId"]
        second = world.put_source(user_rows(users + 2))
        event = world.event("Update", second, old_properties=first, physical_id=physical_id)
        update = _request(emulator, world, event, s3)
    finally:
        world.close()
    if create.answer["Data"].get("ImportedUsers") != str(users):
        raise RuntimeError(f"(a) expected {users} imported: {create.answer['Data']}")
    if update.answer["Data"].get("ImportedUsers") != "2":
        raise RuntimeError(f"(b) expected 2 imported: {update.answer['Data']}")
    return create, update


def _create_into_full_pool(emulator: Any, users: int, s3: Counter[str]) -> Cost:
    """(c) a Create of a `users`-user seed into a pool that holds them all (filled beforehand, fast)."""
    world = create_world(emulator.url, pool_name="full-pool")
    try:
        seed = user_rows(users)
        defaults = emulator.settings.copy()
        emulator.update_settings(pending_seconds=0, seconds_per_row=0, min_run_seconds=0)
        _import_directly(world, seed)
        emulator.settings.restore(defaults)
        # A resource of its own: (a) and (b)'s ledger state is not this one's.
        event = world.event("Create", world.put_source(seed), logical_id="FullPoolSeed")
        cost = _request(emulator, world, event, s3)
    finally:
        world.close()
    if cost.answer["Data"].get("SkippedUsers") != str(users):
        raise RuntimeError(f"(c) expected {users} skipped: {cost.answer['Data']}")
    return cost


ACCOUNT_USERS = 10_000
QUICK_ACCOUNT_USERS = 1_000
FUNCTION_TIMEOUT_SECONDS = 300.0  # the construct's Lambda timeout


def _with_groups(rows: bytes) -> bytes:
    lines = rows.decode().splitlines()
    grouped = [
        lines[0] + ",groups",
        *(f"{line},{'admins' if n % 10 == 0 else 'testers'}" for n, line in enumerate(lines[1:])),
    ]
    return ("\n".join(grouped) + "\n").encode()


def _create_with_accounts(emulator: Any, users: int, s3: Counter[str]) -> tuple[Cost, int]:
    """(d) a Create whose users all get a group and a password; (its cost, the invocations it took)."""
    import json

    world = create_world(emulator.url, pool_name="accounts-pool")
    try:
        cognito = world.client("cognito-idp")
        for group in ("admins", "testers"):
            cognito.create_group(UserPoolId=world.pool_id, GroupName=group)
        passwords = {f"user{i:06d}": f"Bench-{i:06d}!Pw" for i in range(users)}
        secret = world.client("secretsmanager").create_secret(
            Name="bench", SecretString=json.dumps(passwords)
        )
        props = world.put_source(_with_groups(user_rows(users))) | {
            "PasswordsSecretArn": secret["ARN"],
            "TimeoutSeconds": "3600",
        }
        event = world.event("Create", props, logical_id="AccountsSeed")
        cost, invocations = _request_with_polls(emulator, world, event, s3)
    finally:
        world.close()
    data = cost.answer["Data"]
    if (data.get("PasswordsSet"), data.get("GroupMemberships")) != (str(users), str(users)):
        raise RuntimeError(f"(d) expected {users} passwords and memberships: {data}")
    return cost, invocations


def _request_with_polls(
    emulator: Any, world: World, event: dict[str, Any], s3: Counter[str]
) -> tuple[Cost, int]:
    """A request that outlives its invocation: the scheduled polls are fired as soon as they exist."""
    s3.clear()
    emulator.calls.reset()
    arrivals = len(world.responses.arrivals)
    invoked_at = time.time()
    cold_handler()(event, LambdaContext(FUNCTION_TIMEOUT_SECONDS))
    invocations = 1
    while len(world.responses.arrivals) <= arrivals:
        for scheduled in world.scheduled_inputs():
            cold_handler()(scheduled, LambdaContext(FUNCTION_TIMEOUT_SECONDS))
            invocations += 1
        time.sleep(0.5)
    body = world.responses.responses[-1]
    if body["Status"] != "SUCCESS":
        raise RuntimeError(f"the request failed: {body.get('Reason')}")
    seconds = world.responses.arrivals[-1] - invoked_at
    return Cost(seconds, emulator.calls.to_json(), Counter(s3), body), invocations


def _rows(
    label: str, cost: Cost, *, calls_limit: float | None, seconds_limit: float | None
) -> list[Measurement]:
    shares = cost.shares()
    top = max(shares, key=lambda name: shares[name])
    return [
        Measurement(
            NAME, f"{label}: Cognito calls", cost.cognito_calls, "calls", calls_limit, cost.describe()
        ),
        Measurement(NAME, f"{label}: peak share of a quota ({top})", shares[top], "x", SHARE_LIMIT),
        Measurement(NAME, f"{label}: throttled calls", cost.throttled(), "calls", None),
        Measurement(NAME, f"{label}: S3 calls (file and ledger)", sum(cost.s3.values()), "calls", None),
        Measurement(NAME, f"{label}: wall time", cost.seconds, "s", seconds_limit),
    ]


def run(emulator: object, *, quick: bool = False) -> list[Measurement]:
    from cognito_user_import_emulator import Emulator, EmulatorSettings

    full_pool = QUICK_FULL_POOL_USERS if quick else FULL_POOL_USERS
    s3: Counter[str] = Counter()
    _count_s3(s3)
    with Emulator(settings=EmulatorSettings(aws_quotas=True)) as own:
        set_aws_environment(own.url)
        create, update = _create_then_update(own, USERS, s3)
        full = _create_into_full_pool(own, full_pool, s3)
        account_users = QUICK_ACCOUNT_USERS if quick else ACCOUNT_USERS
        accounts, invocations = _create_with_accounts(own, account_users, s3)
    return [
        *_rows(f"(a) Create, {USERS:,} users, empty pool", create, calls_limit=None, seconds_limit=None),
        *_rows(
            f"(b) Update adding 2 to a {USERS:,} seed",
            update,
            calls_limit=UPDATE_CALLS_LIMIT,
            seconds_limit=UPDATE_SECONDS_LIMIT,
        ),
        *_rows(
            f"(c) Create, {full_pool:,} users, pool holds them", full, calls_limit=None, seconds_limit=None
        ),
        *_rows(
            f"(d) Create, {account_users:,} users with groups and passwords",
            accounts,
            calls_limit=None,
            seconds_limit=None,
        ),
        Measurement(NAME, "(d) invocations (the first, then scheduled polls)", invocations, "calls", None),
    ]
