#!/usr/bin/env python3
"""Fixture app of the e2e tests: a migration into a case-insensitive pool (the test writes its file)."""

from __future__ import annotations

from aws_cdk import App, RemovalPolicy, Stack
from aws_cdk import aws_cognito as cognito

from cognito_user_import import UserCsv, UserImport
from constructs import Construct


class Migration(Stack):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        pool = cognito.UserPool(
            self,
            "Pool",
            sign_in_case_sensitive=False,
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            removal_policy=RemovalPolicy.DESTROY,
        )
        UserImport(self, "Users", user_pool=pool, source=UserCsv.from_file("seed/users.csv"))


app = App()
Migration(app, "Migration")
app.synth()
