"""The job reads the file as Cognito does: header rules, row verdicts, the log, the failure threshold."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from conftest import EmulatorKit

TOO_MANY = "Too many users have failed or been skipped during the import."


def test_header_may_come_in_any_order(emu_kit: EmulatorKit) -> None:
    pool_id = emu_kit.pool()
    header = list(reversed(emu_kit.header(pool_id)))
    done = emu_kit.run(pool_id, emu_kit.csv(header, [emu_kit.user("a")]))
    assert (done["Status"], done["ImportedUsers"]) == ("Succeeded", 1)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda h: [c for c in h if c != "locale"], "missing the columns: locale"),
        (lambda h: [*h, "favourite_colour"], "columns the user pool does not have: favourite_colour"),
    ],
)
def test_header_must_hold_exactly_the_pool_columns(emu_kit: EmulatorKit, change: Any, expected: str) -> None:
    pool_id = emu_kit.pool()
    done = emu_kit.run(pool_id, emu_kit.csv(change(emu_kit.header(pool_id)), [emu_kit.user("a")]))
    assert done["Status"] == "Failed" and expected in done["CompletionMessage"]
    assert emu_kit.users(pool_id) == {}


def test_a_byte_order_mark_fails_the_job(emu_kit: EmulatorKit) -> None:
    pool_id = emu_kit.pool()
    done = emu_kit.run(pool_id, b"\xef\xbb\xbf" + emu_kit.csv(emu_kit.header(pool_id), [emu_kit.user("a")]))
    assert done["Status"] == "Failed" and "byte-order mark" in done["CompletionMessage"]


def test_row_verdicts_counts_and_log_lines(emu_kit: EmulatorKit) -> None:
    emu_kit.emulator.settings.max_failed_or_skipped_ratio = 1.0  # keep the job going to see every verdict
    pool_id = emu_kit.pool(
        Schema=[
            {"Name": "name", "AttributeDataType": "String", "Required": True},
            {"Name": "age", "AttributeDataType": "Number", "NumberAttributeConstraints": {"MaxValue": "150"}},
        ]
    )
    header = emu_kit.header(pool_id)
    assert "custom:age" in header
    emu_kit.cognito.admin_create_user(UserPoolId=pool_id, Username="existing")
    rows = [
        emu_kit.user("good", name="Good", custom__age="42"),  # line 2
        emu_kit.user("existing", name="Existing"),  # line 3: SKIPPED
        emu_kit.user("unverified", name="U", email_verified="false"),  # line 4
        emu_kit.user("mfa", name="M", cognito__mfa_enabled="true"),  # line 5: MFA is OFF
        emu_kit.user("noname"),  # line 6: required name missing
        emu_kit.user("old", name="O", custom__age="151"),  # line 7
        emu_kit.user("flag", name="F", email_verified="yes"),  # line 8
        emu_kit.user("phone", name="P", phone_number="206-555-0100"),  # line 9
        emu_kit.user("has space", name="S"),  # line 10
    ]
    done = emu_kit.run(pool_id, emu_kit.csv(header, rows))
    assert (done["Status"], done["ImportedUsers"], done["SkippedUsers"], done["FailedUsers"]) == (
        "Succeeded",
        1,
        1,
        7,
    )
    assert emu_kit.users(pool_id)["good"]["UserStatus"] == "RESET_REQUIRED"
    assert set(emu_kit.users(pool_id)) == {"good", "existing"}
    lines = emu_kit.log_lines(pool_id, done["JobId"])
    assert lines[:2] == ["Cognito User Pools Import - Test Log"] * 2
    assert lines[2] == "[SUCCEEDED] Line Number 2 - The import succeeded."
    assert lines[3] == "[SKIPPED] Line Number 3 - The user already exists."
    assert [line.split(" - ")[0] for line in lines[4:]] == [f"[FAILED] Line Number {n}" for n in range(4, 11)]
    assert "auto-verified" in lines[4] and "cognito:mfa_enabled must be false" in lines[5]
    assert "required attribute name" in lines[6] and "custom:age" in lines[7]
    assert "email_verified must be true or false" in lines[8] and "E.164" in lines[9]
    # The log names lines and rules, never the users' data.
    for secret in ("unverified@example.com", "noname", "206-555-0100", "has space", "151"):
        assert all(secret not in line for line in lines)


@pytest.mark.parametrize(
    ("mfa", "value", "ok"),
    [("ON", "true", True), ("ON", "false", False), ("OPTIONAL", "false", True), ("OPTIONAL", "", False)],
)
def test_mfa_column_follows_the_pool_mode(emu_kit: EmulatorKit, mfa: str, value: str, ok: bool) -> None:
    pool_id = emu_kit.pool()
    emu_kit.cognito.set_user_pool_mfa_config(
        UserPoolId=pool_id, SoftwareTokenMfaConfiguration={"Enabled": True}, MfaConfiguration=mfa
    )
    done = emu_kit.run(
        pool_id, emu_kit.csv(emu_kit.header(pool_id), [emu_kit.user("a", cognito__mfa_enabled=value)])
    )
    assert done["ImportedUsers"] == (1 if ok else 0)
    assert done["Status"] == ("Succeeded" if ok else "Failed")


@pytest.mark.parametrize(
    ("failing", "total", "status"), [(1, 1, "Failed"), (1, 3, "Succeeded"), (2, 3, "Failed")]
)
def test_too_many_failed_or_skipped_rows_fail_the_job(
    emu_kit: EmulatorKit, failing: int, total: int, status: str
) -> None:
    pool_id = emu_kit.pool()
    rows = [emu_kit.user(f"bad{i}", email_verified="false") for i in range(failing)]
    rows += [emu_kit.user(f"good{i}") for i in range(total - failing)]
    done = emu_kit.run(pool_id, emu_kit.csv(emu_kit.header(pool_id), rows))
    assert (done["Status"], done["FailedUsers"], done["ImportedUsers"]) == (status, failing, total - failing)
    expected = TOO_MANY if status == "Failed" else "Import Job Completed Successfully."
    assert done["CompletionMessage"] == expected


def test_skipped_rows_count_towards_the_threshold_and_keep_users_unchanged(emu_kit: EmulatorKit) -> None:
    pool_id = emu_kit.pool()
    header = emu_kit.header(pool_id)
    assert (
        emu_kit.run(pool_id, emu_kit.csv(header, [emu_kit.user("a", name="First")]))["Status"] == "Succeeded"
    )
    again = emu_kit.run(pool_id, emu_kit.csv(header, [emu_kit.user("a", name="Second")]))
    assert (again["Status"], again["SkippedUsers"], again["CompletionMessage"]) == ("Failed", 1, TOO_MANY)
    attributes = {a["Name"]: a["Value"] for a in emu_kit.users(pool_id)["a"]["Attributes"]}
    assert attributes["name"] == "First"


def test_email_username_pool_imports_by_email(emu_kit: EmulatorKit) -> None:
    pool_id = emu_kit.pool(UsernameAttributes=["email"])
    row = emu_kit.user("dana@example.com", email="dana@example.com")
    done = emu_kit.run(pool_id, emu_kit.csv(emu_kit.header(pool_id), [row]))
    assert done["ImportedUsers"] == 1
    user = next(iter(emu_kit.users(pool_id).values()))
    assert {a["Name"]: a["Value"] for a in user["Attributes"]}["email"] == "dana@example.com"
    again = emu_kit.run(pool_id, emu_kit.csv(emu_kit.header(pool_id), [row]))
    assert again["SkippedUsers"] == 1


@pytest.mark.parametrize(
    ("trust", "expected"),
    [
        (None, "does not exist"),
        (
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "lambda.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            },
            "does not allow cognito-idp.amazonaws.com",
        ),
    ],
)
def test_job_fails_when_cognito_cannot_assume_the_logs_role(
    emu_kit: EmulatorKit, trust: dict[str, Any] | None, expected: str
) -> None:
    pool_id = emu_kit.pool()
    role = emu_kit.role(trust) if trust else "arn:aws:iam::123456789012:role/no-such-role"
    done = emu_kit.run(pool_id, emu_kit.csv(emu_kit.header(pool_id), [emu_kit.user("a")]), role_arn=role)
    assert done["Status"] == "Failed" and expected in done["CompletionMessage"]
    assert emu_kit.users(pool_id) == {}
    assert done["CloudWatchLogsRoleArn"] == role


def test_fail_next_jobs_fault(emu_kit: EmulatorKit) -> None:
    pool_id = emu_kit.pool()
    data = emu_kit.csv(emu_kit.header(pool_id), [emu_kit.user("a")])
    emu_kit.emulator.faults.fail_next_jobs(times=1)
    failed = emu_kit.run(pool_id, data)
    assert failed["Status"] == "Failed" and "fail_next_jobs" in failed["CompletionMessage"]
    assert emu_kit.run(pool_id, data)["Status"] == "Succeeded"  # only the next job


def test_seconds_per_row_makes_long_jobs_with_visible_progress(emu_kit: EmulatorKit) -> None:
    emu_kit.emulator.settings.seconds_per_row = 0.02
    pool_id = emu_kit.pool()
    job = emu_kit.create_job(pool_id)
    emu_kit.put(
        job["PreSignedUrl"], emu_kit.csv(emu_kit.header(pool_id), [emu_kit.user(f"u{i}") for i in range(30)])
    )
    emu_kit.start(pool_id, job["JobId"])
    partial = []
    while (seen := emu_kit.describe(pool_id, job["JobId"]))["Status"] in ("Pending", "InProgress"):
        if seen["Status"] == "InProgress":
            partial.append(seen["ImportedUsers"])
        time.sleep(0.05)
    assert seen["Status"] == "Succeeded" and seen["ImportedUsers"] == 30
    assert any(0 < count < 30 for count in partial)
    assert (seen["CompletionDate"] - seen["StartDate"]).total_seconds() >= 0.6
