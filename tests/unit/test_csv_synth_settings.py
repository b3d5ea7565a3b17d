"""Synth-time rules read from a cognito.UserPool of the app: sign-in settings, length limits, hashes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from aws_cdk import App, Stack
from aws_cdk import aws_cognito as cognito

from cognito_user_csv.problems import ValidationError
from cognito_user_import.synth_validation import pool_schema, validate_source

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

AUTO_VERIFY = cognito.AutoVerifiedAttrs(email=True)


def make_pool(**props: object) -> cognito.UserPool:
    return cognito.UserPool(Stack(App(), "Synth"), "Pool", auto_verify=AUTO_VERIFY, **props)  # type: ignore[arg-type]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "users.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_sign_in_settings_of_the_pool() -> None:
    schema = pool_schema(
        make_pool(
            sign_in_case_sensitive=False,
            sign_in_aliases=cognito.SignInAliases(username=True, email=True, preferred_username=True),
        )
    )
    assert not schema.case_sensitive
    assert schema.alias_attributes == frozenset({"email", "preferred_username"})
    assert schema.username_attributes == frozenset()
    email_username = pool_schema(make_pool(sign_in_aliases=cognito.SignInAliases(email=True)))
    assert email_username.case_sensitive  # CDK's default, and Cognito's when UsernameConfiguration is absent
    assert email_username.username_attributes == frozenset({"email"})
    assert pool_schema(make_pool(sign_in_case_sensitive=True)).case_sensitive


def test_length_limits_set_on_standard_attributes_through_the_cfn_pool() -> None:
    pool = make_pool(
        standard_attributes=cognito.StandardAttributes(fullname=cognito.StandardAttribute(required=True))
    )
    cfn = pool.node.default_child
    assert isinstance(cfn, cognito.CfnUserPool)
    cfn.schema = [
        cognito.CfnUserPool.SchemaAttributeProperty(
            name="name",
            required=True,
            string_attribute_constraints=cognito.CfnUserPool.StringAttributeConstraintsProperty(
                min_length="2", max_length="5"
            ),
        )
    ]
    schema = pool_schema(pool)
    assert schema.standard_lengths == {"name": (2, 5)} and schema.required == frozenset({"name"})


def test_case_insensitive_duplicates_fail_synth_naming_both_lines(tmp_path: Path) -> None:
    path = write(tmp_path, "cognito:username,email,email_verified\nbob,b1@x.org,true\nBob,b2@x.org,true\n")
    validate_source(path, "users.csv", make_pool())  # case-sensitive: two users
    with pytest.raises(ValidationError) as raised:
        validate_source(path, "users.csv", make_pool(sign_in_case_sensitive=False))
    assert (
        "users.csv:3 (Bob): column cognito:username: value 'Bob' is a duplicate of line 2 when case"
        in str(raised.value)
    )


def test_a_shared_email_fails_synth_when_the_pool_signs_in_with_email(tmp_path: Path) -> None:
    path = write(tmp_path, "cognito:username,email,email_verified\nann,a@x.org,true\nbea,a@x.org,true\n")
    validate_source(path, "users.csv", make_pool())
    with pytest.raises(
        ValidationError, match=r"users.csv:3 \(bea\): column email: value 'a@x.org' is also on line 2"
    ):
        validate_source(
            path, "users.csv", make_pool(sign_in_aliases=cognito.SignInAliases(username=True, email=True))
        )


def test_password_hash_needs_the_algorithm(tmp_path: Path) -> None:
    path = write(tmp_path, "cognito:username,email,email_verified,password_hash\nann,a@x.org,true,$2b$12$x\n")
    with pytest.raises(ValidationError, match="set password_hashing_algorithm"):
        validate_source(path, "users.csv", make_pool())
    validate_source(path, "users.csv", make_pool(), password_hashing_algorithm="BCRYPT")
