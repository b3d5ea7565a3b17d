"""A logs_role of the app that Cognito cannot assume is refused at synth, before any resource is made."""

from __future__ import annotations

import pytest
from aws_cdk import App, Stack
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Template

from cognito_user_import import UserCsv, UserImport
from cognito_user_import_handler.properties import RESOURCE_TYPE


def _seed(stack: Stack, role: iam.IRole) -> UserImport:
    pool = cognito.UserPool(stack, "Pool")
    bucket = s3.Bucket.from_bucket_name(stack, "Seeds", "seed-bucket")
    return UserImport(
        stack, "Seed", user_pool=pool, source=UserCsv.from_bucket(bucket, "u.csv"), logs_role=role
    )


def test_a_role_trusting_another_service_is_refused_with_the_prop_the_role_and_what_is_allowed() -> None:
    stack = Stack(App(), "S")
    role = iam.Role(stack, "Wrong", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))

    with pytest.raises(ValueError) as raised:
        _seed(stack, role)

    message = str(raised.value)
    assert message.startswith("UserImport: logs_role must be a role Cognito can assume")
    assert "S/Wrong trusting lambda.amazonaws.com" in message
    assert 'iam.ServicePrincipal("cognito-idp.amazonaws.com")' in message
    # Refused before anything was added: no import resource, no handler.
    assert Template.from_stack(stack).find_resources(RESOURCE_TYPE) == {}
    assert Template.from_stack(stack).find_resources("AWS::Lambda::Function") == {}


@pytest.mark.parametrize(
    "principal",
    [
        iam.ServicePrincipal("cognito-idp.amazonaws.com"),
        iam.CompositePrincipal(
            iam.ServicePrincipal("lambda.amazonaws.com"), iam.ServicePrincipal("cognito-idp.amazonaws.com")
        ),
    ],
)
def test_a_role_cognito_can_assume_is_accepted(principal: iam.IPrincipal) -> None:
    stack = Stack(App(), "S")
    role = iam.Role(stack, "Right", assumed_by=principal)
    assert _seed(stack, role).logs_role is role


def test_an_imported_role_whose_trust_is_unknown_at_synth_is_accepted() -> None:
    stack = Stack(App(), "S")
    role = iam.Role.from_role_arn(stack, "Imported", "arn:aws:iam::111111111111:role/Logs")
    assert _seed(stack, role).logs_role is role
