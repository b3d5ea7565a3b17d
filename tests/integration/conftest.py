"""Helpers for the emulator's integration tests, as the ``emu_kit`` fixture (fast job timings)."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config

from cognito_user_import_emulator import Emulator

TRUST_COGNITO = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "cognito-idp.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}
#: What Cognito needs from a logs role once it has assumed it (the emulator checks it when a job starts).
WRITE_IMPORT_LOGS = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": "arn:aws:logs:*:*:log-group:/aws/cognito/*",
        }
    ],
}
TERMINAL = {"Succeeded", "Failed", "Stopped", "Expired"}


class EmulatorKit:
    """boto3 clients on the emulator (no retries, so faults show) and the steps of an import."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        kwargs: dict[str, Any] = {
            "endpoint_url": emulator.url,
            "region_name": emulator.region,
            "aws_access_key_id": "testing",
            "aws_secret_access_key": "testing",
            "config": Config(retries={"total_max_attempts": 1, "mode": "standard"}),
        }
        self.cognito = boto3.client("cognito-idp", **kwargs)
        self.iam = boto3.client("iam", **kwargs)
        self.logs = boto3.client("logs", **kwargs)
        self._roles = 0

    def role(
        self, trust: dict[str, Any] | None = None, policy: dict[str, Any] | None = WRITE_IMPORT_LOGS
    ) -> str:
        """A logs role: trusts Cognito and may write the import logs, unless told otherwise."""
        self._roles += 1
        name = f"CognitoImportLogs{self._roles}"
        document = json.dumps(trust if trust is not None else TRUST_COGNITO)
        role = self.iam.create_role(RoleName=name, AssumeRolePolicyDocument=document)
        if policy is not None:
            self.iam.put_role_policy(
                RoleName=name, PolicyName="ImportLogs", PolicyDocument=json.dumps(policy)
            )
        return str(role["Role"]["Arn"])

    def pool(self, name: str = "pool", **kwargs: Any) -> str:
        kwargs.setdefault("AutoVerifiedAttributes", ["email"])
        return str(self.cognito.create_user_pool(PoolName=name, **kwargs)["UserPool"]["Id"])

    def header(self, pool_id: str) -> list[str]:
        return list(self.cognito.get_csv_header(UserPoolId=pool_id)["CSVHeader"])

    def csv(self, header: list[str], rows: list[dict[str, str]]) -> bytes:
        """Rows as Cognito's dialect: unlisted columns empty, commas escaped."""
        lines = [",".join(header)]
        for row in rows:
            lines.append(",".join(row.get(name, "").replace(",", "\\,") for name in header))
        return ("\n".join(lines) + "\n").encode()

    def user(self, username: str, **values: str) -> dict[str, str]:
        row = {
            "cognito:username": username,
            "cognito:mfa_enabled": "false",
            "email": f"{username}@example.com",
            "email_verified": "true",
        }
        row.update({name.replace("__", ":"): value for name, value in values.items()})
        return row

    def create_job(self, pool_id: str, role_arn: str | None = None, name: str = "seed") -> dict[str, Any]:
        arn = role_arn or self.role()
        job = self.cognito.create_user_import_job(JobName=name, UserPoolId=pool_id, CloudWatchLogsRoleArn=arn)
        return dict(job["UserImportJob"])

    def put(
        self, url: str, data: bytes, headers: dict[str, str] | None = None, sse: str | None = "aws:kms"
    ) -> tuple[int, str]:
        all_headers = dict(headers or {"Content-Type": "text/csv"})
        if sse is not None:
            all_headers["x-amz-server-side-encryption"] = sse
        request = urllib.request.Request(url, data=data, method="PUT", headers=all_headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return int(response.status), response.read().decode()
        except urllib.error.HTTPError as error:
            return int(error.code), error.read().decode()

    def start(self, pool_id: str, job_id: str) -> dict[str, Any]:
        return dict(self.cognito.start_user_import_job(UserPoolId=pool_id, JobId=job_id)["UserImportJob"])

    def describe(self, pool_id: str, job_id: str) -> dict[str, Any]:
        return dict(self.cognito.describe_user_import_job(UserPoolId=pool_id, JobId=job_id)["UserImportJob"])

    def wait(self, pool_id: str, job_id: str, timeout: float = 10.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            job = self.describe(pool_id, job_id)
            if job["Status"] in TERMINAL or time.monotonic() > deadline:
                return job
            time.sleep(0.02)

    def run(self, pool_id: str, data: bytes, role_arn: str | None = None) -> dict[str, Any]:
        """Create, upload, start and wait: the finished job."""
        job = self.create_job(pool_id, role_arn)
        assert self.put(job["PreSignedUrl"], data)[0] == 200
        self.start(pool_id, job["JobId"])
        return self.wait(pool_id, job["JobId"])

    def users(self, pool_id: str) -> dict[str, dict[str, Any]]:
        users = self.cognito.list_users(UserPoolId=pool_id)["Users"]
        return {user["Username"]: user for user in users}

    def log_lines(self, pool_id: str, job_id: str) -> list[str]:
        groups = self.logs.describe_log_groups(logGroupNamePrefix=f"/aws/cognito/userpools/{pool_id}/")
        group = groups["logGroups"][0]["logGroupName"]
        streams = self.logs.describe_log_streams(logGroupName=group, logStreamNamePrefix=f"{job_id}/")
        stream = streams["logStreams"][0]["logStreamName"]
        events = self.logs.get_log_events(logGroupName=group, logStreamName=stream, startFromHead=True)
        return [event["message"] for event in events["events"]]

    def raw(self, operation: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """A Cognito call without botocore (no client-side validation, raw JSON answer)."""
        scope = "testing/20250101/us-east-1/cognito-idp/aws4_request"
        request = urllib.request.Request(
            self.emulator.url,
            data=json.dumps(body).encode(),
            method="POST",
            headers={
                "Content-Type": "application/x-amz-json-1.1",
                "X-Amz-Target": f"AWSCognitoIdentityProviderService.{operation}",
                # moto routes on the credential scope; it does not check the signature.
                "Authorization": f"AWS4-HMAC-SHA256 Credential={scope}, SignedHeaders=host, Signature=0",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return int(response.status), json.loads(response.read())
        except urllib.error.HTTPError as error:
            return int(error.code), json.loads(error.read())


@pytest.fixture
def emu_kit(emulator: Emulator) -> Iterator[EmulatorKit]:
    emulator.update_settings(
        pending_seconds=0.05,
        min_run_seconds=0.1,
        stopping_seconds=0.05,
        seconds_per_row=0.001,
        tick_seconds=0.01,
    )
    yield EmulatorKit(emulator)
