"""What deploy-local makes of the resources that make seeded accounts usable, against the emulator
(in-process, real moto): secrets (given or generated), user pool clients and groups; and --sign-in."""

from __future__ import annotations

import json
import string
from typing import Any

import pytest
from botocore.exceptions import ClientError

from cognito_user_import_local.resources import PROVISIONERS
from cognito_user_import_local.resources.base import Environment, ResourceError
from cognito_user_import_local.resources.cognito import UserPool, UserPoolClient, UserPoolGroup
from cognito_user_import_local.resources.secrets import PUNCTUATION, Secret, generate_password, secret_value
from cognito_user_import_local.sign_in import SignInError, shortened, sign_in
from cognito_user_import_local.state import DeployedResource, StackState
from cognito_user_import_local.summary import resource_table

PASSWORD_AUTH = ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


@pytest.fixture
def pool_id(env: Environment) -> str:
    return UserPool().create(env, "Pool", {}).physical_id


def _value(env: Environment, arn: str) -> str:
    return str(env.client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"])


# ---- generated passwords ------------------------------------------------------------------------


def test_a_generated_password_has_each_included_type_and_the_default_length() -> None:
    for _ in range(50):
        password = generate_password({})
        assert len(password) == 32
        for characters in (string.ascii_lowercase, string.ascii_uppercase, string.digits, PUNCTUATION):
            assert any(c in characters for c in password), password
        assert " " not in password
    assert len({generate_password({}) for _ in range(20)}) == 20


def test_a_generated_password_keeps_to_its_options() -> None:
    spec = {
        "PasswordLength": 12,
        "ExcludePunctuation": True,
        "ExcludeUppercase": "true",  # as a custom resource or a string template would give it
        "ExcludeCharacters": "0123456789abc",
    }
    for _ in range(50):
        password = generate_password(spec)
        assert len(password) == 12
        assert set(password) <= set("defghijklmnopqrstuvwxyz")
    assert set(
        generate_password(
            {
                "PasswordLength": 3,
                "ExcludeLowercase": True,
                "ExcludeUppercase": True,
                "ExcludeNumbers": True,
                "ExcludePunctuation": True,
                "IncludeSpace": True,
            }
        )
    ) == {" "}
    assert len(generate_password({"PasswordLength": 2, "RequireEachIncludedType": False})) == 2


@pytest.mark.parametrize(
    ("spec", "reason"),
    [
        ({"PasswordLength": 0}, "not between 1 and 4096"),
        ({"PasswordLength": 4097}, "not between 1 and 4096"),
        ({"PasswordLength": 3}, "too short to hold each of the 4 included character types"),
        (
            {
                "ExcludeLowercase": True,
                "ExcludeUppercase": True,
                "ExcludeNumbers": True,
                "ExcludePunctuation": True,
            },
            "exclude every character",
        ),
        (
            {"ExcludeNumbers": True, "ExcludePunctuation": True, "ExcludeCharacters": string.ascii_letters},
            "exclude every character",
        ),
    ],
)
def test_impossible_generation_options_are_refused(spec: dict[str, Any], reason: str) -> None:
    with pytest.raises(ResourceError, match=reason):
        generate_password(spec)


def test_the_secret_value_puts_the_password_into_the_template() -> None:
    generated = {"SecretStringTemplate": '{"team": "ops"}', "GenerateStringKey": "admin@example.com"}
    document = json.loads(str(secret_value({"GenerateSecretString": generated})))
    assert document["team"] == "ops" and len(document["admin@example.com"]) == 32
    assert len(str(secret_value({"GenerateSecretString": {}}))) == 32  # no template: the password itself
    assert secret_value({"SecretString": "given"}) == "given"
    assert secret_value({}) is None  # CloudFormation makes a secret without a value


@pytest.mark.parametrize(
    ("props", "reason"),
    [
        ({"SecretString": "x", "GenerateSecretString": {}}, "not both"),
        ({"GenerateSecretString": {"GenerateStringKey": "k"}}, "go together"),
        (
            {"GenerateSecretString": {"SecretStringTemplate": "[1]", "GenerateStringKey": "k"}},
            "a JSON object",
        ),
        ({"GenerateSecretString": {"SecretStringTemplate": "{", "GenerateStringKey": "k"}}, "is not JSON"),
    ],
)
def test_contradictory_secret_properties_are_refused(props: dict[str, Any], reason: str) -> None:
    with pytest.raises(ResourceError, match=reason):
        secret_value(props)


# ---- the secret -----------------------------------------------------------------------------------


def test_a_generated_secret_is_made_updated_and_deleted(env: Environment) -> None:
    generated = {"SecretStringTemplate": "{}", "GenerateStringKey": "admin", "PasswordLength": 20}
    props = {"GenerateSecretString": generated, "Description": "seed", "Tags": [{"Key": "a", "Value": "1"}]}
    made = Secret().create(env, "SeedPasswords", props)
    assert made.physical_id.startswith("arn:aws:secretsmanager:") and made.attributes == {
        "Id": made.physical_id
    }
    assert "Stack-SeedPasswords-" in made.physical_id  # a generated name, as CloudFormation's
    first = json.loads(_value(env, made.physical_id))["admin"]
    assert len(first) == 20

    # Unchanged value settings keep the value; tags and description follow the properties.
    retagged = {**props, "Description": "seed users", "Tags": [{"Key": "b", "Value": "2"}]}
    Secret().update(env, "SeedPasswords", made, retagged, props)
    described = env.client("secretsmanager").describe_secret(SecretId=made.physical_id)
    assert described["Description"] == "seed users" and described["Tags"] == [{"Key": "b", "Value": "2"}]
    assert json.loads(_value(env, made.physical_id))["admin"] == first

    # Changed generation options: a new value, generated afresh.
    longer = {**retagged, "GenerateSecretString": {**generated, "PasswordLength": 24}}
    Secret().update(env, "SeedPasswords", made, longer, retagged)
    assert len(json.loads(_value(env, made.physical_id))["admin"]) == 24

    with pytest.raises(ResourceError, match="renaming a secret replaces it"):
        Secret().update(env, "SeedPasswords", made, {**longer, "Name": "other"}, longer)
    Secret().delete(env, made.physical_id, longer)
    Secret().delete(env, made.physical_id, longer)  # already gone is fine
    with pytest.raises(ClientError, match="ResourceNotFoundException"):
        _value(env, made.physical_id)


def test_a_named_secret_with_a_given_value(env: Environment) -> None:
    made = Secret().create(env, "Given", {"Name": "seed/passwords", "SecretString": '{"a": "b"}'})
    assert ":secret:seed/passwords-" in made.physical_id
    assert _value(env, made.physical_id) == '{"a": "b"}'
    Secret().update(
        env, "Given", made, {"Name": "seed/passwords", "SecretString": "c"}, {"Name": "seed/passwords"}
    )
    assert _value(env, made.physical_id) == "c"


# ---- clients and groups ---------------------------------------------------------------------------


def test_a_client_is_made_with_its_flows_and_secret_updated_and_deleted(
    env: Environment, pool_id: str
) -> None:
    cognito = env.client("cognito-idp")
    props = {"UserPoolId": pool_id, "ExplicitAuthFlows": PASSWORD_AUTH, "GenerateSecret": True}
    made = UserPoolClient().create(env, "AppClient", props)
    described = cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=made.physical_id)[
        "UserPoolClient"
    ]
    assert described["ExplicitAuthFlows"] == PASSWORD_AUTH
    assert described["ClientName"].startswith("Stack-AppClient-")
    assert made.attributes["ClientId"] == made.physical_id
    assert made.attributes["ClientSecret"] == described["ClientSecret"]

    # Flows left out of an update are reset, as Cognito's UpdateUserPoolClient does.
    renamed = {"UserPoolId": pool_id, "GenerateSecret": True, "ClientName": "app", "AccessTokenValidity": 30}
    updated = UserPoolClient().update(env, "AppClient", made, renamed, props)
    described = cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=made.physical_id)[
        "UserPoolClient"
    ]
    assert updated.physical_id == made.physical_id and updated.attributes["Name"] == "app"
    assert not described.get("ExplicitAuthFlows") and described["AccessTokenValidity"] == 30

    with pytest.raises(ResourceError, match="GenerateSecret replaces a user pool client"):
        UserPoolClient().update(env, "AppClient", made, {**renamed, "GenerateSecret": False}, renamed)
    UserPoolClient().delete(env, made.physical_id, renamed)
    UserPoolClient().delete(env, made.physical_id, renamed)
    assert cognito.list_user_pool_clients(UserPoolId=pool_id)["UserPoolClients"] == []


