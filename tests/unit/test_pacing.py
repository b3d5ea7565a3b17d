"""The handler's pacing: calls per second of fake time stay within the share of each quota."""

from __future__ import annotations

import pytest

from cognito_user_import_handler.pacing import QUOTAS, Pacer


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.now += seconds


def rate_of(pacer: Pacer, clock: FakeClock, calls: list[tuple[str, str | None]]) -> float:
    for operation, pool in calls:
        pacer.wait_turn(operation, pool)
    return (len(calls) - 1) / clock.now


@pytest.mark.parametrize("share", [0.5, 0.2, 1.0])
def test_one_pools_job_reads_keep_to_the_share_of_five_a_second(share: float) -> None:
    clock = FakeClock()
    pacer = Pacer(share, now=clock, sleep=clock.sleep)

    rate = rate_of(pacer, clock, [("DescribeUserImportJob", "pool-a")] * 101)

    # Whole calls a window: 2.5 allowed a second is 2 calls in any one-second window.
    assert 0.9 * max(1, int(5.0 * share)) <= rate <= 5.0 * share


def test_a_category_is_shared_by_its_operations_and_pools() -> None:
    clock = FakeClock()
    pacer = Pacer(0.5, now=clock, sleep=clock.sleep)
    # Four pools' reads: each pool is far under its own 2.5/s, the category's 10/s is the limit.
    calls = [(op, f"pool-{n % 4}") for n in range(200) for op in ("GetCSVHeader", "DescribeUserPool")][:200]

    rate = rate_of(pacer, clock, calls)

    assert 0.9 * 20.0 * 0.5 <= rate <= 20.0 * 0.5


def test_list_users_is_paced_at_the_share_of_thirty_and_unknown_calls_not_at_all() -> None:
    clock = FakeClock()
    pacer = Pacer(0.5, now=clock, sleep=clock.sleep)

    assert 0.9 * 15.0 <= rate_of(pacer, clock, [("ListUsers", "pool-a")] * 151) <= 15.0
    before = clock.now
    for _ in range(100):
        pacer.wait_turn("PutObject", None)
    assert clock.now == before


def test_no_one_second_window_holds_more_than_the_share() -> None:
    clock = FakeClock()
    pacer = Pacer(0.5, now=clock, sleep=clock.sleep)
    times = []
    for _ in range(300):
        pacer.wait_turn("ListUsers", None)
        times.append(clock.now)

    peak = max(sum(1 for t in times if start <= t < start + 1.0) for start in times)

    assert peak <= QUOTAS["ListUsers"][1] * 0.5


@pytest.mark.parametrize("operation", ["AdminAddUserToGroup", "AdminSetUserPassword", "ListUsers"])
def test_no_closed_one_second_window_holds_more_than_the_share(operation: str) -> None:
    clock = FakeClock()
    pacer = Pacer(0.5, now=clock, sleep=clock.sleep)
    times = []
    for _ in range(300):
        pacer.wait_turn(operation, None)
        times.append(clock.now)

    peak = max(sum(1 for t in times if start <= t <= start + 1.0) for start in times)

    assert peak <= QUOTAS[operation][1] * 0.5  # e.g. UserUpdate: 12 calls where 12.5 are allowed


@pytest.mark.parametrize("share", [0, -0.1, 1.5])
def test_a_share_outside_zero_to_one_is_refused(share: float) -> None:
    with pytest.raises(ValueError, match="0 < share <= 1"):
        Pacer(share)
