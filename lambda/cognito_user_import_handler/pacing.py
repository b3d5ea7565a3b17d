"""Pacing: the handler's Cognito calls stay within a share of Cognito's request-rate quotas.

The quotas are per account and region and shared with every other caller in the account (the
application's own sign-ins among them), and mostly not adjustable (Cognito developer guide, quotas
page, 2026). So each call waits for its turn at `share` of its category's rate, and of the per-pool
rate of its operation where there is one. Botocore's adaptive retries absorb throttling caused by
others.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import Any

# (category, account-wide requests per second, per pool and operation or None)
QUOTAS: dict[str, tuple[str, float, float | None]] = {
    "CreateUserImportJob": ("UserPoolResourceUpdate", 15.0, 5.0),
    "StartUserImportJob": ("UserPoolResourceUpdate", 15.0, 5.0),
    "StopUserImportJob": ("UserPoolResourceUpdate", 15.0, 5.0),
    "DescribeUserImportJob": ("UserPoolResourceRead", 20.0, 5.0),
    "ListUserImportJobs": ("UserPoolResourceRead", 20.0, 5.0),
    "GetCSVHeader": ("UserPoolResourceRead", 20.0, 5.0),
    "DescribeUserPool": ("UserPoolResourceRead", 20.0, 5.0),
    "ListUsers": ("UserList", 30.0, None),
    "ListUsersInGroup": ("UserList", 30.0, None),
    "AdminGetUser": ("UserRead", 120.0, None),
    "AdminAddUserToGroup": ("UserUpdate", 25.0, None),
    "AdminRemoveUserFromGroup": ("UserUpdate", 25.0, None),
    "AdminUpdateUserAttributes": ("UserUpdate", 25.0, None),
    "AdminDeleteUser": ("UserUpdate", 25.0, None),
    "AdminSetUserPassword": ("UserAccountRecovery", 30.0, None),
    "AdminCreateUser": ("UserCreation", 50.0, None),
}
DEFAULT_SHARE = 0.5
HEADROOM = 0.95
"""Calls are spaced for 95% of the rate: the service counts arrivals, and network jitter can bring
two calls closer than they were sent."""


def spaced_rate(limit: float) -> float:
    """The even rate that keeps every one-second window within `limit` calls: evenly spaced calls at r
    a second put floor(r) + 1 calls in some windows, so r stays under floor(limit) (12.5 allowed a
    second: 12 calls a window, 11.4 a second)."""
    whole = math.floor(limit)
    return (whole if whole >= 1 else limit) * HEADROOM


class Spacing:
    """Calls at most `rate` a second, evenly spaced: no burst, so any one-second window holds at most
    rate + 1 calls (a bucket that starts full would allow twice the rate in its first second)."""

    def __init__(self, rate: float, now: Callable[[], float], sleep: Callable[[float], None]) -> None:
        self.interval = 1.0 / rate
        self._next = 0.0
        self._now = now
        self._sleep = sleep
        self._lock = threading.Lock()

    def wait(self) -> None:
        with self._lock:
            now = self._now()
            start = max(now, self._next)
            self._next = start + self.interval
        if start > now:
            self._sleep(start - now)


class Pacer:
    """One Spacing per quota category and per (pool, operation), at `share` of the quota."""

    def __init__(
        self,
        share: float = DEFAULT_SHARE,
        *,
        now: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._now, self._sleep = now, sleep
        self._spacings: dict[tuple[str, ...], Spacing] = {}
        self.share = share

    @property
    def share(self) -> float:
        return self._share

    @share.setter
    def share(self, share: float) -> None:
        if not 0 < share <= 1:
            raise ValueError(f"quota share must be 0 < share <= 1, got {share!r}")
        if getattr(self, "_share", None) != share:
            self._spacings.clear()
        self._share = share

    def wait_turn(self, operation: str, user_pool_id: str | None) -> None:
        quota = QUOTAS.get(operation)
        if quota is None:
            return
        category, rate, per_pool = quota
        self._spacing((category,), rate).wait()
        if per_pool is not None and user_pool_id:
            self._spacing((category, operation, user_pool_id), per_pool).wait()

    def _spacing(self, key: tuple[str, ...], rate: float) -> Spacing:
        spacing = self._spacings.get(key)
        if spacing is None:
            spacing = self._spacings[key] = Spacing(spaced_rate(rate * self._share), self._now, self._sleep)
        return spacing

    def attach(self, client: Any) -> None:
        """Pace every call `client` makes (botocore's before-parameter-build event, API params)."""

        def before_call(params: dict[str, Any], model: Any, **_: Any) -> None:
            pool = params.get("UserPoolId")
            self.wait_turn(model.name, str(pool) if pool else None)

        client.meta.events.register("before-parameter-build", before_call)
