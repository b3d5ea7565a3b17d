"""Custom resources of the CDK itself whose effect the driver applies directly, without their function.

Their functions cannot run here: `Custom::CDKBucketDeployment` (`aws_s3_deployment.BucketDeployment`)
calls the AWS CLI from a Lambda layer at /opt/awscli, and `Custom::S3AutoDeleteObjects`
(`auto_delete_objects=True`) is Node.js. What they do to S3 is small and documented, so it is done
here, through the emulator's S3 API, the way their handlers do it (aws-cdk-lib's
custom-resource-handlers): the functions themselves are still created, they are only not invoked.
"""

from __future__ import annotations

import fnmatch
import io
import json
import mimetypes
import posixpath
import uuid
import zipfile
from dataclasses import dataclass
from typing import Any

from .resources.base import Environment, Provisioned, Provisioner, ResourceError
from .resources.storage import empty_bucket

SYSTEM_METADATA = {
    "cache-control": "CacheControl",
    "content-disposition": "ContentDisposition",
    "content-encoding": "ContentEncoding",
    "content-language": "ContentLanguage",
    "content-type": "ContentType",
    "expires": "Expires",
    "sse": "ServerSideEncryption",
    "sse-kms-key-id": "SSEKMSKeyId",
    "storage-class": "StorageClass",
    "website-redirect": "WebsiteRedirectLocation",
    "acl": "ACL",
}
"""BucketDeployment's SystemMetadata keys (aws s3 sync options) and the PutObject parameters they set."""


@dataclass(frozen=True)
class _Destination:
    bucket: str
    prefix: str

    @classmethod
    def of(cls, props: dict[str, Any]) -> _Destination:
        prefix = str(props.get("DestinationBucketKeyPrefix", ""))
        if prefix == "/":
            prefix = ""
        if prefix and not prefix.endswith("/"):
            prefix += "/"  # `aws s3 sync DIR s3://bucket/prefix` writes prefix/<file>
        return cls(str(props["DestinationBucketName"]), prefix)


def _flag(props: dict[str, Any], name: str, default: bool) -> bool:
    return str(props.get(name, "true" if default else "false")).lower() == "true"


def _replace_markers(content: bytes, markers: dict[str, Any], config: dict[str, Any]) -> bytes:
    """Deploy-time values (tokens) put into the files, as the handler's replace_markers does."""
    json_escape = str(config.get("jsonEscape", "false")).lower() == "true"
    for marker, value in markers.items():
        if json_escape:
            serialized = json.dumps(value)
            replacement = serialized[1:-1] if serialized.startswith('"') else serialized
        else:
            replacement = str(value)
        content = content.replace(str(marker).encode("utf-8"), replacement.encode("utf-8"))
    return content


def _included(path: str, props: dict[str, Any]) -> bool:
    """`aws s3 sync --exclude ... --include ...`: every file, unless the last filter matching it excludes."""
    verdict = True
    filters = [(pattern, False) for pattern in props.get("Exclude", [])]
    filters += [(pattern, True) for pattern in props.get("Include", [])]
    for pattern, include in filters:
        if fnmatch.fnmatchcase(path, str(pattern)):
            verdict = include
    return verdict


