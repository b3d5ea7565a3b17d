"""Undoing a failed or cancelled deployment, as CloudFormation's rollback does.

What this run made is deleted and what it updated is put back, newest first, custom resources
through their handler (for an import: the job is stopped before its pool is deleted). A request
still in flight when the run was interrupted is settled first: what it made is learnt from its
pending poll, so that it is deleted too. A step of the rollback that fails does not stop the others;
what it leaves stays recorded, for destroy-local (a new stack) or next to the previous deployment.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from .errors import DeployCancelled, DeployError
from .journal import ABANDON, CREATE, Change, Journal
from .placeholders import is_placeholder
from .reporter import Reporter
from .state import ROLLBACK_FAILED, DeployedResource, PendingRequest

ROLLBACK_COMPLETE = "ROLLBACK_COMPLETE (nothing of it is left in the emulator)"
UPDATE_ROLLBACK_COMPLETE = "UPDATE_ROLLBACK_COMPLETE (the previous deployment stays)"
ROLLBACK_FAILED_OUTCOME = "ROLLBACK_FAILED: what is left stays recorded; destroy-local removes it"


class ResourceOperations(Protocol):
    """What the rollback asks of the stack's resources (StackOperations: the emulator and handlers)."""

    def delete_resource(self, logical_id: str, resource: DeployedResource) -> None: ...

    def restore_resource(
        self, logical_id: str, current: DeployedResource, previous: DeployedResource
    ) -> None: ...

    def pending_physical_id(self, logical_id: str, pending: PendingRequest) -> str | None: ...


class Rollback:
    def __init__(self, journal: Journal, operations: ResourceOperations, reporter: Reporter) -> None:
        self.journal = journal
        self.operations = operations
        self.reporter = reporter

    def run_steps(self, steps: Callable[[], None], *, updating: bool) -> None:
        """Run a deployment's steps; when one fails or is cancelled, roll back and raise what ended it.

        Cancelled (Ctrl-C): DeployCancelled, whose message says how the rollback ended. Failed:
        DeployError with the step's reason.
        """
        name = self.journal.stack_name
        try:
            steps()
        except (DeployCancelled, KeyboardInterrupt) as cancelled:
            what = f": {cancelled}" if str(cancelled) else ""
            self.reporter.problem(f"  {name}: cancel requested (Ctrl-C){what}")
            outcome = self.run()
            raise DeployCancelled(f"stack {name}: cancelled by the user; {outcome}") from None
        except DeployError as error:
            self.reporter.problem(f"  {name}: {'UPDATE' if updating else 'CREATE'}_FAILED: {error}")
            self.run()
            raise DeployError(f"stack {name}: {error}") from error

    def run(self) -> str:
        """Undo this run's changes, newest first; answers the outcome a person reads."""
        self._settle_pending()
        if self.journal.changes:
            self.reporter.progress(f"  Rolling back {self.journal.stack_name} ...")
        failures = self._undo_changes()
        outcome = self._record_outcome(failures)
        self.reporter.progress(f"  {self.journal.stack_name}: {outcome}")
        return outcome

    def note_abandoned(
        self,
        logical_id: str,
        request: PendingRequest,
        previous: DeployedResource | None,
        physical_id: str | None,
    ) -> None:
        """Note for the rollback what a cancelled request made (the physical id its handler reported)."""
        if not physical_id:
            if previous is None:
                self.reporter.problem(
                    f"  {logical_id}: its physical id is unknown (no answer and no pending poll): "
                    "the rollback cannot send it a Delete"
                )
            return
        if previous is not None and physical_id == previous.physical_id:
            return  # nothing new was made: the previous resource stays
        made = DeployedResource(
            request.resource_type, physical_id, request.properties, {}, request.depends_on
        )
        self.journal.changes.append(Change(ABANDON, logical_id, made, previous))
        if previous is None:
            self.journal.resources[logical_id] = made

    def _settle_pending(self) -> None:
        """Requests interrupted before they could be cancelled cleanly: what they made is in their poll."""
        pending = self.journal.pending
        for logical_id, request in list(pending.items()):
            try:
                physical_id = self.operations.pending_physical_id(logical_id, request)
            except DeployError as error:
                self.reporter.problem(f"  {logical_id}: {error}")
                physical_id = None
            self.note_abandoned(logical_id, request, self.journal.resources.get(logical_id), physical_id)
            del pending[logical_id]

    def _undo_changes(self) -> int:
        """Undo each change, newest first, saving after each; answers how many could not be undone."""
        failures = 0
        for change in reversed(self.journal.changes):
            try:
                self._undo(change)
            except DeployError as error:
                failures += 1
                self.reporter.problem(f"  rollback of {change.logical_id} failed: {error}")
            self.journal.checkpoint()
        return failures

    def _undo(self, change: Change) -> None:
        resources = self.journal.resources
        if change.action in (CREATE, ABANDON):
            # A cancelled request's resource goes through the handler's Delete too.
            self.operations.delete_resource(change.logical_id, change.resource)
            if change.previous is not None:
                resources[change.logical_id] = change.previous
            else:
                resources.pop(change.logical_id, None)
        elif change.previous is not None:
            if not is_placeholder(change.resource.physical_id):  # a placeholder changed nothing
                self.operations.restore_resource(change.logical_id, change.resource, change.previous)
            resources[change.logical_id] = change.previous

    def _record_outcome(self, failures: int) -> str:
        """Save what the rollback leaves: the previous deployment, what is left of a new stack, or nothing."""
        journal = self.journal
        if journal.deployed is not None:
            # Resources the rollback could not delete stay recorded next to the previous deployment.
            left = {
                change.logical_id: journal.resources[change.logical_id]
                for change in journal.changes
                if change.action == CREATE and change.logical_id in journal.resources
            }
            journal.deployed.resources = {**journal.deployed.resources, **left}
            journal.store.save(journal.deployed)
            if failures:
                return f"UPDATE_ROLLBACK_COMPLETE with {failures} failures (see above)"
            return UPDATE_ROLLBACK_COMPLETE
        if any(not is_placeholder(resource.physical_id) for resource in journal.resources.values()):
            journal.checkpoint(ROLLBACK_FAILED)
            return ROLLBACK_FAILED_OUTCOME
        journal.store.remove(journal.stack_name)
        return ROLLBACK_COMPLETE
