"""Exports across stacks: what Fn::ImportValue reads, and what CloudFormation refuses to delete or change."""

from __future__ import annotations

import pytest

from cognito_user_import_local.assembly import StackArtifact, _add_import_dependencies
from cognito_user_import_local.errors import DeployError
from cognito_user_import_local.exports import Exports, check_deletable, check_exports
from cognito_user_import_local.intrinsics import IntrinsicError
from cognito_user_import_local.state import StackState

EXPORT = "PoolOwner:ExportsOutputRefPoolD3F588B829AD7B71"


class _States:
    """Stack states in memory (the driver keeps them as objects in the emulator)."""

    def __init__(self, *states: StackState) -> None:
        self.states = {state.stack_name: state for state in states}

    def load(self, stack_name: str) -> StackState | None:
        return self.states.get(stack_name)

    def stack_names(self) -> list[str]:
        return list(self.states)


OWNER = StackState("PoolOwner", "id-a", outputs={"PoolId": "pool-1"}, exports={EXPORT: "pool-1"})
SEEDING = StackState("Seeding", "id-b", imports=[EXPORT])


def test_an_import_reads_the_export_and_an_unknown_name_is_refused_as_cloudformation_words_it() -> None:
    exports = Exports(_States(OWNER))
    assert exports.import_value(EXPORT) == "pool-1"
    assert exports.stack_output("PoolOwner", "PoolId") == "pool-1"
    with pytest.raises(IntrinsicError, match="No export named Other found"):
        exports.import_value("Other")


def test_a_stack_whose_export_is_imported_cannot_be_deleted_until_the_importer_is_gone() -> None:
    with pytest.raises(DeployError, match=f"Export {EXPORT} cannot be deleted as it is in use by Seeding"):
        check_deletable(Exports(_States(OWNER, SEEDING)), OWNER)
    check_deletable(Exports(_States(OWNER)), OWNER)  # once Seeding is deleted


def test_an_imported_export_cannot_change_or_go_and_a_name_cannot_be_exported_twice() -> None:
    exports = Exports(_States(OWNER, SEEDING))
    with pytest.raises(DeployError, match=f"Cannot update export {EXPORT} as it is in use by Seeding"):
        check_exports(exports, "PoolOwner", OWNER.exports, {EXPORT: "pool-2"})
    with pytest.raises(DeployError, match="cannot be deleted as it is in use by Seeding"):
        check_exports(exports, "PoolOwner", OWNER.exports, {})
    with pytest.raises(
        DeployError, match=f"Export with name {EXPORT} is already exported by stack PoolOwner"
    ):
        check_exports(exports, "Other", {}, {EXPORT: "x"})
    check_exports(exports, "PoolOwner", OWNER.exports, {EXPORT: "pool-1", "New": "y"})


def test_an_import_of_another_stacks_export_orders_that_stack_first() -> None:
    owner = StackArtifact(
        "A", {"Outputs": {"Id": {"Value": "v", "Export": {"Name": "Shared"}}}}, artifact_id="A"
    )
    user = StackArtifact(
        "B", {"Resources": {"R": {"Properties": {"P": {"Fn::ImportValue": "Shared"}}}}}, artifact_id="B"
    )
    _add_import_dependencies({"B": user, "A": owner})
    assert user.dependencies == ["A"] and owner.dependencies == []
