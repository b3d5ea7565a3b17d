"""AWS clients, created on first use so nothing touches AWS (or needs a region) at import time."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

from .pacing import Pacer

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient
    from mypy_boto3_logs import CloudWatchLogsClient
    from mypy_boto3_s3 import S3Client

# Cognito answers bursts with TooManyRequestsException. The handler paces itself (pacing.py); the
# adaptive mode also slows down when others in the account use up the quota.
RETRY_CONFIG: dict[str, Any] = {"retries": {"mode": "standard", "max_attempts": 10}}
COGNITO_RETRIES: dict[str, Any] = {"mode": "adaptive", "max_attempts": 10}


class AwsClients:
    """The clients the handler uses. Tests point them at the emulator through AWS_ENDPOINT_URL."""

    def __init__(self, session: Any | None = None, pacer: Pacer | None = None) -> None:
        self._session = session
        self.pacer = pacer or Pacer()
        """Every Cognito call waits for its turn within a share of its quota (set per request)."""

    def _client(self, service: str, retries: dict[str, Any] | None = None) -> Any:
        import boto3
        from botocore.config import Config

        session = self._session or boto3.session.Session()
        make_client: Any = session.client  # typed per service name; the callers narrow the result
        settings: Any = retries or RETRY_CONFIG["retries"]
        return make_client(service, config=Config(retries=settings))

    @cached_property
    def cognito(self) -> CognitoIdentityProviderClient:
        client: CognitoIdentityProviderClient = self._client("cognito-idp", COGNITO_RETRIES)
        self.pacer.attach(client)
        return client

    @cached_property
    def cognito_once(self) -> CognitoIdentityProviderClient:
        """For calls that must not be resent (CreateUserImportJob has no idempotency token)."""
        client: CognitoIdentityProviderClient = self._client(
            "cognito-idp", {"mode": "standard", "total_max_attempts": 1}
        )
        self.pacer.attach(client)
        return client

    @cached_property
    def secrets(self) -> Any:
        """Secrets Manager: the passwords secret, read only."""
        return self._client("secretsmanager")

    @cached_property
    def s3(self) -> S3Client:
        client: S3Client = self._client("s3")
        return client

    @cached_property
    def logs(self) -> CloudWatchLogsClient:
        client: CloudWatchLogsClient = self._client("logs")
        return client
