"""Lambda entry point (`cognito_user_import_handler.index.handler`): wires crhelper to the import service.

Nothing here touches AWS at import time: the resource and its clients are built on the first call.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Callable
from typing import Any

from .clients import AwsClients
from .planning import clear_work_dir
from .properties import ImportProperties
from .records import Answer, Result
from .resource import ImportResource
from .service import ImportService, Request

WAIT_MARGIN_SECONDS = 10.0
"""Stop waiting this long before the invocation ends (crhelper answers FAILED 0.5 s before it)."""
POLL_INVOCATION_SECONDS = 40.0
"""A scheduled poll waits at most this long: the next one comes a minute later."""
JOB_NAME_MAX = 128
REQUEST_TOKEN_LENGTH = 10

_resource: ImportResource | None = None
_service: ImportService | None = None


def handler(event: dict[str, Any], context: Any) -> None:
    clear_work_dir()
    resource()(event, context)


def resource() -> ImportResource:
    global _resource
    if _resource is None:
        _resource = ImportResource(on_hand_over_failed=_on_hand_over_failed)
        _resource.register(create_or_update=_on_create_or_update, delete=_on_delete, poll=_on_poll)
    return _resource


def service() -> ImportService:
    global _service
    if _service is None:
        _service = ImportService(AwsClients())
    return _service


def job_name_for(job_name: str, event: dict[str, Any]) -> str:
    """The resource's job name plus a token of the request, so a retried request finds its own job."""
    identity = "|".join((event["StackId"], event["LogicalResourceId"], event["RequestId"]))
    token = hashlib.sha256(identity.encode()).hexdigest()[:REQUEST_TOKEN_LENGTH]
    return f"{job_name[: JOB_NAME_MAX - REQUEST_TOKEN_LENGTH - 1]}.{token}"


def _invocation_has_time(context: Any, *, at_most: float | None = None) -> Callable[[], bool]:
    started = time.monotonic()

    def keep_waiting() -> bool:
        if at_most is not None and time.monotonic() - started >= at_most:
            return False
        return bool(context.get_remaining_time_in_millis() > WAIT_MARGIN_SECONDS * 1000)

    return keep_waiting


def _deadline(props: ImportProperties) -> float:
    # Answer before CloudFormation's own ServiceTimeout (the same number) gives up on the resource.
    return time.time() + props.timeout_seconds - min(30.0, props.timeout_seconds * 0.1)


def request_of(event: dict[str, Any], context: Any, *, at_most: float | None = None) -> Request:
    """One delivery, parsed once from CloudFormation's strings."""
    props = ImportProperties.from_event(event["ResourceProperties"])
    old = event.get("OldResourceProperties")
    return Request(
        request_id=event["RequestId"],
        request_type=event["RequestType"],
        logical_id=event["LogicalResourceId"],
        props=props,
        old=ImportProperties.from_event(old) if old else None,
        physical_id=event.get("PhysicalResourceId"),
        deadline=_deadline(props),
        keep_waiting=_invocation_has_time(context, at_most=at_most),
        owner=uuid.uuid4().hex,
        job_name=job_name_for(props.job_name, event),
    )


def _on_create_or_update(event: dict[str, Any], context: Any) -> Result:
    return service().create_or_update(request_of(event, context))


def _on_delete(event: dict[str, Any], context: Any) -> Result:
    return service().delete(request_of(event, context))


def _on_poll(event: dict[str, Any], context: Any) -> Result:
    return service().poll(request_of(event, context, at_most=POLL_INVOCATION_SECONDS))


def _on_hand_over_failed(event: dict[str, Any], context: Any, reason: str) -> Answer:
    return service().fail_hand_over(request_of(event, context), reason)
