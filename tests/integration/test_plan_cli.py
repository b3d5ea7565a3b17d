"""`cognito-user-import plan` against the emulator: read-only, and what it says is what a deploy does."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from handler.cfn_harness import Deployment
from handler_world import create_world

from cognito_user_import_emulator import Emulator
from cognito_user_import_handler import index
from cognito_user_import_handler.clients import AwsClients
from cognito_user_import_handler.service import ImportService

HEADER = "cognito:username,email,email_verified,given_name\n"
FIRST = HEADER + "ana,ana@example.com,true,Ana\nbo,bo@example.com,true,Bo\n"
SECOND = HEADER + "ana,ana@example.com,true,Anna\nbo,bo@example.com,true,Bo\ncy,cy@example.com,true,Cy\n"
PASSWORD = "Plan-Passw0rd!77"
SUMMARY = re.compile(
    r"(\d+) users: (\d+) to import, (\d+) existing \((\d+) to update\); (\d+) passwords to set;"
    r" (\d+) group memberships to change"
)


def _plan(emulator: Emulator, path: Path, pool_id: str, *extra: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "cognito_user_import_cli.main", "plan", str(path)]
    return subprocess.run(
        [*command, "--user-pool-id", pool_id, "--endpoint", emulator.url, *extra],
        capture_output=True,
        text=True,
        timeout=120,
        env={"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "PATH": "/usr/bin:/bin"},
    )


def _deployment(emulator: Emulator) -> Deployment:
    emulator.settings.pending_seconds = 0.2
    emulator.settings.min_run_seconds = 0.3
    index._resource = None
    index._service = ImportService(AwsClients(), poll_seconds=0.5)
    return Deployment(create_world(emulator.url))


def test_plan_says_what_the_next_deploy_does_and_changes_nothing(emulator: Emulator, tmp_path: Path) -> None:
    deployment = _deployment(emulator)
    first = deployment.put_source(FIRST) | {"ExistingUsers": "UPDATE"}
    created = deployment.send("Create", first)
    arn = deployment.client("secretsmanager").create_secret(
        Name="plan-passwords", SecretString=json.dumps({"cy": PASSWORD})
    )["ARN"]
    path = tmp_path / "users.csv"
    path.write_text(SECOND, encoding="utf-8")
    emulator.calls.reset()

    planned = _plan(
        emulator,
        path,
        deployment.pool_id,
        "--existing-users",
        "update",
        "--passwords-secret",
        arn,
        "--details",
    )
    scripted = _plan(
        emulator, path, deployment.pool_id, "--existing-users", "update", "--passwords-secret", arn, "--json"
    )
    brief = _plan(emulator, path, deployment.pool_id, "--existing-users", "update", "--passwords-secret", arn)

    assert planned.returncode == 0, planned.stderr
    # By default only the counts; --json has the same lines and counts for a script.
    assert "line 2:" not in brief.stdout and SUMMARY.search(brief.stdout)
    as_json = json.loads(scripted.stdout)
    assert {"line": 4, "username": "cy", "action": "import", "details": ["password set"]} in as_json["users"]
    assert PASSWORD not in scripted.stdout
    assert "line 2: ana: update (given_name)" in planned.stdout
    assert "line 4: cy: import; password set" in planned.stdout
    assert PASSWORD not in planned.stdout + planned.stderr
    writes = [
        op for op in emulator.calls.to_json()["operations"] if not op.startswith(("Describe", "Get", "List"))
    ]
    assert writes == [], "plan is read-only"
    match = SUMMARY.search(planned.stdout)
    assert match, planned.stdout
    users, to_import, existing, to_update, passwords, memberships = map(int, match.groups())
    assert list(as_json["summary"].values()) == [
        users,
        to_import,
        existing,
        to_update,
        passwords,
        memberships,
    ]

    second = deployment.put_source(SECOND, key="second.csv") | {
        "ExistingUsers": "UPDATE",
        "PasswordsSecretArn": arn,
    }
    updated = deployment.send(
        "Update", second, old_properties=first, physical_id=created["PhysicalResourceId"]
    )

    assert updated["Status"] == "SUCCESS", updated["Reason"]
    data = updated["Data"]
    assert (int(data["ImportedUsers"]), int(data["SkippedUsers"])) == (to_import, existing)
    assert (int(data["UpdatedUsers"]), int(data["PasswordsSet"])) == (to_update, passwords)
    assert int(data["GroupMemberships"]) == memberships
    assert users == 3
    deployment.world.close()


def test_plan_names_the_problems_a_deploy_would_fail_on(emulator: Emulator, tmp_path: Path) -> None:
    world = create_world(emulator.url)
    arn = world.client("secretsmanager").create_secret(
        Name="plan-unknown", SecretString=json.dumps({"zed": PASSWORD})
    )["ARN"]
    path = tmp_path / "users.csv"
    path.write_text(FIRST, encoding="utf-8")

    planned = _plan(emulator, path, world.pool_id, "--passwords-secret", arn)

    assert planned.returncode == 1
    assert "zed" in planned.stderr and "A deployment would create no job" in planned.stderr
    world.close()
