"""Helpers of the end-to-end tests: the sample app in a folder of its own, and the CLI run on it."""

from __future__ import annotations

import os
import pty
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3

REPO = Path(__file__).resolve().parents[2]
APPS = Path(__file__).resolve().parent / "apps"
"""Fixture apps: an app.py and its seed/ files each; cdk.json and the CDK CLI come from the repository."""
LAMBDA_TIMEOUT_SECONDS = "15"
"""Short invocations, so that the scheduled-poll path is reached within seconds when a job is slow."""


@dataclass(frozen=True)
class Run:
    exit_code: int
    output: str
    """stdout and stderr together, as a person sees them."""


@dataclass(frozen=True)
class SampleApp:
    folder: Path

    @property
    def users_csv(self) -> Path:
        return self.folder / "seed" / "users.csv"

    def add_rows(self, *rows: str) -> None:
        with self.users_csv.open("a", encoding="utf-8") as stream:
            for row in rows:
                stream.write(row + "\n")

    def cli(self, *args: str, timeout: float = 240) -> Run:
        """The CLI with no terminal (standard input empty), as in CI."""
        completed = subprocess.run(
            [sys.executable, "-m", "cognito_user_import_cli.main", *args],
            cwd=self.folder,
            env=_cli_environment(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=timeout,
            check=False,
        )
        return Run(completed.returncode, completed.stdout)

    def cli_in_terminal(self, *args: str, typed: str, timeout: float = 240) -> Run:
        """The CLI with a terminal as standard input, on which `typed` has been typed."""
        controller, terminal = pty.openpty()
        try:
            os.write(controller, typed.encode())  # held by the terminal until the CLI reads a line
            completed = subprocess.run(
                [sys.executable, "-m", "cognito_user_import_cli.main", *args],
                cwd=self.folder,
                env=_cli_environment(),
                stdin=terminal,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                timeout=timeout,
                check=False,
            )
        finally:
            os.close(terminal)
            os.close(controller)
        return Run(completed.returncode, completed.stdout)

    def start_cli(self, *args: str) -> RunningCli:
        """The CLI as a background process, its output collected as it comes.

        Ctrl-C is restored first: a suite started in the background by a non-interactive shell (as CI
        may be) hands its children SIGINT ignored, and Python then never raises KeyboardInterrupt,
        whereas the tests send SIGINT as a person's Ctrl-C in a terminal would.
        """
        process = subprocess.Popen(
            [sys.executable, "-c", _WITH_CTRL_C, *args],
            cwd=self.folder,
            env=_cli_environment(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        return RunningCli(process)


@dataclass
class RunningCli:
    process: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def finish(self, timeout: float = 120) -> Run:
        try:
            exit_code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise
        self._reader.join(timeout=5)
        return Run(exit_code, self.output)


_WITH_CTRL_C = (
    "import runpy, signal; signal.signal(signal.SIGINT, signal.default_int_handler); "
    "runpy.run_module('cognito_user_import_cli.main', run_name='__main__', alter_sys=True)"
)


def _cli_environment() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
            "CDK_DISABLE_CLI_TELEMETRY": "1",
            "COGNITO_USER_IMPORT_LOCAL_LAMBDA_TIMEOUT": LAMBDA_TIMEOUT_SECONDS,
        }
    )
    return env


def outputs(run: Run, stack: str = "CognitoUserImportSample") -> dict[str, str]:
    """The stack outputs the driver printed: {"ImportedUsers": "50", ...}."""
    found: dict[str, str] = {}
    for line in run.output.splitlines():
        name, separator, value = line.strip().partition(" = ")
        if separator and name.startswith(f"{stack}."):
            found[name.removeprefix(f"{stack}.").strip()] = value.strip()
    return found


def copy_sample_app(folder: Path) -> SampleApp:
    """app.py, cdk.json and seed/ of this repository in folder (created), with the CDK CLI linked in."""
    folder.mkdir(parents=True)
    shutil.copy(REPO / "app.py", folder)
    shutil.copy(REPO / "cdk.json", folder)
    shutil.copytree(REPO / "seed", folder / "seed")
    (folder / "node_modules").symlink_to(REPO / "node_modules", target_is_directory=True)
    return SampleApp(folder)


def copy_fixture_app(name: str, folder: Path) -> SampleApp:
    """tests/e2e/apps/<name> in folder (created), with the repository's cdk.json and the CDK CLI linked in."""
    shutil.copytree(APPS / name, folder)
    shutil.copy(REPO / "cdk.json", folder)
    (folder / "node_modules").symlink_to(REPO / "node_modules", target_is_directory=True)
    return SampleApp(folder)


def cognito_client(url: str, region: str) -> Any:
    """A cognito-idp client for the emulator at url."""
    return boto3.client(
        "cognito-idp",
        endpoint_url=url,
        region_name=region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
