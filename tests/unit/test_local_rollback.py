"""deploy-local's rollback, on fakes (no emulator, no CDK): what a person sees when a deployment fails or
is cancelled: which resources are deleted or put back and in which order, what is said, what stays
recorded for destroy-local, and the exit code."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from cognito_user_import_local.commands import CANCELLED_EXIT_CODE, FAILED_EXIT_CODE, run_deploy_local
from cognito_user_import_local.errors import DeployCancelled, DeployError
from cognito_user_import_local.journal import CREATE, UPDATE, Change, Journal
from cognito_user_import_local.placeholders import placeholder_id
from cognito_user_import_local.rollback import Rollback
from cognito_user_import_local.state import (
    COMPLETE,
    IN_PROGRESS,
    ROLLBACK_FAILED,
    DeployedResource,
    PendingRequest,
    StackState,
)

STACK = "Seed"
IMPORT_TYPE = "Custom::CognitoUserImport"


class RecordingReporter:
    """What a person would have read, line by line."""

    def __init__(self) -> None:
        self.progress_lines: list[str] = []
        self.problems: list[str] = []

    def progress(self, message: str) -> None:
        self.progress_lines.append(message)

    def problem(self, message: str) -> None:
        self.problems.append(message)

    def handler_output(self, line: str) -> None:
        self.progress_lines.append(f"| {line}")

    def ask(self, question: str) -> str:
        raise AssertionError(f"a rollback asks nothing: {question}")


class FakeStore:
    """Stack states as saved, each a copy frozen at the time it was saved."""

    def __init__(self) -> None:
        self.saved: list[StackState] = []
        self.removed: list[str] = []

    def save(self, state: StackState) -> None:
        self.saved.append(StackState.from_json(state.to_json()))

    def remove(self, stack_name: str) -> None:
        self.removed.append(stack_name)

    @property
    def latest(self) -> StackState:
        return self.saved[-1]


class FakeOperations:
    """Resource operations that succeed unless told otherwise, and remember what they were asked."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, str]] = []
        """(operation, logical id, physical id), in the order asked."""
        self.refused: dict[str, str] = {}
        """Logical id -> the reason its delete or restore fails."""
        self.interrupted: set[str] = set()
        """Logical ids whose delete a (second) Ctrl-C interrupts."""
        self.polls: dict[str, str | None] = {}
        """Logical id -> the physical id a pending poll of its in-flight request reports."""

    def delete_resource(self, logical_id: str, resource: DeployedResource) -> None:
        self.calls.append(("delete", logical_id, resource.physical_id))
        if logical_id in self.interrupted:
            raise KeyboardInterrupt
        if logical_id in self.refused:
            raise DeployError(f"{logical_id} failed to delete: {self.refused[logical_id]}")

    def restore_resource(
        self, logical_id: str, current: DeployedResource, previous: DeployedResource
    ) -> None:
        self.calls.append(("restore", logical_id, f"{current.physical_id} -> {previous.properties}"))
        if logical_id in self.refused:
            raise DeployError(self.refused[logical_id])

    def pending_physical_id(self, logical_id: str, pending: PendingRequest) -> str | None:
        self.calls.append(("find poll", logical_id, pending.request_id))
        if logical_id in self.refused:
            raise DeployError(self.refused[logical_id])
        return self.polls.get(logical_id)


