"""What deploy-local makes of the resource types it models, against the emulator (in-process, real moto):
BucketDeployment's copy, auto-delete, bucket policies, layers and keys; placeholders and the table."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest

from cognito_user_import_local.modelled import AutoDeleteObjects, BucketDeployment
from cognito_user_import_local.placeholders import placeholder_attribute, placeholder_id, placeholders_used
from cognito_user_import_local.resources.base import Environment, Provisioned
from cognito_user_import_local.resources.functions import LayerVersion
from cognito_user_import_local.resources.kms import Key
from cognito_user_import_local.resources.storage import BucketPolicy
from cognito_user_import_local.state import DeployedResource
from cognito_user_import_local.summary import resource_table


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def _objects(env: Environment, bucket: str) -> dict[str, bytes]:
    s3 = env.client("s3")
    listing = s3.list_objects_v2(Bucket=bucket).get("Contents", [])
    return {item["Key"]: s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read() for item in listing}


@pytest.fixture
def buckets(env: Environment) -> tuple[str, str]:
    s3 = env.client("s3")
    for name in ("assets-bucket", "site-bucket"):
        s3.create_bucket(Bucket=name)
    s3.put_object(
        Bucket="assets-bucket",
        Key="a.zip",
        Body=_zip({"users.csv": "u\n", "conf.json": '{"pool": "<<marker:0>>"}'}),
    )
    s3.put_object(Bucket="assets-bucket", Key="b.zip", Body=_zip({"notes/readme.txt": "hi", "skip.tmp": "x"}))
    s3.put_object(Bucket="site-bucket", Key="seed/old.csv", Body=b"old")
    s3.put_object(Bucket="site-bucket", Key="outside.txt", Body=b"kept")
    return "assets-bucket", "site-bucket"


def _deployment_props(**extra: Any) -> dict[str, Any]:
    return {
        "SourceBucketNames": ["assets-bucket", "assets-bucket"],
        "SourceObjectKeys": ["a.zip", "b.zip"],
        "SourceMarkers": [{"<<marker:0>>": 'pool "1"'}, {}],
        "SourceMarkersConfig": [{"jsonEscape": "true"}, {}],
        "DestinationBucketName": "site-bucket",
        "DestinationBucketKeyPrefix": "seed",
        "Exclude": ["*.tmp"],
        **extra,
    }


def test_bucket_deployment_copies_replaces_markers_prunes_and_filters(env: Environment, buckets: Any) -> None:
    made = BucketDeployment().create(env, "Upload", _deployment_props())

    assert made.physical_id.startswith("aws.cdk.s3deployment.")
    assert made.attributes["SourceObjectKeys"] == ["a.zip", "b.zip"]
    assert _objects(env, "site-bucket") == {
        "seed/users.csv": b"u\n",
        "seed/conf.json": b'{"pool": "pool \\"1\\""}',  # a JSON-escaped marker value
        "seed/notes/readme.txt": b"hi",
        "outside.txt": b"kept",  # outside the prefix: not pruned
    }
    head = env.client("s3").head_object(Bucket="site-bucket", Key="seed/conf.json")
    assert head["ContentType"] == "application/json"


def test_bucket_deployment_delete_keeps_files_unless_retain_on_delete_is_false(
    env: Environment, buckets: Any
) -> None:
    deployment = BucketDeployment()
    made = deployment.create(env, "Upload", _deployment_props(Prune="false"))
    deployment.delete(env, made.physical_id, _deployment_props(Prune="false"))
    assert "seed/users.csv" in _objects(env, "site-bucket")

    gone = _deployment_props(Prune="false", RetainOnDelete="false")
    deployment.delete(env, made.physical_id, gone)
    assert sorted(_objects(env, "site-bucket")) == ["outside.txt"]


def test_bucket_deployment_without_extract_copies_the_zips(env: Environment, buckets: Any) -> None:
    BucketDeployment().create(env, "Upload", _deployment_props(Extract="false", Exclude=[], Prune="false"))
    assert {"seed/a.zip", "seed/b.zip", "seed/old.csv"} <= set(_objects(env, "site-bucket"))


def test_auto_delete_empties_the_bucket_on_delete_only(env: Environment, buckets: Any) -> None:
    auto_delete = AutoDeleteObjects()
    made = auto_delete.create(env, "AutoDelete", {"BucketName": "site-bucket"})
    assert made.physical_id == "site-bucket" and len(_objects(env, "site-bucket")) == 2
    auto_delete.delete(env, made.physical_id, {"BucketName": "site-bucket"})
    assert _objects(env, "site-bucket") == {}


def test_bucket_policy_keeps_conditional_statements_out_of_the_emulator(
    env: Environment, buckets: Any
) -> None:
    allow = {
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
        "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::site-bucket/*",
    }
    deny_insecure = {
        "Effect": "Deny",
        "Principal": {"AWS": "*"},
        "Action": "s3:*",
        "Resource": ["arn:aws:s3:::site-bucket", "arn:aws:s3:::site-bucket/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    props = {
        "Bucket": "site-bucket",
        "PolicyDocument": {"Version": "2012-10-17", "Statement": [allow, deny_insecure]},
    }
    s3 = env.client("s3")

    made = BucketPolicy().create(env, "Policy", props)

    assert json.loads(s3.get_bucket_policy(Bucket="site-bucket")["Policy"])["Statement"] == [allow]
    s3.put_object(Bucket="site-bucket", Key="over-http.txt", Body=b"allowed")  # not denied by moto
    BucketPolicy().delete(env, made.physical_id, props)
    with pytest.raises(s3.exceptions.ClientError, match="NoSuchBucketPolicy"):
        s3.get_bucket_policy(Bucket="site-bucket")


def test_layer_version_and_key_are_made_and_removed(env: Environment, buckets: Any) -> None:
    layer_props = {
        "Content": {"S3Bucket": "assets-bucket", "S3Key": "a.zip"},
        "Description": "/opt/awscli/aws",
    }
    layer = LayerVersion().create(env, "AwsCliLayer", layer_props)
    assert layer.physical_id.startswith("arn:aws:lambda:") and layer.physical_id.endswith(":1")
    LayerVersion().delete(env, layer.physical_id, layer_props)
    name = layer.physical_id.split(":")[-2]
    assert env.client("lambda").list_layer_versions(LayerName=name)["LayerVersions"] == []

    key = Key().create(env, "SeedKey", {"Description": "seed files", "EnableKeyRotation": True})
    assert key.attributes["Arn"].endswith(key.physical_id)
    Key().delete(env, key.physical_id, {"PendingWindowInDays": 7})
    state = env.client("kms").describe_key(KeyId=key.physical_id)["KeyMetadata"]["KeyState"]
    assert state == "PendingDeletion"


def test_placeholder_values_are_found_wherever_they_end_up() -> None:
    props = {
        "Environment": {"Variables": {"TOPIC": placeholder_id("Topic1")}},
        "Policy": {"Fn": f"arn:{placeholder_attribute('Queue2', 'Arn')}/*"},
        "Name": "real-name",
    }
    assert placeholders_used(props) == ["Queue2", "Topic1"]
    assert placeholders_used({"Name": "not-emulated", "Other": "a:b"}) == []


def test_resource_table_counts_types_and_names_each_placeholder() -> None:
    resources = {
        "Pool": DeployedResource("AWS::Cognito::UserPool", "us-east-1_x", {}),
        "RoleA": DeployedResource("AWS::IAM::Role", "a", {}),
        "RoleB": DeployedResource("AWS::IAM::Role", "b", {}),
        "Upload": DeployedResource("Custom::CDKBucketDeployment", "aws.cdk.s3deployment.1", {}),
        "Seed": DeployedResource("Custom::CognitoUserImport", "import-1", {}),
        "Topic": DeployedResource(
            "AWS::SNS::Topic", placeholder_id("Topic"), {}, note="AWS::SNS::Topic is not emulated"
        ),
    }
    lines = resource_table(resources)
    rows = [line.split(maxsplit=2) for line in lines[1:6]]
    assert rows == [
        ["AWS::Cognito::UserPool", "1", "emulated"],
        ["AWS::IAM::Role", "2", "emulated"],
        ["Custom::CDKBucketDeployment", "1", "modelled: the sources' files copied to the destination bucket"],
        ["Custom::CognitoUserImport", "1", "handler run"],
        ["AWS::SNS::Topic", "1", "PLACEHOLDER"],
    ]
    assert lines[6] == "    - Topic: AWS::SNS::Topic is not emulated"
    assert resource_table({}) == []


def test_provisioned_layer_update_publishes_a_new_version(env: Environment, buckets: Any) -> None:
    props = {"Content": {"S3Bucket": "assets-bucket", "S3Key": "a.zip"}, "LayerName": "shared"}
    first = LayerVersion().create(env, "Layer", props)
    second = LayerVersion().update(env, "Layer", Provisioned(first.physical_id), props, props)
    assert first.physical_id.endswith(":1") and second.physical_id.endswith(":2")
