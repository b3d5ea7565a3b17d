"""Create requests against the emulator: success, failures, faults, long jobs and deadlines."""

from __future__ import annotations

import io
import logging
import tempfile
from typing import Any

import pytest
from handler_world import create_world

from cognito_user_csv.conversion import convert
from cognito_user_csv.schema import PoolSchema
from cognito_user_import_emulator import Emulator
from cognito_user_import_handler.upload import upload_csv

from cfn_harness import Deployment

HEADER = "cognito:username,email,email_verified,given_name,family_name,custom:tenant,custom:seats\n"
ROWS = [
    "ana.souza,ana.souza@example.com,true,Ana,Souza,acme,5\n",
    'bjorn.l,bjorn.lindqvist@example.org,TRUE,Björn,"Lindqvist, Jr.",acme,12\n',
    "chen.wei,chen.wei@example.net,true,伟,陈,globex,1\n",
]
USERS_CSV = HEADER + "".join(ROWS)


def test_create_imports_users_and_reports_the_figures(deployment: Deployment) -> None:
    response = deployment.send("Create", deployment.put_source(USERS_CSV))

    assert response["Status"] == "SUCCESS", response["Reason"]
    assert response["PhysicalResourceId"].startswith("import-")
    assert response["Data"] == {
        "JobId": response["PhysicalResourceId"],
        "Status": "Succeeded",
        "ImportedUsers": "3",
        "SkippedUsers": "0",
        "FailedUsers": "0",
        "CompletionMessage": "Import Job Completed Successfully.",
        "NotApplied": "",
        "UpdatedUsers": "0",
        "PasswordsSet": "0",
        "GroupMemberships": "0",
    }
    users = deployment.users()
    assert set(users) == {"ana.souza", "bjorn.l", "chen.wei"}
    assert users["bjorn.l"]["family_name"] == "Lindqvist, Jr."
    assert users["bjorn.l"]["given_name"] == "Björn"
    assert users["chen.wei"]["custom:tenant"] == "globex"
    assert {user["status"] for user in users.values()} == {"RESET_REQUIRED"}
    # Finished within the first invocation: nothing scheduled, nothing left behind.
    assert deployment.invocations == 1
    assert deployment.scheduled_inputs() == []


def test_a_job_that_ends_failed_fails_the_deployment_naming_the_job(
    deployment: Deployment, emulator: Emulator
) -> None:
    emulator.faults.fail_next_jobs(times=1)

    response = deployment.send("Create", deployment.put_source(USERS_CSV))

    assert response["Status"] == "FAILED"
    job = deployment.jobs()[0]
    assert job["Status"] == "Failed"
    assert f"Import job {job['JobId']} (seed-users) ended Failed" in response["Reason"]
    assert "imported 0, skipped 0, failed" in response["Reason"]
    # The Delete CloudFormation sends after a failed Create names the job.
    assert response["PhysicalResourceId"] == job["JobId"]


def test_unknown_columns_fail_before_any_job_exists(deployment: Deployment) -> None:
    csv_text = "cognito:username,email,email_verified,favourite_colour\nana,ana@example.com,true,teal\n"

    response = deployment.send("Create", deployment.put_source(csv_text))

    assert response["Status"] == "FAILED"
    assert "No import job was created" in response["Reason"]
    assert "favourite_colour" in response["Reason"]
    assert "custom:tenant" in response["Reason"]  # the pool's columns are listed
    assert deployment.jobs() == []


def test_a_row_without_a_verified_address_is_named_and_no_job_is_created(deployment: Deployment) -> None:
    csv_text = USERS_CSV + "dana.k,dana@example.com,false,Dana,K,acme,3\n"

    response = deployment.send("Create", deployment.put_source(csv_text))

    assert response["Status"] == "FAILED"
    assert "users.csv:5 (dana.k)" in response["Reason"]
    assert deployment.jobs() == []
    assert deployment.users() == {}


def test_throttled_calls_are_retried(deployment: Deployment, emulator: Emulator) -> None:
    emulator.faults.throttle("CreateUserImportJob", times=2)
    emulator.faults.throttle("DescribeUserImportJob", times=3)

    response = deployment.send("Create", deployment.put_source(USERS_CSV))

    assert response["Status"] == "SUCCESS", response["Reason"]
    assert len(deployment.jobs()) == 1


def test_a_failed_upload_is_retried(deployment: Deployment, emulator: Emulator) -> None:
    emulator.faults.fail_uploads(times=2)

    response = deployment.send("Create", deployment.put_source(USERS_CSV))

    assert response["Status"] == "SUCCESS", response["Reason"]
    assert response["Data"]["ImportedUsers"] == "3"


