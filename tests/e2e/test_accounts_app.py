"""Groups and ExistingUsers.UPDATE through deploy-local: exact memberships, a changed attribute applied,
and a group the pool lacks refused before any job."""

from __future__ import annotations

from pathlib import Path

import pytest
from e2e_app import SampleApp, cognito_client, copy_fixture_app, outputs

from cognito_user_import_emulator import Emulator

pytestmark = pytest.mark.e2e

STACK = "Accounts"


@pytest.fixture
def accounts_app(tmp_path: Path) -> SampleApp:
    return copy_fixture_app("accounts", tmp_path / "app")


def _members(cognito: object, pool_id: str, group: str) -> set[str]:
    users = cognito.list_users_in_group(UserPoolId=pool_id, GroupName=group)["Users"]  # type: ignore[attr-defined]
    return {user["Username"] for user in users}


def test_groups_and_updates_converge_and_a_missing_group_makes_no_job(
    fast_emulator: Emulator, accounts_app: SampleApp
) -> None:
    first = accounts_app.cli("deploy-local", "--endpoint", fast_emulator.url)
    assert first.exit_code == 0, first.output
    figures = outputs(first, STACK)
    pool_id = figures["PoolId"]
    assert (figures["Imported"], figures["GroupMemberships"]) == ("2", "3")
    cognito = cognito_client(fast_emulator.url, fast_emulator.region)
    assert _members(cognito, pool_id, "admins") == {"ana"}
    assert _members(cognito, pool_id, "testers") == {"ana", "bo"}

    accounts_app.users_csv.write_text(
        "cognito:username,email,email_verified,given_name,groups\n"
        "ana,ana@example.com,true,Ana,admins\nbo,bo@example.com,true,Bob,testers\n",
        encoding="utf-8",
    )
    second = accounts_app.cli("deploy-local", "--endpoint", fast_emulator.url)
    assert second.exit_code == 0, second.output
    assert (outputs(second, STACK)["UpdatedUsers"], outputs(second, STACK)["GroupMemberships"]) == ("1", "1")
    bo = cognito.admin_get_user(UserPoolId=pool_id, Username="bo")
    assert {a["Name"]: a["Value"] for a in bo["UserAttributes"]}["given_name"] == "Bob"
    assert _members(cognito, pool_id, "testers") == {"bo"}

    accounts_app.add_rows("cy,cy@example.com,true,Cy,ghosts")
    third = accounts_app.cli("deploy-local", "--endpoint", fast_emulator.url)
    assert third.exit_code != 0
    assert "No import job was created" in third.output and "ghosts (line 4)" in third.output, third.output
    jobs = cognito.list_user_import_jobs(UserPoolId=pool_id, MaxResults=60)["UserImportJobs"]
    assert len(jobs) == 1  # the first deploy's: the update made none, the refused file made none
