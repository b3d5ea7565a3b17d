"""Which stacks a deploy-local or destroy-local acts on, chosen the way the CDK CLI chooses them.

`cdk deploy A B` and `cdk destroy A` take stack names or patterns (`*` and `?`, as in `"Stage/*"`)
matched against each stack's display name (what `cdk ls` prints) or its stack name; no pattern
means every stack. A deploy also takes the stacks the chosen ones depend on (CloudFormation cannot
create a stack before the ones it imports from); a destroy also takes the stacks that depend on the
chosen ones (they cannot outlive what they import).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase

from .assembly import StackArtifact


class SelectionError(ValueError):
    """A pattern matched no stack of the app; the message lists the stacks there are."""


@dataclass(frozen=True)
class Selection:
    stacks: list[StackArtifact]
    """In deployment order (each after the stacks it depends on)."""
    added: list[str]
    """Display names of stacks taken in only as dependencies (deploy) or dependents (destroy)."""


def _matches(stack: StackArtifact, pattern: str) -> bool:
    names = {stack.display_name or stack.name, stack.name, stack.artifact_id}
    return any(name and fnmatchcase(name, pattern) for name in names)


def _chosen(stacks: Sequence[StackArtifact], patterns: Sequence[str]) -> set[str]:
    chosen: set[str] = set()
    for pattern in patterns:
        found = {stack.artifact_id for stack in stacks if _matches(stack, pattern)}
        if not found:
            known = ", ".join(stack.display_name or stack.name for stack in stacks) or "none"
            raise SelectionError(f"no stack matches {pattern!r} (the app's stacks: {known})")
        chosen |= found
    return chosen


def _closure(chosen: set[str], edges: dict[str, set[str]]) -> set[str]:
    result = set(chosen)
    todo = list(chosen)
    while todo:
        for other in edges.get(todo.pop(), set()):
            if other not in result:
                result.add(other)
                todo.append(other)
    return result


def select_stacks(
    stacks: Sequence[StackArtifact], patterns: Sequence[str], *, for_destroy: bool
) -> Selection:
    """The stacks that patterns name (all without patterns), with their dependencies (deploy) or
    dependents (destroy). stacks come in deployment order, as read_assembly gives them."""
    if not patterns:
        return Selection(list(stacks), [])
    chosen = _chosen(stacks, patterns)
    needs = {stack.artifact_id: set(stack.dependencies) for stack in stacks}
    if for_destroy:
        needed_by: dict[str, set[str]] = {}
        for artifact_id, dependencies in needs.items():
            for dependency in dependencies:
                needed_by.setdefault(dependency, set()).add(artifact_id)
        selected = _closure(chosen, needed_by)
    else:
        selected = _closure(chosen, needs)
    ordered = [stack for stack in stacks if stack.artifact_id in selected]
    added = [stack.display_name or stack.name for stack in ordered if stack.artifact_id not in chosen]
    return Selection(ordered, added)
