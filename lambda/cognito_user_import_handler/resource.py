"""crhelper's CfnResource, hardened for this handler.

crhelper 2.0.12 has quirks that break a long-running import (FACTS.md): it logs the whole event
(with the signed ResponseURL) at DEBUG, sleeps two minutes on Delete, names EventBridge rules after
the logical id (over 64 characters for long ids), cuts failure reasons to 256 characters, retries
an unreachable ResponseURL forever, and always schedules polling once a poll function exists even
when the work is already done. This subclass changes exactly those behaviours.
"""

from __future__ import annotations

import json
import logging
import os
import random
import re
import string
import time
import urllib.error
import urllib.request
from typing import Any

from crhelper import CfnResource

from .report import ImportFailed

logger = logging.getLogger(__name__)

RESPONSE_LIMIT_BYTES = 4096
"""CloudFormation's limit for the whole response body."""
RULE_NAME_LIMIT = 64
STATEMENT_ID_LIMIT = 100
POLL_RULE_PREFIX_VARIABLE = "POLL_RULE_PREFIX"
DEFAULT_POLL_RULE_PREFIX = "cui-"
_RANDOM_SUFFIX = 8


def fit_reason(body: dict[str, Any], limit: int = RESPONSE_LIMIT_BYTES) -> dict[str, Any]:
    """Shorten body["Reason"] (keeping its start, which names the job) so the JSON fits in `limit` bytes."""
    if len(json.dumps(body).encode()) <= limit:
        return body
    reason = str(body.get("Reason", ""))
    marker = " ... (cut to fit CloudFormation's 4,096-byte response; see the handler's log)"

    def fits(length: int) -> bool:
        return len(json.dumps({**body, "Reason": reason[:length] + marker}).encode()) <= limit

    # JSON escapes make the byte size of a prefix uneven: search for the longest prefix that fits.
    low, high = 0, len(reason)
    while low < high:
        middle = (low + high + 1) // 2
        low, high = (middle, high) if fits(middle) else (low, middle - 1)
    return {**body, "Reason": reason[:low] + marker}


def _random_suffix() -> str:
    return "".join(random.choices(string.ascii_uppercase + string.digits, k=_RANDOM_SUFFIX))


def rule_name(prefix: str, logical_id: str, suffix: str) -> str:
    """An EventBridge rule name within 64 characters whatever the logical id's length."""
    safe_id = re.sub(r"[^.\-_A-Za-z0-9]", "", logical_id)
    room = RULE_NAME_LIMIT - len(prefix) - len(suffix)
    return f"{prefix}{safe_id[:room]}{suffix}"


class ImportResource(CfnResource):
    """A CfnResource that answers at once when the work finished inside the first invocation."""

    # crhelper's own state, set by its __init__ and __call__ but left out of its type stubs.
    RequestType: str
    _event: dict[str, Any]
    _context: Any
    _response_url: str
    _polling_interval: int
    _send_response: bool
    _events_client: Any
    _lambda_client: Any

    def __init__(self) -> None:
        super().__init__(
            json_logging=False, log_level="INFO", boto_level="ERROR", polling_interval=1, sleep_on_delete=2
        )
        self.poll_rule_prefix = os.environ.get(POLL_RULE_PREFIX_VARIABLE, DEFAULT_POLL_RULE_PREFIX)
        self.hand_over = False
        """Set by a create/update function that leaves the job running: crhelper's polling takes over."""

    def _crhelper_init(self, event: dict[str, Any], context: Any) -> bool:
        self.hand_over = False
        result: bool = super()._crhelper_init(event, context)  # type: ignore[misc]  # private, not in the stub
        return result

    def _polling_init(self, event: dict[str, Any]) -> None:
        if "CrHelperPoll" not in event and not self.hand_over:
            # Finished (or failed) within the first invocation: answer now, schedule nothing.
            self._send_response = True
            return
        super()._polling_init(event)  # type: ignore[misc]  # private, not in the stub

    def _wrap_function(self, func: Any) -> None:
        try:
            self.PhysicalResourceId = func(self._event, self._context) if func else ""
        except ImportFailed as error:
            logger.error("%s", error)
            if error.job_id and self.RequestType == "Create":
                # CloudFormation's Delete after a failed Create then reaches (and stops) the job.
                self.PhysicalResourceId = error.job_id
            self.Reason, self.Status = str(error), "FAILED"
        except Exception as error:
            logger.error("Unexpected error", exc_info=True)
            self.Reason, self.Status = f"{type(error).__name__}: {error}", "FAILED"

    def _put_rule(self) -> str:
        schedule_unit = "minute" if self._polling_interval == 1 else "minutes"
        response = self._events_client.put_rule(
            Name=rule_name(self.poll_rule_prefix, self._event["LogicalResourceId"], _random_suffix()),
            ScheduleExpression=f"rate({self._polling_interval} {schedule_unit})",
            State="ENABLED",
        )
        return str(response["RuleArn"])

    def _add_permission(self, rule_arn: str) -> str:
        suffix = _random_suffix()
        safe_id = re.sub(r"[^A-Za-z0-9_-]", "", self._event["LogicalResourceId"])
        sid = safe_id[: STATEMENT_ID_LIMIT - len(suffix)] + suffix
        self._lambda_client.add_permission(
            FunctionName=self._context.function_name,
            StatementId=sid,
            Action="lambda:InvokeFunction",
            Principal="events.amazonaws.com",
            SourceArn=rule_arn,
        )
        return sid

    def _send(self, status: str | None = None, reason: str = "", send_response: Any = None) -> None:
        body: dict[str, Any] = {
            "Status": status or self.Status,
            "PhysicalResourceId": str(self.PhysicalResourceId),
            "StackId": self.StackId,
            "RequestId": self.RequestId,
            "LogicalResourceId": self.LogicalResourceId,
            "Reason": str(reason if status else self.Reason),
            "Data": self.Data,
            "NoEcho": self.NoEcho,
        }
        if body["Status"] == "FAILED":
            logger.error("Answering FAILED: %s", body["Reason"])
        else:
            logger.info("Answering %s for %s", body["Status"], body["PhysicalResourceId"])
        send_response_body(self._response_url, fit_reason(body))


def send_response_body(response_url: str, body: dict[str, Any], *, attempts: int = 5) -> None:
    """PUT the response to CloudFormation's pre-signed URL, with bounded retries. Never logs the URL."""
    data = json.dumps(body).encode()
    for attempt in range(1, attempts + 1):
        request = urllib.request.Request(
            response_url,
            data=data,
            method="PUT",
            headers={"Content-Type": "", "Content-Length": str(len(data))},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                logger.info("CloudFormation accepted the response (HTTP %s)", response.status)
                return
        except (urllib.error.URLError, OSError) as error:
            logger.error(
                "Sending the response failed (%s), attempt %s of %s", type(error).__name__, attempt, attempts
            )
            if attempt < attempts:
                time.sleep(2 * attempt)
    logger.error("Giving up sending the response to CloudFormation")
