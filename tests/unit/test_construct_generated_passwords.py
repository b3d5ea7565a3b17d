"""A passwords secret generated in the app that names a user the file lacks is refused at synth."""

from __future__ import annotations

import json

import pytest
from aws_cdk import App, Stack
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk.assertions import Template

from cognito_user_import import UserCsv, UserImport, UserRecord
from cognito_user_import_handler.properties import RESOURCE_TYPE

USERS = [
    UserRecord("ada", {"email": "ada@example.com"}, email_verified=True),
    UserRecord("bob", {"email": "bob@example.com"}, email_verified=True),
]


def _secret(stack: Stack, key: str, template: dict[str, str] | None = None) -> secretsmanager.Secret:
    return secretsmanager.Secret(
        stack,
        "Passwords",
        generate_secret_string=secretsmanager.SecretStringGenerator(
            secret_string_template=json.dumps(template or {}), generate_string_key=key
        ),
    )


def _seed(stack: Stack, passwords: secretsmanager.ISecret) -> UserImport:
    pool = cognito.UserPool(stack, "Pool", auto_verify=cognito.AutoVerifiedAttrs(email=True))
    return UserImport(stack, "Seed", user_pool=pool, source=UserCsv.from_users(USERS), passwords=passwords)


@pytest.mark.parametrize(
    ("key", "template", "unknown"), [("adda", {}, "'adda'"), ("ada", {"zed": "x"}, "'zed'")]
)
def test_a_generated_secret_naming_a_user_the_file_lacks_is_refused_naming_it(
    key: str, template: dict[str, str], unknown: str
) -> None:
    stack = Stack(App(), "S")
    with pytest.raises(ValueError) as raised:
        _seed(stack, _secret(stack, key, template))

    message = str(raised.value)
    assert message.startswith(
        "UserImport: passwords (the secret S/Passwords, generated with generate_string_key"
    )
    assert f"does not hold: {unknown};" in message
    assert "it may name only usernames of the file's cognito:username column" in message
    assert Template.from_stack(stack).find_resources(RESOURCE_TYPE) == {}


def test_a_generated_secret_naming_users_of_the_file_is_accepted() -> None:
    stack = Stack(App(), "S")
    passwords = _secret(stack, "bob", {"ada": "x"})
    assert _seed(stack, passwords).passwords is passwords


def test_an_imported_secret_is_left_to_the_deployment() -> None:
    stack = Stack(App(), "S")
    arn = "arn:aws:secretsmanager:us-east-1:111111111111:secret:seed-passwords-AbCdEf"
    passwords = secretsmanager.Secret.from_secret_complete_arn(stack, "Imported", arn)
    assert _seed(stack, passwords).passwords is passwords
