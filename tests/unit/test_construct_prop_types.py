"""Construct arguments of the wrong type fail at synth, naming the prop, the bad value, its type and what is
expected; imported resources (jsii interface proxies) and tokens are accepted."""

from __future__ import annotations

import math
import os
import re
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, CfnParameter, Duration, Stack
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Capture, Template

from cognito_user_import import ExistingUsers, UserCsv, UserImport, UserRecord
from cognito_user_import.handler_function import SINGLETON_ID
from cognito_user_import.prop_checks import implements, shown
from cognito_user_import_handler.properties import RESOURCE_TYPE

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

POOL_ID = "us-east-1_abc"
ROLE_ARN = "arn:aws:iam::111111111111:role/CognitoImportLogs"
RECORD = UserRecord("ana", {"email": "ana@example.com"}, email_verified=True)


@pytest.fixture()
def stack() -> Stack:
    return Stack(App(), "Types")


def bucket_source(stack: Stack, version: str | None = None) -> UserCsv:
    bucket = stack.node.try_find_child("Uploads") or s3.Bucket.from_bucket_name(
        stack, "Uploads", "seed-bucket"
    )
    return UserCsv.from_bucket(bucket, "users.csv", version=version)  # type: ignore[arg-type]


def make(stack: Stack, **props: Any) -> UserImport:
    if "user_pool" not in props:
        props["user_pool"] = stack.node.try_find_child("Pool") or cognito.UserPool(
            stack, "Pool", auto_verify=cognito.AutoVerifiedAttrs(email=True)
        )
    if "source" not in props:
        props["source"] = bucket_source(stack)
    return UserImport(stack, f"Seed{len(stack.node.children)}", **props)


def resource_properties(stack: Stack) -> dict[str, Any]:
    [resource] = Template.from_stack(stack).find_resources(RESOURCE_TYPE).values()
    return dict(resource["Properties"])


@pytest.mark.parametrize(
    ("prop", "value", "expected", "got"),
    [
        ("remove_users_on_delete", "false", "a bool (True or False)", "'false' (str)"),
        ("remove_users_on_delete", 1, "a bool (True or False)", "1 (int)"),
        ("user_pool", POOL_ID, "a cognito.IUserPool (", f"'{POOL_ID}' (str)"),
        ("timeout", 600, "a Duration (e.g. Duration.minutes(10))", "600 (int)"),
        ("source", "u.csv", "a UserCsv (UserCsv.from_file(path)", "'u.csv' (str)"),
        ("logs_role", ROLE_ARN, "an iam.IRole or None (", f"'{ROLE_ARN}' (str)"),
        ("job_name", 7, "a str", "7 (int)"),
        ("existing_users", None, "a str", "None (NoneType)"),
        ("max_failed_users", "3", "a whole number (int)", "'3' (str)"),
        ("max_failed_users", 1.0, "a whole number (int)", "1.0 (float)"),
        ("max_failed_users", True, "a whole number (int)", "True (bool)"),
        ("quota_share", True, "a number (int or float)", "True (bool)"),
        ("quota_share", "0.5", "a number (int or float)", "'0.5' (str)"),
        ("password_hashing_algorithm", 1, "a str or None", "1 (int)"),
    ],
)
def test_wrong_type_names_prop_value_type_and_expected(
    stack: Stack, prop: str, value: Any, expected: str, got: str
) -> None:
    with pytest.raises(TypeError) as raised:
        make(stack, **{prop: value})
    message = str(raised.value)
    assert message.startswith(f"UserImport: {prop} must be {expected}"), message
    assert message.endswith(f", got {got}"), message


def test_string_false_makes_nothing_so_grants_nothing(stack: Stack) -> None:
    with pytest.raises(TypeError, match="remove_users_on_delete"):
        make(stack, remove_users_on_delete="false")
    assert stack.node.try_find_child(SINGLETON_ID) is None  # no handler, so no role to grant anything to


def test_a_resource_of_the_wrong_kind_is_named_by_its_interface(stack: Stack) -> None:
    role = iam.Role.from_role_arn(stack, "Role", ROLE_ARN)
    with pytest.raises(TypeError, match=r"user_pool must be a cognito.IUserPool .*, got .* \(IRole\)$"):
        make(stack, user_pool=role)
    imported_pool = cognito.UserPool.from_user_pool_id(stack, "Imported", POOL_ID)
    with pytest.raises(TypeError, match=r"logs_role must be an iam.IRole or None .*, got .* \(IUserPool\)$"):
        make(stack, logs_role=imported_pool)
    with pytest.raises(TypeError, match=r"user_pool must be .*, got .* \(CfnUserPool\)$"):
        make(stack, user_pool=cognito.CfnUserPool(stack, "L1"))


