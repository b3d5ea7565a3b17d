"""Where the users come from: a local file, records written in Python, or an object already in S3."""

from __future__ import annotations

import abc
import hashlib
import inspect
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aws_cdk import Token
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_assets as s3_assets

from cognito_user_csv.users import UserRecord, render_users
from cognito_user_import import prop_checks as checks
from constructs import Construct

#: Characters IAM reads as wildcards in a resource ARN: a key holding one would widen the handler's grant.
_IAM_WILDCARDS = ("*", "?")
#: An S3 version id is at most 1,024 bytes (S3 API reference, VersionId).
_VERSION_ID_MAX = 1024
#: UserRecord's flags, written "true"/"false" into the file.
_RECORD_FLAGS = ("email_verified", "phone_number_verified", "mfa_enabled")


@dataclass(frozen=True)
class UserCsvConfig:
    """What a bound UserCsv gives the UserImport: where the object is, and what to validate at synth."""

    bucket_name: str
    object_key: str
    object_arn: str
    """The one object the handler may read (the table's SOURCE_OBJECT rows)."""
    source_hash: str
    """Changes when the content changes; a change makes the next deployment import the file."""
    source_name: str
    """How messages name the file: the path given, ``<caller>.py (from_users)``, or ``s3://bucket/key``."""
    local_path: Path | None = None
    """The file to validate at synth time, or None when it is only known at deploy time."""
    encryption_key: kms.IKey | None = None
    """The bucket's KMS key, which the handler must be allowed to decrypt with, if any."""
    object_version: str | None = None
    """The S3 version id to read (``from_bucket(..., version=...)``); None reads the latest version."""


class UserCsv(abc.ABC):
    """The users a UserImport imports: a CSV file with Cognito's columns (see docs/facts.md, "The CSV")."""

    @staticmethod
    def from_file(path: str | os.PathLike[str]) -> UserCsv:
        """A local CSV file, uploaded as an S3 asset and validated at synth time.

        :param path: the file (a str or ``pathlib.Path``), relative to the current folder (where ``cdk``
            runs the app) or absolute.
        """
        return _FileCsv(path)

    @staticmethod
    def from_users(users: Iterable[UserRecord]) -> UserCsv:
        """Users written in Python, rendered to Cognito's CSV at synth time, validated, and uploaded as an
        S3 asset. Messages name the file that called this method, as ``app.py (from_users)``.

        :param users: the records (a list or other iterable of ``UserRecord``); at least one.
        """
        records = _checked_records(users)
        caller = inspect.currentframe()
        filename = caller.f_back.f_code.co_filename if caller and caller.f_back else "<app>"
        return _RecordsCsv(records, f"{Path(filename).name} (from_users)")

    @staticmethod
    def from_bucket(bucket: s3.IBucket, key: str, *, version: str | None = None) -> UserCsv:
        """An object already in S3, read by the handler at deploy time (and checked only then). The handler,
        and nothing else, gets ``s3:GetObject`` on exactly that object (plus ``s3:GetObjectVersion`` with
        ``version``, and ``kms:Decrypt`` on the bucket's key when the bucket has one).

        CloudFormation calls the handler only when the resource's properties change. Without ``version``
        the properties name only the bucket and key, so a new upload under the same key is not seen: it is
        imported only once ``version`` is given (or changed), or ``key`` changes.

        :param bucket: the bucket holding the file (an ``s3.IBucket``, e.g. ``s3.Bucket.from_bucket_name``).
        :param key: the object's key, without IAM wildcard characters (``*``, ``?``).
        :param version: the S3 version id of the object to import (the bucket must be versioned), sent
            as the resource property ``SourceVersion``. A new version id changes the resource, so the next
            deployment imports that version (an Update that sees the source as changed). Default: None,
            the latest version at the time the handler runs.
        """
        checks.require_interface(
            "UserCsv.from_bucket",
            "bucket",
            bucket,
            s3.IBucket,
            "an s3.IBucket (an s3.Bucket, or s3.Bucket.from_bucket_name(scope, id, name))",
        )
        checks.require_str("UserCsv.from_bucket", "key", key)
        checks.require_str("UserCsv.from_bucket", "version", version, optional=True)
        return _BucketCsv(bucket, key, version)

    @abc.abstractmethod
    def bind(self, scope: Construct) -> UserCsvConfig:
        """Create what the source needs (an asset) under ``scope`` and say where the object is."""


