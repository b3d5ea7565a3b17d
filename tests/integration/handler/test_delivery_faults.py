"""Faults around one delivery that the matrix does not reach: an account slot held by someone else,
refused starts, throttled or failing polling calls, a rollback over a file that has since gone bad."""

from __future__ import annotations

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from handler_world import LambdaContext, create_world

from cognito_user_import_emulator import Emulator
from cognito_user_import_handler import index
from cognito_user_import_handler.jobs import ImportJobs, JobNotStartable
from cognito_user_import_handler.upload import upload_csv

from cfn_harness import Deployment

USERS = "cognito:username,email,email_verified\nana,ana@example.com,true\nbo,bo@example.com,true\n"
COGNITO_FILE = "cognito:username,cognito:mfa_enabled,email,email_verified\nzoe,false,zoe@example.com,true\n"


def _run_elsewhere(emulator: Emulator, deployment: Deployment, seconds: float) -> None:
    """Someone else's import job runs in the account for `seconds` (one active job per account)."""
    other = create_world(emulator.url, pool_name="other-pool")
    cognito = deployment.client("cognito-idp")
    emulator.settings.min_run_seconds = seconds
    job = cognito.create_user_import_job(
        JobName="elsewhere", UserPoolId=other.pool_id, CloudWatchLogsRoleArn=other.logs_role_arn
    )["UserImportJob"]
    path = deployment.work_file(COGNITO_FILE)
    upload_csv(job["PreSignedUrl"], path)
    cognito.start_user_import_job(UserPoolId=other.pool_id, JobId=job["JobId"])
    other.close()


def test_waiting_for_the_account_slot_hands_over_instead_of_timing_out(
    deployment: Deployment, emulator: Emulator
) -> None:
    _run_elsewhere(emulator, deployment, seconds=4.0)  # every job now runs 4 s, theirs and ours
    deployment.lambda_timeout = 12.0  # about 2 s of waiting per invocation

    response = deployment.send("Create", deployment.put_source(USERS))

    assert response["Status"] == "SUCCESS", response["Reason"]
    assert len(deployment.jobs()) == 1  # the retries found the one job, never made another
    assert deployment.invocations >= 2
    assert deployment.scheduled_inputs() == []


def test_a_refused_start_is_read_from_the_job_not_guessed(deployment: Deployment, emulator: Emulator) -> None:
    cognito = deployment.client("cognito-idp")
    jobs = ImportJobs(cognito, deployment.pool_id, poll_seconds=0.1)
    started = cognito.create_user_import_job(
        JobName="started", UserPoolId=deployment.pool_id, CloudWatchLogsRoleArn=deployment.logs_role_arn
    )["UserImportJob"]
    upload_csv(started["PreSignedUrl"], deployment.work_file(COGNITO_FILE))
    assert jobs.start(started["JobId"], deadline=1e12, keep_waiting=lambda: True)
    # The same start again, as after a lost answer: the job is running, so that is success at once.
    assert jobs.start(started["JobId"], deadline=1e12, keep_waiting=lambda: False)
    jobs.wait(started["JobId"], deadline=1e12, keep_waiting=lambda: True)

    expired = cognito.create_user_import_job(
        JobName="expired", UserPoolId=deployment.pool_id, CloudWatchLogsRoleArn=deployment.logs_role_arn
    )["UserImportJob"]
    emulator.expire_unstarted_jobs()
    with pytest.raises(JobNotStartable, match="expired"):
        jobs.start(expired["JobId"], deadline=1e12, keep_waiting=lambda: True)


def test_throttled_polling_calls_do_not_fail_a_finished_import(
    deployment: Deployment, emulator: Emulator
) -> None:
    emulator.settings.min_run_seconds = 4.0
    deployment.lambda_timeout = 12.0
    for operation in ("PutRule", "PutTargets", "RemoveTargets", "DeleteRule"):
        emulator.faults.throttle(operation, times=2)

    response = deployment.send("Create", deployment.put_source(USERS))

    assert response["Status"] == "SUCCESS", response["Reason"]
    assert deployment.invocations >= 2
    assert deployment.scheduled_inputs() == []
    assert deployment.permissions() == []