@pytest.mark.parametrize(
    ("share", "shown_as"), [(0, "0"), (-0.1, "-0.1"), (1.5, "1.5"), (math.nan, "nan"), (math.inf, "inf")]
)
def test_quota_share_outside_range(stack: Stack, share: float, shown_as: str) -> None:
    with pytest.raises(ValueError, match="quota_share") as raised:
        make(stack, quota_share=share)
    assert shown_as in str(raised.value)
    if math.isfinite(share):
        assert "allowed: a number with 0 < share <= 1" in str(raised.value)


@pytest.mark.parametrize("algorithm", ["bcrypt", "MD5", ""])
def test_password_hashing_algorithm_must_be_one_of_cognitos(stack: Stack, algorithm: str) -> None:
    with pytest.raises(
        ValueError,
        match=rf"password_hashing_algorithm '{algorithm}' is invalid: "
        r"allowed: BCRYPT, SCRYPT, ARGON2ID, PBKDF2_SHA256, or None",
    ):
        make(stack, password_hashing_algorithm=algorithm)


def test_new_settings_and_their_defaults_in_the_template(tmp_path: Path) -> None:
    default = Stack(App(outdir=str(tmp_path / "a")), "Default")
    make(default)
    properties = resource_properties(default)
    assert properties["QuotaShare"] == "0.5"
    assert "PasswordHashingAlgorithm" not in properties
    assert "SourceVersion" not in properties

    chosen = Stack(App(outdir=str(tmp_path / "b")), "Chosen")
    make(chosen, quota_share=0.25, password_hashing_algorithm="ARGON2ID", existing_users="FAIL")
    Template.from_stack(chosen).has_resource_properties(
        RESOURCE_TYPE,
        {"QuotaShare": "0.25", "PasswordHashingAlgorithm": "ARGON2ID", "ExistingUsers": "FAIL"},
    )


def test_imported_resources_are_accepted(stack: Stack) -> None:
    pool = cognito.UserPool.from_user_pool_id(stack, "ImportedPool", POOL_ID)
    role = iam.Role.from_role_arn(stack, "ImportedRole", ROLE_ARN)
    seed = make(stack, user_pool=pool, logs_role=role)
    assert seed.logs_role is role
    Template.from_stack(stack).has_resource_properties(
        RESOURCE_TYPE,
        {
            "UserPoolId": POOL_ID,
            "LogsRoleArn": ROLE_ARN,
            "SourceBucket": "seed-bucket",
            "SourceKey": "users.csv",
        },
    )


def test_imported_by_arn_and_name_are_accepted(stack: Stack) -> None:
    pool = cognito.UserPool.from_user_pool_arn(
        stack, "ByArn", f"arn:aws:cognito-idp:us-east-1:111111111111:userpool/{POOL_ID}"
    )
    role = iam.Role.from_role_name(stack, "ByName", "CognitoImportLogs")
    make(stack, user_pool=pool, logs_role=role)
    role_arn = Capture()
    Template.from_stack(stack).has_resource_properties(
        RESOURCE_TYPE, {"UserPoolId": POOL_ID, "LogsRoleArn": role_arn}
    )
    assert "role/CognitoImportLogs" in str(role_arn.as_object())


def test_implements_uses_jsii_metadata(stack: Stack) -> None:
    pool = cognito.UserPool(stack, "Own")
    imported = cognito.UserPool.from_user_pool_id(stack, "Imported", POOL_ID)
    bucket = s3.Bucket.from_bucket_attributes(stack, "Attrs", bucket_name="attrs-bucket")
    assert implements(pool, cognito.IUserPool)
    assert implements(imported, cognito.IUserPool)
    assert implements(bucket, s3.IBucket)
    assert not implements(pool, iam.IRole)
    assert not implements(imported, s3.IBucket)
    assert not implements(POOL_ID, cognito.IUserPool)
    assert shown(imported).endswith("(IUserPool)")
    assert shown("x" * 500).endswith("... (str)")


def test_tokens_are_passed_through(stack: Stack) -> None:
    share = CfnParameter(stack, "Share", type="Number").value_as_number
    algorithm = CfnParameter(stack, "Algorithm").value_as_string
    existing = CfnParameter(stack, "Existing").value_as_string
    version = CfnParameter(stack, "Version").value_as_string
    make(
        stack,
        source=bucket_source(stack, version=version),
        quota_share=share,
        password_hashing_algorithm=algorithm,
        existing_users=existing,
    )
    properties = resource_properties(stack)
    assert properties["QuotaShare"] == stack.resolve(share)
    assert properties["PasswordHashingAlgorithm"] == stack.resolve(algorithm)
    assert properties["ExistingUsers"] == stack.resolve(existing)
    assert properties["SourceVersion"] == stack.resolve(version)
    assert all("Ref" in stack.resolve(token) for token in (share, algorithm, existing, version))