def _display_path(path: Path) -> str:
    """The path as the user wrote it, relative to the current folder when inside it: absolute paths would
    make the template differ between checkouts."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.name


def _asset_config(scope: Construct, path: Path, source_name: str) -> UserCsvConfig:
    asset = s3_assets.Asset(scope, "Source", path=str(path))
    return UserCsvConfig(
        bucket_name=asset.s3_bucket_name,
        object_key=asset.s3_object_key,
        object_arn=asset.bucket.arn_for_objects(asset.s3_object_key),
        source_hash=asset.asset_hash,
        source_name=source_name,
        local_path=path,
    )


def _checked_records(users: Any) -> list[UserRecord]:
    """The records as a list; TypeError naming the first value that is not a UserRecord."""
    owner = "UserCsv.from_users"
    if isinstance(users, str | bytes | Mapping | UserRecord) or not isinstance(users, Iterable):
        raise TypeError(f"{owner}: users must be a list of UserRecord, got {checks.shown(users)}")
    records = list(users)
    for index, record in enumerate(records):
        checks.require_instance(
            owner,
            f"users[{index}]",
            record,
            UserRecord,
            "a UserRecord (e.g. UserRecord('ana', {'email': 'ana@example.com'}, email_verified=True))",
        )
        for flag in _RECORD_FLAGS:
            # UserRecord writes any truthy flag as "true": the string "false" would verify the email.
            value = getattr(record, flag)
            if value is not None and not isinstance(value, bool):
                raise TypeError(
                    f"{owner}: users[{index}].{flag} ({record.username!r}) must be True, False or None, "
                    f"got {checks.shown(value)}"
                )
    return records


class _FileCsv(UserCsv):
    def __init__(self, path: str | os.PathLike[str]) -> None:
        checks.require_instance(
            "UserCsv.from_file", "path", path, (str, os.PathLike), "a str or os.PathLike (a file's path)"
        )
        if not str(path):
            raise ValueError("UserCsv.from_file: path must not be empty")
        self._path = Path(path)

    def bind(self, scope: Construct) -> UserCsvConfig:
        path = self._path if self._path.is_absolute() else Path.cwd() / self._path
        if not path.is_file():
            raise ValueError(
                f"UserCsv.from_file: {str(self._path)!r} is not a file (looked in {path.parent}); "
                "give a CSV file's path relative to the folder the CDK app runs in, or an absolute one"
            )
        return _asset_config(scope, path, _display_path(self._path))


def _render_records(records: Sequence[UserRecord]) -> bytes:
    rendered: str = render_users(records)
    return rendered.encode("utf-8")


class _RecordsCsv(UserCsv):
    def __init__(self, records: list[UserRecord], source_name: str) -> None:
        if not records:
            raise ValueError("UserCsv.from_users: give at least one UserRecord")
        self._records = records
        self._source_name = source_name

    def bind(self, scope: Construct) -> UserCsvConfig:
        content = _render_records(self._records)
        # Content-addressed, so synthesizing again (in any folder) stages the same bytes under the same hash.
        digest = hashlib.sha256(content).hexdigest()[:32]
        folder = Path(tempfile.gettempdir()) / "cdk-cognito-user-import" / digest
        path = folder / "users.csv"
        if not path.is_file():
            folder.mkdir(parents=True, exist_ok=True)
            partial = folder / f".users.csv.{os.getpid()}"
            partial.write_bytes(content)
            os.replace(partial, path)
        return _asset_config(scope, path, self._source_name)


class _BucketCsv(UserCsv):
    def __init__(self, bucket: s3.IBucket, key: str, version: str | None) -> None:
        if not Token.is_unresolved(key):
            if not key or key.startswith("/"):
                raise ValueError(
                    f"UserCsv.from_bucket: key must be an object key like 'users/seed.csv', got {key!r}"
                )
            wild = [c for c in _IAM_WILDCARDS if c in key]
            if wild:
                raise ValueError(
                    f"UserCsv.from_bucket: key {key!r} holds {', '.join(wild)}, which IAM reads as a "
                    "wildcard and would let the handler read other objects; allowed: a key without '*' or '?'"
                )
        if version is not None and not Token.is_unresolved(version):
            _check_version_id(version)
        self._bucket = bucket
        self._key = key
        self._version = version

    def bind(self, scope: Construct) -> UserCsvConfig:
        location = f"s3://{self._bucket.bucket_name}/{self._key}"
        # The hash names the version, so a new version id is an Update whose source has changed.
        versioned = location if self._version is None else f"{location}?versionId={self._version}"
        return UserCsvConfig(
            bucket_name=self._bucket.bucket_name,
            object_key=self._key,
            object_arn=self._bucket.arn_for_objects(self._key),
            source_hash=versioned,
            source_name=location,
            encryption_key=self._bucket.encryption_key,
            object_version=self._version,
        )


def _check_version_id(version: str) -> None:
    if not version or len(version.encode("utf-8")) > _VERSION_ID_MAX or any(c.isspace() for c in version):
        raise ValueError(
            f"UserCsv.from_bucket: version {version!r} is not an S3 version id: allowed: 1-{_VERSION_ID_MAX} "
            "bytes without whitespace (the object's VersionId); leave it out to read the latest version"
        )