def test_a_job_longer_than_one_invocation_finishes_through_scheduled_polls(
    deployment: Deployment, emulator: Emulator
) -> None:
    emulator.settings.min_run_seconds = 6.0
    deployment.lambda_timeout = 13.0  # leaves about 3 s of waiting before the hand-over

    response = deployment.send("Create", deployment.put_source(USERS_CSV))

    assert response["Status"] == "SUCCESS", response["Reason"]
    assert response["Data"]["ImportedUsers"] == "3"
    assert set(response["Data"]) == {
        "JobId",
        "Status",
        "ImportedUsers",
        "SkippedUsers",
        "FailedUsers",
        "CompletionMessage",
        "NotApplied",
        "UpdatedUsers",
        "PasswordsSet",
        "GroupMemberships",
    }
    assert deployment.invocations >= 2
    assert deployment.scheduled_inputs() == []
    assert deployment.permissions() == []


def test_a_logical_id_of_200_characters_still_polls(deployment: Deployment, emulator: Emulator) -> None:
    emulator.settings.min_run_seconds = 4.0
    deployment.lambda_timeout = 12.0
    deployment.logical_id = "SeedUsers" + "X" * 191

    response = deployment.send("Create", deployment.put_source(USERS_CSV))

    assert response["Status"] == "SUCCESS", response["Reason"]
    assert deployment.invocations >= 2
    assert deployment.scheduled_inputs() == []


def test_the_deadline_stops_the_job_and_fails_clearly(deployment: Deployment, emulator: Emulator) -> None:
    emulator.settings.min_run_seconds = 60.0

    response = deployment.send("Create", deployment.put_source(USERS_CSV) | {"TimeoutSeconds": "6"})

    assert response["Status"] == "FAILED"
    job_id = response["PhysicalResourceId"]
    assert (
        f"import job {job_id} was still InProgress at the resource's deadline and was stopped"
        in response["Reason"]
    )
    assert deployment.jobs()[0]["Status"] in ("Stopping", "Stopped")


def test_no_log_record_holds_user_data_or_secret_urls(
    deployment: Deployment, emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    emulator.settings.min_run_seconds = 4.0
    deployment.lambda_timeout = 12.0
    caplog.set_level(logging.DEBUG)

    response = deployment.send("Create", deployment.put_source(USERS_CSV))

    assert response["Status"] == "SUCCESS", response["Reason"]
    records = [record.getMessage() for record in caplog.records]
    assert any("Import job" in message for message in records)  # the capture saw the handler's logs
    logged = "\n".join(records)
    for value in ("ana.souza", "example.com", "Björn", "Lindqvist", "globex", "伟"):
        assert value not in logged
    assert "secret-signature" not in logged  # the ResponseURL's signature
    assert "X-Amz-Signature" not in logged and "X-Amz-Credential" not in logged  # the pre-signed upload URL


def test_a_job_already_active_in_the_account_is_waited_for(
    deployment: Deployment, emulator: Emulator
) -> None:
    # Someone else's import runs in the account (Cognito allows one active job per account).
    other = create_world(emulator.url, pool_name="other-pool")
    cognito = deployment.client("cognito-idp")
    emulator.settings.min_run_seconds = 4.0
    job = cognito.create_user_import_job(
        JobName="elsewhere", UserPoolId=other.pool_id, CloudWatchLogsRoleArn=other.logs_role_arn
    )["UserImportJob"]
    upload_csv(job["PreSignedUrl"], _cognito_dialect(cognito, other.pool_id, USERS_CSV))
    cognito.start_user_import_job(UserPoolId=other.pool_id, JobId=job["JobId"])
    emulator.settings.min_run_seconds = 0.3

    response = deployment.send("Create", deployment.put_source(USERS_CSV))

    assert response["Status"] == "SUCCESS", response["Reason"]
    theirs = cognito.describe_user_import_job(UserPoolId=other.pool_id, JobId=job["JobId"])["UserImportJob"]
    ours = deployment.jobs()[0]
    assert theirs["Status"] == "Succeeded"
    assert ours["StartDate"] >= theirs["CompletionDate"]
    other.close()


def _cognito_dialect(cognito: Any, pool_id: str, csv_text: str) -> str:
    """The file as the handler would upload it, for a job started by hand."""
    pool = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    schema = PoolSchema.from_describe_user_pool(pool, cognito.get_csv_header(UserPoolId=pool_id)["CSVHeader"])
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, encoding="utf-8", newline="") as sink:
        convert(
            io.BytesIO(csv_text.encode()), sink, schema=schema, file_name="users.csv"
        ).raise_for_problems()
    return sink.name
