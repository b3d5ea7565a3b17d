"""The import ledger: a durable record, per resource, of what it applied and which users its jobs created.

It lives in the stack's ledger bucket (encrypted, written only by the handler), under a prefix per
resource (its logical id), and survives new containers, retries and redeliveries:

    <logical id>/state.json              what the last successful request applied (and the one before)
    <logical id>/requests/<id>.json       one request's progress: claim, job, answer
    <logical id>/digests/<hash>.bin       8-byte digests of a file's rows (what changed since last time)
    <logical id>/jobs/<job id>.names      the usernames a job was given, in upload order (line 2 = first)
    <logical id>/jobs/<job id>.created    the usernames that job created (its SUCCEEDED rows)
    <logical id>/groups/<hash>.json       each user's groups in that file (removals go by the last one)
    <logical id>/steps/<request id>.jsonl a request's account steps, removed once the request is answered

Usernames, digests and group names are kept; attribute values only in a request's pending steps
(ExistingUsers.UPDATE), until it is answered; passwords never. The resource's final Delete removes
its prefix.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

logger = logging.getLogger(__name__)

JSON_TYPE = "application/json"


class ConflictError(RuntimeError):
    """A conditional write lost: someone else wrote the object first."""


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


class Ledger:
    """One resource's part of the ledger bucket."""

    def __init__(self, s3: S3Client, bucket: str, resource: str) -> None:
        self._s3 = s3
        self.bucket = bucket
        self.prefix = f"{resource}/"

    # Plain objects --------------------------------------------------------------------------

    def read_json(self, name: str) -> tuple[dict[str, Any] | None, str | None]:
        """(the object, its ETag), or (None, None) when it does not exist."""
        try:
            found = self._s3.get_object(Bucket=self.bucket, Key=self.prefix + name)
        except ClientError as error:
            if _code(error) in ("NoSuchKey", "404"):
                return None, None
            raise
        with found["Body"] as body:
            return json.loads(body.read()), str(found["ETag"])

    def write_json(
        self, name: str, value: dict[str, Any], *, only_new: bool = False, etag: str | None = None
    ) -> str:
        """Write; with only_new or etag the write is conditional and ConflictError says it lost."""
        request: dict[str, Any] = {
            "Bucket": self.bucket,
            "Key": self.prefix + name,
            "Body": json.dumps(value, sort_keys=True).encode(),
            "ContentType": JSON_TYPE,
        }
        if only_new:
            request["IfNoneMatch"] = "*"
        elif etag is not None:
            request["IfMatch"] = etag
        try:
            return str(self._s3.put_object(**request)["ETag"])
        except ClientError as error:
            if _code(error) in ("PreconditionFailed", "ConditionalRequestConflict", "412", "409"):
                raise ConflictError(name) from None
            raise

    def write_lines(self, name: str, lines: Iterable[str]) -> None:
        body = "".join(f"{line}\n" for line in lines).encode()
        self._s3.put_object(Bucket=self.bucket, Key=self.prefix + name, Body=body, ContentType="text/plain")

    def read_lines(self, name: str) -> list[str] | None:
        data = self.read_bytes(name)
        return None if data is None else data.decode().splitlines()

    def write_bytes(self, name: str, data: bytes) -> None:
        self._s3.put_object(Bucket=self.bucket, Key=self.prefix + name, Body=data)

    def read_bytes(self, name: str) -> bytes | None:
        try:
            found = self._s3.get_object(Bucket=self.bucket, Key=self.prefix + name)
        except ClientError as error:
            if _code(error) in ("NoSuchKey", "404"):
                return None
            raise
        with found["Body"] as body:
            return body.read()

    def names(self, under: str) -> Iterator[str]:
        """The object names below `under` (relative to the resource's prefix)."""
        paginator = self._s3.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix + under):
            for item in page.get("Contents", []):
                yield item["Key"][len(self.prefix) :]

    def delete(self, names: list[str]) -> None:
        for start in range(0, len(names), 1000):
            batch: list[Any] = [{"Key": self.prefix + name} for name in names[start : start + 1000]]
            self._s3.delete_objects(Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True})

    def delete_all(self) -> int:
        """Remove the resource's whole prefix (its final Delete); answers how many objects went."""
        names = list(self.names(""))
        self.delete(names)
        logger.info("Removed %s ledger objects of this resource", len(names))
        return len(names)

    # What the records are called ---------------------------------------------------------------

    @staticmethod
    def request_name(request_id: str) -> str:
        return f"requests/{request_id}.json"

    @staticmethod
    def digests_name(source_hash: str) -> str:
        return f"digests/{source_hash}.bin"

    @staticmethod
    def groups_name(source_hash: str) -> str:
        """Each user's groups in the file with this hash (the next file's removals go by them)."""
        return f"groups/{source_hash}.json"

    @staticmethod
    def steps_name(request_id: str) -> str:
        """A request's account steps (attribute values, groups; never passwords), removed once answered."""
        return f"steps/{request_id}.jsonl"

    @staticmethod
    def job_names_name(job_id: str) -> str:
        return f"jobs/{job_id}.names"

    @staticmethod
    def job_created_name(job_id: str) -> str:
        return f"jobs/{job_id}.created"

    def owned_usernames(self) -> set[str]:
        """Every username one of this resource's jobs created."""
        owned: set[str] = set()
        for name in self.names("jobs/"):
            if name.endswith(".created"):
                owned.update(self.read_lines(name) or [])
        return owned
