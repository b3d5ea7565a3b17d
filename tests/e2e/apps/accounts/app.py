#!/usr/bin/env python3
"""Fixture app of the e2e tests: a seed with a groups column and ExistingUsers.UPDATE."""

from __future__ import annotations

from aws_cdk import App, CfnOutput, RemovalPolicy, Stack
from aws_cdk import aws_cognito as cognito

from cognito_user_import import ExistingUsers, UserCsv, UserImport
from constructs import Construct


class Accounts(Stack):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        pool = cognito.UserPool(
            self,
            "Pool",
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            removal_policy=RemovalPolicy.DESTROY,
        )
        groups = [
            cognito.CfnUserPoolGroup(
                self, f"{name.title()}Group", user_pool_id=pool.user_pool_id, group_name=name
            )
            for name in ("admins", "testers")
        ]
        seed = UserImport(
            self,
            "Seed",
            user_pool=pool,
            source=UserCsv.from_file("seed/users.csv"),
            existing_users=ExistingUsers.UPDATE,
        )
        for group in groups:
            seed.node.add_dependency(group)
        CfnOutput(self, "PoolId", value=pool.user_pool_id)
        CfnOutput(self, "Imported", value=seed.imported_users)
        CfnOutput(self, "UpdatedUsers", value=seed.updated_users)
        CfnOutput(self, "GroupMemberships", value=seed.group_memberships)


app = App()
Accounts(app, "Accounts")
app.synth()
