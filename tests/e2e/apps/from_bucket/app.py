#!/usr/bin/env python3
"""Fixture app of the e2e tests: users uploaded by a BucketDeployment to an encrypted bucket that enforces
SSL and empties itself on delete, imported with UserCsv.from_bucket; an SNS topic the emulator does not
model, and a function that uses it; and a second stack, which a deploy-local of FromBucket leaves out."""

from __future__ import annotations

from aws_cdk import App, CfnOutput, RemovalPolicy, Stack
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3_deployment
from aws_cdk import aws_sns as sns

from cognito_user_import import UserCsv, UserImport
from constructs import Construct


class FromBucket(Stack):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        key = kms.Key(self, "SeedKey", removal_policy=RemovalPolicy.DESTROY)
        bucket = s3.Bucket(
            self,
            "Seeds",
            encryption_key=key,
            enforce_ssl=True,
            versioned=True,
            removal_policy=RemovalPolicy.DESTROY,
            auto_delete_objects=True,
        )
        upload = s3_deployment.BucketDeployment(
            self,
            "Upload",
            sources=[s3_deployment.Source.asset("seed")],
            destination_bucket=bucket,
            destination_key_prefix="imports/",
        )
        pool = cognito.UserPool(
            self,
            "Pool",
            sign_in_aliases=cognito.SignInAliases(email=True),
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            removal_policy=RemovalPolicy.DESTROY,
        )
        seed = UserImport(
            self, "SeedUsers", user_pool=pool, source=UserCsv.from_bucket(bucket, "imports/users.csv")
        )
        seed.node.add_dependency(upload)  # the file is there before the import reads it
        topic = sns.Topic(self, "Announcements")
        # Uses the topic the emulator does not model: a placeholder too, never sent to the emulator.
        lambda_.Function(
            self,
            "Notify",
            runtime=lambda_.Runtime.PYTHON_3_13,
            handler="index.handler",
            code=lambda_.Code.from_inline("def handler(event, context):\n    return None\n"),
            environment={"TOPIC_ARN": topic.topic_arn},
        )
        CfnOutput(self, "PoolId", value=pool.user_pool_id)
        CfnOutput(self, "BucketName", value=bucket.bucket_name)
        CfnOutput(self, "ImportedUsers", value=seed.imported_users)
        CfnOutput(self, "TopicArn", value=topic.topic_arn)


app = App()
FromBucket(app, "FromBucket")
sns.Topic(Stack(app, "Unrelated"), "Topic")
app.synth()
