"""The emulator a run works against: its clients, its lifecycle, and the functions' code fetched from it."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from .custom_resource import ResponseServer
from .errors import DeployError
from .invoke import LambdaFunction, LambdaRunner, unzip_code
from .reporter import Reporter
from .resources.base import Environment
from .resources.functions import inline_package
from .state import DeployedResource, StateStore

DEFAULT_REGION = "us-east-1"


class Session:
    """Clients for the emulator, the ResponseURL server, the function runner and a scratch folder."""

    def __init__(
        self, endpoint: str, region: str, work_dir: Path, server: ResponseServer, reporter: Reporter
    ) -> None:
        self.endpoint = endpoint
        self.region = region
        self.work_dir = work_dir
        self.server = server
        self.reporter = reporter
        self._boto = boto3.session.Session(
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            aws_session_token="testing",
            region_name=region,
        )
        self._clients: dict[str, Any] = {}
        self.account_id = str(self.client("sts").get_caller_identity()["Account"])
        self.runner = LambdaRunner(
            work_dir, endpoint=endpoint, region=region, echo=reporter.handler_output, secrets=server.urls
        )
        self.store = StateStore(self.client("s3"), self.account_id, region)
        self._code_dirs: dict[str, Path] = {}

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self._boto.client(
                service,  # type: ignore[call-overload]
                endpoint_url=self.endpoint,
                config=Config(retries={"mode": "standard", "max_attempts": 5}),
            )
        return self._clients[service]

    def environment(self, stack_name: str) -> Environment:
        return Environment(self.client, stack_name, self.region, self.account_id, reporter=self.reporter)

    def new_stack_id(self, stack_name: str) -> str:
        return f"arn:aws:cloudformation:{self.region}:{self.account_id}:stack/{stack_name}/{uuid.uuid4()}"

    def function_for(self, service_token: str, resources: Mapping[str, DeployedResource]) -> LambdaFunction:
        """The deployed function a ServiceToken names, its code fetched from the emulator and unzipped."""
        name = service_token.split(":function:")[-1].split(":")[0]
        for resource in resources.values():
            if resource.resource_type != "AWS::Lambda::Function":
                continue
            if resource.attributes.get("Arn") == service_token or resource.physical_id == name:
                return self._function(resource)
        raise DeployError(
            f"ServiceToken {service_token} is not a function of this stack (only Lambda-backed custom "
            "resources are emulated)"
        )

    def _function(self, resource: DeployedResource) -> LambdaFunction:
        props = resource.properties
        code = props.get("Code", {})
        key = f"{code.get('S3Bucket')}/{code.get('S3Key')}" if "S3Key" in code else resource.physical_id
        if key not in self._code_dirs:
            self._code_dirs[key] = self._unpacked_code(code, str(props.get("Runtime", "")))
        variables = props.get("Environment", {}).get("Variables", {})
        return LambdaFunction(
            name=resource.physical_id,
            arn=str(resource.attributes["Arn"]),
            handler=str(props["Handler"]),
            code_dir=self._code_dirs[key],
            timeout_seconds=float(props.get("Timeout", 3)),
            memory_mb=int(props.get("MemorySize", 128)),
            environment={str(k): str(v) for k, v in variables.items()},
            credentials=self._role_credentials(str(props.get("Role", "")), resource.physical_id),
        )

    def _role_credentials(self, role_arn: str, function_name: str) -> dict[str, str]:
        """Temporary credentials of the function's execution role, session named after the function, as
        Lambda runs it: every call the function makes is authorized against the role's policies."""
        if not role_arn.startswith("arn:"):
            return {}
        found = self.client("sts").assume_role(RoleArn=role_arn, RoleSessionName=function_name[:64])
        credentials = found["Credentials"]
        return {
            "AWS_ACCESS_KEY_ID": str(credentials["AccessKeyId"]),
            "AWS_SECRET_ACCESS_KEY": str(credentials["SecretAccessKey"]),
            "AWS_SESSION_TOKEN": str(credentials["SessionToken"]),
        }

    def _unpacked_code(self, code: dict[str, Any], runtime: str) -> Path:
        """A function's code in a folder of its own: the inline source, or its package from S3."""
        target = self.work_dir / "functions" / uuid.uuid4().hex
        if "ZipFile" in code:
            unzip_code(inline_package(str(code["ZipFile"]), runtime), target)
        else:
            body = self.client("s3").get_object(Bucket=code["S3Bucket"], Key=code["S3Key"])["Body"].read()
            unzip_code(body, target)
        return target


@contextmanager
def open_session(endpoint: str | None, reporter: Reporter) -> Iterator[Session]:
    """A session on the emulator at endpoint, or on one started for the run (and stopped after it).

    A request the emulator refuses ends the run as a DeployError.
    """
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION
    with (
        _emulator(endpoint, reporter) as url,
        ResponseServer() as server,
        tempfile.TemporaryDirectory(prefix="cognito-user-import-local-") as work,
    ):
        try:
            yield Session(url, region, Path(work), server, reporter)
        except (ClientError, BotoCoreError) as error:
            raise DeployError(f"the emulator at {url} refused a request: {error}") from error


@contextmanager
def _emulator(endpoint: str | None, reporter: Reporter) -> Iterator[str]:
    if endpoint:
        reporter.progress(f"Emulator: {endpoint} (running; what is deployed stays there)")
        yield endpoint.rstrip("/")
        return
    # Imported only when started here: against a running emulator, this process needs none of moto.
    from cognito_user_import_emulator import Emulator

    with Emulator(port=0) as emulator:
        reporter.progress(f"Emulator: {emulator.url} (started for this run, stopped at its end)")
        yield emulator.url
