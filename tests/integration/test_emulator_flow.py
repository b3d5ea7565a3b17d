"""The whole import flow of the seed pages, over HTTP, with boto3 and with the AWS CLI."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from cognito_user_import_emulator import Emulator

if TYPE_CHECKING:  # the kit comes from the fixture; conftest is not imported at run time
    from conftest import EmulatorKit


def test_boto3_flow_imports_users_with_attributes_and_reset_required(emu_kit: EmulatorKit) -> None:
    kit = emu_kit
    pool_id = kit.pool(Schema=[{"Name": "tier", "AttributeDataType": "String", "Mutable": True}])
    header = kit.header(pool_id)
    assert header[-3:] == ["cognito:mfa_enabled", "cognito:username", "custom:tier"]

    created = kit.create_job(pool_id, name="Customer import")
    assert re.fullmatch(r"import-[0-9a-zA-Z]+", created["JobId"]) and len(created["JobId"]) <= 55
    assert created["Status"] == "Created"
    assert (created["ImportedUsers"], created["SkippedUsers"], created["FailedUsers"]) == (0, 0, 0)
    assert "X-Amz-Expires=899" in created["PreSignedUrl"]
    assert "X-Amz-SignedHeaders=host%3Bx-amz-server-side-encryption" in created["PreSignedUrl"]
    assert "StartDate" not in created and "CompletionDate" not in created

    rows = [
        kit.user("alice", name="Alice Smith", custom__tier="gold, plus", phone_number="+12065550100"),
        kit.user("bob", given_name="Bob", email_verified="TRUE"),
    ]
    # A form content type made moto's S3 store 0 bytes; the emulator keeps every byte whatever the type.
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    assert kit.put(created["PreSignedUrl"], kit.csv(header, rows), headers=form)[0] == 200

    started = kit.start(pool_id, created["JobId"])
    assert started["Status"] == "Pending" and started["StartDate"] >= created["CreationDate"]
    seen = set()
    while (job := kit.describe(pool_id, created["JobId"]))["Status"] not in ("Succeeded", "Failed"):
        seen.add(job["Status"])
        time.sleep(0.01)
    assert "InProgress" in seen
    assert job["Status"] == "Succeeded", job.get("CompletionMessage")
    assert job["CompletionMessage"] == "Import Job Completed Successfully."
    assert (job["ImportedUsers"], job["SkippedUsers"], job["FailedUsers"]) == (2, 0, 0)
    assert job["CreationDate"] <= job["StartDate"] <= job["CompletionDate"]

    users = kit.users(pool_id)
    assert set(users) == {"alice", "bob"}
    assert {user["UserStatus"] for user in users.values()} == {"RESET_REQUIRED"}
    alice = {a["Name"]: a["Value"] for a in users["alice"]["Attributes"]}
    assert alice["custom:tier"] == "gold, plus"
    assert alice["name"] == "Alice Smith" and alice["email"] == "alice@example.com"
    assert alice["email_verified"] == "true" and alice["phone_number"] == "+12065550100"
    assert "sub" in alice

    listed = kit.cognito.list_user_import_jobs(UserPoolId=pool_id, MaxResults=10)
    assert [j["JobId"] for j in listed["UserImportJobs"]] == [created["JobId"]]
    assert "PaginationToken" not in listed

    assert kit.log_lines(pool_id, created["JobId"]) == [
        "Cognito User Pools Import - Test Log",
        "Cognito User Pools Import - Test Log",
        "[SUCCEEDED] Line Number 2 - The import succeeded.",
        "[SUCCEEDED] Line Number 3 - The import succeeded.",
    ]


def test_job_dates_are_epoch_seconds_with_milliseconds(emu_kit: EmulatorKit) -> None:
    pool_id = emu_kit.pool()
    status, body = emu_kit.raw(
        "CreateUserImportJob",
        {"JobName": "raw", "UserPoolId": pool_id, "CloudWatchLogsRoleArn": emu_kit.role()},
    )
    assert status == 200
    created = body["UserImportJob"]["CreationDate"]
    assert isinstance(created, float) and abs(created - time.time()) < 60
    assert created == round(created, 3)
    assert set(body["UserImportJob"]) >= {"JobName", "JobId", "UserPoolId", "PreSignedUrl", "Status"}


def _aws(emulator: Emulator, *args: str) -> Any:
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": emulator.region,
    }
    command = [sys.executable, "-m", "awscli", "--endpoint-url", emulator.url, "--output", "json", *args]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout) if done.stdout.strip() else None


def test_aws_cli_flow(emu_kit: EmulatorKit) -> None:
    emu = emu_kit.emulator
    role_arn = emu_kit.role()
    pool_id = emu_kit.pool("cli-pool")  # the pool is the setting, not the flow under test
    header = _aws(emu, "cognito-idp", "get-csv-header", "--user-pool-id", pool_id)["CSVHeader"]
    assert "cognito:username" in header and header[0] == "name"
    job = _aws(
        emu,
        "cognito-idp",
        "create-user-import-job",
        "--job-name",
        "cli import",
        "--user-pool-id",
        pool_id,
        "--cloud-watch-logs-role-arn",
        role_arn,
    )["UserImportJob"]
    assert job["Status"] == "Created"
    assert emu_kit.put(job["PreSignedUrl"], emu_kit.csv(header, [emu_kit.user("carol")]))[0] == 200
    started = _aws(
        emu, "cognito-idp", "start-user-import-job", "--user-pool-id", pool_id, "--job-id", job["JobId"]
    )
    assert started["UserImportJob"]["Status"] == "Pending"
    emu_kit.wait(pool_id, job["JobId"])
    # The three read-only calls run side by side: each CLI process takes a second to start.
    with ThreadPoolExecutor() as executor:
        described, users, jobs = executor.map(
            lambda args: _aws(emu, "cognito-idp", *args),
            [
                ("describe-user-import-job", "--user-pool-id", pool_id, "--job-id", job["JobId"]),
                ("list-users", "--user-pool-id", pool_id),
                ("list-user-import-jobs", "--user-pool-id", pool_id, "--max-results", "5"),
            ],
        )
    assert described["UserImportJob"]["Status"] == "Succeeded"
    assert described["UserImportJob"]["ImportedUsers"] == 1
    assert [(u["Username"], u["UserStatus"]) for u in users["Users"]] == [("carol", "RESET_REQUIRED")]
    assert [j["Status"] for j in jobs["UserImportJobs"]] == ["Succeeded"]
