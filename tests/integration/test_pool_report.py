"""deploy-local --show-users: the users a person sees after a local deploy."""

from __future__ import annotations

import boto3

from cognito_user_import_emulator import Emulator
from cognito_user_import_local.pool_report import describe_users


def test_users_are_counted_by_status_and_shown_by_sign_in_address(emulator: Emulator) -> None:
    cognito = boto3.client("cognito-idp", endpoint_url=emulator.url, region_name="us-east-1")
    pool_id = cognito.create_user_pool(PoolName="report", UsernameAttributes=["email"])["UserPool"]["Id"]
    for name in ("ana", "bo", "cy"):
        cognito.admin_create_user(
            UserPoolId=pool_id,
            Username=f"{name}@example.com",
            UserAttributes=[
                {"Name": "email", "Value": f"{name}@example.com"},
                {"Name": "given_name", "Value": "X"},
            ],
            MessageAction="SUPPRESS",
        )

    lines = describe_users(cognito, pool_id, show=2)

    assert lines[0] == f"Users in pool {pool_id}: 3 (3 FORCE_CHANGE_PASSWORD)"
    assert len(lines) == 4 and lines[3] == "  ... and 1 more"
    assert all("@example.com (" in line and line.endswith("FORCE_CHANGE_PASSWORD") for line in lines[1:3])
    assert not any("given_name" in line or " X " in line for line in lines)
