#!/usr/bin/env python3
"""Sample CDK app: a user pool that signs in with email, seeded from seed/users.csv by an import job,
plus an admin who can sign in at once.

`npx cdk synth` / `npx cdk deploy` run this file (see cdk.json); `cognito-user-import deploy-local`
deploys it into the local emulator instead of AWS (`make demo` then signs in as the admin).
"""

from __future__ import annotations

import json

from aws_cdk import Acknowledgment, App, CfnOutput, RemovalPolicy, Stack, Validations
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_secretsmanager as secretsmanager

from cognito_user_import import ExistingUsers, UserCsv, UserImport, UserRecord
from constructs import Construct

ADMIN = "admin@example.com"
"""The admin's username (the pool signs in with email, so also their address)."""
ADMIN_GROUP = "admins"


class CognitoUserImportSample(Stack):
    """A pool with a few custom attributes, about 50 seeded users and one admin with a password."""

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(
            scope, construct_id, description="cdk-cognito-user-import sample: a seeded user pool"
        )
        pool = self._pool()
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
        self._admin(pool)

    def _pool(self) -> cognito.UserPool:
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
            password_policy=cognito.PasswordPolicy(
                min_length=12,
                require_lowercase=True,
                require_uppercase=True,
                require_digits=True,
                require_symbols=True,
            ),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            # A sample: `cdk destroy` (or destroy-local) removes the pool and its users.
            removal_policy=RemovalPolicy.DESTROY,
        )
        for rule, reason in (
            (
                "AwsSolutions-COG2",
                "A sample pool: MFA would stop the demo's password sign-in at a challenge.",
            ),
            ("AwsSolutions-COG8", "A sample pool: the Plus feature plan's threat protection costs per user."),
        ):
            Validations.of(pool).acknowledge(Acknowledgment(id=rule, reason=reason))
        return pool

    def _admin(self, pool: cognito.UserPool) -> None:
        """One admin, CONFIRMED in the admins group, whose password the stack generates into a secret
        (never into the template), and a client that signs in with a password (ADMIN_USER_PASSWORD_AUTH)."""
        admins = cognito.CfnUserPoolGroup(
            self,
            "Admins",
            user_pool_id=pool.user_pool_id,
            group_name=ADMIN_GROUP,
            description="People who administer the sample",
        )
        passwords = secretsmanager.Secret(
            self,
            "SeedPasswords",
            description="Seeded users' passwords, {username: password}, set by the SeedAdmins import",
            generate_secret_string=secretsmanager.SecretStringGenerator(
                secret_string_template=json.dumps({}),
                generate_string_key=ADMIN,
                require_each_included_type=True,
            ),
            removal_policy=RemovalPolicy.DESTROY,
        )
        Validations.of(passwords).acknowledge(
            Acknowledgment(
                id="AwsSolutions-SMG4",
                reason=(
                    "Holds the admin's first password, which the seed import sets once: rotating the secret "
                    "would not change the password in Cognito, and the admin changes it after signing in."
                ),
            )
        )
        seed_admins = UserImport(
            self,
            "SeedAdmins",
            user_pool=pool,
            source=UserCsv.from_users(
                [
                    UserRecord(
                        ADMIN,
                        {"email": ADMIN, "name": "Sample Admin"},
                        email_verified=True,
                        groups=[ADMIN_GROUP],
                    )
                ]
            ),
            passwords=passwords,
            existing_users=ExistingUsers.UPDATE,
        )
        seed_admins.node.add_dependency(admins)  # the group must exist before the import puts the admin in it
        client = pool.add_client(
            "AdminClient",
            auth_flows=cognito.AuthFlow(admin_user_password=True),
            disable_o_auth=True,
            prevent_user_existence_errors=True,
        )
        CfnOutput(self, "AdminUsername", value=ADMIN)
        CfnOutput(self, "AdminGroup", value=admins.ref)
        CfnOutput(self, "AdminClientId", value=client.user_pool_client_id)
        CfnOutput(self, "PasswordsSecretArn", value=passwords.secret_arn)
        CfnOutput(self, "PasswordsSet", value=seed_admins.passwords_set)
        CfnOutput(self, "GroupMemberships", value=seed_admins.group_memberships)


if __name__ == "__main__":
    app = App()
    CognitoUserImportSample(app, "CognitoUserImportSample")
    app.synth()
