"""A harness that drives the handler the way CloudFormation and Lambda do, against the emulator.

The handler runs in this process (so log records can be captured); CloudFormation's side is a
local ResponseURL, and EventBridge's side fires the rules crhelper schedules without a real minute.
"""

from __future__ import annotations

import io
import json
import threading
import time
import uuid
import zipfile
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import boto3

from cognito_user_import.emulator import Emulator
from cognito_user_import_handler import index

FUNCTION_NAME = "CognitoUserImportHandler"
POOL_SCHEMA = [
    {
        "Name": "tenant",
        "AttributeDataType": "String",
        "Mutable": True,
        "StringAttributeConstraints": {"MaxLength": "32"},
    },
    {
        "Name": "seats",
        "AttributeDataType": "Number",
        "Mutable": True,
        "NumberAttributeConstraints": {"MinValue": "1", "MaxValue": "500"},
    },
]


class ResponseCollector:
    """CloudFormation's pre-signed ResponseURL: records every response PUT to it."""

    def __init__(self) -> None:
        self.responses: list[dict[str, Any]] = []
        collector = self

        class Handler(BaseHTTPRequestHandler):
            def do_PUT(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                collector.responses.append(json.loads(self.rfile.read(length)))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = (
            f"http://127.0.0.1:{self._server.server_address[1]}/cfn-response?X-Amz-Signature=secret-signature"
        )
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@dataclass
class LambdaContext:
    timeout_seconds: float
    function_name: str = FUNCTION_NAME
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    memory_limit_in_mb: int = 256
    started: float = field(default_factory=time.monotonic)

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:us-east-1:123456789012:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return int((self.timeout_seconds - (time.monotonic() - self.started)) * 1000)


@dataclass
class Deployment:
    """One custom resource's world in the emulator: pool, logs role, source bucket, handler function."""

    emulator: Emulator
    pool_id: str
    logs_role_arn: str
    bucket: str = "seed-bucket"
    lambda_timeout: float = 60.0
    logical_id: str = "SeedUsers"
    invocations: int = 0

    def __post_init__(self) -> None:
        self.responses = ResponseCollector()

    def client(self, service: str) -> Any:
        return boto3.client(service, endpoint_url=self.emulator.url, region_name="us-east-1")

    def put_source(self, csv_text: str, key: str = "users.csv") -> dict[str, str]:
        self.client("s3").put_object(Bucket=self.bucket, Key=key, Body=csv_text.encode())
        return self.properties(key=key, source_hash=str(abs(hash(csv_text))))

    def properties(
        self, *, key: str = "users.csv", source_hash: str = "h1", **overrides: str
    ) -> dict[str, str]:
        props = {
            "ServiceToken": f"arn:aws:lambda:us-east-1:123456789012:function:{FUNCTION_NAME}",
            "UserPoolId": self.pool_id,
            "LogsRoleArn": self.logs_role_arn,
            "SourceBucket": self.bucket,
            "SourceKey": key,
            "SourceHash": source_hash,
            "SourceName": key,
            "JobName": "seed-users",
            "TimeoutSeconds": "120",
        }
        props.update(overrides)
        return props

    def send(
        self,
        request_type: str,
        properties: dict[str, str],
        *,
        old_properties: dict[str, str] | None = None,
        physical_id: str | None = None,
    ) -> dict[str, Any]:
        """Send one request as CloudFormation does and answer the response it gets, polls included."""
        answered = len(self.responses.responses)
        self.send_without_waiting(
            request_type, properties, old_properties=old_properties, physical_id=physical_id
        )
        deadline = time.monotonic() + float(properties.get("TimeoutSeconds", "120")) + 30
        while len(self.responses.responses) == answered:
            assert time.monotonic() < deadline, "the handler never answered"
            self.fire_scheduled_polls()
            time.sleep(0.2)
        assert len(self.responses.responses) == answered + 1, "answered more than once"
        return self.responses.responses[-1]

    def send_without_waiting(
        self,
        request_type: str,
        properties: dict[str, str],
        *,
        old_properties: dict[str, str] | None = None,
        physical_id: str | None = None,
    ) -> None:
        """Only the first invocation of a request: what CloudFormation has started when it sends the next."""
        event: dict[str, Any] = {
            "RequestType": request_type,
            "ServiceToken": properties["ServiceToken"],
            "ResponseURL": self.responses.url,
            "StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/Sample/0a1b2c3d",
            "RequestId": str(uuid.uuid4()),
            "ResourceType": "Custom::CognitoUserImport",
            "LogicalResourceId": self.logical_id,
            "ResourceProperties": properties,
        }
        if old_properties is not None:
            event["OldResourceProperties"] = old_properties
        if physical_id is not None:
            event["PhysicalResourceId"] = physical_id
        self._invoke(event)

    def _invoke(self, event: dict[str, Any]) -> None:
        self.invocations += 1
        index.handler(event, LambdaContext(self.lambda_timeout))

    def scheduled_rules(self) -> list[str]:
        events = self.client("events")
        return [
            rule["Name"]
            for rule in events.list_rules()["Rules"]
            if any(
                FUNCTION_NAME in t["Arn"] for t in events.list_targets_by_rule(Rule=rule["Name"])["Targets"]
            )
        ]

    def fire_scheduled_polls(self) -> None:
        """EventBridge's part: each rule targeting the function invokes it with the target's input."""
        events = self.client("events")
        for name in self.scheduled_rules():
            for target in events.list_targets_by_rule(Rule=name)["Targets"]:
                self._invoke(json.loads(target["Input"]))

    def permissions(self) -> list[Any]:
        try:
            policy = self.client("lambda").get_policy(FunctionName=FUNCTION_NAME)
        except self.client("lambda").exceptions.ResourceNotFoundException:
            return []
        return list(json.loads(policy["Policy"])["Statement"])

    def users(self) -> dict[str, dict[str, Any]]:
        users: dict[str, dict[str, Any]] = {}
        for page in self.client("cognito-idp").get_paginator("list_users").paginate(UserPoolId=self.pool_id):
            for user in page["Users"]:
                attributes = {a["Name"]: a["Value"] for a in user.get("Attributes", [])}
                users[user["Username"]] = {"status": user["UserStatus"], **attributes}
        return users

    def jobs(self) -> list[dict[str, Any]]:
        cognito = self.client("cognito-idp")
        return list(
            cognito.list_user_import_jobs(UserPoolId=self.pool_id, MaxResults=60).get("UserImportJobs", [])
        )


def create_world(emulator: Emulator) -> Deployment:
    session = boto3.session.Session(region_name="us-east-1")
    cognito = session.client("cognito-idp", endpoint_url=emulator.url)
    iam = session.client("iam", endpoint_url=emulator.url)
    pool = cognito.create_user_pool(
        PoolName="seeded-pool",
        AutoVerifiedAttributes=["email"],
        Schema=POOL_SCHEMA,
        MfaConfiguration="OFF",
    )["UserPool"]
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "cognito-idp.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    role = iam.create_role(RoleName="ImportLogsRole", AssumeRolePolicyDocument=json.dumps(trust))["Role"]
    lambda_trust = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    )
    function_role = iam.create_role(RoleName="HandlerRole", AssumeRolePolicyDocument=lambda_trust)["Role"]
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("index.py", "def handler(event, context):\n    pass\n")
    session.client("lambda", endpoint_url=emulator.url).create_function(
        FunctionName=FUNCTION_NAME,
        Runtime="python3.13",
        Role=function_role["Arn"],
        Handler="cognito_user_import_handler.index.handler",
        Code={"ZipFile": archive.getvalue()},
    )
    session.client("s3", endpoint_url=emulator.url).create_bucket(Bucket="seed-bucket")
    return Deployment(emulator=emulator, pool_id=pool["Id"], logs_role_arn=role["Arn"])
