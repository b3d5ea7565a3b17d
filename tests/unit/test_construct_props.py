"""UserImport's props are checked at synth time with messages that show the bad value and what is allowed."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, CfnParameter, Duration, Stack
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_s3 as s3

from cognito_user_import import ExistingUsers, UserCsv, UserImport
from cognito_user_import.handler_function import function_name_for, poll_rule_prefix_for
from cognito_user_import.user_import import default_job_name

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")


@pytest.fixture()
def stack() -> Stack:
    return Stack(App(), "Props")


def pool(stack: Stack) -> cognito.UserPool:
    return cognito.UserPool(stack, "Pool", auto_verify=cognito.AutoVerifiedAttrs(email=True))


def make(stack: Stack, **props: Any) -> UserImport:
    source = UserCsv.from_bucket(s3.Bucket.from_bucket_name(stack, "Bucket", "seed-bucket"), "users.csv")
    return UserImport(stack, "Seed", user_pool=pool(stack), source=source, **props)


@pytest.mark.parametrize(
    ("job_name", "shown"),
    [
        ("nightly/seed", "'/'"),
        ("caf\u00e9", "'\u00e9'"),
        ("", "0 characters"),
        ("x" * 129, "129 characters"),
    ],
)
def test_bad_job_name(stack: Stack, job_name: str, shown: str) -> None:
    with pytest.raises(ValueError, match="job_name") as raised:
        make(stack, job_name=job_name)
    assert shown in str(raised.value)
    assert "allowed: 1-128 characters" in str(raised.value)


def test_good_job_name_is_used(stack: Stack) -> None:
    seed = make(stack, job_name="Seed users 2024, v1.0 @acme=+_-")
    assert seed.node.path == "Props/Seed"


@pytest.mark.parametrize(
    "timeout", [Duration.seconds(0), Duration.millis(1500), Duration.seconds(3601), Duration.hours(2)]
)
def test_timeout_outside_cloudformation_range(stack: Stack, timeout: Duration) -> None:
    with pytest.raises(ValueError, match=r"timeout .* is invalid: allowed: whole seconds from 1 s to 3600 s"):
        make(stack, timeout=timeout)


@pytest.mark.parametrize("timeout", [Duration.seconds(1), Duration.hours(1)])
def test_timeout_bounds_accepted(stack: Stack, timeout: Duration) -> None:
    make(stack, timeout=timeout)


def test_negative_max_failed_users(stack: Stack) -> None:
    with pytest.raises(ValueError, match=r"max_failed_users -1 is invalid: allowed: a whole number >= 0"):
        make(stack, max_failed_users=-1)


def test_bad_existing_users(stack: Stack) -> None:
    with pytest.raises(ValueError, match=r"existing_users 'OVERWRITE' is invalid: allowed: SKIP, FAIL"):
        make(stack, existing_users="OVERWRITE")


def test_tokens_are_skipped(stack: Stack) -> None:
    name = CfnParameter(stack, "JobName").value_as_string
    seconds = CfnParameter(stack, "Seconds", type="Number").value_as_number
    failed = CfnParameter(stack, "Failed", type="Number").value_as_number
    seed = make(
        stack,
        job_name=name,
        timeout=Duration.seconds(seconds),
        max_failed_users=failed,
        existing_users=ExistingUsers.FAIL,
    )
    properties = stack.resolve(seed.resource.node.default_child._cfn_properties)  # type: ignore[union-attr]
    assert properties["JobName"] == {"Ref": "JobName"}
    assert properties["MaxFailedUsers"] == {"Ref": "Failed"}
    assert properties["ExistingUsers"] == "FAIL"


@pytest.mark.parametrize("key", ["users/*.csv", "seed?.csv", "", "/abs.csv"])
def test_from_bucket_refuses_keys_that_widen_the_grant(stack: Stack, key: str) -> None:
    bucket = s3.Bucket.from_bucket_name(stack, "Bucket", "seed-bucket")
    with pytest.raises(ValueError, match="from_bucket: key"):
        UserCsv.from_bucket(bucket, key)


def test_from_file_missing(stack: Stack, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="is not a file"):
        UserImport(stack, "Seed", user_pool=pool(stack), source=UserCsv.from_file(str(tmp_path / "none.csv")))


def test_default_job_name_is_valid_and_bounded() -> None:
    assert default_job_name("Stack/Nested/Seed") == "Stack.Nested.Seed"
    long = default_job_name("A/" * 100 + "Seed")
    assert len(long) == 128
    assert long.endswith("Seed")
    assert default_job_name("A/" * 100 + "Seed") != default_job_name("B/" + "A/" * 99 + "Seed")


def test_names_are_deterministic_and_short() -> None:
    first = Stack(App(), "x" * 128)
    again = Stack(App(), "x" * 128)
    assert function_name_for(first) == function_name_for(again)
    assert len(function_name_for(first)) <= 64
    assert function_name_for(first).endswith(function_name_for(again)[-8:])
    assert poll_rule_prefix_for(first) == poll_rule_prefix_for(again)
    assert len(poll_rule_prefix_for(first)) == 13