def test_a_client_without_a_secret_has_no_secret_attribute(env: Environment, pool_id: str) -> None:
    made = UserPoolClient().create(
        env, "Web", {"UserPoolId": pool_id, "ClientName": "web", "GenerateSecret": "false"}
    )
    assert made.attributes == {"ClientId": made.physical_id, "Name": "web"}


def test_a_group_is_made_updated_and_deleted(env: Environment, pool_id: str) -> None:
    cognito = env.client("cognito-idp")
    props = {"UserPoolId": pool_id, "GroupName": "admins", "Description": "seeded", "Precedence": 1}
    made = UserPoolGroup().create(env, "Admins", props)
    assert made.physical_id == "admins"
    changed = {**props, "Description": "people who administer", "Precedence": 0}
    UserPoolGroup().update(env, "Admins", made, changed, props)
    group = cognito.get_group(UserPoolId=pool_id, GroupName="admins")["Group"]
    assert (group["Description"], group["Precedence"]) == ("people who administer", 0)
    with pytest.raises(ResourceError, match="GroupName replaces a group"):
        UserPoolGroup().update(env, "Admins", made, {**changed, "GroupName": "staff"}, changed)

    unnamed = UserPoolGroup().create(env, "Readers", {"UserPoolId": pool_id})
    assert unnamed.physical_id.startswith("Stack-Readers-")
    for group_name in ("admins", unnamed.physical_id):
        UserPoolGroup().delete(env, group_name, props)
        UserPoolGroup().delete(env, group_name, props)
    assert cognito.list_groups(UserPoolId=pool_id)["Groups"] == []