class Deployment:
    """One deploy-local run of stack Seed, recorded in the journal the way the deployer records it."""

    def __init__(self, deployed: dict[str, DeployedResource] | None = None) -> None:
        self.store = FakeStore()
        self.reporter = RecordingReporter()
        self.operations = FakeOperations()
        previous = StackState(STACK, "stack-id", resources=deployed) if deployed is not None else None
        self.journal = Journal(
            store=self.store,
            stack_name=STACK,
            stack_id="stack-id",
            template={},
            deployed=previous,
            resources=dict(deployed or {}),
        )
        self.rollback = Rollback(self.journal, self.operations, self.reporter)

    def create(self, logical_id: str, physical_id: str, kind: str = "AWS::S3::Bucket") -> None:
        made = DeployedResource(kind, physical_id, {"Name": physical_id})
        self.journal.resources[logical_id] = made
        self.journal.changes.append(Change(CREATE, logical_id, made))
        self.journal.checkpoint()

    def update(self, logical_id: str, physical_id: str, **properties: Any) -> None:
        previous = self.journal.resources[logical_id]
        updated = DeployedResource(previous.resource_type, physical_id, properties)
        self.journal.resources[logical_id] = updated
        self.journal.changes.append(Change(UPDATE, logical_id, updated, previous))
        self.journal.checkpoint()

    def send(self, logical_id: str, request_type: str = "Create") -> PendingRequest:
        """A custom resource request sent and not answered (in flight when the run ends)."""
        request = PendingRequest(
            request_type, f"request-{logical_id}", IMPORT_TYPE, {"Users": "u.csv"}, ["Pool"]
        )
        self.journal.pending[logical_id] = request
        self.journal.checkpoint()
        return request

    def run(self, *steps: Callable[[], None], ended_by: BaseException) -> int:
        """Deploy: the steps, then what ended the run; answers deploy-local's exit code."""

        def deploy_each_resource() -> None:
            for step in steps:
                step()
            raise ended_by

        def work() -> bool:
            self.rollback.run_steps(deploy_each_resource, updating=self.journal.deployed is not None)
            return True

        return run_deploy_local(work, self.reporter)

    @property
    def deleted(self) -> list[str]:
        return [logical_id for operation, logical_id, _ in self.operations.calls if operation == "delete"]


def _bucket(physical_id: str, **properties: Any) -> DeployedResource:
    return DeployedResource("AWS::S3::Bucket", physical_id, properties or {"Name": physical_id})


def test_a_failed_create_deletes_what_it_made_newest_first_and_leaves_nothing() -> None:
    run = Deployment()
    exit_code = run.run(
        lambda: run.create("Pool", "pool-1", "AWS::Cognito::UserPool"),
        lambda: run.create("Ledger", "ledger-1"),
        ended_by=DeployError("Import (Custom::CognitoUserImport) failed to create: bad CSV"),
    )
    assert exit_code == FAILED_EXIT_CODE
    assert run.operations.calls == [("delete", "Ledger", "ledger-1"), ("delete", "Pool", "pool-1")]
    assert run.store.removed == [STACK]
    assert run.reporter.problems == [
        "  Seed: CREATE_FAILED: Import (Custom::CognitoUserImport) failed to create: bad CSV",
        "deploy-local FAILED: stack Seed: Import (Custom::CognitoUserImport) failed to create: bad CSV",
    ]
    assert run.reporter.progress_lines == [
        "  Rolling back Seed ...",
        "  Seed: ROLLBACK_COMPLETE (nothing of it is left in the emulator)",
    ]


def test_a_failed_update_puts_back_what_it_changed_and_keeps_the_previous_deployment() -> None:
    run = Deployment(deployed={"Pool": _bucket("pool-1", Tier="LITE"), "Ledger": _bucket("ledger-1")})
    exit_code = run.run(
        lambda: run.update("Pool", "pool-1", Tier="PLUS"),
        lambda: run.create("Logs", "logs-1"),
        ended_by=DeployError("Import failed to update: job failed"),
    )
    assert exit_code == FAILED_EXIT_CODE
    assert run.operations.calls == [
        ("delete", "Logs", "logs-1"),
        ("restore", "Pool", "pool-1 -> {'Tier': 'LITE'}"),
    ]
    assert run.store.removed == []
    kept = run.store.latest
    assert kept.status == COMPLETE
    assert {key: resource.properties for key, resource in kept.resources.items()} == {
        "Pool": {"Tier": "LITE"},
        "Ledger": {"Name": "ledger-1"},
    }
    assert "  Seed: UPDATE_FAILED: Import failed to update: job failed" in run.reporter.problems
    assert (
        run.reporter.progress_lines[-1] == "  Seed: UPDATE_ROLLBACK_COMPLETE (the previous deployment stays)"
    )


