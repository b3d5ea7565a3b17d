"""A stack whose users file is put into S3 by a BucketDeployment and imported with UserCsv.from_bucket:
deploy-local copies the file as the CDK's custom resource would, the import reads it there, resources
the emulator does not model are placeholders in the closing table, and stacks are chosen like `cdk`'s."""

from __future__ import annotations

import re
from pathlib import Path

import boto3
import pytest
from e2e_app import SampleApp, cognito_client, copy_fixture_app, outputs

from cognito_user_import_emulator import Emulator

pytestmark = pytest.mark.e2e

STACK = "FromBucket"


@pytest.fixture
def from_bucket_app(tmp_path: Path) -> SampleApp:
    return copy_fixture_app("from_bucket", tmp_path / "app")


def _table_row(output: str, resource_type: str) -> str:
    [row] = [
        line for line in output.splitlines() if re.match(rf"\s+{re.escape(resource_type)}\s+\d+\s", line)
    ]
    return row


def test_bucket_deployment_feeds_from_bucket_import(
    fast_emulator: Emulator, from_bucket_app: SampleApp
) -> None:
    endpoint = ("--endpoint", fast_emulator.url)

    run = from_bucket_app.cli("deploy-local", "From*", *endpoint)

    assert run.exit_code == 0, run.output
    assert "Unrelated" not in run.output  # not selected, not a dependency
    figures = outputs(run, STACK)
    assert figures["ImportedUsers"] == "3"
    s3 = boto3.client(
        "s3",
        endpoint_url=fast_emulator.url,
        region_name=fast_emulator.region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    copied = s3.get_object(Bucket=figures["BucketName"], Key="imports/users.csv")["Body"].read()
    assert copied == (from_bucket_app.folder / "seed" / "users.csv").read_bytes()
    users = cognito_client(fast_emulator.url, fast_emulator.region).list_users(UserPoolId=figures["PoolId"])
    assert len(users["Users"]) == 3
    assert "modelled" in _table_row(run.output, "Custom::CDKBucketDeployment")
    assert "modelled" in _table_row(run.output, "Custom::S3AutoDeleteObjects")
    assert _table_row(run.output, "AWS::S3::BucketPolicy").split()[2] == "emulated"
    assert _table_row(run.output, "AWS::KMS::Key").split()[2] == "emulated"
    assert _table_row(run.output, "Custom::CognitoUserImport").endswith("handler run")
    assert _table_row(run.output, "AWS::SNS::Topic").endswith("PLACEHOLDER")
    assert re.search(r"- Announcements\w+: AWS::SNS::Topic is not emulated", run.output)
    assert re.search(r"- Notify\w+: uses the placeholder Announcements\w+", run.output), run.output
    assert figures["TopicArn"].endswith(":not-emulated")
    assert "Traceback" not in run.output and "Internal Server Error" not in run.output

    gone = from_bucket_app.cli("destroy-local", STACK, "--force", *endpoint)
    assert gone.exit_code == 0, gone.output
    assert "Unrelated" not in gone.output
    assert "DELETE_COMPLETE" in gone.output
    buckets = [bucket["Name"] for bucket in s3.list_buckets()["Buckets"]]
    assert figures["BucketName"] not in buckets
