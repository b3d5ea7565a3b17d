"""Counts of the Cognito calls the emulator received, for ``GET /_emulator/calls``.

Per operation: ``calls`` (every call received, throttled ones included), ``throttled`` (answered
TooManyRequestsException, by a quota or by a throttle fault) and ``peak_rps`` (the most calls in any
one-second window). Per quota category: ``quota_rps`` (and ``per_pool_quota_rps`` where AWS sets one),
``calls``, ``throttled`` and ``peak_rps`` over all of its operations. Counted whether or not AWS-quota
mode is on, so a test can check a client's pace against the quotas without being throttled.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import Any

from .quotas import CATEGORIES, OPERATION_CATEGORY, Clock

WINDOW_SECONDS = 1.0


class _Counter:
    """Calls, throttled calls and the peak count within a sliding one-second window."""

    def __init__(self) -> None:
        self.calls = 0
        self.throttled = 0
        self.peak = 0
        self._recent: deque[float] = deque()

    def add(self, now: float) -> None:
        self.calls += 1
        # The window (now - 1 s, now]: the largest count over the windows ending at each call is the
        # largest over every one-second window.
        while self._recent and self._recent[0] <= now - WINDOW_SECONDS:
            self._recent.popleft()
        self._recent.append(now)
        self.peak = max(self.peak, len(self._recent))

    def to_json(self) -> dict[str, int]:
        return {"calls": self.calls, "throttled": self.throttled, "peak_rps": self.peak}


class CallStats:
    """Thread-safe counters per operation and per quota category."""

    def __init__(self, clock: Clock = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._operations: dict[str, _Counter] = {}
        self._categories: dict[str, _Counter] = {}

    def record(self, operation: str) -> None:
        """One call of ``operation`` received."""
        with self._lock:
            now = self._clock()
            for counter in self._counters(operation):
                counter.add(now)

    def record_throttled(self, operation: str) -> None:
        """The call just recorded was answered TooManyRequestsException."""
        with self._lock:
            for counter in self._counters(operation):
                counter.throttled += 1

    def _counters(self, operation: str) -> list[_Counter]:
        counters = [self._operations.setdefault(operation, _Counter())]
        category = OPERATION_CATEGORY.get(operation)
        if category is not None:
            counters.append(self._categories.setdefault(category.name, _Counter()))
        return counters

    def reset(self) -> None:
        with self._lock:
            self._operations.clear()
            self._categories.clear()

    def to_json(self) -> dict[str, Any]:
        with self._lock:
            operations = {
                name: {"category": _category_name(name), **counter.to_json()}
                for name, counter in sorted(self._operations.items())
            }
            categories: dict[str, Any] = {}
            for category in CATEGORIES:
                counter = self._categories.get(category.name, _Counter())
                categories[category.name] = {
                    "quota_rps": category.rps,
                    "per_pool_quota_rps": category.per_pool_rps,
                    **counter.to_json(),
                }
        return {"operations": operations, "categories": categories}


def _category_name(operation: str) -> str | None:
    category = OPERATION_CATEGORY.get(operation)
    return None if category is None else category.name