def test_a_rollback_that_cannot_delete_a_resource_goes_on_and_records_what_is_left() -> None:
    run = Deployment()
    run.operations.refused["Pool"] = "ResourceInUseException: an import job is running"
    exit_code = run.run(
        lambda: run.create("Pool", "pool-1", "AWS::Cognito::UserPool"),
        lambda: run.create("Ledger", "ledger-1"),
        ended_by=DeployError("Import failed to create: throttled"),
    )
    assert exit_code == FAILED_EXIT_CODE
    assert run.deleted == ["Ledger", "Pool"]  # the refusal stops nothing that comes after it
    assert run.store.removed == []
    left = run.store.latest
    assert left.status == ROLLBACK_FAILED
    assert list(left.resources) == ["Pool"]
    assert run.reporter.problems == [
        "  Seed: CREATE_FAILED: Import failed to create: throttled",
        "  rollback of Pool failed: Pool failed to delete: ResourceInUseException: an import job is running",
        "deploy-local FAILED: stack Seed: Import failed to create: throttled",
    ]
    assert run.reporter.progress_lines[-1] == (
        "  Seed: ROLLBACK_FAILED: what is left stays recorded; destroy-local removes it"
    )


def test_an_update_rollback_that_fails_counts_its_failures_and_keeps_the_new_resource_recorded() -> None:
    run = Deployment(deployed={"Pool": _bucket("pool-1", Tier="LITE")})
    run.operations.refused.update({"Logs": "AccessDenied", "Pool": "InvalidParameter: Tier"})
    exit_code = run.run(
        lambda: run.update("Pool", "pool-1", Tier="PLUS"),
        lambda: run.create("Logs", "logs-1"),
        ended_by=DeployError("Import failed to update"),
    )
    assert exit_code == FAILED_EXIT_CODE
    assert run.reporter.progress_lines[-1] == "  Seed: UPDATE_ROLLBACK_COMPLETE with 2 failures (see above)"
    kept = run.store.latest
    assert kept.status == COMPLETE
    assert kept.resources["Logs"].physical_id == "logs-1"  # for the next destroy-local to delete
    assert kept.resources["Pool"].properties == {"Tier": "LITE"}


def test_ctrl_c_rolls_back_and_exits_as_cancelled_saying_how_the_rollback_ended() -> None:
    run = Deployment()
    exit_code = run.run(lambda: run.create("Pool", "pool-1"), ended_by=KeyboardInterrupt())
    assert exit_code == CANCELLED_EXIT_CODE
    assert run.deleted == ["Pool"]
    assert run.reporter.problems == [
        "  Seed: cancel requested (Ctrl-C)",
        "deploy-local CANCELLED: stack Seed: cancelled by the user; "
        "ROLLBACK_COMPLETE (nothing of it is left in the emulator)",
    ]


def test_a_cancelled_request_whose_handler_made_a_job_has_it_deleted_first() -> None:
    run = Deployment()

    def cancel_import() -> None:
        # As the deployer does when the caller raises RequestCancelled with the job's id.
        request = run.send("Import")
        del run.journal.pending["Import"]
        run.rollback.note_abandoned("Import", request, None, "import-job-1")
        raise DeployCancelled("Import (Custom::CognitoUserImport): create cancelled")

    exit_code = run.run(lambda: run.create("Pool", "pool-1"), cancel_import, ended_by=AssertionError())
    assert exit_code == CANCELLED_EXIT_CODE
    assert run.operations.calls == [("delete", "Import", "import-job-1"), ("delete", "Pool", "pool-1")]
    assert run.reporter.problems[0] == (
        "  Seed: cancel requested (Ctrl-C): Import (Custom::CognitoUserImport): create cancelled"
    )


def test_a_request_still_in_flight_is_found_through_its_pending_poll_and_deleted() -> None:
    run = Deployment()
    run.operations.polls["Import"] = "import-job-2"
    exit_code = run.run(
        lambda: run.create("Pool", "pool-1"), lambda: run.send("Import"), ended_by=KeyboardInterrupt()
    )
    assert exit_code == CANCELLED_EXIT_CODE
    assert run.operations.calls == [
        ("find poll", "Import", "request-Import"),
        ("delete", "Import", "import-job-2"),
        ("delete", "Pool", "pool-1"),
    ]
    assert all(not state.pending for state in run.store.saved[-2:])  # settled: destroy-local has none left


