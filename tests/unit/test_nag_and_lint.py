"""cdk-nag's AwsSolutions pack and cfn-lint find nothing unacknowledged in a stack using the construct."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import Acknowledgment, App, Stack, Validations
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from cdk_nag import AwsSolutionsChecks

from cognito_user_import import UserCsv, UserImport

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
CSV = "cognito:username,email,email_verified\njane,jane@example.com,true\n"


class NaggedApp:
    def __init__(self, tmp: Path) -> None:
        csv_file = tmp / "users.csv"
        csv_file.write_text(CSV, encoding="utf-8")
        self.outdir = tmp / "cdk.out"
        app = App(outdir=str(self.outdir))
        Validations.of(app).add_plugins(AwsSolutionsChecks(app))
        stack = Stack(app, "Nagged")
        pool = cognito.UserPool(
            stack,
            "Pool",
            sign_in_aliases=cognito.SignInAliases(email=True),
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
        )
        # The test's own pool is the user's business, not the construct's: acknowledged here, on it alone.
        for rule in ("AwsSolutions-COG1", "AwsSolutions-COG2", "AwsSolutions-COG8"):
            Validations.of(pool).acknowledge(Acknowledgment(id=rule, reason="a test pool, not the construct"))
        UserImport(stack, "FromFile", user_pool=pool, source=UserCsv.from_file(str(csv_file)))
        bucket = s3.Bucket.from_bucket_name(stack, "Uploads", "my-uploads-bucket")
        UserImport(
            stack,
            "FromBucket",
            user_pool=pool,
            source=UserCsv.from_bucket(bucket, "users.csv"),
            remove_users_on_delete=True,
        )
        self.error: str | None = None
        try:
            app.synth()
        except RuntimeError as error:  # the validation framework fails the synthesis
            self.error = str(error)
        self.template = self.outdir / "Nagged.template.json"

    def report(self) -> dict[str, Any]:
        return dict(json.loads((self.outdir / "validation-report.json").read_text()))


@pytest.fixture(scope="module")
def nagged(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NaggedApp]:
    yield NaggedApp(tmp_path_factory.mktemp("nag"))


def test_cdk_nag_aws_solutions_clean(nagged: NaggedApp) -> None:
    violations = [
        (v["ruleName"], [c["constructPath"] for c in v.get("violatingConstructs", [])])
        for report in nagged.report()["pluginReports"]
        for v in report.get("violations", [])
    ]
    assert violations == [], json.dumps(violations, indent=1)
    assert nagged.error is None, nagged.error


def test_other_wildcards_on_the_handler_role_are_still_reported(tmp_path: Path) -> None:
    """The control: the pack runs, and the acknowledgements cover only the construct's own patterns."""
    app = App(outdir=str(tmp_path / "cdk.out"))
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    stack = Stack(app, "Widened")
    pool = cognito.UserPool.from_user_pool_id(stack, "Pool", "us-east-1_abcdefghi")
    bucket = s3.Bucket.from_bucket_name(stack, "Uploads", "my-uploads-bucket")
    seed = UserImport(stack, "Seed", user_pool=pool, source=UserCsv.from_bucket(bucket, "users.csv"))
    seed.handler.add_to_role_policy(
        iam.PolicyStatement(actions=["s3:GetObject"], resources=["arn:aws:s3:::*/*"])
    )
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    report = json.loads((tmp_path / "cdk.out" / "validation-report.json").read_text())
    rules = [v["ruleName"] for r in report["pluginReports"] for v in r["violations"]]
    assert rules == ["AwsSolutions-IAM5[Resource::arn:aws:s3:::*/*]"]


def test_cfn_lint_clean(nagged: NaggedApp) -> None:
    cfn_lint = Path(sys.executable).parent / "cfn-lint"
    result = subprocess.run(
        [str(cfn_lint), "--ignore-checks", "W3005", "--", str(nagged.template)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
