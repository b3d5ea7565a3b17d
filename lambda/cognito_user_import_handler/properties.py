"""The custom resource's properties, parsed once from CloudFormation's strings into a typed value."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

RESOURCE_TYPE = "Custom::CognitoUserImport"
POLL_RULE_PREFIX_VARIABLE = "POLL_RULE_PREFIX"
"""The handler's environment variable naming the prefix of the EventBridge rules it may create to poll
long jobs (the construct sets it; the role may manage rules with that prefix only)."""


class ExistingUsers(enum.StrEnum):
    """What to do with rows whose username already exists in the pool."""

    SKIP = "SKIP"
    """Leave them out of the job and report them as skipped."""
    FAIL = "FAIL"
    """Fail the deployment, naming them, before any job is created."""
    UPDATE = "UPDATE"
    """Leave them out of the job, then give them the file's attribute values where they differ."""


class PropertyError(ValueError):
    """A resource property is missing or malformed."""


@dataclass(frozen=True, kw_only=True)
class ImportProperties:
    """What one Custom::CognitoUserImport resource asks for. Locations and settings only, never user data."""

    user_pool_id: str
    logs_role_arn: str
    source_bucket: str
    source_key: str
    source_hash: str
    """Changes whenever the file's content changes; the same content keeps the same hash."""
    source_name: str
    """How errors name the file (the path the user gave, or s3://bucket/key)."""
    job_name: str
    timeout_seconds: int
    """The resource's own deadline, counted from the start of the request."""
    existing_users: ExistingUsers = ExistingUsers.SKIP
    max_failed_users: int = 0
    remove_users_on_delete: bool = False
    password_hashing_algorithm: str | None = None
    source_version: str | None = None
    """An S3 object version of the source (``from_bucket(..., version=...)``); None: the latest."""
    quota_share: float = 0.5
    """The share (0 < share <= 1) of each Cognito request-rate quota this resource may use."""
    ledger_bucket: str | None = None
    """The stack's import ledger bucket (what each resource applied and imported); None: no ledger."""
    passwords_secret_arn: str | None = None
    """A Secrets Manager secret of {"username": "password"}: those users get them as permanent."""

    @classmethod
    def from_event(cls, properties: Mapping[str, Any]) -> ImportProperties:
        """Parse CloudFormation's ResourceProperties (every scalar arrives as a string)."""

        def text(name: str) -> str:
            value = properties.get(name)
            if value is None or str(value) == "":
                raise PropertyError(f"property {name} is required")
            return str(value)

        def integer(name: str, default: int) -> int:
            raw = properties.get(name)
            if raw is None or raw == "":
                return default
            try:
                return int(str(raw))
            except ValueError:
                raise PropertyError(f"property {name} must be a whole number, got {raw!r}") from None

        def boolean(name: str) -> bool:
            raw = str(properties.get(name, "false")).lower()
            if raw not in ("true", "false"):
                raise PropertyError(f"property {name} must be 'true' or 'false', got {raw!r}")
            return raw == "true"

        def optional(name: str) -> str | None:
            value = properties.get(name)
            return None if value is None or str(value) == "" else str(value)

        def share(name: str, default: float) -> float:
            raw = optional(name)
            if raw is None:
                return default
            try:
                value = float(raw)
            except ValueError:
                value = -1.0
            if not 0 < value <= 1:
                raise PropertyError(f"property {name} must be a number with 0 < share <= 1, got {raw!r}")
            return value

        return cls(
            user_pool_id=text("UserPoolId"),
            logs_role_arn=text("LogsRoleArn"),
            source_bucket=text("SourceBucket"),
            source_key=text("SourceKey"),
            source_hash=text("SourceHash"),
            source_name=str(
                properties.get("SourceName") or f"s3://{text('SourceBucket')}/{text('SourceKey')}"
            ),
            job_name=text("JobName"),
            timeout_seconds=integer("TimeoutSeconds", 3600),
            existing_users=_existing_users(properties),
            max_failed_users=integer("MaxFailedUsers", 0),
            remove_users_on_delete=boolean("RemoveUsersOnDelete"),
            password_hashing_algorithm=optional("PasswordHashingAlgorithm"),
            source_version=optional("SourceVersion"),
            quota_share=share("QuotaShare", 0.5),
            ledger_bucket=optional("LedgerBucket"),
            passwords_secret_arn=optional("PasswordsSecretArn"),
        )

    def to_properties(self) -> dict[str, str]:
        """The inverse of from_event: what the construct writes into the template."""
        names = {
            "user_pool_id": "UserPoolId",
            "logs_role_arn": "LogsRoleArn",
            "source_bucket": "SourceBucket",
            "source_key": "SourceKey",
            "source_hash": "SourceHash",
            "source_name": "SourceName",
            "job_name": "JobName",
            "timeout_seconds": "TimeoutSeconds",
            "existing_users": "ExistingUsers",
            "max_failed_users": "MaxFailedUsers",
            "remove_users_on_delete": "RemoveUsersOnDelete",
            "password_hashing_algorithm": "PasswordHashingAlgorithm",
            "source_version": "SourceVersion",
            "quota_share": "QuotaShare",
            "ledger_bucket": "LedgerBucket",
            "passwords_secret_arn": "PasswordsSecretArn",
        }
        out: dict[str, str] = {}
        for field in fields(self):
            value = getattr(self, field.name)
            if value is None:
                continue
            out[names[field.name]] = str(value).lower() if isinstance(value, bool) else str(value)
        return out


def _existing_users(properties: Mapping[str, Any]) -> ExistingUsers:
    existing = str(properties.get("ExistingUsers", ExistingUsers.SKIP.value))
    try:
        return ExistingUsers(existing)
    except ValueError:
        allowed = ", ".join(e.value for e in ExistingUsers)
        raise PropertyError(f"property ExistingUsers must be one of {allowed}, got {existing!r}") from None
