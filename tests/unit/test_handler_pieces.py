"""The handler's pure pieces: properties, response size, rule names, failure reasons."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from cognito_user_import_handler.properties import ExistingUsers, ImportProperties, PropertyError
from cognito_user_import_handler.report import FailingRow, Figures, failure_reason, plural
from cognito_user_import_handler.resource import RESPONSE_LIMIT_BYTES, fit_reason, rule_name

PROPERTIES = {
    "ServiceToken": "arn:aws:lambda:us-east-1:123456789012:function:f",
    "UserPoolId": "us-east-1_abc",
    "LogsRoleArn": "arn:aws:iam::123456789012:role/logs",
    "SourceBucket": "bucket",
    "SourceKey": "key.csv",
    "SourceHash": "abc123",
    "JobName": "seed",
}


def test_properties_parse_cloudformation_strings_with_defaults() -> None:
    props = ImportProperties.from_event(PROPERTIES | {"MaxFailedUsers": "3", "RemoveUsersOnDelete": "TRUE"})

    assert props.max_failed_users == 3
    assert props.remove_users_on_delete is True
    assert props.existing_users is ExistingUsers.SKIP
    assert props.timeout_seconds == 3600
    assert props.source_name == "s3://bucket/key.csv"


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"UserPoolId": ""}, "property UserPoolId is required"),
        ({"TimeoutSeconds": "ten"}, "property TimeoutSeconds must be a whole number, got 'ten'"),
        (
            {"ExistingUsers": "IGNORE"},
            "property ExistingUsers must be one of SKIP, FAIL, UPDATE, got 'IGNORE'",
        ),
        ({"RemoveUsersOnDelete": "yes"}, "property RemoveUsersOnDelete must be 'true' or 'false', got 'yes'"),
    ],
)
def test_bad_properties_are_named(override: dict[str, str], message: str) -> None:
    with pytest.raises(PropertyError, match=message):
        ImportProperties.from_event(PROPERTIES | override)


def test_properties_round_trip_through_the_template_form() -> None:
    props = ImportProperties.from_event(PROPERTIES | {"MaxFailedUsers": "2", "ExistingUsers": "FAIL"})

    assert ImportProperties.from_event(props.to_properties()) == props


def test_a_long_reason_is_cut_to_fit_cloudformations_response_keeping_its_start() -> None:
    body = {
        "Status": "FAILED",
        "PhysicalResourceId": "import-x",
        "Data": {},
        "Reason": "Import job import-x " + "é" * 5000,
    }

    fitted = fit_reason(body)

    assert len(json.dumps(fitted).encode()) <= RESPONSE_LIMIT_BYTES
    assert fitted["Reason"].startswith("Import job import-x ")
    assert fitted["Reason"].endswith("see the handler's log)")
    assert len(fitted["Reason"]) > 256  # crhelper would have cut it to 256


def test_a_short_reason_is_left_alone() -> None:
    body = {"Status": "FAILED", "Reason": "short"}
    assert fit_reason(body) == body


@pytest.mark.parametrize("logical_id", ["SeedUsers", "X" * 200, "Seed.Users-with_odd:chars/" * 5])
def test_rule_names_fit_eventbridge_whatever_the_logical_id(logical_id: str) -> None:
    name = rule_name("cui-1a2b3c4d-", logical_id, "ABCDEFGH")

    assert len(name) <= 64
    assert name.startswith("cui-1a2b3c4d-") and name.endswith("ABCDEFGH")
    assert all(c.isalnum() or c in ".-_" for c in name)


def test_the_failure_reason_names_job_status_figures_message_and_rows() -> None:
    figures = Figures(
        "import-abc", "Failed", 1, 0, 12, "Too many users have failed or been skipped during the import."
    )
    rows = [FailingRow(line, f"user{line}", "The attribute email is not valid.") for line in range(2, 14)]

    reason = failure_reason(
        figures, job_name="seed", source_name="users.csv", failing_rows=rows, max_failed_users=0
    )

    assert reason.startswith("Import job import-abc (seed) ended Failed: imported 1, skipped 0, failed 12.")
    assert "Cognito: Too many users have failed or been skipped during the import." in reason
    assert "Failing rows of users.csv: line 2 (user2): The attribute email is not valid.;" in reason
    assert "line 11 (user11)" in reason and "line 12 (user12)" not in reason
    assert reason.endswith("and 2 more (all listed in the handler's log).")


def test_a_succeeded_job_over_the_failed_user_limit_says_so() -> None:
    figures = Figures("import-abc", "Succeeded", 9, 0, 1, "Import Job Completed Successfully.")

    reason = failure_reason(
        figures, job_name="seed", source_name="u.csv", failing_rows=[], max_failed_users=0
    )

    assert "succeeded but 1 users failed, more than max_failed_users=0" in reason
    assert "could not be read" in reason


def test_clear_work_dir_removes_only_files_no_running_invocation_can_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cognito_user_import_handler import planning

    monkeypatch.setattr(planning, "WORK_DIR", str(tmp_path))
    stale, fresh = tmp_path / "killed.csv", tmp_path / "running.csv"
    stale.write_text("x")
    fresh.write_text("y")
    old = time.time() - planning.LAMBDA_MAX_SECONDS - 60
    os.utime(stale, (old, old))

    planning.clear_work_dir()

    assert sorted(p.name for p in tmp_path.iterdir()) == ["running.csv"]


def test_a_job_that_failed_on_skipped_rows_names_them_not_an_unreadable_log() -> None:
    figures = Figures(
        "import-1", "Failed", 0, 2, 0, "Too many users have failed or been skipped during the import."
    )
    skipped = [
        FailingRow(2, "ana", "The user already exists."),
        FailingRow(3, "bo", "The user already exists."),
    ]

    reason = failure_reason(
        figures,
        job_name="seed",
        source_name="users.csv",
        failing_rows=[],
        max_failed_users=0,
        skipped_rows=skipped,
    )

    assert "Skipped rows of users.csv: line 2 (ana): The user already exists.; line 3 (bo)" in reason
    assert "could not be read" not in reason


def test_nothing_to_import_tells_an_empty_file_from_existing_users_and_keeps_the_last_job() -> None:
    empty = Figures.nothing_to_import(0, rows=0, last_job_id="import-7")
    existing = Figures.nothing_to_import(3, rows=3, last_job_id="import-7")

    assert empty.completion_message == "The file holds no users; no job was created."
    assert "already exists" in existing.completion_message
    assert empty.as_data()["JobId"] == existing.as_data()["JobId"] == "import-7"


def test_plural() -> None:
    assert (plural(1, "user"), plural(2, "user"), plural(0, "user")) == ("1 user", "2 users", "0 users")
