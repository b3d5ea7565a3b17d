"""What an X-Amz-Target request goes through before moto, all outside the emulator's lock.

1. protocol checks (protocol.py): unknown Cognito operation, body not a JSON object;
2. a Cognito call is counted (calls.py);
3. a pending throttle fault, or in AWS-quota mode an empty quota bucket (quotas.py), answers
   TooManyRequestsException;
4. a Cognito call waits the settings' call latency, throttled or not, as a call over the network does.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

from .calls import CallStats
from .errors import json_error_response
from .faults import Faults
from .protocol import TargetedRequest, WsgiAnswer, check_targeted
from .quotas import QuotaLimiter
from .settings import EmulatorSettings

DEFAULT_REGION = "us-east-1"
_CREDENTIAL_REGION = re.compile(r"Credential=[^/,\s]+/\d{8}/([a-z0-9-]+)/")
_CREDENTIAL_SERVICE = re.compile(r"Credential=[^/,\s]+/\d{8}/[a-z0-9-]+/([a-z0-9-]+)/")


def throttled_answer() -> WsgiAnswer:
    return json_error_response("TooManyRequestsException", "Rate exceeded")


class Admission:
    """Decides whether a targeted request reaches moto, and delays Cognito calls by the set latency."""

    def __init__(
        self,
        settings: EmulatorSettings,
        faults: Faults,
        calls: CallStats,
        limiter: QuotaLimiter,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._settings = settings
        self._faults = faults
        self._calls = calls
        self._limiter = limiter
        self._sleep = sleep

    def refusal(self, environ: dict[str, Any], target: str, body: bytes) -> WsgiAnswer | None:
        """The answer for a request that must not reach moto, else None (after the call's latency)."""
        service = _CREDENTIAL_SERVICE.search(environ.get("HTTP_AUTHORIZATION") or "")
        content_type = environ.get("CONTENT_TYPE") or ""
        checked = check_targeted(target, content_type, body, service.group(1) if service else None)
        if not isinstance(checked, TargetedRequest):
            return checked
        if not checked.is_cognito:
            return throttled_answer() if self._faults.take_throttle(checked.operation) else None
        self._calls.record(checked.operation)
        answer = None
        if self._faults.take_throttle(checked.operation) or not self._within_quotas(environ, checked):
            self._calls.record_throttled(checked.operation)
            answer = throttled_answer()
        latency = self._settings.call_latency()
        if latency > 0:
            self._sleep(latency)
        return answer

    def _within_quotas(self, environ: dict[str, Any], request: TargetedRequest) -> bool:
        if not self._settings.aws_quotas:
            return True
        return self._limiter.admit(_region(environ), request.operation, request.params)


def _region(environ: dict[str, Any]) -> str:
    """The region of the request's SigV4 credential scope (quotas hold per account and region)."""
    match = _CREDENTIAL_REGION.search(environ.get("HTTP_AUTHORIZATION") or "")
    return match.group(1) if match else DEFAULT_REGION