@pytest.mark.parametrize(
    ("users", "message"),
    [
        (
            [{"username": "ana"}],
            r"users\[0\] must be a UserRecord \(.*\), got \{'username': 'ana'\} \(dict\)",
        ),
        ([RECORD, "bob"], r"users\[1\] must be a UserRecord \(.*\), got 'bob' \(str\)"),
        (RECORD, r"users must be a list of UserRecord, got UserRecord\(.* \(UserRecord\)"),
        ("ana", r"users must be a list of UserRecord, got 'ana' \(str\)"),
        ({"ana": RECORD}, r"users must be a list of UserRecord, got \{'ana': .* \(dict\)"),
        (None, r"users must be a list of UserRecord, got None \(NoneType\)"),
    ],
)
def test_from_users_arguments(users: Any, message: str) -> None:
    with pytest.raises(TypeError) as raised:
        UserCsv.from_users(users)
    assert re.fullmatch(f"UserCsv.from_users: {message}", str(raised.value)), str(raised.value)


@pytest.mark.parametrize("flag", ["email_verified", "phone_number_verified", "mfa_enabled"])
def test_from_users_flags_must_be_bools(flag: str) -> None:
    flags: dict[str, Any] = {flag: "false"}
    record = UserRecord("ana", {"email": "ana@example.com"}, **flags)
    with pytest.raises(
        TypeError,
        match=rf"^UserCsv.from_users: users\[0\].{flag} \('ana'\) must be True, False or None, "
        r"got 'false' \(str\)$",
    ):
        UserCsv.from_users([record])


def test_from_users_takes_any_iterable_of_records() -> None:
    assert UserCsv.from_users(r for r in [RECORD]) is not None


def test_from_file_arguments(tmp_path: Path) -> None:
    with pytest.raises(
        TypeError, match=r"^UserCsv.from_file: path must be a str or os.PathLike .*, got 42 \(int\)$"
    ):
        UserCsv.from_file(42)  # type: ignore[arg-type]
    csv_file = tmp_path / "users.csv"
    csv_file.write_text("cognito:username,email,email_verified\nana,ana@example.com,true\n", encoding="utf-8")
    stack = Stack(App(outdir=str(tmp_path / "out")), "FromPath")
    seed = make(stack, source=UserCsv.from_file(csv_file))
    assert seed.source.local_path == csv_file


def test_from_bucket_arguments(stack: Stack) -> None:
    bucket = s3.Bucket.from_bucket_name(stack, "B", "seed-bucket")
    with pytest.raises(
        TypeError, match=r"^UserCsv.from_bucket: bucket must be an s3.IBucket .*, got 'seed-bucket' \(str\)$"
    ):
        UserCsv.from_bucket("seed-bucket", "users.csv")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"^UserCsv.from_bucket: key must be a str, got 5 \(int\)$"):
        UserCsv.from_bucket(bucket, 5)  # type: ignore[arg-type]
    with pytest.raises(
        TypeError, match=r"^UserCsv.from_bucket: version must be a str or None, got 3 \(int\)$"
    ):
        UserCsv.from_bucket(bucket, "users.csv", version=3)  # type: ignore[arg-type]


@pytest.mark.parametrize("version", ["", "has space", "x" * 1025])
def test_from_bucket_version_must_be_a_version_id(stack: Stack, version: str) -> None:
    bucket = s3.Bucket.from_bucket_name(stack, "B", "seed-bucket")
    with pytest.raises(ValueError, match=r"version .* is not an S3 version id: allowed: 1-1024 bytes"):
        UserCsv.from_bucket(bucket, "users.csv", version=version)


def test_from_bucket_version_changes_the_hash_and_grants_get_object_version(tmp_path: Path) -> None:
    hashes = {}
    for name, version in (("Latest", None), ("V1", "v1.Qx"), ("V2", "v2.Qx")):
        stack = Stack(App(outdir=str(tmp_path / name)), name)
        make(stack, source=bucket_source(stack, version=version))
        properties = resource_properties(stack)
        hashes[name] = properties["SourceHash"]
        assert properties.get("SourceVersion") == version
        object_arn = {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":s3:::seed-bucket/users.csv"]]}
        actions = ["s3:GetObject"] if version is None else ["s3:GetObject", "s3:GetObjectVersion"]
        statements = [
            s
            for policy in Template.from_stack(stack).find_resources("AWS::IAM::Policy").values()
            for s in policy["Properties"]["PolicyDocument"]["Statement"]
            if s["Resource"] == object_arn
        ]
        assert sorted(s["Action"] for s in statements) == actions  # GetObjectVersion only for a version
    assert len(set(hashes.values())) == 3


def test_existing_users_enum_and_string_value_are_the_same(tmp_path: Path) -> None:
    values = []
    for name, existing in (("Enum", ExistingUsers.FAIL), ("Text", "FAIL")):
        stack = Stack(App(outdir=str(tmp_path / name)), name)
        make(stack, existing_users=existing)
        values.append(resource_properties(stack)["ExistingUsers"])
    assert values == ["FAIL", "FAIL"]


def test_timeout_default_and_duration(stack: Stack) -> None:
    make(stack, timeout=Duration.minutes(10))
    properties = resource_properties(stack)
    assert (properties["TimeoutSeconds"], properties["ServiceTimeout"]) == ("600", "600")