def test_a_failed_hand_over_stops_the_job_and_leaves_nothing(
    deployment: Deployment, emulator: Emulator
) -> None:
    emulator.settings.min_run_seconds = 30.0
    props = deployment.put_source(USERS)
    event = deployment.world.event("Create", props)
    # A function name Lambda does not know: AddPermission fails, so polling cannot be scheduled.
    index.handler(event, LambdaContext(12.0, function_name="NoSuchFunction"))

    response = deployment.world.responses.responses[-1]
    assert response["Status"] == "FAILED"
    assert "scheduling the polls failed" in response["Reason"]
    assert deployment.jobs()[0]["Status"] in ("Stopping", "Stopped")
    assert deployment.scheduled_inputs() == []


def test_a_rollback_answers_from_the_ledger_though_the_key_now_holds_a_bad_file(
    deployment: Deployment,
) -> None:
    good = deployment.put_source(USERS)
    created = deployment.send("Create", good)
    # UserCsv.from_bucket: the same key, a new (bad) file; the update fails before any job.
    bad = deployment.put_source("cognito:username,favourite_colour\nana,blue\n")
    failed = deployment.send("Update", bad, old_properties=good, physical_id=created["PhysicalResourceId"])
    assert failed["Status"] == "FAILED"

    rolled_back = deployment.send(
        "Update", good, old_properties=bad, physical_id=created["PhysicalResourceId"]
    )

    assert rolled_back["Status"] == "SUCCESS", rolled_back["Reason"]
    assert rolled_back["PhysicalResourceId"] == created["PhysicalResourceId"]
    assert rolled_back["Data"] == created["Data"]
    assert len(deployment.jobs()) == 1


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"SourceKey": "gone.csv"}, "key gone.csv): no such object"),
        ({"SourceVersion": "no-such-version"}, "version no-such-version): "),
    ],
    ids=["missing-key", "missing-version"],
)
def test_a_users_file_that_cannot_be_read_is_named_and_no_job_is_created(
    deployment: Deployment, change: dict[str, str], says: str
) -> None:
    props = deployment.put_source(USERS) | change

    response = deployment.send("Create", props)

    assert response["Status"] == "FAILED"
    assert response["Reason"].startswith("No import job was created: the users file ")
    assert f"(bucket {props['SourceBucket']}, " in response["Reason"]
    assert says in response["Reason"]
    assert deployment.jobs() == []


def test_a_lost_create_answer_makes_no_second_job(deployment: Deployment, emulator: Emulator) -> None:
    # The job is created, but the answer never arrives (HTTP 500): botocore would send the call again.
    emulator.faults.lose_answers("CreateUserImportJob", times=1)

    response = deployment.send("Create", deployment.put_source(USERS))

    assert response["Status"] == "SUCCESS", response["Reason"]
    assert response["Data"]["ImportedUsers"] == "2"
    assert len(deployment.jobs()) == 1


def test_the_lost_answer_fault_takes_effect_and_answers_500(
    deployment: Deployment, emulator: Emulator
) -> None:
    no_retry = boto3.client(
        "cognito-idp",
        endpoint_url=emulator.url,
        region_name=emulator.region,
        config=Config(retries={"mode": "standard", "total_max_attempts": 1}),
    )
    emulator.faults.lose_answers("CreateUserImportJob", times=1)

    with pytest.raises(ClientError, match="InternalErrorException"):
        no_retry.create_user_import_job(
            JobName="lost", UserPoolId=deployment.pool_id, CloudWatchLogsRoleArn=deployment.logs_role_arn
        )

    assert [job["JobName"] for job in deployment.jobs()] == ["lost"]


def test_throttling_by_others_under_aws_quotas_is_absorbed(
    deployment: Deployment, emulator: Emulator
) -> None:
    emulator.settings.aws_quotas = True  # Cognito's request rates, enforced
    # Others in the account use up the quota now and then: these calls are refused a few times.
    for operation in (
        "DescribeUserPool",
        "GetCSVHeader",
        "ListUsers",
        "StartUserImportJob",
        "DescribeUserImportJob",
    ):
        emulator.faults.throttle(operation, times=2)

    response = deployment.send("Create", deployment.put_source(USERS))

    assert response["Status"] == "SUCCESS", response["Reason"]
    assert response["Data"]["ImportedUsers"] == "2"
    assert len(deployment.jobs()) == 1
