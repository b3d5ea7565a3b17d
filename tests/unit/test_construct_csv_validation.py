"""Synth-time CSV validation: the pool's own schema when it is a UserPool of this app, generic otherwise."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from aws_cdk import App, CfnParameter, Stack, Token
from aws_cdk import aws_cognito as cognito
from aws_cdk.assertions import Template

from cognito_user_csv.problems import ValidationError
from cognito_user_csv.schema import PoolSchema
from cognito_user_import import UserCsv, UserImport
from cognito_user_import.synth_validation import pool_schema

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")


@pytest.fixture()
def stack() -> Stack:
    return Stack(App(), "Csv")


def make_pool(stack: Stack, **props: object) -> cognito.UserPool:
    return cognito.UserPool(
        stack,
        "Pool",
        auto_verify=cognito.AutoVerifiedAttrs(email=True),
        standard_attributes=cognito.StandardAttributes(given_name=cognito.StandardAttribute(required=True)),
        custom_attributes={
            "tenant": cognito.StringAttribute(min_len=2, max_len=8),
            "seats": cognito.NumberAttribute(min=1, max=10),
        },
        **props,  # type: ignore[arg-type]
    )


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_bad_file_fails_synth_with_file_line_column_value(stack: Stack, tmp_path: Path) -> None:
    csv = write(
        tmp_path,
        "bad.csv",
        "cognito:username,email,email_verified,given_name,custom:tenant,custom:seats\n"
        "jane,jane@example.com,true,Jane,acme,3\n"
        "bob,not-an-email,true,Bob,acme,3\n"
        "carl,carl@example.com,true,Carl,acme,11\n",
    )
    with pytest.raises(ValidationError) as raised:
        UserImport(stack, "Seed", user_pool=make_pool(stack), source=UserCsv.from_file(csv))
    message = str(raised.value)
    assert "bad.csv:3 (bob): column email: value 'not-an-email'" in message
    assert "bad.csv:4 (carl): column custom:seats: value '11'" in message
    assert "allowed: 1 to 10" in message
    assert raised.value.total == 2


def test_pool_schema_from_the_app(stack: Stack, tmp_path: Path) -> None:
    csv = write(
        tmp_path,
        "unknown.csv",
        "cognito:username,email,email_verified,custom:plan\njane,jane@example.com,true,x\n",
    )
    with pytest.raises(
        ValidationError, match=r"unknown.csv:1: column custom:plan: is not a column of this pool"
    ):
        UserImport(stack, "Seed", user_pool=make_pool(stack), source=UserCsv.from_file(csv))


def test_required_attribute_of_the_pool(stack: Stack, tmp_path: Path) -> None:
    csv = write(tmp_path, "req.csv", "cognito:username,email,email_verified\njane,jane@example.com,true\n")
    with pytest.raises(ValidationError, match=r"given_name: is missing from the header"):
        UserImport(stack, "Seed", user_pool=make_pool(stack), source=UserCsv.from_file(csv))


def test_mfa_on_requires_true(stack: Stack, tmp_path: Path) -> None:
    csv = write(
        tmp_path,
        "mfa.csv",
        "cognito:username,email,email_verified,given_name,cognito:mfa_enabled,phone_number\n"
        "jane,jane@example.com,true,Jane,false,+12065550100\n",
    )
    pool = make_pool(
        stack, mfa=cognito.Mfa.REQUIRED, mfa_second_factor=cognito.MfaSecondFactor(sms=True, otp=True)
    )
    with pytest.raises(
        ValidationError, match=r"mfa.csv:2 \(jane\): column cognito:mfa_enabled: value 'false'"
    ):
        UserImport(stack, "Seed", user_pool=pool, source=UserCsv.from_file(csv))


def test_imported_pool_gets_generic_rules(stack: Stack, tmp_path: Path) -> None:
    csv = write(
        tmp_path,
        "generic.csv",
        "cognito:username,email,email_verified,custom:plan\njane,jane@example.com,true,x\n",
    )
    pool = cognito.UserPool.from_user_pool_id(stack, "Imported", "us-east-1_abcdefghi")
    UserImport(stack, "Seed", user_pool=pool, source=UserCsv.from_file(csv))
    bad = write(
        tmp_path, "generic-bad.csv", "cognito:username,email,email_verified\nja ne,jane@example.com,true\n"
    )
    with pytest.raises(ValidationError, match=r"generic-bad.csv:2 \(ja ne\): column cognito:username"):
        UserImport(stack, "Seed2", user_pool=pool, source=UserCsv.from_file(bad))


def test_schema_derived_from_cfn_user_pool(stack: Stack) -> None:
    schema = pool_schema(make_pool(stack))
    assert schema.known
    assert schema.auto_verified == {"email"}
    assert schema.mfa == "OFF"
    assert schema.required == {"given_name"}
    assert set(schema.custom) == {"custom:tenant", "custom:seats"}
    assert (schema.custom["custom:tenant"].min_length, schema.custom["custom:tenant"].max_length) == (2, 8)
    assert (schema.custom["custom:seats"].min_value, schema.custom["custom:seats"].max_value) == (1, 10)
    assert schema.header[-3:] == ("cognito:username", "custom:tenant", "custom:seats")


def test_tokens_fall_back_to_generic_parts(stack: Stack) -> None:
    pool = make_pool(stack)
    cfn = pool.node.default_child
    assert isinstance(cfn, cognito.CfnUserPool)
    cfn.mfa_configuration = CfnParameter(stack, "Mfa").value_as_string
    cfn.schema = Token.as_any(CfnParameter(stack, "Schema", type="List<String>").value_as_list)
    schema = pool_schema(pool)
    generic = PoolSchema.generic()
    assert schema.mfa == generic.mfa
    assert not schema.known
    assert schema.auto_verified == {"email"}


def test_valid_file_passes(stack: Stack, tmp_path: Path) -> None:
    csv = write(
        tmp_path,
        "good.csv",
        "cognito:username,email,email_verified,given_name,custom:tenant,custom:seats\n"
        "jane,jane@example.com,true,Jane,acme,3\n",
    )
    seed = UserImport(stack, "Seed", user_pool=make_pool(stack), source=UserCsv.from_file(csv))
    assert seed.source.source_name == "good.csv"


HASHED = (
    "cognito:username,email,email_verified,given_name,password_hash\n"
    "alice,alice@example.com,true,Alice,$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW\n"
)


def test_password_hash_column_without_algorithm_fails_synth(stack: Stack, tmp_path: Path) -> None:
    csv = write(tmp_path, "hashed.csv", HASHED)
    with pytest.raises(ValidationError, match=r"column password_hash: .*set password_hashing_algorithm"):
        UserImport(stack, "Seed", user_pool=make_pool(stack), source=UserCsv.from_file(csv))


def test_password_hash_column_with_algorithm_passes_synth(stack: Stack, tmp_path: Path) -> None:
    csv = write(tmp_path, "hashed.csv", HASHED)
    UserImport(
        stack,
        "Seed",
        user_pool=make_pool(stack),
        source=UserCsv.from_file(csv),
        password_hashing_algorithm="BCRYPT",
    )
    Template.from_stack(stack).has_resource_properties(
        "Custom::CognitoUserImport", {"PasswordHashingAlgorithm": "BCRYPT"}
    )