@pytest.mark.parametrize("lookup_fails", [False, True], ids=["no poll", "lookup fails"])
def test_a_request_in_flight_that_left_no_trace_is_reported_and_the_rest_rolled_back(
    lookup_fails: bool,
) -> None:
    run = Deployment()
    if lookup_fails:
        run.operations.refused["Import"] = "ServiceToken x is not a function of this stack"
    exit_code = run.run(
        lambda: run.create("Pool", "pool-1"), lambda: run.send("Import"), ended_by=KeyboardInterrupt()
    )
    assert exit_code == CANCELLED_EXIT_CODE
    assert run.deleted == ["Pool"]
    assert (
        "  Import: its physical id is unknown (no answer and no pending poll): "
        "the rollback cannot send it a Delete"
    ) in run.reporter.problems
    if lookup_fails:
        assert "  Import: ServiceToken x is not a function of this stack" in run.reporter.problems
    assert run.store.removed == [STACK]


def test_an_update_in_flight_that_kept_its_physical_id_deletes_nothing_of_the_previous_deployment() -> None:
    run = Deployment(deployed={"Import": DeployedResource(IMPORT_TYPE, "import-job-1", {"Users": "old.csv"})})
    run.operations.polls["Import"] = "import-job-1"
    exit_code = run.run(lambda: run.send("Import", "Update"), ended_by=KeyboardInterrupt())
    assert exit_code == CANCELLED_EXIT_CODE
    assert run.deleted == []
    assert run.store.latest.resources["Import"].physical_id == "import-job-1"
    assert "UPDATE_ROLLBACK_COMPLETE" in run.reporter.problems[-1]


def test_a_second_ctrl_c_during_the_rollback_leaves_the_rest_recorded_for_destroy_local() -> None:
    run = Deployment()
    run.operations.interrupted.add("Pool")
    exit_code = run.run(
        lambda: run.create("Pool", "pool-1"),
        lambda: run.create("Ledger", "ledger-1"),
        ended_by=KeyboardInterrupt(),
    )
    assert exit_code == CANCELLED_EXIT_CODE
    assert run.deleted == ["Ledger", "Pool"]
    left = run.store.latest
    assert left.status == IN_PROGRESS  # destroy-local finishes a stack in this state
    assert list(left.resources) == ["Pool"]
    assert run.store.removed == []
    assert run.reporter.problems[-1] == (
        "deploy-local CANCELLED (Ctrl-C); if a stack was left part-made, destroy-local removes it"
    )


def test_a_resource_that_became_a_placeholder_is_put_back_without_calling_anything() -> None:
    run = Deployment(deployed={"Topic": _bucket("topic-1")})

    def make_placeholder() -> None:
        previous = run.journal.resources["Topic"]
        placeholder = DeployedResource("AWS::S3::Bucket", placeholder_id("Topic"), {"Name": "x"})
        run.journal.resources["Topic"] = placeholder
        run.journal.changes.append(Change(UPDATE, "Topic", placeholder, previous))

    exit_code = run.run(make_placeholder, ended_by=DeployError("Next failed to create"))
    assert exit_code == FAILED_EXIT_CODE
    assert run.operations.calls == []
    assert run.store.latest.resources["Topic"].physical_id == "topic-1"


def test_a_new_stack_left_with_only_placeholders_is_forgotten() -> None:
    run = Deployment()

    def placeholder() -> None:
        run.journal.resources["Topic"] = DeployedResource("AWS::SNS::Topic", placeholder_id("Topic"), {})

    exit_code = run.run(placeholder, ended_by=DeployError("Next failed to create"))
    assert exit_code == FAILED_EXIT_CODE
    assert run.store.removed == [STACK]
    assert run.reporter.progress_lines == [
        "  Seed: ROLLBACK_COMPLETE (nothing of it is left in the emulator)"
    ]


def test_each_step_of_the_rollback_is_saved_as_it_is_done() -> None:
    run = Deployment()
    run.run(
        lambda: run.create("Pool", "pool-1"),
        lambda: run.create("Ledger", "ledger-1"),
        ended_by=DeployError("failed"),
    )
    after_each_undo = [list(state.resources) for state in run.store.saved[-2:]]
    assert after_each_undo == [["Pool"], []]
