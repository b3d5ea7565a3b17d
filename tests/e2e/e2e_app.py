"""Helpers of the end-to-end tests: the sample app in a folder of its own, and the CLI run on it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
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
        env = dict(os.environ)
        env.update(
            {
                "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
                "CDK_DISABLE_CLI_TELEMETRY": "1",
                "COGNITO_USER_IMPORT_LOCAL_LAMBDA_TIMEOUT": LAMBDA_TIMEOUT_SECONDS,
            }
        )
        completed = subprocess.run(
            [sys.executable, "-m", "cognito_user_import.cli", *args],
            cwd=self.folder,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=timeout,
            check=False,
        )
        return Run(completed.returncode, completed.stdout)


def outputs(run: Run) -> dict[str, str]:
    """The stack outputs the driver printed: {"ImportedUsers": "50", ...}."""
    found: dict[str, str] = {}
    for line in run.output.splitlines():
        name, separator, value = line.strip().partition(" = ")
        if separator and name.startswith("CognitoUserImportSample."):
            found[name.removeprefix("CognitoUserImportSample.").strip()] = value.strip()
    return found


def copy_sample_app(folder: Path) -> SampleApp:
    """app.py, cdk.json and seed/ of this repository in folder (created), with the CDK CLI linked in."""
    folder.mkdir(parents=True)
    shutil.copy(REPO / "app.py", folder)
    shutil.copy(REPO / "cdk.json", folder)
    shutil.copytree(REPO / "seed", folder / "seed")
    (folder / "node_modules").symlink_to(REPO / "node_modules", target_is_directory=True)
    return SampleApp(folder)