def test_the_new_types_are_emulated_not_placeholders() -> None:
    kinds = ("AWS::Cognito::UserPoolClient", "AWS::Cognito::UserPoolGroup", "AWS::SecretsManager::Secret")
    assert all(kind in PROVISIONERS for kind in kinds)
    lines = resource_table({kind.split("::")[-1]: DeployedResource(kind, "id", {}) for kind in kinds})
    assert [line.split()[-1] for line in lines[1:4]] == ["emulated"] * 3


# ---- --sign-in ------------------------------------------------------------------------------------


def _seeded(env: Environment, pool_id: str, client_props: dict[str, Any]) -> tuple[StackState, str]:
    """A stack whose import set admin's password from a generated secret (the handler's steps, by hand)."""
    generated = {"SecretStringTemplate": "{}", "GenerateStringKey": "admin"}
    secret = Secret().create(env, "Passwords", {"GenerateSecretString": generated})
    password = json.loads(_value(env, secret.physical_id))["admin"]
    cognito = env.client("cognito-idp")
    cognito.admin_create_user(UserPoolId=pool_id, Username="admin", MessageAction="SUPPRESS")
    cognito.admin_set_user_password(UserPoolId=pool_id, Username="admin", Password=password, Permanent=True)
    UserPoolClient().create(env, "Client", {"UserPoolId": pool_id, **client_props})
    imported = DeployedResource(
        "Custom::CognitoUserImport",
        "import-1",
        {"UserPoolId": pool_id, "PasswordsSecretArn": secret.physical_id, "ServiceToken": "arn"},
    )
    return StackState("Stack", "stack-id", {}, {"Seed": imported}), password


@pytest.mark.parametrize("generate_secret", [False, True])
def test_sign_in_uses_the_secrets_password_and_prints_neither_it_nor_the_token(
    env: Environment, pool_id: str, generate_secret: bool
) -> None:
    state, password = _seeded(
        env, pool_id, {"ExplicitAuthFlows": PASSWORD_AUTH, "GenerateSecret": generate_secret}
    )

    lines = sign_in(env.client, [state], "admin")

    assert lines[-1].startswith("Signed in as admin: access token eyJ")
    assert lines[-1].endswith(" chars)") and "..." in lines[-1]
    assert password not in "\n".join(lines)
    assert "PasswordsSecretArn" not in "\n".join(lines) and pool_id in lines[0]


def test_sign_in_says_why_it_cannot(env: Environment, pool_id: str) -> None:
    state, password = _seeded(env, pool_id, {"ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH"]})
    with pytest.raises(SignInError, match=r"no client of pool .* allows ADMIN_USER_PASSWORD_AUTH") as caught:
        sign_in(env.client, [state], "admin")
    assert password not in str(caught.value)
    with pytest.raises(SignInError, match="no password for nobody in the passwords secrets"):
        sign_in(env.client, [state], "nobody")
    with pytest.raises(SignInError, match="no UserImport of the deployed stacks sets passwords"):
        sign_in(env.client, [StackState("Stack", "stack-id", {}, {})], "admin")

    UserPoolClient().create(env, "Password", {"UserPoolId": pool_id, "ExplicitAuthFlows": PASSWORD_AUTH})
    env.client("cognito-idp").admin_set_user_password(
        UserPoolId=pool_id, Username="admin", Password="Other-Horse-42", Permanent=True
    )
    with pytest.raises(SignInError, match="NotAuthorizedException: Incorrect username or password") as caught:
        sign_in(env.client, [state], "admin")
    assert password not in str(caught.value)


def test_only_the_start_of_a_token_is_shown() -> None:
    # (SECRET_HASH is proven by the sign-in through a client with a secret, which the emulator checks.)
    assert shortened("eyJraWQiOi" + "x" * 90) == "eyJra...(100 chars)"
