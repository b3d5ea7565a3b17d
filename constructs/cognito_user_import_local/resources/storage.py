"""AWS::S3::Bucket and AWS::S3::BucketPolicy."""

from __future__ import annotations

import json
from typing import Any

from ..state import create_bucket
from .base import Environment, Provisioned, ResourceError, already_gone_is_fine, pick


class Bucket:
    """AWS::S3::Bucket with the settings a seed bucket uses: versioning and default encryption."""

    def create(self, env: Environment, logical_id: str, props: dict[str, Any]) -> Provisioned:
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
        with already_gone_is_fine("NoSuchBucket"):
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
                    **pick(rule, ("BucketKeyEnabled",)),
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
            env.reporter.progress(
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
        with already_gone_is_fine("NoSuchBucket"):
            env.client("s3").delete_bucket_policy(Bucket=physical_id)
