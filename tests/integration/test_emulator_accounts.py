"""After an import job: imported users made usable (passwords, sign-in, groups, attributes, the passwords
secret), over HTTP with boto3 and the AWS CLI, as a user of the emulator would see it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from botocore.exceptions import ClientError

from cognito_user_import_emulator import Emulator, EmulatorControl

if TYPE_CHECKING:  # the kit comes from the fixture; conftest is not imported at run time
    from conftest import EmulatorKit

STRICT_POLICY = {
    "PasswordPolicy": {
        "MinimumLength": 10,
        "RequireUppercase": True,
        "RequireLowercase": True,
        "RequireNumbers": True,
        "RequireSymbols": True,
    }
}
PASSWORD = "Correct-Horse-42"


def _imported(kit: EmulatorKit, usernames: list[str], poll_seconds: float = 0.02, **pool: Any) -> str:
    """A pool whose users come from a finished import job (every one RESET_REQUIRED)."""
    pool_id = kit.pool(**pool)
    job = kit.create_job(pool_id)
    rows = [kit.user(name) for name in usernames]
    assert kit.put(job["PreSignedUrl"], kit.csv(kit.header(pool_id), rows))[0] == 200
    kit.start(pool_id, job["JobId"])
    while (status := kit.describe(pool_id, job["JobId"])["Status"]) not in ("Succeeded", "Failed"):
        time.sleep(poll_seconds)
    assert status == "Succeeded"
    assert {u["UserStatus"] for u in kit.users(pool_id).values()} == {"RESET_REQUIRED"}
    return str(pool_id)


def _client(kit: EmulatorKit, pool_id: str, flows: list[str] | None = None) -> str:
    extra = {} if flows is None else {"ExplicitAuthFlows": flows}
    client = kit.cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="app", **extra)
    return str(client["UserPoolClient"]["ClientId"])


def _sign_in(kit: EmulatorKit, pool_id: str, client_id: str, username: str, password: str) -> dict[str, Any]:
    return dict(
        kit.cognito.admin_initiate_auth(
            UserPoolId=pool_id,
            ClientId=client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": password},
        )
    )


def _error(call: Any, *args: Any, **kwargs: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as caught:
        call(*args, **kwargs)
    error = caught.value.response["Error"]
    return str(error["Code"]), str(error["Message"])


def _status(kit: EmulatorKit, pool_id: str, username: str) -> str:
    return str(kit.cognito.admin_get_user(UserPoolId=pool_id, Username=username)["UserStatus"])


def test_imported_user_given_a_permanent_password_is_confirmed_and_signs_in(emu_kit: EmulatorKit) -> None:
    kit = emu_kit
    pool_id = _imported(kit, ["alice", "bob"])
    client_id = _client(kit, pool_id, ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    # Before a password is set, an imported user can only reset it, whatever password is tried.
    assert _error(_sign_in, kit, pool_id, client_id, "alice", PASSWORD) == (
        "PasswordResetRequiredException",
        "Password reset required for the user",
    )

    kit.cognito.admin_set_user_password(
        UserPoolId=pool_id, Username="alice", Password=PASSWORD, Permanent=True
    )
    assert _status(kit, pool_id, "alice") == "CONFIRMED"
    assert _status(kit, pool_id, "bob") == "RESET_REQUIRED"  # only the user whose password was set

    signed_in = _sign_in(kit, pool_id, client_id, "alice", PASSWORD)
    tokens = signed_in["AuthenticationResult"]
    assert tokens["TokenType"] == "Bearer" and tokens["ExpiresIn"] > 0
    assert all(tokens[name].count(".") == 2 for name in ("AccessToken", "IdToken"))  # JWTs
    assert tokens["RefreshToken"] and "ChallengeName" not in signed_in

    wrong = ("NotAuthorizedException", "Incorrect username or password.")
    assert _error(_sign_in, kit, pool_id, client_id, "alice", "Wrong-Horse-42") == wrong
    assert _error(_sign_in, kit, pool_id, client_id, "nobody", PASSWORD)[0] == "UserNotFoundException"


def test_password_sign_in_needs_a_client_that_allows_it(emu_kit: EmulatorKit) -> None:
    kit = emu_kit
    pool_id = _imported(kit, ["alice"])
    kit.cognito.admin_set_user_password(
        UserPoolId=pool_id, Username="alice", Password=PASSWORD, Permanent=True
    )
    # A client created without ExplicitAuthFlows allows refresh, SRP and custom auth only.
    for client_id in (_client(kit, pool_id), _client(kit, pool_id, ["ALLOW_USER_SRP_AUTH"])):
        assert _error(_sign_in, kit, pool_id, client_id, "alice", PASSWORD) == (
            "InvalidParameterException",
            "Auth flow not enabled for this client",
        )
    legacy = _client(kit, pool_id, ["ADMIN_NO_SRP_AUTH"])  # the old name of the same setting
    assert "AuthenticationResult" in _sign_in(kit, pool_id, legacy, "alice", PASSWORD)


def test_a_temporary_password_asks_for_a_new_one(emu_kit: EmulatorKit) -> None:
    kit = emu_kit
    pool_id = _imported(kit, ["carol"])
    client_id = _client(kit, pool_id, ["ALLOW_ADMIN_USER_PASSWORD_AUTH"])
    kit.cognito.admin_set_user_password(
        UserPoolId=pool_id, Username="carol", Password=PASSWORD, Permanent=False
    )
    assert _status(kit, pool_id, "carol") == "FORCE_CHANGE_PASSWORD"
    answer = _sign_in(kit, pool_id, client_id, "carol", PASSWORD)
    assert answer["ChallengeName"] == "NEW_PASSWORD_REQUIRED" and "AuthenticationResult" not in answer


@pytest.mark.parametrize(
    ("password", "breach"),
    [
        ("Sh0rt-pw", "Password not long enough"),
        ("NO-LOWER-CASE-42", "Password must have lowercase characters"),
        ("no-upper-case-42", "Password must have uppercase characters"),
        ("No-Numbers-Here", "Password must have numeric characters"),
        ("NoSymbolsHere42", "Password must have symbol characters"),
    ],
)
def test_a_weak_password_is_refused_naming_the_policy(
    emu_kit: EmulatorKit, password: str, breach: str
) -> None:
    kit = emu_kit
    pool_id = _imported(kit, ["dave"], Policies=STRICT_POLICY)
    code, message = _error(
        kit.cognito.admin_set_user_password,
        UserPoolId=pool_id,
        Username="dave",
        Password=password,
        Permanent=True,
    )
    assert (code, message) == ("InvalidPasswordException", f"Password did not conform with policy: {breach}")
    assert _status(kit, pool_id, "dave") == "RESET_REQUIRED"  # nothing changed


def test_default_policy_needs_eight_characters_of_every_kind(emu_kit: EmulatorKit) -> None:
    kit = emu_kit
    pool_id = _imported(kit, ["erin"])
    set_password = kit.cognito.admin_set_user_password
    code, message = _error(
        set_password, UserPoolId=pool_id, Username="erin", Password="Ab1-xyz", Permanent=True
    )
    assert (code, message) == (
        "InvalidPasswordException",
        "Password did not conform with policy: Password not long enough",
    )
    set_password(UserPoolId=pool_id, Username="erin", Password="Ab1-wxyz", Permanent=True)
    set_password(
        UserPoolId=pool_id, Username="erin", Password="Ab1-" + "x" * 200, Permanent=True
    )  # moto: <= 98
    assert _status(kit, pool_id, "erin") == "CONFIRMED"


def _members(kit: EmulatorKit, pool_id: str, group: str) -> list[str]:
    users = kit.cognito.list_users_in_group(UserPoolId=pool_id, GroupName=group)["Users"]
    return sorted(user["Username"] for user in users)


def test_group_membership_is_exact(emu_kit: EmulatorKit) -> None:
    kit = emu_kit
    cognito = kit.cognito
    pool_id = _imported(kit, ["alice", "bob", "carol"])
    for name in ("admins", "staff"):
        cognito.create_group(UserPoolId=pool_id, GroupName=name)

    def add(user: str, group: str) -> None:
        cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=user, GroupName=group)

    def remove(user: str, group: str) -> None:
        cognito.admin_remove_user_from_group(UserPoolId=pool_id, Username=user, GroupName=group)

    add("alice", "admins")
    add("bob", "admins")
    add("alice", "staff")
    add("alice", "admins")  # already a member: succeeds, changes nothing
    assert _members(kit, pool_id, "admins") == ["alice", "bob"]
    assert _members(kit, pool_id, "staff") == ["alice"]

    remove("bob", "admins")
    remove("carol", "admins")  # not a member: succeeds, changes nothing
    assert _members(kit, pool_id, "admins") == ["alice"]
    assert _members(kit, pool_id, "staff") == ["alice"]
    listed = cognito.admin_list_groups_for_user(UserPoolId=pool_id, Username="alice")["Groups"]
    assert sorted(group["GroupName"] for group in listed) == ["admins", "staff"]

    groups = cognito.list_groups(UserPoolId=pool_id)["Groups"]
    assert sorted(group["GroupName"] for group in groups) == ["admins", "staff"]
    assert cognito.get_group(UserPoolId=pool_id, GroupName="staff")["Group"]["UserPoolId"] == pool_id


def test_a_missing_group_or_user_is_not_found(emu_kit: EmulatorKit) -> None:
    kit = emu_kit
    cognito = kit.cognito
    pool_id = _imported(kit, ["alice"])
    cognito.create_group(UserPoolId=pool_id, GroupName="admins")
    missing = ("ResourceNotFoundException", "Group not found.")
    member = {"UserPoolId": pool_id, "Username": "alice", "GroupName": "ghosts"}
    assert _error(cognito.admin_add_user_to_group, **member) == missing
    assert _error(cognito.admin_remove_user_from_group, **member) == missing
    assert _error(cognito.list_users_in_group, UserPoolId=pool_id, GroupName="ghosts") == missing
    assert _error(cognito.get_group, UserPoolId=pool_id, GroupName="ghosts") == missing
    assert _error(
        cognito.admin_add_user_to_group, **{**member, "Username": "zed", "GroupName": "admins"}
    ) == (
        "UserNotFoundException",
        "User does not exist.",
    )
    assert _members(kit, pool_id, "admins") == []


def _attributes(kit: EmulatorKit, pool_id: str, username: str) -> dict[str, str]:
    user = kit.cognito.admin_get_user(UserPoolId=pool_id, Username=username)
    return {a["Name"]: a["Value"] for a in user["UserAttributes"]}


def test_update_user_attributes(emu_kit: EmulatorKit) -> None:
    kit = emu_kit
    schema = [
        {"Name": "tier", "AttributeDataType": "String", "Mutable": True},
        {"Name": "tenant", "AttributeDataType": "String", "Mutable": False},
    ]
    pool_id = _imported(kit, ["alice", "bob"], Schema=schema)

    def update(username: str, **values: str) -> None:
        attributes = [{"Name": name.replace("__", ":"), "Value": value} for name, value in values.items()]
        kit.cognito.admin_update_user_attributes(
            UserPoolId=pool_id, Username=username, UserAttributes=attributes
        )

    update("alice", name="Alice Smith", custom__tier="gold")
    alice = _attributes(kit, pool_id, "alice")
    assert (alice["name"], alice["custom:tier"], alice["email_verified"]) == ("Alice Smith", "gold", "true")

    update("alice", email="alice@new.example.com")  # a new address is unverified until verified
    assert _attributes(kit, pool_id, "alice")["email_verified"] == "false"
    update("bob", email="bob@new.example.com", email_verified="true")
    assert _attributes(kit, pool_id, "bob")["email"] == "bob@new.example.com"
    assert _attributes(kit, pool_id, "bob")["email_verified"] == "true"

    for name, problem in [
        ("custom:unknown", "Attribute does not exist in the schema."),
        ("custom:tenant", "Attribute cannot be updated."),
        ("sub", "Attribute cannot be updated."),
    ]:
        code, message = _error(update, "bob", **{name.replace(":", "__"): "x"})
        assert (code, message) == (
            "InvalidParameterException",
            f"Invalid user attributes: user.{name}: {problem}\n",
        )
    assert "custom:unknown" not in _attributes(kit, pool_id, "bob")


def test_get_secret_value_returns_the_passwords_json(emu_kit: EmulatorKit) -> None:
    emu = emu_kit.emulator
    secrets = boto3.client(
        "secretsmanager",
        endpoint_url=emu.url,
        region_name=emu.region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    passwords = {"alice": PASSWORD, "bob": "Other-Horse-7"}
    arn = secrets.create_secret(Name="seed/passwords", SecretString=json.dumps(passwords))["ARN"]
    for secret_id in ("seed/passwords", arn):
        assert json.loads(secrets.get_secret_value(SecretId=secret_id)["SecretString"]) == passwords
    assert _error(secrets.get_secret_value, SecretId="seed/missing")[0] == "ResourceNotFoundException"


def _aws_cli(emulator: Emulator, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": emulator.region,
    }
    command = [sys.executable, "-m", "awscli", "--endpoint-url", emulator.url, "--output", "json", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)


def test_aws_cli_admin_initiate_auth(emu_kit: EmulatorKit) -> None:
    kit = emu_kit
    pool_id = _imported(kit, ["alice"])
    client_id = _client(kit, pool_id, ["ALLOW_ADMIN_USER_PASSWORD_AUTH"])
    kit.cognito.admin_set_user_password(
        UserPoolId=pool_id, Username="alice", Password=PASSWORD, Permanent=True
    )

    def sign_in(password: str) -> subprocess.CompletedProcess[str]:
        return _aws_cli(
            kit.emulator,
            "cognito-idp",
            "admin-initiate-auth",
            "--user-pool-id",
            pool_id,
            "--client-id",
            client_id,
            "--auth-flow",
            "ADMIN_USER_PASSWORD_AUTH",
            "--auth-parameters",
            f"USERNAME=alice,PASSWORD={password}",
        )

    # Side by side: each CLI process takes seconds to start.
    with ThreadPoolExecutor() as executor:
        done, refused = executor.map(sign_in, [PASSWORD, "Wrong-Horse-42"])
    assert done.returncode == 0, done.stderr
    assert set(json.loads(done.stdout)["AuthenticationResult"]) >= {"AccessToken", "IdToken", "RefreshToken"}
    assert refused.returncode != 0
    assert "NotAuthorizedException" in refused.stderr and "Incorrect username or password." in refused.stderr


def _account_calls(kit: EmulatorKit, pool_id: str) -> None:
    """Each operation the handler uses after a job, once (ListUsers and ListUsersInGroup twice)."""
    cognito = kit.cognito
    client_id = _client(kit, pool_id, ["ALLOW_ADMIN_USER_PASSWORD_AUTH"])
    cognito.create_group(UserPoolId=pool_id, GroupName="admins")
    cognito.admin_set_user_password(UserPoolId=pool_id, Username="alice", Password=PASSWORD, Permanent=True)
    cognito.admin_add_user_to_group(UserPoolId=pool_id, Username="alice", GroupName="admins")
    cognito.admin_remove_user_from_group(UserPoolId=pool_id, Username="alice", GroupName="admins")
    cognito.admin_update_user_attributes(
        UserPoolId=pool_id, Username="alice", UserAttributes=[{"Name": "name", "Value": "Alice"}]
    )
    cognito.list_groups(UserPoolId=pool_id)
    cognito.get_group(UserPoolId=pool_id, GroupName="admins")
    for _ in range(2):
        cognito.list_users(UserPoolId=pool_id)
        cognito.list_users_in_group(UserPoolId=pool_id, GroupName="admins")
    _sign_in(kit, pool_id, client_id, "alice", PASSWORD)
    cognito.admin_delete_user(UserPoolId=pool_id, Username="alice")


def test_quota_mode_counts_each_operation_in_its_category(
    emu_kit: EmulatorKit, emulator_aws_quotas: Emulator
) -> None:
    # Polled at 4 a second: under DescribeUserImportJob's 5 per pool, so the import is never throttled.
    pool_id = _imported(emu_kit, ["alice"], poll_seconds=0.25)
    control = EmulatorControl(emulator_aws_quotas.url)
    control.calls.reset()
    _account_calls(emu_kit, pool_id)

    report = control.calls.to_json()  # GET /_emulator/calls
    operations = {
        name: (c["category"], c["calls"], c["throttled"]) for name, c in report["operations"].items()
    }
    assert operations == {
        "CreateUserPoolClient": (None, 1, 0),
        "CreateGroup": (None, 1, 0),
        "AdminSetUserPassword": ("UserAccountRecovery", 1, 0),
        "AdminAddUserToGroup": ("UserUpdate", 1, 0),
        "AdminRemoveUserFromGroup": ("UserUpdate", 1, 0),
        "AdminUpdateUserAttributes": ("UserUpdate", 1, 0),
        "AdminDeleteUser": ("UserUpdate", 1, 0),
        "ListGroups": ("UserPoolResourceRead", 1, 0),
        "GetGroup": ("UserPoolResourceRead", 1, 0),
        "ListUsers": ("UserList", 2, 0),
        "ListUsersInGroup": ("UserList", 2, 0),
        "AdminInitiateAuth": ("UserAuthentication", 1, 0),
    }
    categories = {name: c["calls"] for name, c in report["categories"].items() if c["calls"]}
    assert categories == {
        "UserAccountRecovery": 1,
        "UserUpdate": 4,
        "UserPoolResourceRead": 2,
        "UserList": 4,
        "UserAuthentication": 1,
    }
    assert report["categories"]["UserAuthentication"]["quota_rps"] == 120


@pytest.mark.parametrize(
    ("operation", "admitted"), [("GetGroup", 20), ("ListGroups", 20), ("DescribeUserPool", 5)]
)
def test_group_reads_have_no_per_pool_rate(
    emu_kit: EmulatorKit,
    emulator_aws_quotas: Emulator,
    monkeypatch: pytest.MonkeyPatch,
    operation: str,
    admitted: int,
) -> None:
    pool_id = emu_kit.pool()
    emu_kit.cognito.create_group(UserPoolId=pool_id, GroupName="admins")
    # The quota clock stands still: one bucketful gets through, 20 for the category, 5 per pool where set.
    monkeypatch.setattr(emulator_aws_quotas.quotas, "clock", lambda: 1_000.0)
    body = {"UserPoolId": pool_id, **({"GroupName": "admins"} if operation == "GetGroup" else {})}
    answers = [emu_kit.raw(operation, body)[0] for _ in range(25)]
    assert answers == [200] * admitted + [400] * (25 - admitted)
    assert emulator_aws_quotas.calls.to_json()["operations"][operation]["throttled"] == 25 - admitted
