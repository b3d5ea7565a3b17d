#!/usr/bin/env python3
"""Fixture app of the e2e tests: two UserImports in one stack, into two pools, one after the other."""

from __future__ import annotations

from aws_cdk import App, CfnOutput, RemovalPolicy, Stack
from aws_cdk import aws_cognito as cognito

from cognito_user_import import UserCsv, UserImport
from constructs import Construct


class TwoImports(Stack):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        for name in ("Staff", "Customers"):
            pool = cognito.UserPool(
                self,
                f"{name}Pool",
                sign_in_aliases=cognito.SignInAliases(email=True),
                auto_verify=cognito.AutoVerifiedAttrs(email=True),
                removal_policy=RemovalPolicy.DESTROY,
            )
            seed = UserImport(
                self, f"{name}Users", user_pool=pool, source=UserCsv.from_file(f"seed/{name.lower()}.csv")
            )
            CfnOutput(self, f"{name}PoolId", value=pool.user_pool_id)
            CfnOutput(self, f"{name}JobId", value=seed.job_id)
            CfnOutput(self, f"{name}Imported", value=seed.imported_users)


app = App()
TwoImports(app, "TwoImports")
app.synth()
