"""What is deployed, kept in the emulator itself (an S3 object per stack), as CloudFormation keeps stacks.

Kept there rather than on disk so that the state lives and dies with the emulator: a second
deploy-local against the same emulator is an update, and a fresh emulator starts from nothing.

A deployment saves the state after every step (status IN_PROGRESS), and records each custom
resource request before sending it (`pending`), so that a destroy-local can clean up after a
deploy-local that was killed, or is still running, however far it got.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any

from botocore.exceptions import ClientError

STATE_VERSION = 1


@dataclass
class DeployedResource:
    resource_type: str
    physical_id: str
    properties: dict[str, Any]
    """As resolved at the last successful create or update (what an Update's OldResourceProperties is)."""
    attributes: dict[str, Any] = field(default_factory=dict)
    """Fn::GetAtt values: the service's attributes, or a custom resource's Data."""
    depends_on: list[str] = field(default_factory=list)
    """Logical ids this resource needed, so that deletion can go in reverse order."""
    deletion_policy: str = "Delete"
    note: str = ""
    """Why a placeholder is one (empty for what exists in the emulator)."""


@dataclass
class PendingRequest:
    """A custom resource request sent but not answered: its physical id is not known yet."""

    request_type: str
    """Create or Update."""
    request_id: str
    resource_type: str
    properties: dict[str, Any]
    depends_on: list[str] = field(default_factory=list)


COMPLETE = "COMPLETE"
IN_PROGRESS = "IN_PROGRESS"
"""A deploy-local is running, or ended before it could finish (killed, or its rollback interrupted)."""
ROLLBACK_FAILED = "ROLLBACK_FAILED"
"""A new stack's rollback could not delete everything: what is left is recorded for destroy-local."""


@dataclass
class StackState:
    stack_name: str
    stack_id: str
    template: dict[str, Any] = field(default_factory=dict)
    resources: dict[str, DeployedResource] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)
    assets: list[dict[str, str]] = field(default_factory=list)
    """Uploaded file assets: {"bucket": ..., "key": ...}."""
    status: str = COMPLETE
    pending: dict[str, PendingRequest] = field(default_factory=dict)
    """Custom resource requests in flight, by logical id."""
    exports: dict[str, str] = field(default_factory=dict)
    """The stack's exported outputs, by export name (what another stack's Fn::ImportValue reads)."""
    imports: list[str] = field(default_factory=list)
    """The export names this stack's template imports (its exporters cannot be deleted before it)."""

    def to_json(self) -> str:
        return json.dumps({"version": STATE_VERSION, **asdict(self)}, indent=1, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> StackState:
        raw = json.loads(text)
        resources = {
            logical_id: DeployedResource(**value) for logical_id, value in raw.get("resources", {}).items()
        }
        return cls(
            stack_name=raw["stack_name"],
            stack_id=raw["stack_id"],
            template=raw.get("template", {}),
            resources=resources,
            outputs=raw.get("outputs", {}),
            assets=raw.get("assets", []),
            status=raw.get("status", COMPLETE),
            pending={
                logical_id: PendingRequest(**value) for logical_id, value in raw.get("pending", {}).items()
            },
            exports=raw.get("exports", {}),
            imports=raw.get("imports", []),
        )


class StateStore:
    """Stack states in a bucket of the driver's own in the emulator."""

    def __init__(self, s3: Any, account_id: str, region: str) -> None:
        self.s3 = s3
        self.bucket = f"cognito-user-import-local-stacks-{account_id}-{region}"
        self.region = region

    def load(self, stack_name: str) -> StackState | None:
        try:
            body = self.s3.get_object(Bucket=self.bucket, Key=self._key(stack_name))["Body"].read()
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "NoSuchBucket", "404"):
                return None
            raise
        return StackState.from_json(body.decode("utf-8"))

    def save(self, state: StackState) -> None:
        self._ensure_bucket()
        self.s3.put_object(
            Bucket=self.bucket,
            Key=self._key(state.stack_name),
            Body=state.to_json().encode("utf-8"),
            ContentType="application/json",
        )

    def remove(self, stack_name: str) -> None:
        with contextlib.suppress(ClientError):
            self.s3.delete_object(Bucket=self.bucket, Key=self._key(stack_name))

    def stack_names(self) -> list[str]:
        try:
            listing = self.s3.list_objects_v2(Bucket=self.bucket, Prefix="stacks/")
        except ClientError:
            return []
        return [
            item["Key"].removeprefix("stacks/").removesuffix(".json") for item in listing.get("Contents", [])
        ]

    def _ensure_bucket(self) -> None:
        try:
            self.s3.head_bucket(Bucket=self.bucket)
        except ClientError:
            create_bucket(self.s3, self.bucket, self.region)

    @staticmethod
    def _key(stack_name: str) -> str:
        return f"stacks/{stack_name}.json"


def create_bucket(s3: Any, bucket: str, region: str) -> None:
    """CreateBucket, with the location constraint every region but us-east-1 needs."""
    if region == "us-east-1":
        s3.create_bucket(Bucket=bucket)
    else:
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})
