"""AWS-quota mode: token buckets (fake clock), call counts, latency, and a throttled burst over HTTP."""

from __future__ import annotations

import math
import time
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError

from cognito_user_import_emulator import Emulator, EmulatorControl, EmulatorSettings, Faults
from cognito_user_import_emulator.admission import Admission
from cognito_user_import_emulator.calls import CallStats
from cognito_user_import_emulator.control import EmulatorControlError
from cognito_user_import_emulator.quotas import CATEGORIES, QuotaLimiter

if TYPE_CHECKING:
    from conftest import EmulatorKit

REGION = "us-east-1"


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _allowed(limiter: QuotaLimiter, attempts: int, operation: str, params: dict[str, Any]) -> int:
    return sum(limiter.admit(REGION, operation, params) for _ in range(attempts))


@pytest.mark.parametrize(
    ("operation", "rate"),
    [("ListUsers", 30), ("AdminCreateUser", 50), ("AdminGetUser", 120), ("CreateUserImportJob", 5)],
)
def test_bucket_admits_its_rate_over_fake_time(operation: str, rate: int) -> None:
    clock = FakeClock()
    limiter = QuotaLimiter(clock)
    # Offered far above the quota: 1,000 calls a second for 10 fake seconds, on distinct users so only
    # the category (or the pool-and-operation bucket) limits.
    allowed = 0
    for step in range(10_000):
        clock.now = 100.0 + step * 0.001
        allowed += limiter.admit(REGION, operation, {"UserPoolId": "us-east-1_a", "Username": f"u{step}"})
    elapsed = clock.now - 100.0
    # A full bucket (one second's worth) to start, then the rate: allowed / elapsed tends to the rate.
    assert abs(allowed - (rate + rate * elapsed)) <= 1


def test_per_pool_buckets_sit_under_the_category_bucket() -> None:
    clock = FakeClock()
    limiter = QuotaLimiter(clock)
    # UserPoolResourceRead: 20 a second for the account, 5 per operation per pool.
    per_pool = [_allowed(limiter, 10, "DescribeUserPool", {"UserPoolId": f"us-east-1_{n}"}) for n in range(5)]
    assert per_pool == [5, 5, 5, 5, 0]  # the fifth pool finds the category empty
    assert _allowed(limiter, 1, "GetCSVHeader", {"UserPoolId": "us-east-1_9"}) == 0
    clock.now += 1.0
    assert _allowed(limiter, 10, "DescribeUserPool", {"UserPoolId": "us-east-1_0"}) == 5
    # Another operation on the same pool has its own per-pool bucket.
    assert _allowed(limiter, 10, "GetCSVHeader", {"UserPoolId": "us-east-1_0"}) == 5
    # Another region is another set of quotas.
    assert (
        sum(limiter.admit("eu-west-1", "DescribeUserPool", {"UserPoolId": "eu-west-1_0"}) for _ in range(9))
        == 5
    )


def test_per_user_reads_and_writes_are_counted_apart() -> None:
    limiter = QuotaLimiter(FakeClock())
    ana = {"UserPoolId": "us-east-1_a", "Username": "ana"}
    assert _allowed(limiter, 15, "AdminGetUser", ana) == 10
    assert _allowed(limiter, 15, "AdminUpdateUserAttributes", ana) == 10
    assert _allowed(limiter, 15, "AdminGetUser", {**ana, "Username": "bob"}) == 10


def test_operations_without_a_quota_are_never_refused() -> None:
    limiter = QuotaLimiter(FakeClock())
    assert _allowed(limiter, 500, "CreateUserPool", {}) == 500


def test_peak_rps_is_the_most_calls_in_any_one_second_window() -> None:
    clock = FakeClock()
    calls = CallStats(clock)
    for offset in (0.0, 0.2, 0.4, 0.6, 0.8, 1.0, 1.1, 3.0):
        clock.now = 100.0 + offset
        calls.record("ListUsers")
    calls.record_throttled("ListUsers")
    # (100.1, 101.1] holds 0.2 .. 1.1: six calls; no one-second window holds seven.
    answer = calls.to_json()
    assert answer["operations"]["ListUsers"] == {
        "category": "UserList",
        "calls": 8,
        "throttled": 1,
        "peak_rps": 6,
    }
    assert answer["categories"]["UserList"] == {
        "quota_rps": 30,
        "per_pool_quota_rps": None,
        "calls": 8,
        "throttled": 1,
        "peak_rps": 6,
    }
    calls.reset()
    assert calls.to_json()["operations"] == {}


def _admission(settings: EmulatorSettings, slept: list[float]) -> Admission:
    return Admission(settings, Faults(), CallStats(), QuotaLimiter(FakeClock()), sleep=slept.append)


def test_latency_follows_the_mode_unless_set() -> None:
    settings = EmulatorSettings()
    slept: list[float] = []
    admission = _admission(settings, slept)
    environ = {"CONTENT_TYPE": "application/x-amz-json-1.1"}

    def call(target: str = "AWSCognitoIdentityProviderService.ListUserPools") -> None:
        assert admission.refusal(environ, target, b'{"MaxResults": 1}') is None

    call()  # quotas on, latency unset: the AWS-like default
    settings.call_latency_seconds = 0.0
    call()
    settings.update({"aws_quotas": False, "call_latency_seconds": None})
    call()  # quotas off, latency unset: none
    settings.call_latency_seconds = 0.2
    call()
    call("Logs_20140328.DescribeLogGroups")  # not a Cognito call: never delayed
    assert slept == [0.03, 0.2]


