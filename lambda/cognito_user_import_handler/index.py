"""Lambda entry point (`cognito_user_import_handler.index.handler`): wires crhelper to the import service.

Nothing here touches AWS at import time: the resource and its clients are built on the first call.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from .clients import AwsClients
from .properties import ImportProperties
from .resource import ImportResource
from .service import Budget, ImportService, Outcome

WAIT_MARGIN_SECONDS = 10.0
"""Stop waiting this long before the invocation ends (crhelper answers FAILED 0.5 s before it)."""
POLL_INVOCATION_SECONDS = 40.0
"""A scheduled poll waits at most this long: the next one comes a minute later."""

_resource: ImportResource | None = None
_service: ImportService | None = None


def handler(event: dict[str, Any], context: Any) -> None:
    resource()(event, context)


def resource() -> ImportResource:
    global _resource
    if _resource is None:
        _resource = ImportResource()
        _resource.create(_on_create)
        _resource.update(_on_update)
        _resource.delete(_on_delete)
        _resource.poll_create(_on_poll)
        _resource.poll_update(_on_poll)
    return _resource


def service() -> ImportService:
    global _service
    if _service is None:
        _service = ImportService(AwsClients())
    return _service


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


def _answer(outcome: Outcome) -> str | None:
    helper = resource()
    if outcome.figures is not None:
        helper.Data.clear()
        helper.Data.update(outcome.figures.as_data())
        return outcome.physical_id
    helper.hand_over = True
    helper.Data.update(outcome.poll_state)
    return outcome.physical_id


def _on_create(event: dict[str, Any], context: Any) -> str | None:
    props = ImportProperties.from_event(event["ResourceProperties"])
    budget = Budget(_deadline(props), _invocation_has_time(context))
    return _answer(service().create(props, budget))


def _on_update(event: dict[str, Any], context: Any) -> str | None:
    props = ImportProperties.from_event(event["ResourceProperties"])
    old = ImportProperties.from_event(event["OldResourceProperties"])
    budget = Budget(_deadline(props), _invocation_has_time(context))
    return _answer(service().update(props, old, event["PhysicalResourceId"], budget))


def _on_delete(event: dict[str, Any], context: Any) -> None:
    props = ImportProperties.from_event(event["ResourceProperties"])
    service().delete(props, event["PhysicalResourceId"], _invocation_has_time(context))


def _on_poll(event: dict[str, Any], context: Any) -> str | None:
    props = ImportProperties.from_event(event["ResourceProperties"])
    state = dict(resource().Data)
    outcome = service().poll(props, state, _invocation_has_time(context, at_most=POLL_INVOCATION_SECONDS))
    if not outcome.finished:
        return None  # crhelper keeps the schedule and sends nothing
    return _answer(outcome)
