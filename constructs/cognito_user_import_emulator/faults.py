"""Fault switches for tests: throttled operations, failed uploads, failed jobs. Thread-safe counters."""

from __future__ import annotations

import threading


class Faults:
    """Counts of faults still to inject; each injected fault uses up one count."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._throttles: dict[str, int] = {}
        self._failed_uploads = 0
        self._failed_jobs = 0
        self._lost_answers: dict[str, int] = {}

    def throttle(self, operation: str, times: int = 1) -> None:
        """The next ``times`` calls of ``operation`` (its X-Amz-Target name, such as
        ``DescribeUserImportJob``) answer ``TooManyRequestsException``."""
        if not operation or times < 0:
            raise ValueError("throttle needs an operation name and times >= 0")
        with self._lock:
            self._throttles[operation] = self._throttles.get(operation, 0) + times

    def fail_uploads(self, times: int = 1) -> None:
        """The next ``times`` pre-signed PUTs answer HTTP 500 and store nothing."""
        if times < 0:
            raise ValueError("times must be >= 0")
        with self._lock:
            self._failed_uploads += times

    def fail_next_jobs(self, times: int = 1) -> None:
        """The next ``times`` started jobs end ``Failed``."""
        if times < 0:
            raise ValueError("times must be >= 0")
        with self._lock:
            self._failed_jobs += times

    def lose_answers(self, operation: str, times: int = 1) -> None:
        """The next ``times`` calls of ``operation`` take effect, but their answer is lost: the client
        gets HTTP 500 ``InternalErrorException`` instead (a connection that broke after the request)."""
        if not operation or times < 0:
            raise ValueError("lose_answers needs an operation name and times >= 0")
        with self._lock:
            self._lost_answers[operation] = self._lost_answers.get(operation, 0) + times

    def take_lost_answer(self, operation: str) -> bool:
        with self._lock:
            left = self._lost_answers.get(operation, 0)
            if left <= 0:
                return False
            self._lost_answers[operation] = left - 1
            return True

    def clear(self) -> None:
        with self._lock:
            self._lost_answers.clear()
            self._throttles.clear()
            self._failed_uploads = 0
            self._failed_jobs = 0

    def take_throttle(self, operation: str) -> bool:
        with self._lock:
            left = self._throttles.get(operation, 0)
            if left <= 0:
                return False
            self._throttles[operation] = left - 1
            return True

    def take_failed_upload(self) -> bool:
        with self._lock:
            if self._failed_uploads <= 0:
                return False
            self._failed_uploads -= 1
            return True

    def take_failed_job(self) -> bool:
        with self._lock:
            if self._failed_jobs <= 0:
                return False
            self._failed_jobs -= 1
            return True

    def to_json(self) -> dict[str, object]:
        with self._lock:
            return {
                "throttle": {name: left for name, left in self._throttles.items() if left > 0},
                "fail_uploads": self._failed_uploads,
                "fail_next_jobs": self._failed_jobs,
            }