def test_settings_refuse_wrong_types_and_change_nothing() -> None:
    settings = EmulatorSettings()
    for bad in ({"aws_quotas": 1}, {"call_latency_seconds": -1}, {"pending_seconds": None}):
        with pytest.raises(ValueError, match="must be"):
            settings.update({"tick_seconds": 1.0, **bad})
    assert settings == EmulatorSettings()


def test_fixtures_run_without_quotas_or_latency(emulator: Emulator) -> None:
    assert emulator.settings.aws_quotas is False and emulator.settings.call_latency() == 0.0
    assert EmulatorSettings().aws_quotas is True  # the Emulator class and the CLI default to quota mode


def test_opt_in_fixture_turns_quota_mode_on(emulator_aws_quotas: Emulator) -> None:
    assert emulator_aws_quotas.settings.aws_quotas is True
    assert emulator_aws_quotas.settings.call_latency() == 0.0


def _describe_burst(emu_kit: EmulatorKit, pool_id: str, count: int) -> list[str]:
    def describe(_: int) -> str:
        try:
            emu_kit.cognito.describe_user_pool(UserPoolId=pool_id)
        except ClientError as error:
            return str(error.response["Error"]["Code"])
        return "ok"

    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(describe, range(count)))


def test_a_burst_is_throttled_and_reported(emu_kit: EmulatorKit, monkeypatch: pytest.MonkeyPatch) -> None:
    emu = emu_kit.emulator
    pool_id = emu_kit.pool()
    emu.settings.aws_quotas = True
    # The quota clock stands still, so exactly one bucketful (5 per operation and pool) gets through.
    monkeypatch.setattr(emu.quotas, "clock", lambda: 1_000.0)
    control = EmulatorControl(emu.url)
    control.calls.reset()
    started = time.monotonic()
    results = _describe_burst(emu_kit, pool_id, 40)
    elapsed = time.monotonic() - started
    assert results.count("ok") == 5
    assert results.count("TooManyRequestsException") == 35

    report = control.calls.to_json()
    assert set(report["operations"]) == {"DescribeUserPool"}
    operation = report["operations"]["DescribeUserPool"]
    assert (operation["category"], operation["calls"], operation["throttled"]) == (
        "UserPoolResourceRead",
        40,
        35,
    )
    # 40 calls within `elapsed` seconds: some one-second window holds at least 40 / ceil(elapsed).
    assert 40 / max(1, math.ceil(elapsed)) <= operation["peak_rps"] <= 40
    category = report["categories"]["UserPoolResourceRead"]
    assert category == {
        "quota_rps": 20,
        "per_pool_quota_rps": 5,
        "calls": 40,
        "throttled": 35,
        "peak_rps": operation["peak_rps"],
    }
    assert {name: c["calls"] for name, c in report["categories"].items()} == {
        c.name: 0 for c in CATEGORIES
    } | {"UserPoolResourceRead": 40}

    control.calls.reset()
    cleared = emu.calls.to_json()
    assert cleared["operations"] == {} and cleared["categories"]["UserPoolResourceRead"]["peak_rps"] == 0


def test_throttled_answer_is_cognito_json(emu_kit: EmulatorKit, monkeypatch: pytest.MonkeyPatch) -> None:
    emu_kit.emulator.settings.aws_quotas = True
    monkeypatch.setattr(emu_kit.emulator.quotas, "clock", lambda: 1_000.0)
    answers = [emu_kit.raw("ListUsers", {"UserPoolId": "us-east-1_nopool"}) for _ in range(31)]
    assert answers[-1] == (400, {"__type": "TooManyRequestsException", "message": "Rate exceeded"})
    assert all(
        status == 400 and body["__type"] == "ResourceNotFoundException" for status, body in answers[:30]
    )


def test_without_quota_mode_calls_are_counted_not_throttled(emu_kit: EmulatorKit) -> None:
    pool_id = emu_kit.pool()
    assert _describe_burst(emu_kit, pool_id, 40) == ["ok"] * 40
    counts = emu_kit.emulator.calls.to_json()["operations"]
    assert {name: (c["calls"], c["throttled"]) for name, c in counts.items()} == {
        "CreateUserPool": (1, 0),
        "DescribeUserPool": (40, 0),
    }


def test_quota_settings_and_calls_over_http(emu_kit: EmulatorKit) -> None:
    emu = emu_kit.emulator
    control = EmulatorControl(emu.url)
    control.settings.aws_quotas = True
    control.update_settings(call_latency_seconds=None)
    assert emu.settings.aws_quotas is True and emu.settings.call_latency() == 0.03
    assert control.settings.call_latency_seconds is None
    control.settings.call_latency_seconds = 0
    assert emu.settings.call_latency() == 0.0
    with pytest.raises(EmulatorControlError, match="aws_quotas must be true or false"):
        control.update_settings(aws_quotas="yes")  # type: ignore[arg-type]
    with pytest.raises(EmulatorControlError, match="reset"):
        control.call("POST", "calls", {"clear": True})
    emu.reset()
    assert emu.settings.aws_quotas is False  # the fixture's defaults again
    assert control.calls.to_json()["operations"] == {}
