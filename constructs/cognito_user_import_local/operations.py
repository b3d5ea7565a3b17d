"""Creating, updating and deleting one stack's resources, one at a time.

AWS resource types go through their provisioner (resources/), the CDK's own custom resources through
their model (modelled.py), and every other custom resource through its function, with the request
CloudFormation would send it (custom_resource.py).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from .custom_resource import CustomResourceCaller, Request, Response
from .errors import DeployError
from .invoke import LambdaFunction, effective_timeout
from .modelled import MODELLED_CUSTOM_RESOURCES
from .placeholders import is_placeholder
from .reporter import Reporter
from .resources import PROVISIONERS, SILENTLY_SKIPPED
from .resources.base import Provisioned, Provisioner, ResourceError
from .session import Session
from .state import DeployedResource, PendingRequest

POLL_SETTLE_GRACE_SECONDS = 3.0
RETAINED_BY = ("Retain", "RetainExceptOnCreate", "Snapshot")
"""DeletionPolicy values that keep a resource when its stack deletes it."""


class StackOperations:
    """One stack's resource operations; failures are DeployErrors whose message names the resource."""

    def __init__(
        self,
        session: Session,
        stack_name: str,
        stack_id: str,
        resources: Mapping[str, DeployedResource],
        reporter: Reporter,
    ) -> None:
        self.session = session
        self.resources = resources
        """The stack's resources as they are now (read, never changed here): where functions are found."""
        self.reporter = reporter
        self.env = session.environment(stack_name)
        self.caller = CustomResourceCaller(
            runner=session.runner,
            server=session.server,
            events=session.client("events"),
            stack_id=stack_id,
            echo=reporter.handler_output,
            lambda_client=session.client("lambda"),
        )

    def function_of(self, properties: dict[str, Any]) -> LambdaFunction:
        return self.session.function_for(str(properties.get("ServiceToken", "")), self.resources)

    def call_custom(self, request: Request) -> Response:
        return self.caller.call(request, self.function_of(request.properties))

    def provision(
        self,
        action: str,
        kind: str,
        logical_id: str,
        props: dict[str, Any],
        previous: DeployedResource | None,
    ) -> Provisioned:
        """Create (no previous) or update a resource of a type with a provisioner."""
        provisioner = provisioner_for(kind)
        assert provisioner is not None, kind
        try:
            if previous is None:
                return provisioner.create(self.env, logical_id, props)
            current = Provisioned(previous.physical_id, previous.attributes)
            return provisioner.update(self.env, logical_id, current, props, previous.properties)
        except (ClientError, BotoCoreError, ResourceError, KeyError) as error:
            raise DeployError(f"{logical_id} ({kind}) failed to {action}: {error_message(error)}") from error

    def delete_resource(self, logical_id: str, resource: DeployedResource) -> None:
        """Delete one resource; raises DeployError with the reason when the service or handler refuses."""
        kind = resource.resource_type
        if resource.deletion_policy in RETAINED_BY:
            self.reporter.progress(
                f"  RETAIN  {kind:<28} {logical_id} ({resource.physical_id}): "
                f"DeletionPolicy {resource.deletion_policy}"
            )
            return
        if kind in SILENTLY_SKIPPED or is_placeholder(resource.physical_id):
            return
        self.reporter.progress(f"  DELETE  {kind:<28} {logical_id} ({resource.physical_id})")
        provisioner = provisioner_for(kind)
        if provisioner is None:
            response = self.call_custom(
                Request("Delete", kind, logical_id, resource.properties, physical_id=resource.physical_id)
            )
            if not response.ok:
                raise DeployError(f"{logical_id} ({kind}) failed to delete: {response.reason}")
            return
        try:
            provisioner.delete(self.env, resource.physical_id, resource.properties)
        except (ClientError, BotoCoreError, ResourceError) as error:
            raise DeployError(f"{logical_id} ({kind}) failed to delete: {error}") from error

    def restore_resource(
        self, logical_id: str, current: DeployedResource, previous: DeployedResource
    ) -> None:
        """Put an updated resource back to its previous properties, as UPDATE_ROLLBACK does."""
        kind = previous.resource_type
        self.reporter.progress(f"  UPDATE  {kind:<28} {logical_id} (rollback to the previous properties)")
        provisioner = provisioner_for(kind)
        if provisioner is None:
            response = self.call_custom(
                Request(
                    "Update",
                    kind,
                    logical_id,
                    previous.properties,
                    physical_id=current.physical_id,
                    old_properties=current.properties,
                )
            )
            if not response.ok:
                raise DeployError(response.reason)
            return
        try:
            provisioner.update(
                self.env,
                logical_id,
                Provisioned(current.physical_id, current.attributes),
                previous.properties,
                current.properties,
            )
        except (ClientError, BotoCoreError, ResourceError) as error:
            raise DeployError(error_message(error)) from error

    def pending_physical_id(self, logical_id: str, pending: PendingRequest) -> str | None:
        """The physical id an unanswered request made, from crhelper's pending poll (then removed).

        An invocation may still be running and make that poll: it is waited for until the function's
        timeout. None when the request left no poll (it ended some other way, or never got far).
        """
        function = self.function_of(pending.properties)
        deadline = time.monotonic() + effective_timeout(function) + POLL_SETTLE_GRACE_SECONDS
        self.reporter.progress(
            f"  {logical_id}: a {pending.request_type} request was in flight; looking for its pending poll"
        )
        while True:
            polls = self.caller.pending_polls(function, pending.request_id)
            if polls or time.monotonic() >= deadline:
                break
            time.sleep(1.0)
        self.caller.drop(polls, function)
        physical_id = next((poll.physical_id for poll in polls if poll.physical_id), None)
        if physical_id is None:
            self.reporter.problem(f"  {logical_id}: no pending poll: the request's physical id is unknown")
        return physical_id


def provisioner_for(kind: str) -> Provisioner | None:
    """What creates, updates and deletes a resource of this type; None for a handler-run custom resource."""
    return PROVISIONERS.get(kind) or MODELLED_CUSTOM_RESOURCES.get(kind)


def error_message(error: BaseException) -> str:
    """A service error as `Code: Message`; anything else as it reads."""
    if isinstance(error, ClientError):
        detail = error.response.get("Error", {})
        return f"{detail.get('Code', 'Error')}: {detail.get('Message', error)}"
    return str(error)
