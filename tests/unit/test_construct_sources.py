"""UserCsv.from_users renders records into a validated asset; from_bucket points at one object."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from aws_cdk import App, Stack
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Match, Template

from cognito_user_csv.problems import ValidationError
from cognito_user_import import UserCsv, UserImport, UserRecord
from cognito_user_import.handler_function import UserImportHandler

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")


def make_pool(stack: Stack) -> cognito.UserPool:
    return cognito.UserPool(
        stack,
        "Pool",
        auto_verify=cognito.AutoVerifiedAttrs(email=True),
        custom_attributes={"tenant": cognito.StringAttribute(min_len=1, max_len=16)},
    )


RECORDS = [
    UserRecord(
        username="amelie",
        attributes={"email": "amelie@example.org", "name": "Dubois, Amélie", "custom:tenant": "acme"},
        email_verified=True,
    ),
    UserRecord(
        username="jurgen", attributes={"email": "jurgen@example.org", "name": "Jürgen"}, email_verified=True
    ),
]


def test_from_users_is_a_validated_asset(tmp_path: Path) -> None:
    app = App(outdir=str(tmp_path / "out"))
    stack = Stack(app, "Records")
    seed = UserImport(stack, "Seed", user_pool=make_pool(stack), source=UserCsv.from_users(RECORDS))
    assert seed.source.source_name == "test_construct_sources.py (from_users)"
    assert seed.source.object_key == f"{seed.source.source_hash}.csv"
    staged = tmp_path / "out" / f"asset.{seed.source.source_hash}.csv"
    text = staged.read_text(encoding="utf-8")
    assert text.splitlines()[0].startswith("cognito:username,")
    assert "amelie" in text and '"Dubois, Amélie"' in text
    properties = stack.resolve(seed.resource.node.default_child._cfn_properties)  # type: ignore[union-attr]
    assert "amelie" not in str(properties)


def test_from_users_same_records_same_hash(tmp_path: Path) -> None:
    hashes = set()
    for n in range(2):
        stack = Stack(App(outdir=str(tmp_path / f"out{n}")), "Records")
        seed = UserImport(stack, "Seed", user_pool=make_pool(stack), source=UserCsv.from_users(list(RECORDS)))
        hashes.add(seed.source.source_hash)
    assert len(hashes) == 1


def test_from_users_validated_against_the_pool(tmp_path: Path) -> None:
    stack = Stack(App(outdir=str(tmp_path / "out")), "Records")
    bad = [
        UserRecord(
            username="x", attributes={"email": "x@example.org", "custom:plan": "pro"}, email_verified=True
        )
    ]
    with pytest.raises(
        ValidationError, match=r"\(from_users\):1: column custom:plan: is not a column of this pool"
    ):
        UserImport(stack, "Seed", user_pool=make_pool(stack), source=UserCsv.from_users(bad))


def test_from_users_is_told_to_set_the_flag_not_to_add_columns(tmp_path: Path) -> None:
    stack = Stack(App(outdir=str(tmp_path / "out")), "Records")
    unverified = [UserRecord(username="x", attributes={"email": "x@example.org"})]

    with pytest.raises(ValidationError) as raised:
        UserImport(stack, "Seed", user_pool=make_pool(stack), source=UserCsv.from_users(unverified))

    assert "set email_verified=True on the UserRecords" in str(raised.value)
    assert "add the columns" not in str(raised.value)


def test_from_users_needs_records() -> None:
    with pytest.raises(ValueError, match="at least one UserRecord"):
        UserCsv.from_users([])


VERSION_ID = "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY"


def test_from_bucket_grants_exactly_that_object_and_its_key() -> None:
    stack = Stack(App(), "Bucketed")
    key = kms.Key(stack, "Key")
    bucket = s3.Bucket.from_bucket_attributes(
        stack, "Uploads", bucket_name="my-uploads-bucket", encryption_key=key
    )
    seed = UserImport(
        stack,
        "Seed",
        user_pool=make_pool(stack),
        source=UserCsv.from_bucket(bucket, "seed/users.csv", version=VERSION_ID),
    )
    template = Template.from_stack(stack)
    props = template.find_resources("Custom::CognitoUserImport")
    [resource] = props.values()
    assert resource["Properties"]["SourceVersion"] == VERSION_ID
    assert VERSION_ID in resource["Properties"]["SourceHash"]
    assert resource["Properties"]["SourceName"] == "s3://my-uploads-bucket/seed/users.csv"
    object_arn = {
        "Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":s3:::my-uploads-bucket/seed/users.csv"]]
    }
    template.has_resource_properties(
        "AWS::IAM::Policy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        # The table's rows: GetObject always, GetObjectVersion for a version.
                        *(
                            Match.object_like({"Action": action, "Effect": "Allow", "Resource": object_arn})
                            for action in ("s3:GetObject", "s3:GetObjectVersion")
                        ),
                        Match.object_like({"Action": "kms:Decrypt", "Resource": Match.any_value()}),
                    ]
                )
            }
        },
    )
    ledger = stack.get_logical_id(UserImportHandler.of(stack).ledger.node.default_child)  # type: ignore[arg-type]
    s3_statements = [
        s
        for policy in template.find_resources("AWS::IAM::Policy").values()
        for s in policy["Properties"]["PolicyDocument"]["Statement"]
        if any(
            str(a).startswith("s3:")
            for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])
        )
        and ledger not in json.dumps(s["Resource"])  # the handler's own ledger bucket
    ]
    assert [s["Resource"] for s in s3_statements] == [object_arn] * 2  # that object alone
    assert seed.logs_role is not None
