"""The benchmarks' own harness: an in-process emulator world and CloudFormation's side of a request.

Modelled on tests/integration/handler/cfn_harness.py (not imported: benchmarks do not depend on the
test suite). The handler runs in this process against an in-process ``Emulator``; CloudFormation's
ResponseURL is a local HTTP server that records every response PUT and the wall-clock time it arrived.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import threading
import time
import uuid
import zipfile
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

FUNCTION_NAME = "CognitoUserImportHandler"
REGION = "us-east-1"
POOL_SCHEMA = [
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


def set_aws_environment(endpoint_url: str | None = None) -> None:
    """What the Lambda runtime provides (a region, credentials), pointed at the emulator when given."""
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    os.environ["AWS_DEFAULT_REGION"] = REGION
    os.environ["AWS_REGION"] = REGION
    os.environ["AWS_ACCESS_KEY_ID"] = "testing"
    os.environ["AWS_SECRET_ACCESS_KEY"] = "testing"
    os.environ.pop("AWS_SESSION_TOKEN", None)
    os.environ.pop("AWS_PROFILE", None)
    if endpoint_url is not None:
        os.environ["AWS_ENDPOINT_URL"] = endpoint_url


class ResponseCollector:
    """CloudFormation's pre-signed ResponseURL: records each response body and when it arrived."""

    def __init__(self) -> None:
        self.responses: list[tuple[float, dict[str, Any]]] = []
        self.arrived = threading.Event()
        collector = self

        class Handler(BaseHTTPRequestHandler):
            def do_PUT(self) -> None:
                arrived_at = time.time()  # before the body is read: the request has reached us
                length = int(self.headers.get("Content-Length", "0"))
                collector.responses.append((arrived_at, json.loads(self.rfile.read(length))))
                collector.arrived.set()
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/cfn-response?X-Amz-Signature=s"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@dataclass
class LambdaContext:
    timeout_seconds: float = 900.0
    function_name: str = FUNCTION_NAME
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    memory_limit_in_mb: int = 256
    started: float = field(default_factory=time.monotonic)

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{REGION}:123456789012:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return int((self.timeout_seconds - (time.monotonic() - self.started)) * 1000)


@dataclass
class World:
    """A pool, a logs role, a source bucket and the handler's function record, in the emulator."""

    endpoint_url: str
    pool_id: str
    logs_role_arn: str
    bucket: str = "seed-bucket"
    collector: ResponseCollector = field(default_factory=ResponseCollector)

    def client(self, service: str) -> Any:
        import boto3

        return boto3.client(service, endpoint_url=self.endpoint_url, region_name=REGION)

    def put_source(self, body: bytes, key: str = "users.csv") -> dict[str, str]:
        self.client("s3").put_object(Bucket=self.bucket, Key=key, Body=body)
        return {
            "ServiceToken": f"arn:aws:lambda:{REGION}:123456789012:function:{FUNCTION_NAME}",
            "UserPoolId": self.pool_id,
            "LogsRoleArn": self.logs_role_arn,
            "SourceBucket": self.bucket,
            "SourceKey": key,
            "SourceHash": uuid.uuid4().hex,
            "SourceName": key,
            "JobName": "seed-users",
            "TimeoutSeconds": "3600",
        }

    def create_event(self, properties: dict[str, str]) -> dict[str, Any]:
        return {
            "RequestType": "Create",
            "ServiceToken": properties["ServiceToken"],
            "ResponseURL": self.collector.url,
            "StackId": f"arn:aws:cloudformation:{REGION}:123456789012:stack/Bench/0a1b2c3d",
            "RequestId": str(uuid.uuid4()),
            "ResourceType": "Custom::CognitoUserImport",
            "LogicalResourceId": "SeedUsers",
            "ResourceProperties": properties,
        }

    def jobs(self) -> list[dict[str, Any]]:
        cognito = self.client("cognito-idp")
        found: list[dict[str, Any]] = []
        request: dict[str, Any] = {"UserPoolId": self.pool_id, "MaxResults": 60}
        while True:
            page = cognito.list_user_import_jobs(**request)
            found.extend(page.get("UserImportJobs", []))
            if not page.get("PaginationToken"):
                return found
            request["PaginationToken"] = page["PaginationToken"]

    def close(self) -> None:
        self.collector.close()


def cold_handler() -> Any:
    """The handler as a cold Lambda starts it: no cached crhelper resource or clients, production settings.

    The service is left for the handler to build itself, so ImportService's default poll interval
    (2 s) is the one measured.
    """
    from cognito_user_import_handler import index

    index._resource = None
    index._service = None
    return index.handler


def create_world(endpoint_url: str, pool_name: str = "bench-pool") -> World:
    import boto3

    session = boto3.session.Session(region_name=REGION)
    cognito = session.client("cognito-idp", endpoint_url=endpoint_url)
    iam = session.client("iam", endpoint_url=endpoint_url)
    pool = cognito.create_user_pool(
        PoolName=pool_name,
        AutoVerifiedAttributes=["email"],
        Schema=POOL_SCHEMA,
        MfaConfiguration="OFF",
    )["UserPool"]

    def trust(service: str) -> str:
        return json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
                ],
            }
        )

    try:
        role = iam.create_role(
            RoleName="ImportLogsRole", AssumeRolePolicyDocument=trust("cognito-idp.amazonaws.com")
        )
        function_role = iam.create_role(
            RoleName="HandlerRole", AssumeRolePolicyDocument=trust("lambda.amazonaws.com")
        )
    except iam.exceptions.EntityAlreadyExistsException:
        role = iam.get_role(RoleName="ImportLogsRole")
        function_role = iam.get_role(RoleName="HandlerRole")
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
            Role=function_role["Role"]["Arn"],
            Handler="cognito_user_import_handler.index.handler",
            Code={"ZipFile": archive.getvalue()},
        )
    s3 = session.client("s3", endpoint_url=endpoint_url)
    with contextlib.suppress(s3.exceptions.BucketAlreadyOwnedByYou, s3.exceptions.BucketAlreadyExists):
        s3.create_bucket(Bucket="seed-bucket")
    return World(endpoint_url=endpoint_url, pool_id=pool["Id"], logs_role_arn=role["Role"]["Arn"])


def user_rows(count: int, start: int = 0) -> bytes:
    """A small ordinary CSV of ``count`` valid users for the world's pool (accents and a quoted comma)."""
    lines = [
        "cognito:username,email,email_verified,given_name,family_name,custom:tenant,custom:seats,address"
    ]
    for i in range(start, start + count):
        lines.append(
            f"user{i:06d},user{i:06d}@example.com,true,Zoë,Müller-Łukasz,tenant-{i % 97},{i % 500 + 1},"
            f'"{i} Rue de l\'Église, Apt {i % 30}, Paris"'
        )
    return ("\n".join(lines) + "\n").encode()
