#!/usr/bin/env python3
"""Fixture app of the e2e tests: the pool in one stack, its UserImport in another.

The UserImport gets the pool through an automatic cross-stack reference (the CDK exports the pool's id
and ARN from PoolOwner and imports them in Seeding). The context value `seed` (`-c seed=FILE`) names
the users file, so that one app deploys, then updates, with the CDK CLI's habits.
"""

from __future__ import annotations

import json

from aws_cdk import App, CfnOutput, RemovalPolicy, Stack
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_secretsmanager as secretsmanager

from cognito_user_import import ExistingUsers, UserCsv, UserImport
from constructs import Construct

ADMIN = "ada@example.com"


class PoolOwner(Stack):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.pool = cognito.UserPool(
            self,
            "Pool",
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            removal_policy=RemovalPolicy.DESTROY,
        )
        CfnOutput(self, "PoolId", value=self.pool.user_pool_id)


class Seeding(Stack):
    def __init__(self, scope: Construct, construct_id: str, *, pool: cognito.IUserPool, seed: str) -> None:
        super().__init__(scope, construct_id)
        passwords = secretsmanager.Secret(
            self,
            "Passwords",
            generate_secret_string=secretsmanager.SecretStringGenerator(
                secret_string_template=json.dumps({}), generate_string_key=ADMIN
            ),
            removal_policy=RemovalPolicy.DESTROY,
        )
        users = UserImport(
            self,
            "Users",
            user_pool=pool,
            source=UserCsv.from_file(f"seed/{seed}"),
            passwords=passwords,
            existing_users=ExistingUsers.UPDATE,
        )
        CfnOutput(self, "PasswordsSecretArn", value=passwords.secret_arn)
        CfnOutput(self, "Imported", value=users.imported_users)
        CfnOutput(self, "UpdatedUsers", value=users.updated_users)


app = App()
owner = PoolOwner(app, "PoolOwner")
Seeding(app, "Seeding", pool=owner.pool, seed=str(app.node.try_get_context("seed") or "users.csv"))
app.synth()
