"""Choosing stacks like the CDK CLI: names and patterns, dependencies to deploy, dependents to destroy."""

from __future__ import annotations

import pytest

from cognito_user_import_local.assembly import StackArtifact
from cognito_user_import_local.selection import SelectionError, select_stacks


def _stack(artifact_id: str, *needs: str, display: str = "") -> StackArtifact:
    return StackArtifact(
        name=artifact_id,
        template={},
        dependencies=list(needs),
        artifact_id=artifact_id,
        display_name=display or artifact_id,
    )


# In deployment order, as read_assembly gives them: Network <- Users <- Reports; Audit alone.
STACKS = [
    _stack("Network"),
    _stack("Users", "Network"),
    _stack("StageReports", "Users", display="Stage/Reports"),
    _stack("Audit"),
]


def _names(stacks: list[StackArtifact]) -> list[str]:
    return [stack.name for stack in stacks]


def test_no_pattern_selects_every_stack_in_order() -> None:
    selection = select_stacks(STACKS, [], for_destroy=False)
    assert _names(selection.stacks) == ["Network", "Users", "StageReports", "Audit"]
    assert selection.added == []


def test_deploy_adds_what_the_chosen_stacks_depend_on() -> None:
    selection = select_stacks(STACKS, ["Stage/Reports"], for_destroy=False)
    assert _names(selection.stacks) == ["Network", "Users", "StageReports"]
    assert selection.added == ["Network", "Users"]


def test_destroy_adds_what_depends_on_the_chosen_stacks() -> None:
    selection = select_stacks(STACKS, ["Network"], for_destroy=True)
    assert _names(selection.stacks) == ["Network", "Users", "StageReports"]
    assert selection.added == ["Users", "Stage/Reports"]


@pytest.mark.parametrize(
    ("patterns", "expected"),
    [
        (["Stage/*"], ["StageReports"]),
        (["A?dit"], ["Audit"]),
        (["StageReports"], ["StageReports"]),  # the artifact id matches too
        (["Audit", "Aud*"], ["Audit"]),
    ],
)
def test_patterns_match_like_the_cdk_cli(patterns: list[str], expected: list[str]) -> None:
    selection = select_stacks(STACKS, patterns, for_destroy=True)
    assert _names(selection.stacks) == expected


def test_a_pattern_matching_nothing_names_the_stacks_there_are() -> None:
    with pytest.raises(SelectionError, match=r"no stack matches 'audit' \(the app's stacks: Network, Users"):
        select_stacks(STACKS, ["Audit", "audit"], for_destroy=False)
