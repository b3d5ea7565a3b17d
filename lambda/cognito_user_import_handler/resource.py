"""crhelper's CfnResource, hardened for this handler.

crhelper 2.0.12 has quirks that break a long-running import: it logs the whole event (with the
signed ResponseURL) at DEBUG, sleeps two minutes on Delete, names EventBridge rules after the
logical id plus random characters (over 64 characters for long ids; a new rule per delivery), makes
3 attempts at each EventBridge and Lambda call, fails when it removes a rule that is already gone,
cuts failure reasons to 256 characters, retries an unreachable ResponseURL forever, and always
schedules polling once a poll function exists even when the work is already done. This subclass
changes exactly those behaviours (docs/facts.md, "crhelper").
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
from crhelper import CfnResource

from .properties import POLL_RULE_PREFIX_VARIABLE
from .records import FAILED, SUCCESS, Answer, HandOver, Result
from .report import ACCOUNT_FIGURES, ImportFailed

logger = logging.getLogger(__name__)

RESPONSE_LIMIT_BYTES = 4096
"""CloudFormation's limit for the whole response body."""
RULE_NAME_LIMIT = 64
STATEMENT_ID_LIMIT = 100
DEFAULT_POLL_RULE_PREFIX = "cui-"
_TOKEN_LENGTH = 10


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


RequestFunction = Callable[[dict[str, Any], Any], Result]


def request_token(request_id: str, length: int = 10) -> str:
    return hashlib.sha256(request_id.encode()).hexdigest()[:length]


def rule_name(prefix: str, logical_id: str, suffix: str) -> str:
    """An EventBridge rule name within 64 characters whatever the logical id's length."""
    safe_id = re.sub(r"[^.\-_A-Za-z0-9]", "", logical_id)
    room = RULE_NAME_LIMIT - len(prefix) - len(suffix)
    return f"{prefix}{safe_id[:room]}{suffix}"


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


@contextlib.contextmanager
def _gone_is_fine() -> Iterator[None]:
    """Removing what is already gone succeeds: a repeated or late poll removes the same rule again."""
    try:
        yield
    except ClientError as error:
        if _code(error) != "ResourceNotFoundException":
            raise


