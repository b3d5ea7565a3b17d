#!/usr/bin/env python3
"""Sample CDK app: a user pool that signs in with email, seeded from seed/users.csv by an import job.

`npx cdk synth` / `npx cdk deploy` run this file (see cdk.json); `cognito-user-import deploy-local`
deploys it into the local emulator instead of AWS.
"""

from __future__ import annotations

from aws_cdk import App, CfnOutput, RemovalPolicy, Stack
from aws_cdk import aws_cognito as cognito

from cognito_user_import import UserCsv, UserImport
from constructs import Construct


class CognitoUserImportSample(Stack):
    """A pool with a few custom attributes and about 50 seeded users."""

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(
            scope, construct_id, description="cdk-cognito-user-import sample: a seeded user pool"
        )

        pool = cognito.UserPool(
            self,
            "Pool",
            sign_in_aliases=cognito.SignInAliases(email=True),
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            standard_attributes=cognito.StandardAttributes(
                email=cognito.StandardAttribute(required=True, mutable=True),
            ),
            custom_attributes={
                "tenant": cognito.StringAttribute(min_len=1, max_len=64, mutable=True),
                "plan": cognito.StringAttribute(min_len=1, max_len=32, mutable=True),
                "seats": cognito.NumberAttribute(min=1, max=10000, mutable=True),
            },
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            # A sample: `cdk destroy` (or destroy-local) removes the pool and its users.
            removal_policy=RemovalPolicy.DESTROY,
        )

        seed = UserImport(
            self,
            "SeedUsers",
            user_pool=pool,
            source=UserCsv.from_file("seed/users.csv"),
        )

        CfnOutput(self, "UserPoolId", value=pool.user_pool_id)
        CfnOutput(self, "ImportJobId", value=seed.job_id)
        CfnOutput(self, "ImportStatus", value=seed.status)
        CfnOutput(self, "ImportedUsers", value=seed.imported_users)
        CfnOutput(self, "SkippedUsers", value=seed.skipped_users)
        CfnOutput(self, "FailedUsers", value=seed.failed_users)


app = App()
CognitoUserImportSample(app, "CognitoUserImportSample")
app.synth()
