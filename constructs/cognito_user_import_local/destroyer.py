"""Deleting one stack, as `cdk destroy` does: what depends on a resource goes before it.

It also finishes what a killed or interrupted deploy-local left: custom resource requests still in
flight are settled first (what they made is learnt from their pending poll, then deleted). What
cannot be deleted stays recorded, so that another destroy-local can finish the job.
"""

from __future__ import annotations

import time
from contextlib import suppress

from botocore.exceptions import ClientError

from .errors import DeployError
from .exports import Exports, check_deletable
from .operations import StackOperations
from .ordering import deletion_order
from .reporter import Reporter
from .session import Session
from .state import COMPLETE, DeployedResource, PendingRequest, StackState


class StackDestroyer:
    def __init__(self, session: Session, name: str, reporter: Reporter) -> None:
        self.session = session
        self.name = name
        self.reporter = reporter
        self.state = session.store.load(name)
        self.resources: dict[str, DeployedResource] = dict(self.state.resources) if self.state else {}
        stack_id = self.state.stack_id if self.state else session.new_stack_id(name)
        self.operations = StackOperations(session, name, stack_id, self.resources, reporter)

    def destroy(self) -> None:
        state = self.state
        if state is None:
            self.reporter.progress(f"Stack {self.name}: not deployed in this emulator, nothing to delete")
            return
        # As CloudFormation: nothing of a stack is deleted while another stack imports its exports.
        check_deletable(Exports(self.session.store), state)
        started = time.monotonic()
        if state.status == COMPLETE:
            self.reporter.progress(f"Stack {self.name}: delete")
        else:
            self.reporter.progress(
                f"Stack {self.name}: delete ({state.status}: its last deploy-local did not finish)"
            )
        failed = self._settle_pending(state)
        self._delete_resources(failed)
        if failed:
            # Keep what is left, so that another destroy-local can finish the job.
            state.resources = {key: self.resources[key] for key in failed if key in self.resources}
            self.session.store.save(state)
            reasons = "; ".join(f"{key}: {reason}" for key, reason in failed.items())
            raise DeployError(f"stack {self.name}: DELETE_FAILED: {reasons}")
        self._delete_assets(state)
        self.session.store.remove(self.name)
        self.reporter.progress(f"Stack {self.name}: DELETE_COMPLETE in {time.monotonic() - started:.1f} s")

    def _settle_pending(self, state: StackState) -> dict[str, str]:
        """Settle every request left in flight; answers the reason of each that could not be (by id)."""
        failed: dict[str, str] = {}
        for logical_id, pending in list(state.pending.items()):
            try:
                self._settle(logical_id, pending)
            except DeployError as error:
                failed[logical_id] = str(error)
                continue
            del state.pending[logical_id]
        return failed

    def _settle(self, logical_id: str, pending: PendingRequest) -> None:
        """A request a deploy-local sent and never saw answered: learn what it made, and delete that."""
        physical_id = self.operations.pending_physical_id(logical_id, pending)
        previous = self.resources.get(logical_id)
        if physical_id is None:
            return
        if previous is not None and previous.physical_id == physical_id:
            return
        made = DeployedResource(
            pending.resource_type, physical_id, pending.properties, {}, list(pending.depends_on)
        )
        if previous is None:
            self.resources[logical_id] = made  # deleted in its turn below
        else:
            self.operations.delete_resource(
                logical_id, made
            )  # an Update's new resource, before the previous one

    def _delete_resources(self, failed: dict[str, str]) -> None:
        """Delete each resource after what depends on it; what fails, or is still used, is added to failed."""
        for logical_id in deletion_order(self.resources):
            if logical_id in failed:
                continue
            resource = self.resources[logical_id]
            blocked = [
                other for other in failed if logical_id in self.resources.get(other, resource).depends_on
            ]
            if blocked:
                failed[logical_id] = f"still used by {', '.join(blocked)}"
                continue
            try:
                self.operations.delete_resource(logical_id, resource)
            except DeployError as error:
                failed[logical_id] = str(error)

    def _delete_assets(self, state: StackState) -> None:
        s3 = self.session.client("s3")
        for asset in state.assets:
            with suppress(ClientError):
                s3.delete_object(Bucket=asset["bucket"], Key=asset["key"])
        if state.assets:
            self.reporter.progress(f"  assets  {len(state.assets)} deleted")
