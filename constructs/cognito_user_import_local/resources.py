"""Template resources created, updated and deleted in the emulator through its AWS APIs.

One provisioner per resource type maps CloudFormation's properties onto the service's API and
returns what Ref (the physical id) and Fn::GetAtt (the attributes) give. Custom resources are not
here: they go through their function (custom_resource.py).
"""

from __future__ import annotations

import io
import json
import secrets
import string
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

from botocore.exceptions import ClientError


class ResourceError(RuntimeError):
    """The emulator refused a resource operation; the message says which and why."""


@dataclass(frozen=True)
class Provisioned:
    physical_id: str
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Environment:
    """The clients and names a provisioner works with."""

    clients: Any
    """A callable: service name -> boto3 client pointed at the emulator."""
    stack_name: str
    region: str
    account_id: str
    partition: str = "aws"

    def client(self, service: str) -> Any:
        return self.clients(service)

    def arn(self, service: str, resource: str, *, region: bool = True, account: bool = True) -> str:
        return ":".join(
            [
                "arn",
                self.partition,
                service,
                self.region if region else "",
                self.account_id if account else "",
                resource,
            ]
        )

    def physical_name(self, logical_id: str, limit: int = 64, *, lower: bool = False) -> str:
        """A generated name like CloudFormation's: <stack>-<logical id>-<random>, within limit."""
        alphabet = string.ascii_uppercase + string.digits
        suffix = "".join(secrets.choice(alphabet) for _ in range(12))
        room = max(1, limit - len(suffix) - 2)
        stack_part = self.stack_name[: room // 2]
        logical_part = logical_id[: room - len(stack_part)]
        name = f"{stack_part}-{logical_part}-{suffix}"
        return name.lower() if lower else name


class Provisioner(Protocol):
    def create(self, env: Environment, logical_id: str, props: dict[str, Any]) -> Provisioned: ...

    def update(
        self,
        env: Environment,
        logical_id: str,
        current: Provisioned,
        props: dict[str, Any],
        old: dict[str, Any],
    ) -> Provisioned: ...

    def delete(self, env: Environment, physical_id: str, props: dict[str, Any]) -> None: ...


def _pick(props: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    return {name: props[name] for name in names if name in props}


class UserPool:
    _CREATE = (
        "Policies",
        "DeletionProtection",
        "LambdaConfig",
        "AutoVerifiedAttributes",
        "AliasAttributes",
        "UsernameAttributes",
        "SmsVerificationMessage",
        "EmailVerificationMessage",
        "EmailVerificationSubject",
        "VerificationMessageTemplate",
        "SmsAuthenticationMessage",
        "MfaConfiguration",
        "UserAttributeUpdateSettings",
        "DeviceConfiguration",
        "EmailConfiguration",
        "SmsConfiguration",
        "UserPoolTags",
        "AdminCreateUserConfig",
        "Schema",
        "UserPoolAddOns",
        "UsernameConfiguration",
        "AccountRecoverySetting",
        "UserPoolTier",
    )
    _UPDATE = tuple(
        name
        for name in _CREATE
        if name not in ("AliasAttributes", "UsernameAttributes", "Schema", "UsernameConfiguration")
    )
    _REPLACE = ("AliasAttributes", "UsernameAttributes", "UsernameConfiguration")

    def create(self, env: Environment, logical_id: str, props: dict[str, Any]) -> Provisioned:
        name = props.get("UserPoolName") or env.physical_name(logical_id, 128)
        pool = env.client("cognito-idp").create_user_pool(PoolName=name, **_pick(props, self._CREATE))[
            "UserPool"
        ]
        return self._provisioned(env, pool["Id"])

    def update(
        self,
        env: Environment,
        logical_id: str,
        current: Provisioned,
        props: dict[str, Any],
        old: dict[str, Any],
    ) -> Provisioned:
        changed = [name for name in self._REPLACE if props.get(name) != old.get(name)]
        if changed:
            raise ResourceError(
                f"changing {', '.join(changed)} replaces a user pool (and loses its users); "
                "run destroy-local first to do that"
            )
        cognito = env.client("cognito-idp")
        old_names = {attribute.get("Name") for attribute in old.get("Schema", [])}
        added = [attribute for attribute in props.get("Schema", []) if attribute.get("Name") not in old_names]
        if added:
            cognito.add_custom_attributes(UserPoolId=current.physical_id, CustomAttributes=added)
        settings = _pick(props, self._UPDATE)
        if "UserPoolName" in props:
            settings["PoolName"] = props["UserPoolName"]
        cognito.update_user_pool(UserPoolId=current.physical_id, **settings)
        return self._provisioned(env, current.physical_id)

    def delete(self, env: Environment, physical_id: str, props: dict[str, Any]) -> None:
        with _already_gone_is_fine("ResourceNotFoundException"):
            env.client("cognito-idp").delete_user_pool(UserPoolId=physical_id)

    @staticmethod
    def _provisioned(env: Environment, pool_id: str) -> Provisioned:
        provider = f"cognito-idp.{env.region}.amazonaws.com/{pool_id}"
        return Provisioned(
            pool_id,
            {
                "Arn": env.arn("cognito-idp", f"userpool/{pool_id}"),
                "ProviderName": provider,
                "ProviderURL": f"https://{provider}",
                "UserPoolId": pool_id,
            },
        )


class Role:
    def create(self, env: Environment, logical_id: str, props: dict[str, Any]) -> Provisioned:
        iam = env.client("iam")
        name = props.get("RoleName") or env.physical_name(logical_id, 64)
        extra = _pick(props, ("Path", "Description", "MaxSessionDuration", "PermissionsBoundary", "Tags"))
        role = iam.create_role(
            RoleName=name, AssumeRolePolicyDocument=json.dumps(props["AssumeRolePolicyDocument"]), **extra
        )["Role"]
        self._apply_policies(iam, name, props, {})
        return Provisioned(name, {"Arn": role["Arn"], "RoleId": role["RoleId"]})

    def update(
        self,
        env: Environment,
        logical_id: str,
        current: Provisioned,
        props: dict[str, Any],
        old: dict[str, Any],
    ) -> Provisioned:
        if props.get("RoleName", old.get("RoleName")) != old.get("RoleName") or props.get("Path") != old.get(
            "Path"
        ):
            raise ResourceError("renaming a role replaces it; run destroy-local first to do that")
        iam = env.client("iam")
        iam.update_assume_role_policy(
            RoleName=current.physical_id, PolicyDocument=json.dumps(props["AssumeRolePolicyDocument"])
        )
        self._apply_policies(iam, current.physical_id, props, old)
        return current

    def delete(self, env: Environment, physical_id: str, props: dict[str, Any]) -> None:
        iam = env.client("iam")
        with _already_gone_is_fine("NoSuchEntity"):
            for name in iam.list_role_policies(RoleName=physical_id)["PolicyNames"]:
                iam.delete_role_policy(RoleName=physical_id, PolicyName=name)
            for attached in iam.list_attached_role_policies(RoleName=physical_id)["AttachedPolicies"]:
                iam.detach_role_policy(RoleName=physical_id, PolicyArn=attached["PolicyArn"])
            iam.delete_role(RoleName=physical_id)

    @staticmethod
    def _apply_policies(iam: Any, role: str, props: dict[str, Any], old: dict[str, Any]) -> None:
        inline = {policy["PolicyName"]: policy["PolicyDocument"] for policy in props.get("Policies", [])}
        for policy in old.get("Policies", []):
            if policy["PolicyName"] not in inline:
                iam.delete_role_policy(RoleName=role, PolicyName=policy["PolicyName"])
        for name, document in inline.items():
            iam.put_role_policy(RoleName=role, PolicyName=name, PolicyDocument=json.dumps(document))
        managed = set(props.get("ManagedPolicyArns", []))
        for arn in set(old.get("ManagedPolicyArns", [])) - managed:
            iam.detach_role_policy(RoleName=role, PolicyArn=arn)
        for arn in managed - set(old.get("ManagedPolicyArns", [])):
            try:
                iam.attach_role_policy(RoleName=role, PolicyArn=arn)
            except ClientError as error:
                # The emulator may not know every AWS managed policy; the role still works locally.
                print(f"  note: managed policy {arn} not attached ({_code(error)})")


class Policy:
    """AWS::IAM::Policy: an inline policy put on each of its roles, users and groups."""

    def create(self, env: Environment, logical_id: str, props: dict[str, Any]) -> Provisioned:
        self._put(env, props)
        return Provisioned(env.physical_name(logical_id, 64))

    def update(
        self,
        env: Environment,
        logical_id: str,
        current: Provisioned,
        props: dict[str, Any],
        old: dict[str, Any],
    ) -> Provisioned:
        self._remove(env, old)
        self._put(env, props)
        return current

    def delete(self, env: Environment, physical_id: str, props: dict[str, Any]) -> None:
        self._remove(env, props)

    @staticmethod
    def _put(env: Environment, props: dict[str, Any]) -> None:
        iam = env.client("iam")
        name, document = props["PolicyName"], json.dumps(props["PolicyDocument"])
        for role in props.get("Roles", []):
            iam.put_role_policy(RoleName=role, PolicyName=name, PolicyDocument=document)
        for user in props.get("Users", []):
            iam.put_user_policy(UserName=user, PolicyName=name, PolicyDocument=document)
        for group in props.get("Groups", []):
            iam.put_group_policy(GroupName=group, PolicyName=name, PolicyDocument=document)

    @staticmethod
    def _remove(env: Environment, props: dict[str, Any]) -> None:
        iam = env.client("iam")
        name = props["PolicyName"]
        calls = (
            [(iam.delete_role_policy, {"RoleName": role}) for role in props.get("Roles", [])]
            + [(iam.delete_user_policy, {"UserName": user}) for user in props.get("Users", [])]
            + [(iam.delete_group_policy, {"GroupName": group}) for group in props.get("Groups", [])]
        )
        for call, owner in calls:
            with _already_gone_is_fine("NoSuchEntity"):
                call(PolicyName=name, **owner)


class Function:
    _CONFIG = (
        "Runtime",
        "Role",
        "Handler",
        "Description",
        "Timeout",
        "MemorySize",
        "Environment",
        "Architectures",
        "TracingConfig",
        "EphemeralStorage",
        "LoggingConfig",
        "Layers",
    )

    def create(self, env: Environment, logical_id: str, props: dict[str, Any]) -> Provisioned:
        name = props.get("FunctionName") or env.physical_name(logical_id, 64)
        settings = _pick(props, self._CONFIG)
        tags = {tag["Key"]: tag["Value"] for tag in props.get("Tags", [])}
        function = env.client("lambda").create_function(
            FunctionName=name, Code=self._code(props), Tags=tags, **settings
        )
        return Provisioned(name, {"Arn": function["FunctionArn"]})

    def update(
        self,
        env: Environment,
        logical_id: str,
        current: Provisioned,
        props: dict[str, Any],
        old: dict[str, Any],
    ) -> Provisioned:
        if props.get("FunctionName", old.get("FunctionName")) != old.get("FunctionName"):
            raise ResourceError("renaming a function replaces it; run destroy-local first to do that")
        client = env.client("lambda")
        if props.get("Code") != old.get("Code"):
            client.update_function_code(FunctionName=current.physical_id, **self._code(props))
        settings = _pick(props, self._CONFIG)
        for name in ("Architectures", "Tags"):
            settings.pop(name, None)
        client.update_function_configuration(FunctionName=current.physical_id, **settings)
        return current

    def delete(self, env: Environment, physical_id: str, props: dict[str, Any]) -> None:
        with _already_gone_is_fine("ResourceNotFoundException"):
            env.client("lambda").delete_function(FunctionName=physical_id)

    @staticmethod
    def _code(props: dict[str, Any]) -> dict[str, Any]:
        code = props.get("Code", {})
        if "ZipFile" in code:
            # CloudFormation's ZipFile is the source text of index.py (or index.js).
            return {"ZipFile": inline_package(str(code["ZipFile"]), str(props.get("Runtime", "python")))}
        return _pick(code, ("S3Bucket", "S3Key", "S3ObjectVersion", "ImageUri"))


def inline_package(source: str, runtime: str) -> bytes:
    """The zip CloudFormation builds from an inline ZipFile: the source as index.py or index.js."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("index.py" if runtime.startswith("python") else "index.js", source)
    return buffer.getvalue()


class Permission:
    def create(self, env: Environment, logical_id: str, props: dict[str, Any]) -> Provisioned:
        statement_id = env.physical_name(logical_id, 100)
        env.client("lambda").add_permission(
            StatementId=statement_id,
            **_pick(props, ("FunctionName", "Action", "Principal", "SourceArn", "SourceAccount")),
        )
        return Provisioned(statement_id, {"FunctionName": props["FunctionName"]})

    def update(
        self,
        env: Environment,
        logical_id: str,
        current: Provisioned,
        props: dict[str, Any],
        old: dict[str, Any],
    ) -> Provisioned:
        self.delete(env, current.physical_id, old)
        return self.create(env, logical_id, props)

    def delete(self, env: Environment, physical_id: str, props: dict[str, Any]) -> None:
        with _already_gone_is_fine("ResourceNotFoundException"):
            env.client("lambda").remove_permission(
                FunctionName=props["FunctionName"], StatementId=physical_id
            )


class LogGroup:
    def create(self, env: Environment, logical_id: str, props: dict[str, Any]) -> Provisioned:
        name = props.get("LogGroupName") or env.physical_name(logical_id, 512)
        logs = env.client("logs")
        logs.create_log_group(logGroupName=name)
        if "RetentionInDays" in props:
            logs.put_retention_policy(logGroupName=name, retentionInDays=int(props["RetentionInDays"]))
        return Provisioned(name, {"Arn": env.arn("logs", f"log-group:{name}:*")})

    def update(
        self,
        env: Environment,
        logical_id: str,
        current: Provisioned,
        props: dict[str, Any],
        old: dict[str, Any],
    ) -> Provisioned:
        logs = env.client("logs")
        if "RetentionInDays" in props:
            logs.put_retention_policy(
                logGroupName=current.physical_id, retentionInDays=int(props["RetentionInDays"])
            )
        elif "RetentionInDays" in old:
            logs.delete_retention_policy(logGroupName=current.physical_id)
        return current

    def delete(self, env: Environment, physical_id: str, props: dict[str, Any]) -> None:
        with _already_gone_is_fine("ResourceNotFoundException"):
            env.client("logs").delete_log_group(logGroupName=physical_id)


class Bucket:
    """AWS::S3::Bucket with the settings a seed bucket uses: versioning and default encryption."""

    def create(self, env: Environment, logical_id: str, props: dict[str, Any]) -> Provisioned:
        from .state import create_bucket

        name = props.get("BucketName") or env.physical_name(logical_id, 63, lower=True)
        create_bucket(env.client("s3"), name, env.region)
        self._configure(env, name, props, {})
        return Provisioned(
            name,
            {
                "Arn": env.arn("s3", name, region=False, account=False),
                "DomainName": f"{name}.s3.amazonaws.com",
                "RegionalDomainName": f"{name}.s3.{env.region}.amazonaws.com",
            },
        )

    def update(
        self,
        env: Environment,
        logical_id: str,
        current: Provisioned,
        props: dict[str, Any],
        old: dict[str, Any],
    ) -> Provisioned:
        if props.get("BucketName", old.get("BucketName")) != old.get("BucketName"):
            raise ResourceError("renaming a bucket replaces it; run destroy-local first to do that")
        self._configure(env, current.physical_id, props, old)
        return current

    def delete(self, env: Environment, physical_id: str, props: dict[str, Any]) -> None:
        s3 = env.client("s3")
        with _already_gone_is_fine("NoSuchBucket"):
            empty_bucket(s3, physical_id)
            s3.delete_bucket(Bucket=physical_id)

    @staticmethod
    def _configure(env: Environment, name: str, props: dict[str, Any], old: dict[str, Any]) -> None:
        s3 = env.client("s3")
        versioning = props.get("VersioningConfiguration")
        if versioning:
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": versioning["Status"]})
        elif old.get("VersioningConfiguration"):
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Suspended"})
        encryption = props.get("BucketEncryption", {}).get("ServerSideEncryptionConfiguration")
        if encryption:
            # CloudFormation's ServerSideEncryptionByDefault is the API's ApplyServerSideEncryptionByDefault.
            rules = [
                {
                    "ApplyServerSideEncryptionByDefault": rule["ServerSideEncryptionByDefault"],
                    **_pick(rule, ("BucketKeyEnabled",)),
                }
                for rule in encryption
                if "ServerSideEncryptionByDefault" in rule
            ]
            s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": rules})
        elif old.get("BucketEncryption"):
            s3.delete_bucket_encryption(Bucket=name)


def empty_bucket(s3: Any, bucket: str, prefix: str = "") -> int:
    """Delete every object (and every version of it) under prefix; returns how many were deleted."""
    deleted = 0
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=prefix):
        items = [
            {"Key": item["Key"], "VersionId": item["VersionId"]}
            for item in page.get("Versions", []) + page.get("DeleteMarkers", [])
        ]
        if items:
            s3.delete_objects(Bucket=bucket, Delete={"Objects": items, "Quiet": True})
            deleted += len(items)
    return deleted


class BucketPolicy:
    """AWS::S3::BucketPolicy: the bucket's policy document (CDK writes one for enforce_ssl).

    moto evaluates no condition: a statement with one applies to every request, whatever the
    condition says. enforce_ssl's "Deny unless aws:SecureTransport" would so deny every call to the
    emulator (which speaks plain HTTP), where in AWS it denies none of the SDK's (HTTPS) calls. So
    statements with a Condition are left out of the emulator's copy, and the output says so.
    """

    def create(self, env: Environment, logical_id: str, props: dict[str, Any]) -> Provisioned:
        bucket = str(props["Bucket"])
        document = dict(props["PolicyDocument"])
        statements = document.get("Statement", [])
        statements = statements if isinstance(statements, list) else [statements]
        kept = [statement for statement in statements if "Condition" not in statement]
        if len(kept) < len(statements):
            print(
                f"  note: {len(statements) - len(kept)} statement(s) with a Condition left out of the policy "
                f"of bucket {bucket} (the emulator would apply them to every request)"
            )
        s3 = env.client("s3")
        if kept:
            s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({**document, "Statement": kept}))
        else:
            s3.delete_bucket_policy(Bucket=bucket)
        return Provisioned(bucket)

    def update(
        self,
        env: Environment,
        logical_id: str,
        current: Provisioned,
        props: dict[str, Any],
        old: dict[str, Any],
    ) -> Provisioned:
        if props["Bucket"] != old.get("Bucket"):
            self.delete(env, current.physical_id, old)
        return self.create(env, logical_id, props)

    def delete(self, env: Environment, physical_id: str, props: dict[str, Any]) -> None:
        with _already_gone_is_fine("NoSuchBucket"):
            env.client("s3").delete_bucket_policy(Bucket=physical_id)


class LayerVersion:
    """AWS::Lambda::LayerVersion: published from its S3 content (immutable: a change is a new version)."""

    def create(self, env: Environment, logical_id: str, props: dict[str, Any]) -> Provisioned:
        name = props.get("LayerName") or env.physical_name(logical_id, 64)
        settings = _pick(
            props, ("Description", "CompatibleRuntimes", "CompatibleArchitectures", "LicenseInfo")
        )
        content = _pick(props.get("Content", {}), ("S3Bucket", "S3Key", "S3ObjectVersion"))
        layer = env.client("lambda").publish_layer_version(LayerName=name, Content=content, **settings)
        return Provisioned(str(layer["LayerVersionArn"]), {"LayerVersionArn": layer["LayerVersionArn"]})

    def update(
        self,
        env: Environment,
        logical_id: str,
        current: Provisioned,
        props: dict[str, Any],
        old: dict[str, Any],
    ) -> Provisioned:
        return self.create(env, logical_id, props)  # a new version; the old one goes in the clean-up

    def delete(self, env: Environment, physical_id: str, props: dict[str, Any]) -> None:
        # arn:aws:lambda:<region>:<account>:layer:<name>:<version>
        name, version = physical_id.split(":")[-2:]
        with _already_gone_is_fine("ResourceNotFoundException"):
            env.client("lambda").delete_layer_version(LayerName=name, VersionNumber=int(version))


class Key:
    """AWS::KMS::Key: a customer managed key (an encrypted bucket's), scheduled for deletion on delete."""

    def create(self, env: Environment, logical_id: str, props: dict[str, Any]) -> Provisioned:
        settings = _pick(props, ("Description", "KeyUsage", "KeySpec", "MultiRegion"))
        if "KeyPolicy" in props:
            settings["Policy"] = json.dumps(props["KeyPolicy"])
        kms = env.client("kms")
        key = kms.create_key(**settings)["KeyMetadata"]
        if props.get("EnableKeyRotation"):
            kms.enable_key_rotation(KeyId=key["KeyId"])
        return Provisioned(str(key["KeyId"]), {"Arn": key["Arn"], "KeyId": key["KeyId"]})

    def update(
        self,
        env: Environment,
        logical_id: str,
        current: Provisioned,
        props: dict[str, Any],
        old: dict[str, Any],
    ) -> Provisioned:
        kms = env.client("kms")
        if "KeyPolicy" in props:
            kms.put_key_policy(
                KeyId=current.physical_id, PolicyName="default", Policy=json.dumps(props["KeyPolicy"])
            )
        if "Description" in props:
            kms.update_key_description(KeyId=current.physical_id, Description=props["Description"])
        return current

    def delete(self, env: Environment, physical_id: str, props: dict[str, Any]) -> None:
        window = int(props.get("PendingWindowInDays", 30))
        with _already_gone_is_fine("NotFoundException"):
            env.client("kms").schedule_key_deletion(KeyId=physical_id, PendingWindowInDays=window)


PROVISIONERS: dict[str, Provisioner] = {
    "AWS::Cognito::UserPool": UserPool(),
    "AWS::IAM::Role": Role(),
    "AWS::IAM::Policy": Policy(),
    "AWS::Lambda::Function": Function(),
    "AWS::Lambda::Permission": Permission(),
    "AWS::Logs::LogGroup": LogGroup(),
    "AWS::S3::Bucket": Bucket(),
    "AWS::S3::BucketPolicy": BucketPolicy(),
    "AWS::Lambda::LayerVersion": LayerVersion(),
    "AWS::KMS::Key": Key(),
}

SILENTLY_SKIPPED = ("AWS::CDK::Metadata",)


def is_custom_resource(resource_type: str) -> bool:
    return resource_type.startswith("Custom::") or resource_type == "AWS::CloudFormation::CustomResource"


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


@contextmanager
def _already_gone_is_fine(code: str) -> Iterator[None]:
    """Deleting what is already gone succeeds, as it does in CloudFormation."""
    try:
        yield
    except ClientError as error:
        if _code(error) != code:
            raise
