"""A running job's figures reach the log (deploy-local's progress line) every few seconds, not every poll."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from cognito_user_import_handler.jobs import PROGRESS_LOG_SECONDS, ImportJobs


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


class RunningJob:
    """DescribeUserImportJob of a job that imports 100 users a second of fake time for 30 s."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    def describe_user_import_job(self, **_: Any) -> dict[str, Any]:
        imported = min(3000, int(self.clock.now * 100))
        status = "Succeeded" if imported == 3000 else "InProgress"
        return {"UserImportJob": {"JobId": "import-1", "Status": status, "ImportedUsers": imported}}


def test_progress_is_logged_every_few_seconds_while_the_counts_move(caplog: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    jobs: Any = ImportJobs(RunningJob(clock), "pool", poll_seconds=2.0, sleep=clock.sleep, now=clock)  # type: ignore[arg-type]

    with caplog.at_level(logging.INFO, logger="cognito_user_import_handler.jobs"):
        job = jobs.wait("import-1", deadline=1000.0, keep_waiting=lambda: True)

    assert job["Status"] == "Succeeded"
    lines = [r.getMessage() for r in caplog.records if "InProgress (imported" in r.getMessage()]
    # 30 s of polls every 2 s (15 polls): one line per PROGRESS_LOG_SECONDS, not one per poll.
    assert len(lines) == pytest.approx(30 / PROGRESS_LOG_SECONDS, abs=1)
    assert lines[0] == "Import job import-1: InProgress (imported 0, skipped 0, failed 0)"
    assert any("Succeeded (imported 3,000" in r.getMessage() for r in caplog.records)
