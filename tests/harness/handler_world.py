"""Run the Custom::CognitoUserImport handler in-process against the emulator, as CloudFormation would.

What the handler tests and the benchmarks share: a world in the emulator (a pool with custom
attributes, a logs role Cognito may assume, a source bucket, the handler's function record for
crhelper's permissions), CloudFormation's ResponseURL as a local HTTP server, request events, and a
Lambda context whose remaining time counts down.
"""

from __future__ import annotations

import contextlib
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

FUNCTION_NAME = "CognitoUserImportHandler"
LEDGER_BUCKET = "import-ledger"
REGION = "us-east-1"
ACCOUNT_ID = "123456789012"
FUNCTION_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{FUNCTION_NAME}"
POOL_SCHEMA: list[Any] = [
    {
        "Name": "tenant",
        "AttributeDataType": "String",
        "Mutable": True,
        "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "64"},
    },
    {
        "Name": "plan",
        "AttributeDataType": "String",
        "Mutable": True,
        "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "32"},
    },
    {
        "Name": "seats",
        "AttributeDataType": "Number",
        "Mutable": True,
        "NumberAttributeConstraints": {"MinValue": "1", "MaxValue": "10000"},
    },
]


class ResponseCollector:
    """CloudFormation's pre-signed ResponseURL: records every response body and when it arrived."""

    def __init__(self) -> None:
        self.responses: list[dict[str, Any]] = []
        self.arrivals: list[float] = []
        self.arrived = threading.Event()
        collector = self

        class Handler(BaseHTTPRequestHandler):
            def do_PUT(self) -> None:
                arrived_at = time.time()  # before the body is read: the request has reached us
                length = int(self.headers.get("Content-Length", "0"))
                collector.responses.append(json.loads(self.rfile.read(length)))
                collector.arrivals.append(arrived_at)
                collector.arrived.set()
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass  # the request line holds the URL's signature

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
    """The parts of Lambda's context crhelper and the handler read."""

    timeout_seconds: float = 900.0
    function_name: str = FUNCTION_NAME
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    memory_limit_in_mb: int = 256
    started: float = field(default_factory=time.monotonic)

    @property
    def invoked_function_arn(self) -> str:
        return FUNCTION_ARN

    def get_remaining_time_in_millis(self) -> int:
        return int((self.timeout_seconds - (time.monotonic() - self.started)) * 1000)


@dataclass
class World:
    """One custom resource's world in the emulator."""

    endpoint_url: str
    pool_id: str
    logs_role_arn: str
    bucket: str = "seed-bucket"
    ledger_bucket: str = LEDGER_BUCKET
    responses: ResponseCollector = field(default_factory=ResponseCollector)

    def client(self, service: str) -> Any:
        make_client: Any = boto3.client  # typed per service name; callers use the client untyped
        return make_client(service, endpoint_url=self.endpoint_url, region_name=REGION)

    def put_source(self, body: str | bytes, key: str = "users.csv") -> dict[str, str]:
        """Store a users file and answer the resource properties that point at it."""
        data = body.encode() if isinstance(body, str) else body
        self.client("s3").put_object(Bucket=self.bucket, Key=key, Body=data)
        return {
            "ServiceToken": FUNCTION_ARN,
            "UserPoolId": self.pool_id,
            "LogsRoleArn": self.logs_role_arn,
            "SourceBucket": self.bucket,
            "SourceKey": key,
            "SourceHash": uuid.uuid5(uuid.NAMESPACE_OID, data.hex()).hex,
            "SourceName": key,
            "JobName": "seed-users",
            "TimeoutSeconds": "120",
            "LedgerBucket": self.ledger_bucket,
        }

    def event(
        self,
        request_type: str,
        properties: dict[str, str],
        *,
        logical_id: str = "SeedUsers",
        old_properties: dict[str, str] | None = None,
        physical_id: str | None = None,
    ) -> dict[str, Any]:
        """A request as CloudFormation sends it."""
        event: dict[str, Any] = {
            "RequestType": request_type,
            "ServiceToken": properties["ServiceToken"],
            "ResponseURL": self.responses.url,
            "StackId": f"arn:aws:cloudformation:{REGION}:{ACCOUNT_ID}:stack/Sample/0a1b2c3d",
            "RequestId": str(uuid.uuid4()),
            "ResourceType": "Custom::CognitoUserImport",
            "LogicalResourceId": logical_id,
            "ResourceProperties": properties,
        }
        if old_properties is not None:
            event["OldResourceProperties"] = old_properties
        if physical_id is not None:
            event["PhysicalResourceId"] = physical_id
        return event

    def scheduled_inputs(self) -> list[dict[str, Any]]:
        """The events crhelper's EventBridge rules would invoke the function with."""
        events = self.client("events")
        inputs = []
        for rule in events.list_rules()["Rules"]:
            for target in events.list_targets_by_rule(Rule=rule["Name"])["Targets"]:
                if target["Arn"] == FUNCTION_ARN:
                    inputs.append(json.loads(target["Input"]))
        return inputs

    def permissions(self) -> list[Any]:
        lambda_client = self.client("lambda")
        try:
            policy = lambda_client.get_policy(FunctionName=FUNCTION_NAME)
        except lambda_client.exceptions.ResourceNotFoundException:
            return []
        return list(json.loads(policy["Policy"])["Statement"])

    def users(self) -> dict[str, dict[str, Any]]:
        """Each user's status and attributes, by username."""
        users: dict[str, dict[str, Any]] = {}
        for page in self.client("cognito-idp").get_paginator("list_users").paginate(UserPoolId=self.pool_id):
            for user in page["Users"]:
                attributes = {a["Name"]: a["Value"] for a in user.get("Attributes", [])}
                users[user["Username"]] = {"status": user["UserStatus"], **attributes}
        return users

    def jobs(self, pool_id: str | None = None) -> list[dict[str, Any]]:
        """The pool's import jobs (this world's pool, or pool_id), newest first."""
        cognito = self.client("cognito-idp")
        found: list[dict[str, Any]] = []
        request: dict[str, Any] = {"UserPoolId": pool_id or self.pool_id, "MaxResults": 60}
        while True:
            page = cognito.list_user_import_jobs(**request)
            found.extend(page.get("UserImportJobs", []))
            if not page.get("PaginationToken"):
                return found
            request["PaginationToken"] = page["PaginationToken"]

    def close(self) -> None:
        self.responses.close()


