"""Run a Lambda function's code like the Lambda Python runtime: a fresh process per invocation.

The process sees only the function's unzipped code and the runtime's own packages (boto3 and its
dependencies), its Environment variables, the runtime's variables pointed at the emulator, and a
context whose remaining time counts down from the function's Timeout.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

TIMEOUT_OVERRIDE_VARIABLE = "COGNITO_USER_IMPORT_LOCAL_LAMBDA_TIMEOUT"
"""Seconds: replaces every function's Timeout (tests use a short one)."""

RUNTIME_PACKAGES = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six.py")
"""What the Lambda Python runtime provides besides the standard library."""

_PRESIGNED = re.compile(r"https?://[^\s'\"]*X-Amz-Signature=[^\s'\"]*")


@dataclass(frozen=True)
class LambdaFunction:
    """What it takes to invoke one deployed function."""

    name: str
    arn: str
    handler: str
    code_dir: Path
    timeout_seconds: float
    memory_mb: int = 128
    environment: dict[str, str] = field(default_factory=dict)
    credentials: dict[str, str] = field(default_factory=dict)
    """AWS_ACCESS_KEY_ID/SECRET_ACCESS_KEY/SESSION_TOKEN of a session of the function's execution role, as
    Lambda gives them (empty: the emulator's plain test credentials)."""


@dataclass(frozen=True)
class Invocation:
    exit_code: int
    timed_out: bool
    seconds: float
    interrupted: bool = False
    """Ctrl-C (SIGINT) reached the driver during the invocation: the caller is to cancel its request."""


def effective_timeout(function: LambdaFunction) -> float:
    """The function's Timeout in seconds, or the override tests set."""
    return float(os.environ.get(TIMEOUT_OVERRIDE_VARIABLE) or function.timeout_seconds)


def unzip_code(archive: bytes, target: Path) -> Path:
    """Unpack a deployment package into target (created); returns target."""
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryFile() as buffer:
        buffer.write(archive)
        buffer.seek(0)
        with zipfile.ZipFile(buffer) as package:
            package.extractall(target)
    return target


