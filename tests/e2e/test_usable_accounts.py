"""The sample app's admin through deploy-local --sign-in: a usable account, and its password nowhere a
person or a log could read it (one deploy-local run for every assertion)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import boto3
import pytest
from e2e_app import SampleApp, cognito_client, outputs

from cognito_user_import_emulator import Emulator

pytestmark = pytest.mark.e2e

ADMIN = "admin@example.com"
ADMIN_GROUP = "admins"


def _secrets(emulator: Emulator) -> Any:
    return boto3.client(
        "secretsmanager",
        endpoint_url=emulator.url,
        region_name=emulator.region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def _password(emulator: Emulator, secret_arn: str) -> str:
    value = _secrets(emulator).get_secret_value(SecretId=secret_arn)["SecretString"]
    return str(json.loads(value)[ADMIN])


def _email(user: dict[str, Any]) -> str:
    return next(str(a["Value"]) for a in user["Attributes"] if a["Name"] == "email")


def _files_holding(folder: Path, needles: set[str]) -> list[str]:
    """Files under folder (the assembly: templates, assets, manifests) whose text holds any needle."""
    found = []
    for path in folder.rglob("*"):
        if path.is_file():
            text = path.read_bytes().decode("utf-8", errors="replace")
            if any(needle in text for needle in needles):
                found.append(str(path.relative_to(folder)))
    return found


def test_the_admin_is_confirmed_in_its_group_and_signs_in_with_the_secrets_password(
    fast_emulator: Emulator, sample_app: SampleApp
) -> None:
    run = sample_app.cli("deploy-local", "--endpoint", fast_emulator.url, "--sign-in", ADMIN)

    assert run.exit_code == 0, run.output
    figures = outputs(run)
    assert figures["AdminUsername"] == ADMIN and figures["AdminGroup"] == ADMIN_GROUP
    assert figures["PasswordsSet"] == "1" and figures["GroupMemberships"] == "1"
    assert figures["ImportedUsers"] == "50"  # the file's users, besides the admin
    pool_id, client_id = figures["UserPoolId"], figures["AdminClientId"]
    cognito: Any = cognito_client(fast_emulator.url, fast_emulator.region)

    # CONFIRMED, in exactly the sample's group; the other seeded users still reset their passwords.
    assert cognito.admin_get_user(UserPoolId=pool_id, Username=ADMIN)["UserStatus"] == "CONFIRMED"
    groups = cognito.admin_list_groups_for_user(UserPoolId=pool_id, Username=ADMIN)["Groups"]
    assert [group["GroupName"] for group in groups] == [ADMIN_GROUP]
    members = cognito.list_users_in_group(UserPoolId=pool_id, GroupName=ADMIN_GROUP)["Users"]
    assert [_email(user) for user in members] == [ADMIN]  # the pool signs in with email: usernames are ids
    users = cognito.list_users(UserPoolId=pool_id, Limit=60)["Users"]
    assert Counter(user["UserStatus"] for user in users) == {"CONFIRMED": 1, "RESET_REQUIRED": 50}

    # deploy-local signed in, and so does anyone with the secret's password and the client.
    assert f"Signed in as {ADMIN}: access token eyJ" in run.output
    password = _password(fast_emulator, figures["PasswordsSecretArn"])
    tokens = cognito.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": ADMIN, "PASSWORD": password},
    )["AuthenticationResult"]
    assert tokens["AccessToken"].count(".") == 2
    assert tokens["AccessToken"] not in run.output

    # The password, as written and as JSON escapes it, in neither the output nor the assembly.
    written = {password, json.dumps(password)[1:-1]}
    assert not any(form in run.output for form in written)
    assert _files_holding(sample_app.folder / "cdk.out", written) == []
    template = json.loads(
        (sample_app.folder / "cdk.out" / "CognitoUserImportSample.template.json").read_text()
    )
    [secret] = [r for r in template["Resources"].values() if r["Type"] == "AWS::SecretsManager::Secret"]
    assert "SecretString" not in secret["Properties"] and "GenerateSecretString" in secret["Properties"]

    # destroy-local deletes the client, the group and the secret with the rest (the secret at once).
    gone = sample_app.cli("destroy-local", "--force", "--endpoint", fast_emulator.url)
    assert gone.exit_code == 0, gone.output
    assert "DELETE  AWS::SecretsManager::Secret" in gone.output
    assert "DELETE  AWS::Cognito::UserPoolGroup" in gone.output
    assert "DELETE  AWS::Cognito::UserPoolClient" in gone.output
    assert _secrets(fast_emulator).list_secrets()["SecretList"] == []
