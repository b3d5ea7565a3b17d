"""The progress lines of deploy-local and the handler's log: totals, share, time left."""

from __future__ import annotations

from datetime import UTC, datetime

from cognito_user_import_handler.progress_line import job_progress_line, progress_line


def test_the_line_has_the_total_the_share_and_the_time_left_from_the_rate_so_far() -> None:
    assert (
        progress_line("imported", 9_999, 19_995, 60.0) == "imported 9,999 of 19,995 (50%), about 1 min left"
    )
    assert progress_line("imported", 400, 20_000, 10.0) == "imported 400 of 20,000 (2%), about 8 min left"
    assert progress_line("updated", 3, 10, 3.0) == "updated 3 of 10 (30%), about 7 s left"
    assert progress_line("imported", 20_000, 20_000, 90.0) == "imported 20,000 of 20,000 (100%)"
    assert progress_line("imported", 0, 20_000, 5.0) == "imported 0 of 20,000 (0%), time left not known yet"


def test_without_a_total_the_count_and_the_rate() -> None:
    assert progress_line("imported", 9_999, None, 40.0) == "imported 9,999, 250 a second"
    assert progress_line("imported", 0, None, 0.0) == "imported 0"


def test_a_jobs_line_uses_its_figures_and_its_start_date() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    job = {"ImportedUsers": 9_999, "SkippedUsers": 0, "FailedUsers": 0, "StartDate": start}
    line = job_progress_line(job, start.timestamp() + 60, total=19_995)
    assert line == "imported 9,999 of 19,995 (50%), about 1 min left, skipped 0, failed 0"
    assert (
        job_progress_line(job, start.timestamp() + 40) == "imported 9,999, 250 a second, skipped 0, failed 0"
    )