class LambdaRunner:
    """Invokes functions in subprocesses and passes their log lines to `echo`, secrets redacted."""

    def __init__(
        self,
        work_dir: Path,
        *,
        endpoint: str,
        region: str,
        echo: Callable[[str], None],
        secrets: Callable[[], list[str]] = list,
    ) -> None:
        self.work_dir = work_dir
        self.endpoint = endpoint
        self.region = region
        self.echo = echo
        self.secrets = secrets
        """Strings never to be printed (response URLs): replaced by a placeholder in passed-on lines."""
        self._runtime_dir: Path | None = None
        self._bootstrap: Path | None = None

    def invoke(self, function: LambdaFunction, event: dict[str, object]) -> Invocation:
        bootstrap, runtime = self._prepare()
        timeout = effective_timeout(function)
        request_id = str(uuid.uuid4())
        # The event holds the ResponseURL: a private file, removed right after the invocation.
        fd, event_path = tempfile.mkstemp(prefix="event-", suffix=".json", dir=self.work_dir)
        with os.fdopen(fd, "w", encoding="utf-8") as stream:
            json.dump(event, stream)
        started = time.monotonic()
        try:
            process = subprocess.Popen(
                [sys.executable, "-S", "-u", str(bootstrap), event_path],
                cwd=function.code_dir,
                env=self._environment(function, runtime, timeout, request_id),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                encoding="utf-8",
                errors="replace",
                # A session of its own: a Ctrl-C in the driver's terminal does not reach the function,
                # as nothing a person does to CloudFormation ends a running Lambda invocation.
                start_new_session=True,
            )
            reader = threading.Thread(target=self._pass_on, args=(process,), daemon=True)
            reader.start()
            # A little grace beyond the deadline: the code's own timer answers first, as in Lambda.
            timed_out, interrupted = _wait(process, started + timeout + 1.0, self.echo)
            if timed_out:
                self.echo(f"Task timed out after {timeout:.2f} seconds")
            reader.join(timeout=5)
        finally:
            os.unlink(event_path)
        return Invocation(process.returncode, timed_out, time.monotonic() - started, interrupted)

    def redact(self, line: str) -> str:
        for secret in self.secrets():
            if secret:
                line = line.replace(secret, "<ResponseURL>")
        return _PRESIGNED.sub("<pre-signed URL>", line)

    def _pass_on(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            self.echo(self.redact(line.rstrip("\n")))

    def _environment(
        self, function: LambdaFunction, runtime: Path, timeout: float, request_id: str
    ) -> dict[str, str]:
        # Built from nothing: the caller's own AWS credentials and settings must not leak in.
        env = dict(function.environment)
        env.update(
            {
                "PATH": "/usr/local/bin:/usr/bin:/bin",
                "LANG": "en_US.UTF-8",
                "TZ": ":UTC",
                "PYTHONPATH": os.pathsep.join([str(function.code_dir), str(runtime)]),
                "PYTHONUNBUFFERED": "1",
                "LAMBDA_TASK_ROOT": str(function.code_dir),
                "TMPDIR": tempfile.gettempdir(),
                "_HANDLER": function.handler,
                "_LAMBDA_TIMEOUT": str(timeout),
                "_LAMBDA_FUNCTION_ARN": function.arn,
                "_LAMBDA_REQUEST_ID": request_id,
                "AWS_LAMBDA_FUNCTION_NAME": function.name,
                "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_mb),
                "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
                "AWS_REGION": self.region,
                "AWS_DEFAULT_REGION": self.region,
                "AWS_ENDPOINT_URL": self.endpoint,
                "AWS_ACCESS_KEY_ID": "testing",
                "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_SESSION_TOKEN": "testing",
                "AWS_CONFIG_FILE": os.devnull,
                "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            }
        )
        env.update(function.credentials)  # the execution role's session: the emulator enforces its policies
        return env

    def _prepare(self) -> tuple[Path, Path]:
        """The bootstrap script and a folder exposing only the runtime's packages, made once per run."""
        if self._bootstrap is None or self._runtime_dir is None:
            runtime_root = self.work_dir / "runtime"
            runtime = runtime_root / "python"
            runtime.mkdir(parents=True, exist_ok=True)
            site_packages = _site_packages()
            for name in RUNTIME_PACKAGES:
                source = site_packages / name
                if source.exists() and not (runtime / name).exists():
                    (runtime / name).symlink_to(source)
            # A folder of its own, so its siblings cannot shadow the function's modules.
            bootstrap = runtime_root / "bootstrap" / "lambda_bootstrap.py"
            bootstrap.parent.mkdir(exist_ok=True)
            shutil.copyfile(Path(__file__).with_name("lambda_bootstrap.py"), bootstrap)
            self._runtime_dir, self._bootstrap = runtime, bootstrap
        return self._bootstrap, self._runtime_dir


def _wait(process: subprocess.Popen[str], deadline: float, echo: Callable[[str], None]) -> tuple[bool, bool]:
    """Wait for the invocation until deadline (then kill it): answers (timed out, interrupted).

    A first Ctrl-C lets the invocation run to its end, as in AWS, so that what it started is known
    (crhelper's pending poll names it); a second one ends it at once.
    """
    interrupted = False
    while True:
        try:
            process.wait(timeout=max(0.0, deadline - time.monotonic()))
            return False, interrupted
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            return True, interrupted
        except KeyboardInterrupt:
            if interrupted:
                process.kill()
                process.wait()
                echo("(invocation ended by a second Ctrl-C: what it started may be unknown to the rollback)")
                return False, True
            interrupted = True
            echo(
                "(Ctrl-C: cancelling once this invocation ends, "
                f"at most {max(0.0, deadline - time.monotonic()):.0f} s; Ctrl-C again to end it now)"
            )


def _site_packages() -> Path:
    import boto3

    return Path(boto3.__file__).resolve().parent.parent