class ImportResource(CfnResource):
    """A CfnResource whose functions answer a Result: an Answer to send, or a HandOver to the polls.

    The rule and permission that poll a request are named after the request, so every delivery of it
    schedules the same one rule, and removing them again is harmless.
    """

    # crhelper's own state, set by its __init__ and __call__ but left out of its type stubs.
    RequestType: str
    _event: dict[str, Any]
    _context: Any
    _response_url: str
    _polling_interval: int
    _send_response: bool
    _events_client: Any
    _lambda_client: Any
    _init_failed: Any
    _setup_polling: Callable[[], None]
    _remove_polling: Callable[[], None]
    _create_func: RequestFunction | None
    _update_func: RequestFunction | None
    _delete_func: RequestFunction | None
    _poll_create_func: RequestFunction | None
    _poll_update_func: RequestFunction | None

    def __init__(
        self, on_hand_over_failed: Callable[[dict[str, Any], Any, str], Answer] | None = None
    ) -> None:
        super().__init__(
            json_logging=False, log_level="INFO", boto_level="ERROR", polling_interval=1, sleep_on_delete=2
        )
        self.poll_rule_prefix = os.environ.get(POLL_RULE_PREFIX_VARIABLE, DEFAULT_POLL_RULE_PREFIX)
        self._on_hand_over_failed = on_hand_over_failed
        self._result: Result | None = None
        # crhelper's clients make 3 attempts: a throttled PutRule must not fail a finished import.
        if not self._init_failed:
            config = Config(retries={"mode": "standard", "max_attempts": 8})
            region = os.getenv("AWS_REGION")
            self._events_client = boto3.client("events", region_name=region, config=config)
            self._lambda_client = boto3.client("lambda", region_name=region, config=config)

    def register(
        self, *, create_or_update: RequestFunction, delete: RequestFunction, poll: RequestFunction
    ) -> None:
        """The functions crhelper calls per request type; each answers a Result."""
        self._create_func = self._update_func = create_or_update
        self._delete_func = delete
        self._poll_create_func = self._poll_update_func = poll

    def _crhelper_init(self, event: dict[str, Any], context: Any) -> bool:
        self._result = None
        result: bool = super()._crhelper_init(event, context)  # type: ignore[misc]  # private, not in the stub
        return result

    def _wrap_function(self, func: Any) -> None:
        try:
            result = func(self._event, self._context) if func else Answer(SUCCESS, "")
        except ImportFailed as error:
            result = Answer(FAILED, error.job_id or "", reason=str(error))
        except Exception as error:
            logger.error("Unexpected error", exc_info=True)
            result = Answer(FAILED, "", reason=f"{type(error).__name__}: {error}")
        self._apply(result)

    def _apply(self, result: Result) -> None:
        self._result = result
        if isinstance(result, HandOver):
            self.Data = dict(result.poll_state)
            self.PhysicalResourceId = result.physical_id
            return
        self.Status, self.Reason = result.status, result.reason
        self.Data = dict(result.data)
        if result.status == SUCCESS:
            # Answers stored before these figures existed must still carry every attribute (GetAtt).
            for name in ACCOUNT_FIGURES:
                self.Data.setdefault(name, "0")
        # An empty id keeps the request's own (crhelper falls back to the event's PhysicalResourceId);
        # a Create has none, and crhelper's fallback is random: make it the same for every delivery.
        physical_id = result.physical_id
        if not physical_id and "PhysicalResourceId" not in self._event:
            physical_id = f"failed-{self._event['LogicalResourceId']}-{request_token(self.RequestId)}"
        self.PhysicalResourceId = physical_id
        if result.status == FAILED:
            logger.error("%s", result.reason)

    def _polling_init(self, event: dict[str, Any]) -> None:
        polling = "CrHelperPoll" in event
        if isinstance(self._result, HandOver):
            if not polling:
                self._hand_over(event)
            return  # a poll that found the job still running: the schedule stays, nothing is sent
        if polling:
            self._remove_polling()
        else:
            self._remove_leftover_polling()
        self._send_response = True

    def _hand_over(self, event: dict[str, Any]) -> None:
        try:
            # As crhelper does: the scheduled event carries the id (local deploys read it to cancel).
            self.Data["PhysicalResourceId"] = self.PhysicalResourceId
            self._setup_polling()
            self.PhysicalResourceId = ""  # sent nothing yet: the last poll answers
        except Exception as error:
            logger.error("Scheduling the polls failed", exc_info=True)
            with contextlib.suppress(Exception):
                self._remove_polling()
            reason = f"{type(error).__name__}: {error}"
            if self._on_hand_over_failed is None:
                self._apply(Answer(FAILED, "", reason=reason))
            else:
                self._apply(self._on_hand_over_failed(event, self._context, reason))
            self._send_response = True

    def _rule_name(self) -> str:
        suffix = "-" + request_token(self._event["RequestId"], _TOKEN_LENGTH)
        return rule_name(self.poll_rule_prefix, self._event["LogicalResourceId"], suffix)

    def _statement_id(self) -> str:
        suffix = "-" + request_token(self._event["RequestId"], _TOKEN_LENGTH)
        safe_id = re.sub(r"[^A-Za-z0-9_-]", "", self._event["LogicalResourceId"])
        return safe_id[: STATEMENT_ID_LIMIT - len(suffix)] + suffix

    def _put_rule(self) -> str:
        schedule_unit = "minute" if self._polling_interval == 1 else "minutes"
        response = self._events_client.put_rule(
            Name=self._rule_name(),
            ScheduleExpression=f"rate({self._polling_interval} {schedule_unit})",
            State="ENABLED",
        )
        return str(response["RuleArn"])

    def _add_permission(self, rule_arn: str) -> str:
        sid = self._statement_id()
        try:
            self._lambda_client.add_permission(
                FunctionName=self._context.function_name,
                StatementId=sid,
                Action="lambda:InvokeFunction",
                Principal="events.amazonaws.com",
                SourceArn=rule_arn,
            )
        except ClientError as error:
            if _code(error) != "ResourceConflictException":  # an earlier delivery added it
                raise
        return sid

    def _remove_targets(self, rule_arn: str) -> None:
        with _gone_is_fine():
            super()._remove_targets(rule_arn)  # type: ignore[misc]  # private, not in the stub

    def _remove_permission(self, sid: str) -> None:
        with _gone_is_fine():
            super()._remove_permission(sid)  # type: ignore[misc]  # private, not in the stub

    def _delete_rule(self, rule_arn: str) -> None:
        with _gone_is_fine():
            super()._delete_rule(rule_arn)  # type: ignore[misc]  # private, not in the stub

    def _remove_leftover_polling(self) -> None:
        """An earlier delivery of this request may have scheduled polls and died: remove them."""
        name = self._rule_name()
        try:
            rule_arn = str(self._events_client.describe_rule(Name=name)["Arn"])
        except ClientError as error:
            if _code(error) == "ResourceNotFoundException":
                return
            raise
        logger.info("Removing the polling an earlier delivery of this request left behind")
        self._remove_targets(rule_arn)
        self._remove_permission(self._statement_id())
        self._delete_rule(rule_arn)

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
