"""AWS-quota mode: Cognito's request-rate quotas as token buckets.

The table is the Cognito developer guide's quotas page (2026 text). Quotas hold per account and
region; one emulator is one account, so buckets are kept per region (from the request's credential
scope). "5 per pool" means 5 per operation per user pool, on top of the category's account-wide rate.
Per user, 10 reads and 10 writes a second, applied to the user operations of the table.

ListGroups and GetGroup are this project's reading of the page: user-pool reads (UserPoolResourceRead)
at the category's account-wide rate, with no per-pool rate, as the page sets none for them.
AdminInitiateAuth and InitiateAuth are UserAuthentication (120 a second, adjustable); the page gives the
RespondToAuthChallenge operations a quota of their own, which the emulator does not model.

Each bucket holds at most its rate in tokens (one second's worth) and refills continuously; a call
takes one token from every bucket that applies, or none when any of them is empty: then it is
throttled (TooManyRequestsException).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Clock = Callable[[], float]


@dataclass(frozen=True)
class QuotaCategory:
    name: str
    #: Requests per second for the whole account and region.
    rps: float
    #: Requests per second per operation per user pool, where the quotas page sets one.
    per_pool_rps: float | None
    operations: tuple[str, ...]
    #: Operations of the category that the per-pool rate does not apply to.
    without_per_pool: tuple[str, ...] = ()

    def pool_rate(self, operation: str) -> float | None:
        """The per-pool-and-operation rate of ``operation``, or None where there is none."""
        return None if operation in self.without_per_pool else self.per_pool_rps


CATEGORIES: tuple[QuotaCategory, ...] = (
    QuotaCategory(
        "UserPoolResourceUpdate",
        15,
        5,
        ("CreateUserImportJob", "StartUserImportJob", "StopUserImportJob"),
    ),
    QuotaCategory(
        "UserPoolResourceRead",
        20,
        5,
        (
            "DescribeUserImportJob",
            "ListUserImportJobs",
            "GetCSVHeader",
            "DescribeUserPool",
            "ListGroups",
            "GetGroup",
        ),
        without_per_pool=("ListGroups", "GetGroup"),
    ),
    QuotaCategory("UserList", 30, None, ("ListUsers", "ListUsersInGroup")),
    QuotaCategory("UserRead", 120, None, ("AdminGetUser",)),
    QuotaCategory(
        "UserUpdate",
        25,
        None,
        ("AdminAddUserToGroup", "AdminRemoveUserFromGroup", "AdminUpdateUserAttributes", "AdminDeleteUser"),
    ),
    QuotaCategory("UserAccountRecovery", 30, None, ("AdminSetUserPassword",)),
    QuotaCategory("UserCreation", 50, None, ("AdminCreateUser",)),
    QuotaCategory("UserAuthentication", 120, None, ("AdminInitiateAuth", "InitiateAuth")),
)

#: Operation name -> its category.
OPERATION_CATEGORY: dict[str, QuotaCategory] = {
    operation: category for category in CATEGORIES for operation in category.operations
}

#: Per user (UserPoolId + Username of the request): reads and writes a second, counted apart.
PER_USER_RPS = 10.0
USER_READS = frozenset({"AdminGetUser"})
USER_WRITES = frozenset(
    {
        "AdminCreateUser",
        "AdminAddUserToGroup",
        "AdminRemoveUserFromGroup",
        "AdminUpdateUserAttributes",
        "AdminDeleteUser",
        "AdminSetUserPassword",
    }
)


class TokenBucket:
    """At most ``rate`` tokens, refilled at ``rate`` a second; the clock is passed in, so tests fake it."""

    def __init__(self, rate: float, now: float) -> None:
        self.rate = rate
        self.tokens = rate
        self._stamp = now

    def refill(self, now: float) -> None:
        elapsed = max(0.0, now - self._stamp)
        self.tokens = min(self.rate, self.tokens + elapsed * self.rate)
        self._stamp = max(self._stamp, now)

    def has_token(self) -> bool:
        return self.tokens >= 1.0

    def take(self) -> None:
        self.tokens -= 1.0


BucketKey = tuple[str, ...]


class QuotaLimiter:
    """Decides, call by call, whether a Cognito operation is within every quota that applies to it."""

    def __init__(self, clock: Clock = time.monotonic) -> None:
        self.clock = clock  # replaceable, e.g. frozen by a test
        self._lock = threading.Lock()
        self._buckets: dict[BucketKey, TokenBucket] = {}

    def admit(self, region: str, operation: str, params: dict[str, Any]) -> bool:
        """True (and one token taken from each bucket) when the call is within its quotas."""
        limits = _limits(region, operation, params)
        if not limits:
            return True
        with self._lock:
            now = self.clock()
            buckets = []
            for key, rate in limits:
                bucket = self._buckets.get(key)
                if bucket is None:
                    bucket = self._buckets[key] = TokenBucket(rate, now)
                bucket.refill(now)
                buckets.append(bucket)
            if not all(bucket.has_token() for bucket in buckets):
                return False
            for bucket in buckets:
                bucket.take()
            return True

    def clear(self) -> None:
        with self._lock:
            self._buckets.clear()


def _limits(region: str, operation: str, params: dict[str, Any]) -> list[tuple[BucketKey, float]]:
    """The buckets (key, rate) a call draws from: its category, its pool, its user."""
    limits: list[tuple[BucketKey, float]] = []
    category = OPERATION_CATEGORY.get(operation)
    pool_id = params.get("UserPoolId")
    pool_id = pool_id if isinstance(pool_id, str) else None
    if category is not None:
        limits.append(((region, "category", category.name), category.rps))
        pool_rate = category.pool_rate(operation)
        if pool_rate is not None and pool_id is not None:
            limits.append(((region, "pool", pool_id, operation), pool_rate))
    username = params.get("Username")
    if pool_id is not None and isinstance(username, str):
        kind = "read" if operation in USER_READS else "write" if operation in USER_WRITES else None
        if kind is not None:
            limits.append(((region, "user", pool_id, username, kind), PER_USER_RPS))
    return limits