def _trust(service: str) -> str:
    statement = {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


#: What Cognito needs from the logs role once it has assumed it (the emulator checks it when a job starts).
_WRITE_IMPORT_LOGS = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": "arn:aws:logs:*:*:log-group:/aws/cognito/*",
            }
        ],
    }
)


def _role_arn(iam: Any, name: str, service: str) -> str:
    try:
        return str(iam.create_role(RoleName=name, AssumeRolePolicyDocument=_trust(service))["Role"]["Arn"])
    except iam.exceptions.EntityAlreadyExistsException:
        return str(iam.get_role(RoleName=name)["Role"]["Arn"])


def create_world(endpoint_url: str, pool_name: str = "seeded-pool") -> World:
    """A new pool (email auto-verified, MFA off, POOL_SCHEMA), and the shared role, bucket and function."""
    session = boto3.session.Session(region_name=REGION)
    pool = session.client("cognito-idp", endpoint_url=endpoint_url).create_user_pool(
        PoolName=pool_name, AutoVerifiedAttributes=["email"], Schema=POOL_SCHEMA, MfaConfiguration="OFF"
    )["UserPool"]
    iam = session.client("iam", endpoint_url=endpoint_url)
    logs_role_arn = _role_arn(iam, "ImportLogsRole", "cognito-idp.amazonaws.com")
    iam.put_role_policy(RoleName="ImportLogsRole", PolicyName="ImportLogs", PolicyDocument=_WRITE_IMPORT_LOGS)
    function_role_arn = _role_arn(iam, "HandlerRole", "lambda.amazonaws.com")
    lambda_client = session.client("lambda", endpoint_url=endpoint_url)
    try:
        lambda_client.get_function(FunctionName=FUNCTION_NAME)
    except lambda_client.exceptions.ResourceNotFoundException:
        archive = io.BytesIO()
        with zipfile.ZipFile(archive, "w") as zipped:
            zipped.writestr("index.py", "def handler(event, context):\n    pass\n")
        lambda_client.create_function(
            FunctionName=FUNCTION_NAME,
            Runtime="python3.13",
            Role=function_role_arn,
            Handler="cognito_user_import_handler.index.handler",
            Code={"ZipFile": archive.getvalue()},
        )
    s3 = session.client("s3", endpoint_url=endpoint_url)
    with contextlib.suppress(s3.exceptions.BucketAlreadyOwnedByYou, s3.exceptions.BucketAlreadyExists):
        s3.create_bucket(Bucket="seed-bucket")
    with contextlib.suppress(s3.exceptions.BucketAlreadyOwnedByYou, s3.exceptions.BucketAlreadyExists):
        s3.create_bucket(Bucket=LEDGER_BUCKET)
    return World(endpoint_url=endpoint_url, pool_id=pool["Id"], logs_role_arn=logs_role_arn)
