"""Usable accounts: passwords from a secret, ExistingUsers.UPDATE, through the handler and the emulator.

Passwords never appear in an answer or in the handler's log.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from cognito_user_import_emulator import Emulator

from cfn_harness import Deployment

HEADER = "cognito:username,email,email_verified,given_name\n"
USERS = HEADER + "ana,ana@example.com,true,Ana\nbo,bo@example.com,true,Bo\n"
PASSWORD = "Seed-Passw0rd!4f1e"


def _secret(deployment: Deployment, value: dict[str, str], name: str = "seed-passwords") -> str:
    secrets = deployment.client("secretsmanager")
    return str(secrets.create_secret(Name=name, SecretString=json.dumps(value))["ARN"])


def _sign_in(deployment: Deployment, username: str, password: str) -> dict[str, Any]:
    cognito = deployment.client("cognito-idp")
    client_id = cognito.create_user_pool_client(
        UserPoolId=deployment.pool_id,
        ClientName="app",
        ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    answer: dict[str, Any] = cognito.admin_initiate_auth(
        UserPoolId=deployment.pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password},
    )
    return answer


def _calls(emulator: Emulator, operation: str) -> int:
    return int(emulator.calls.to_json()["operations"].get(operation, {}).get("calls", 0))


def test_listed_users_get_their_password_and_sign_in(
    deployment: Deployment, emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    arn = _secret(deployment, {"ana": PASSWORD})
    props = deployment.put_source(USERS) | {"PasswordsSecretArn": arn}
    # What the function logs in Lambda: INFO and up (crhelper keeps botocore at ERROR).
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.ERROR, logger="botocore")

    response = deployment.send("Create", props)

    assert response["Status"] == "SUCCESS", response["Reason"]
    assert response["Data"]["ImportedUsers"] == "2"
    assert response["Data"]["PasswordsSet"] == "1"
    users = deployment.users()
    assert users["ana"]["status"] == "CONFIRMED"
    assert users["bo"]["status"] == "RESET_REQUIRED"
    assert "AccessToken" in _sign_in(deployment, "ana", PASSWORD)["AuthenticationResult"]
    assert PASSWORD not in json.dumps(response)
    assert PASSWORD not in caplog.text


def test_a_secret_naming_a_user_the_file_lacks_fails_before_any_job(deployment: Deployment) -> None:
    arn = _secret(deployment, {"ana": PASSWORD, "zed": PASSWORD})
    props = deployment.put_source(USERS) | {"PasswordsSecretArn": arn}

    response = deployment.send("Create", props)

    assert response["Status"] == "FAILED"
    assert "No import job was created" in response["Reason"]
    assert "zed" in response["Reason"] and "users.csv" in response["Reason"]
    assert PASSWORD not in response["Reason"]
    assert deployment.jobs() == []


def test_a_password_the_pool_refuses_fails_naming_line_and_user_not_the_password(
    deployment: Deployment,
) -> None:
    weak = "lowercaseonly"
    arn = _secret(deployment, {"bo": weak})
    props = deployment.put_source(USERS) | {"PasswordsSecretArn": arn}

    response = deployment.send("Create", props)

    assert response["Status"] == "FAILED"
    assert "line 3 (bo): setting the password failed: InvalidPasswordException" in response["Reason"]
    assert (
        weak not in response["Reason"].replace("short", "", 0)
        or "Password not long enough" in response["Reason"]
    )
    assert deployment.users()["bo"]["status"] == "RESET_REQUIRED"


def test_the_same_request_delivered_again_sets_no_password_twice(
    deployment: Deployment, emulator: Emulator
) -> None:
    arn = _secret(deployment, {"ana": PASSWORD, "bo": PASSWORD})
    props = deployment.put_source(USERS) | {"PasswordsSecretArn": arn}
    event = deployment.world.event("Create", props, logical_id=deployment.logical_id)
    emulator.calls.reset()

    first = _deliver(deployment, event)
    second = _deliver(deployment, event)

    assert first == second
    assert first["Data"]["PasswordsSet"] == "2"
    assert _calls(emulator, "AdminSetUserPassword") == 2
    assert len(deployment.jobs()) == 1


def _deliver(deployment: Deployment, event: dict[str, Any]) -> dict[str, Any]:
    responses = deployment.world.responses.responses
    answered = len(responses)
    deployment._invoke(event)
    while len(responses) == answered:
        for scheduled in deployment.world.scheduled_inputs():
            deployment._invoke(scheduled)
    return dict(responses[-1])


def test_password_steps_outlive_one_invocation_and_finish_through_polls(
    deployment: Deployment, emulator: Emulator
) -> None:
    names = [f"user{n:02d}" for n in range(40)]
    body = HEADER + "".join(f"{n},{n}@example.com,true,N\n" for n in names)
    arn = _secret(deployment, dict.fromkeys(names, PASSWORD))
    props = deployment.put_source(body) | {"PasswordsSecretArn": arn}
    emulator.settings.call_latency_seconds = 0.05  # 40 calls: about 2 s, longer than one invocation here
    deployment.lambda_timeout = 11.0  # 1 s before the handler's 10 s margin
    emulator.calls.reset()

    response = deployment.send("Create", props)

    assert response["Status"] == "SUCCESS", response["Reason"]
    assert response["Data"]["PasswordsSet"] == "40"
    assert deployment.invocations >= 3
    assert _calls(emulator, "AdminSetUserPassword") == 40  # progress saved at each hand-over: no repeats
    assert {user["status"] for user in deployment.users().values()} == {"CONFIRMED"}
    assert deployment.scheduled_inputs() == []


def test_update_applies_changed_attributes_of_existing_users_only(
    deployment: Deployment, emulator: Emulator
) -> None:
    first = deployment.put_source(USERS) | {"ExistingUsers": "UPDATE"}
    created = deployment.send("Create", first)
    # ana: a new given name; bo: an empty value, which leaves the attribute alone.
    changed = deployment.put_source(
        HEADER + "ana,ana@example.com,true,Anna\nbo,bo@example.com,true,\n", key="changed.csv"
    ) | {"ExistingUsers": "UPDATE"}
    emulator.calls.reset()

    updated = deployment.send(
        "Update", changed, old_properties=first, physical_id=created["PhysicalResourceId"]
    )

    assert updated["Status"] == "SUCCESS", updated["Reason"]
    assert updated["Data"]["UpdatedUsers"] == "1"
    assert updated["Data"]["NotApplied"] == ""
    users = deployment.users()
    assert users["ana"]["given_name"] == "Anna"
    assert users["bo"]["given_name"] == "Bo"
    assert _calls(emulator, "AdminUpdateUserAttributes") == 1
    assert len(deployment.jobs()) == 1


def test_an_unchanged_redeploy_with_update_makes_no_update_calls(
    deployment: Deployment, emulator: Emulator
) -> None:
    props = deployment.put_source(USERS) | {"ExistingUsers": "UPDATE"}
    created = deployment.send("Create", props)
    emulator.calls.reset()

    updated = deployment.send(
        "Update",
        props | {"TimeoutSeconds": "300"},
        old_properties=props,
        physical_id=created["PhysicalResourceId"],
    )

    assert updated["Status"] == "SUCCESS", updated["Reason"]
    operations = emulator.calls.to_json()["operations"]
    assert not {"AdminUpdateUserAttributes", "AdminSetUserPassword", "AdminAddUserToGroup"} & set(operations)


def test_switching_to_update_applies_what_skip_left_out(deployment: Deployment, emulator: Emulator) -> None:
    first = deployment.put_source(USERS)
    created = deployment.send("Create", first)
    changed_body = USERS.replace("bo,bo@example.com,true,Bo", "bo,bo@example.com,true,Bob")
    skipped = deployment.put_source(changed_body, key="changed.csv")
    kept_out = deployment.send(
        "Update", skipped, old_properties=first, physical_id=created["PhysicalResourceId"]
    )
    assert kept_out["Data"]["NotApplied"] == "bo"

    updating = skipped | {"ExistingUsers": "UPDATE"}
    updated = deployment.send(
        "Update", updating, old_properties=skipped, physical_id=kept_out["PhysicalResourceId"]
    )

    assert updated["Status"] == "SUCCESS", updated["Reason"]
    assert updated["Data"]["UpdatedUsers"] == "1"
    assert deployment.users()["bo"]["given_name"] == "Bob"


GROUPED = "cognito:username,email,email_verified,groups\n"


def _groups(deployment: Deployment, *names: str) -> None:
    cognito = deployment.client("cognito-idp")
    for name in names:
        cognito.create_group(UserPoolId=deployment.pool_id, GroupName=name)


def _members(deployment: Deployment, group: str) -> set[str]:
    cognito = deployment.client("cognito-idp")
    users = cognito.list_users_in_group(UserPoolId=deployment.pool_id, GroupName=group)["Users"]
    return {user["Username"] for user in users}


def test_users_end_in_exactly_the_listed_groups_across_updates(
    deployment: Deployment, emulator: Emulator
) -> None:
    _groups(deployment, "admins", "testers", "ops")
    first = deployment.put_source(
        GROUPED + "ana,ana@example.com,true,admins testers\nbo,bo@example.com,true,ops\n"
    )
    created = deployment.send("Create", first)
    assert created["Status"] == "SUCCESS", created["Reason"]
    assert created["Data"]["GroupMemberships"] == "3"
    # Someone outside the file puts bo in testers: the file never listed it for bo, so it stays.
    deployment.client("cognito-idp").admin_add_user_to_group(
        UserPoolId=deployment.pool_id, Username="bo", GroupName="testers"
    )
    second = deployment.put_source(
        GROUPED + "ana,ana@example.com,true,admins\nbo,bo@example.com,true,ops;admins\n", key="second.csv"
    )
    emulator.calls.reset()

    updated = deployment.send(
        "Update", second, old_properties=first, physical_id=created["PhysicalResourceId"]
    )

    assert updated["Status"] == "SUCCESS", updated["Reason"]
    assert updated["Data"]["GroupMemberships"] == "2"  # ana left testers, bo joined admins
    assert _members(deployment, "admins") == {"ana", "bo"}
    assert _members(deployment, "testers") == {"bo"}
    assert _members(deployment, "ops") == {"bo"}
    assert len(deployment.jobs()) == 1


def test_a_group_the_pool_lacks_fails_before_any_job_naming_it_and_its_lines(deployment: Deployment) -> None:
    _groups(deployment, "admins")
    props = deployment.put_source(
        GROUPED + "ana,ana@example.com,true,admins\nbo,bo@example.com,true,Team A\n"
    )

    response = deployment.send("Create", props)

    assert response["Status"] == "FAILED"
    assert "No import job was created" in response["Reason"]
    assert "Team (line 3)" in response["Reason"] and "A (line 3)" in response["Reason"]
    assert "separated by spaces, commas or semicolons" in response["Reason"]
    assert deployment.jobs() == []
