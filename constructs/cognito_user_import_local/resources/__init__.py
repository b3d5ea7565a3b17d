"""Template resources created, updated and deleted in the emulator through its AWS APIs.

One provisioner per resource type maps CloudFormation's properties onto the service's API and
returns what Ref (the physical id) and Fn::GetAtt (the attributes) give. Custom resources are not
here: they go through their function (custom_resource.py), or are modelled (modelled.py).
"""

from __future__ import annotations

from .base import Provisioner
from .cognito import UserPool, UserPoolClient, UserPoolGroup
from .functions import Function, LayerVersion, Permission
from .iam import Policy, Role
from .kms import Key
from .logs import LogGroup
from .secrets import Secret
from .storage import Bucket, BucketPolicy

PROVISIONERS: dict[str, Provisioner] = {
    "AWS::Cognito::UserPool": UserPool(),
    "AWS::Cognito::UserPoolClient": UserPoolClient(),
    "AWS::Cognito::UserPoolGroup": UserPoolGroup(),
    "AWS::IAM::Role": Role(),
    "AWS::IAM::Policy": Policy(),
    "AWS::Lambda::Function": Function(),
    "AWS::Lambda::Permission": Permission(),
    "AWS::Logs::LogGroup": LogGroup(),
    "AWS::S3::Bucket": Bucket(),
    "AWS::S3::BucketPolicy": BucketPolicy(),
    "AWS::Lambda::LayerVersion": LayerVersion(),
    "AWS::KMS::Key": Key(),
    "AWS::SecretsManager::Secret": Secret(),
}

SILENTLY_SKIPPED = ("AWS::CDK::Metadata",)


def is_custom_resource(resource_type: str) -> bool:
    return resource_type.startswith("Custom::") or resource_type == "AWS::CloudFormation::CustomResource"
