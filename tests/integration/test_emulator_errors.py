"""Every refusal of the six operations: validation, unknown resources, job states, one job per account."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import pytest
from botocore.exceptions import ClientError, ParamValidationError

from cognito_user_import_emulator import ACTIVE_JOB_LIMIT_ERROR

if TYPE_CHECKING:
    from conftest import EmulatorKit


def _error(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    error = excinfo.value.response["Error"]
    return error["Code"], error["Message"]


@pytest.mark.parametrize(
    ("name", "pool_id", "arn", "member"),
    [
        ("bad/name", None, "", "jobName"),
        ("x" * 129, None, "", "jobName"),
        ("ok", "us-east-1-nounderscore", "", "userPoolId"),
        ("ok", None, "arn:aws:iam::not-a-number:role/logs", "cloudWatchLogsRoleArn"),
    ],
)
def test_create_rejects_invalid_parameters(
    emu_kit: EmulatorKit, name: str, pool_id: str | None, arn: str, member: str
) -> None:
    real_pool = emu_kit.pool()
    arn = arn or emu_kit.role()
    with pytest.raises(ClientError) as excinfo:
        emu_kit.cognito.create_user_import_job(
            JobName=name, UserPoolId=pool_id or real_pool, CloudWatchLogsRoleArn=arn
        )
    code, message = _error(excinfo)
    assert code == "InvalidParameterException"
    assert f"at '{member}'" in message and message.startswith("1 validation error detected")


def test_role_arn_shorter_than_20_is_refused_by_the_service(emu_kit: EmulatorKit) -> None:
    # botocore checks the minimum length itself; a client without that check reaches the service.
    body = {"JobName": "x", "UserPoolId": emu_kit.pool(), "CloudWatchLogsRoleArn": "arn:aws:iam::1:r/a"}
    status, answer = emu_kit.raw("CreateUserImportJob", body)
    assert status == 400 and answer["__type"] == "InvalidParameterException"
    assert "Member must have length between 20 and 2048" in answer["message"]


def test_job_id_pattern_and_max_results_range_are_enforced(emu_kit: EmulatorKit) -> None:
    pool_id = emu_kit.pool()
    with pytest.raises(ClientError) as excinfo:
        emu_kit.cognito.describe_user_import_job(UserPoolId=pool_id, JobId="job-1")
    assert _error(excinfo)[0] == "InvalidParameterException"
    with pytest.raises(ClientError) as excinfo:
        emu_kit.cognito.list_user_import_jobs(UserPoolId=pool_id, MaxResults=61)
    assert _error(excinfo) == (
        "InvalidParameterException",
        "1 validation error detected: Value '61' at 'maxResults' failed to satisfy constraint: "
        "Member must have value less than or equal to 60",
    )
    # botocore refuses 0 on the client side; the service refuses it too.
    with pytest.raises(ParamValidationError):
        emu_kit.cognito.list_user_import_jobs(UserPoolId=pool_id, MaxResults=0)
    status, body = emu_kit.raw("ListUserImportJobs", {"UserPoolId": pool_id, "MaxResults": 0})
    assert status == 400 and body["__type"] == "InvalidParameterException"
    status, body = emu_kit.raw("ListUserImportJobs", {"UserPoolId": pool_id})
    assert (
        status == 400
        and "at 'maxResults' failed to satisfy constraint: Member must not be null" in body["message"]
    )


def test_unknown_pool_and_job_are_resource_not_found(emu_kit: EmulatorKit) -> None:
    with pytest.raises(ClientError) as excinfo:
        emu_kit.cognito.get_csv_header(UserPoolId="us-east-1_doesnotexist")
    assert _error(excinfo)[0] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as excinfo:
        emu_kit.create_job("us-east-1_doesnotexist")
    assert _error(excinfo)[0] == "ResourceNotFoundException"
    pool_id = emu_kit.pool()
    for call in (
        emu_kit.cognito.describe_user_import_job,
        emu_kit.cognito.start_user_import_job,
        emu_kit.cognito.stop_user_import_job,
    ):
        with pytest.raises(ClientError) as excinfo:
            call(UserPoolId=pool_id, JobId="import-doesnotexist")
        assert _error(excinfo)[0] == "ResourceNotFoundException"
    # A job is found only in its own pool.
    job = emu_kit.create_job(pool_id)
    with pytest.raises(ClientError) as excinfo:
        emu_kit.describe(emu_kit.pool("other"), job["JobId"])
    assert _error(excinfo)[0] == "ResourceNotFoundException"


def test_start_without_upload_is_precondition_not_met(emu_kit: EmulatorKit) -> None:
    pool_id = emu_kit.pool()
    job = emu_kit.create_job(pool_id)
    with pytest.raises(ClientError) as excinfo:
        emu_kit.start(pool_id, job["JobId"])
    assert _error(excinfo) == ("PreconditionNotMetException", f"No csv file was uploaded for {job['JobId']}")
    assert emu_kit.describe(pool_id, job["JobId"])["Status"] == "Created"


def test_a_job_starts_once_and_never_after_it_ended(emu_kit: EmulatorKit) -> None:
    pool_id = emu_kit.pool()
    job = emu_kit.create_job(pool_id)
    emu_kit.put(job["PreSignedUrl"], emu_kit.csv(emu_kit.header(pool_id), [emu_kit.user("a")]))
    emu_kit.start(pool_id, job["JobId"])
    with pytest.raises(ClientError) as excinfo:
        emu_kit.start(pool_id, job["JobId"])
    assert _error(excinfo)[0] == "PreconditionNotMetException"
    assert "only a Created job can be started" in _error(excinfo)[1]
    assert emu_kit.wait(pool_id, job["JobId"])["Status"] == "Succeeded"
    with pytest.raises(ClientError) as excinfo:
        emu_kit.start(pool_id, job["JobId"])
    assert "its status is Succeeded" in _error(excinfo)[1]


def test_one_active_job_per_account(emu_kit: EmulatorKit) -> None:
    emu_kit.emulator.settings.min_run_seconds = 0.5
    first_pool, second_pool = emu_kit.pool("first"), emu_kit.pool("second")
    jobs = []
    for pool_id in (first_pool, second_pool):
        job = emu_kit.create_job(pool_id)
        emu_kit.put(job["PreSignedUrl"], emu_kit.csv(emu_kit.header(pool_id), [emu_kit.user("a")]))
        jobs.append(job)
    emu_kit.start(first_pool, jobs[0]["JobId"])
    with pytest.raises(ClientError) as excinfo:
        emu_kit.start(second_pool, jobs[1]["JobId"])
    code, message = _error(excinfo)
    assert code == ACTIVE_JOB_LIMIT_ERROR == "LimitExceededException"
    assert jobs[0]["JobId"] in message and "one import job" in message
    assert emu_kit.describe(second_pool, jobs[1]["JobId"])["Status"] == "Created"
    # Once the first has ended, the second may run.
    assert emu_kit.wait(first_pool, jobs[0]["JobId"])["Status"] == "Succeeded"
    assert emu_kit.start(second_pool, jobs[1]["JobId"])["Status"] == "Pending"


def test_stop_moves_a_running_job_through_stopping_to_stopped(emu_kit: EmulatorKit) -> None:
    emu_kit.emulator.update_settings(seconds_per_row=0.05, stopping_seconds=0.2)
    pool_id = emu_kit.pool()
    header = emu_kit.header(pool_id)
    job = emu_kit.create_job(pool_id)
    emu_kit.put(job["PreSignedUrl"], emu_kit.csv(header, [emu_kit.user(f"user{i}") for i in range(40)]))
    emu_kit.start(pool_id, job["JobId"])
    while emu_kit.describe(pool_id, job["JobId"])["Status"] == "Pending":
        time.sleep(0.01)
    stopping = emu_kit.cognito.stop_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])["UserImportJob"]
    assert stopping["Status"] == "Stopping"
    stopped = emu_kit.wait(pool_id, job["JobId"])
    assert stopped["Status"] == "Stopped"
    assert stopped["CompletionMessage"] == "The Import Job was stopped by the developer."
    assert stopped["ImportedUsers"] < 40 and len(emu_kit.users(pool_id)) == stopped["ImportedUsers"]
    with pytest.raises(ClientError) as excinfo:
        emu_kit.start(pool_id, job["JobId"])
    assert _error(excinfo)[0] == "PreconditionNotMetException"


def test_stop_refuses_a_job_that_is_not_running(emu_kit: EmulatorKit) -> None:
    pool_id = emu_kit.pool()
    job = emu_kit.create_job(pool_id)
    with pytest.raises(ClientError) as excinfo:
        emu_kit.cognito.stop_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])
    assert _error(excinfo)[0] == "PreconditionNotMetException"
    assert "its status is Created" in _error(excinfo)[1]


def test_expire_switch_ages_unstarted_jobs(emu_kit: EmulatorKit) -> None:
    pool_id = emu_kit.pool()
    unstarted = emu_kit.create_job(pool_id)
    emu_kit.put(unstarted["PreSignedUrl"], emu_kit.csv(emu_kit.header(pool_id), [emu_kit.user("a")]))
    assert emu_kit.emulator.expire_unstarted_jobs() == [unstarted["JobId"]]
    expired = emu_kit.describe(pool_id, unstarted["JobId"])
    assert expired["Status"] == "Expired"
    assert expired["CompletionMessage"] == "The user import job has expired."
    with pytest.raises(ClientError) as excinfo:
        emu_kit.start(pool_id, unstarted["JobId"])
    assert "its status is Expired" in _error(excinfo)[1]


def test_unstarted_jobs_expire_after_their_ttl(emu_kit: EmulatorKit) -> None:
    emu_kit.emulator.settings.unstarted_job_ttl_seconds = 0.1
    pool_id = emu_kit.pool()
    job = emu_kit.create_job(pool_id)
    time.sleep(0.2)
    assert emu_kit.describe(pool_id, job["JobId"])["Status"] == "Expired"


def test_list_pages_newest_first(emu_kit: EmulatorKit) -> None:
    pool_id = emu_kit.pool()
    role = emu_kit.role()
    created = [emu_kit.create_job(pool_id, role, name=f"job {i}")["JobId"] for i in range(5)]
    pages, token = [], None
    while True:
        kwargs = {"PaginationToken": token} if token else {}
        page = emu_kit.cognito.list_user_import_jobs(UserPoolId=pool_id, MaxResults=2, **kwargs)
        pages.append([job["JobId"] for job in page["UserImportJobs"]])
        token = page.get("PaginationToken")
        if not token:
            break
    assert pages == [created[4:2:-1], created[2:0:-1], created[0:1]]
    with pytest.raises(ClientError) as excinfo:
        emu_kit.cognito.list_user_import_jobs(UserPoolId=pool_id, MaxResults=2, PaginationToken="bogus")
    assert _error(excinfo)[0] == "InvalidParameterException"


def test_password_hashing_algorithm_is_accepted_and_checked(emu_kit: EmulatorKit) -> None:
    pool_id = emu_kit.pool()
    role = emu_kit.role()
    job = emu_kit.cognito.create_user_import_job(
        JobName="hashes", UserPoolId=pool_id, CloudWatchLogsRoleArn=role, PasswordHashingAlgorithm="BCRYPT"
    )["UserImportJob"]
    assert job["PasswordHashingAlgorithm"] == "BCRYPT"
    status, body = emu_kit.raw(
        "CreateUserImportJob",
        {
            "JobName": "x",
            "UserPoolId": pool_id,
            "CloudWatchLogsRoleArn": role,
            "PasswordHashingAlgorithm": "MD5",
        },
    )
    assert status == 400 and body["__type"] == "InvalidParameterException"


def test_pool_cannot_change_while_its_import_runs(emu_kit: EmulatorKit) -> None:
    emu_kit.emulator.settings.min_run_seconds = 0.5
    pool_id = emu_kit.pool()
    job = emu_kit.create_job(pool_id)
    emu_kit.put(job["PreSignedUrl"], emu_kit.csv(emu_kit.header(pool_id), [emu_kit.user("a")]))
    emu_kit.start(pool_id, job["JobId"])
    changes = [
        lambda: emu_kit.cognito.update_user_pool(UserPoolId=pool_id, AutoVerifiedAttributes=["email"]),
        lambda: emu_kit.cognito.add_custom_attributes(
            UserPoolId=pool_id, CustomAttributes=[{"Name": "late", "AttributeDataType": "String"}]
        ),
        lambda: emu_kit.cognito.delete_user_pool(UserPoolId=pool_id),
    ]
    for change in changes:
        with pytest.raises(ClientError) as excinfo:
            change()
        assert _error(excinfo)[0] == "UserImportInProgressException"
    assert emu_kit.wait(pool_id, job["JobId"])["Status"] == "Succeeded"
    emu_kit.cognito.delete_user_pool(UserPoolId=pool_id)  # allowed again once the job ended