class BucketDeployment:
    """Custom::CDKBucketDeployment: the sources' files put under the destination prefix (and pruned)."""

    def create(self, env: Environment, logical_id: str, props: dict[str, Any]) -> Provisioned:
        self._deploy(env, props)
        return Provisioned(f"aws.cdk.s3deployment.{uuid.uuid4()}", self._data(props))

    def update(
        self,
        env: Environment,
        logical_id: str,
        current: Provisioned,
        props: dict[str, Any],
        old: dict[str, Any],
    ) -> Provisioned:
        if not _flag(props, "RetainOnDelete", True) and _Destination.of(old) != _Destination.of(props):
            self._remove(env, old)
        self._deploy(env, props)
        return Provisioned(current.physical_id, self._data(props))

    def delete(self, env: Environment, physical_id: str, props: dict[str, Any]) -> None:
        if not _flag(props, "RetainOnDelete", True):
            self._remove(env, props)

    @staticmethod
    def _data(props: dict[str, Any]) -> dict[str, Any]:
        keys = props.get("SourceObjectKeys", []) if _flag(props, "OutputObjectKeys", True) else []
        return {"DestinationBucketArn": props.get("DestinationBucketArn"), "SourceObjectKeys": keys}

    def _files(self, env: Environment, props: dict[str, Any]) -> dict[str, bytes]:
        """Relative path -> content of every file the sources hold, later sources winning."""
        s3 = env.client("s3")
        buckets, keys = props["SourceBucketNames"], props["SourceObjectKeys"]
        markers = props.get("SourceMarkers") or [{} for _ in buckets]
        configs = props.get("SourceMarkersConfig") or [{} for _ in buckets]
        files: dict[str, bytes] = {}
        for bucket, key, marker_map, config in zip(buckets, keys, markers, configs, strict=True):
            body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
            if not _flag(props, "Extract", True):
                files[posixpath.basename(str(key))] = body
                continue
            with zipfile.ZipFile(io.BytesIO(body)) as archive:
                for info in archive.infolist():
                    if not info.is_dir():
                        files[info.filename] = _replace_markers(archive.read(info), marker_map, config)
        return {path: content for path, content in files.items() if _included(path, props)}

    def _deploy(self, env: Environment, props: dict[str, Any]) -> None:
        if props.get("DistributionId"):
            env.reporter.progress("    note: the CloudFront invalidation is not emulated")
        destination = _Destination.of(props)
        files = self._files(env, props)
        s3 = env.client("s3")
        extra = self._metadata(props)
        for path, content in files.items():
            guessed = mimetypes.guess_type(path)[0]
            settings = {"ContentType": guessed, **extra} if guessed else extra
            s3.put_object(Bucket=destination.bucket, Key=destination.prefix + path, Body=content, **settings)
        if _flag(props, "Prune", True):
            wanted = {destination.prefix + path for path in files}
            for page in s3.get_paginator("list_objects_v2").paginate(
                Bucket=destination.bucket, Prefix=destination.prefix
            ):
                for item in page.get("Contents", []):
                    relative = item["Key"][len(destination.prefix) :]
                    if item["Key"] not in wanted and _included(relative, props):
                        s3.delete_object(Bucket=destination.bucket, Key=item["Key"])
        env.reporter.progress(
            f"    {len(files)} files copied to s3://{destination.bucket}/{destination.prefix}"
        )

    @staticmethod
    def _metadata(props: dict[str, Any]) -> dict[str, Any]:
        settings: dict[str, Any] = {}
        for key, value in (props.get("SystemMetadata") or {}).items():
            parameter = SYSTEM_METADATA.get(str(key).lower())
            if parameter is None:
                raise ResourceError(f"SystemMetadata {key!r} is not known to the local driver")
            settings[parameter] = value
        user = props.get("UserMetadata") or {}
        if user:
            settings["Metadata"] = {str(key).lower(): str(value) for key, value in user.items()}
        return settings

    @staticmethod
    def _remove(env: Environment, props: dict[str, Any]) -> None:
        destination = _Destination.of(props)
        empty_bucket(env.client("s3"), destination.bucket, destination.prefix)


class AutoDeleteObjects:
    """Custom::S3AutoDeleteObjects: the bucket is emptied when the resource is deleted (before the bucket)."""

    def create(self, env: Environment, logical_id: str, props: dict[str, Any]) -> Provisioned:
        return Provisioned(str(props["BucketName"]))

    def update(
        self,
        env: Environment,
        logical_id: str,
        current: Provisioned,
        props: dict[str, Any],
        old: dict[str, Any],
    ) -> Provisioned:
        if old.get("BucketName") and old["BucketName"] != props["BucketName"]:
            self.delete(env, str(old["BucketName"]), old)
        return Provisioned(str(props["BucketName"]))

    def delete(self, env: Environment, physical_id: str, props: dict[str, Any]) -> None:
        from botocore.exceptions import ClientError

        try:
            empty_bucket(env.client("s3"), str(props.get("BucketName") or physical_id))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "NoSuchBucket":
                raise


MODELLED_CUSTOM_RESOURCES: dict[str, Provisioner] = {
    "Custom::CDKBucketDeployment": BucketDeployment(),
    "Custom::S3AutoDeleteObjects": AutoDeleteObjects(),
}
"""Custom resource types whose effect the driver applies itself (their Provisioner), by type."""

MODELLED_EFFECT = {
    "Custom::CDKBucketDeployment": "modelled: the sources' files copied to the destination bucket",
    "Custom::S3AutoDeleteObjects": "modelled: the bucket emptied on delete",
}
"""How the summary table describes each modelled type."""
