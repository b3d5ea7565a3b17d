"""Stack exports across an app's stacks: Fn::ImportValue read, and exports guarded as CloudFormation does.

An output with `Export: {Name: ...}` is recorded in its stack's state (state.py); a template's
Fn::ImportValue reads it from the stack that exported it (the CDK writes one for every automatic
cross-stack reference, named `<Stack>:ExportsOutput...`). What another stack imports cannot be
deleted or changed, and one name cannot be exported by two stacks. The messages are CloudFormation's.

Fn::GetStackOutput (the CDK's "weak" cross-stack references, `@aws-cdk/core:defaultCrossStackReferences`)
reads another stack's output with no export: a weak reference, which guards nothing, as in AWS.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from .errors import DeployError
from .intrinsics import IntrinsicError
from .state import StackState


class StackStates(Protocol):
    def load(self, stack_name: str) -> StackState | None: ...

    def stack_names(self) -> list[str]: ...


class Exports:
    """The exports and imports of every stack deployed in the emulator, as they are now."""

    def __init__(self, store: StackStates) -> None:
        self.states = [state for name in store.stack_names() if (state := store.load(name)) is not None]

    def import_value(self, name: str) -> str:
        for state in self.states:
            if name in state.exports:
                return state.exports[name]
        raise IntrinsicError(f"No export named {name} found")

    def stack_output(self, stack_name: str, output: str) -> str:
        state = next((s for s in self.states if s.stack_name == stack_name), None)
        if state is None:
            raise IntrinsicError(f"Fn::GetStackOutput: stack {stack_name} is not deployed")
        if output not in state.outputs:
            raise IntrinsicError(f"Fn::GetStackOutput: stack {stack_name} has no output {output}")
        return state.outputs[output]

    def exporter(self, name: str, *, besides: str) -> str | None:
        """The stack other than besides that exports name, if any."""
        return next(
            (s.stack_name for s in self.states if s.stack_name != besides and name in s.exports), None
        )

    def importers(self, name: str, *, besides: str) -> list[str]:
        """The stacks other than besides whose template imports name."""
        return sorted(s.stack_name for s in self.states if s.stack_name != besides and name in s.imports)


def check_exports(exports: Exports, stack_name: str, old: Mapping[str, str], new: Mapping[str, str]) -> None:
    """Refuse, as CloudFormation does, a stack's new exports that another stack's would clash with."""
    for name in new:
        other = exports.exporter(name, besides=stack_name)
        if other is not None:
            raise DeployError(f"Export with name {name} is already exported by stack {other}")
    for name, value in old.items():
        users = exports.importers(name, besides=stack_name)
        if not users:
            continue
        if name not in new:
            raise DeployError(f"Export {name} cannot be deleted as it is in use by {', '.join(users)}")
        if new[name] != value:
            raise DeployError(f"Cannot update export {name} as it is in use by {', '.join(users)}")


def check_deletable(exports: Exports, state: StackState) -> None:
    """Refuse to delete a stack whose export another stack still imports."""
    for name in sorted(state.exports):
        users = exports.importers(name, besides=state.stack_name)
        if users:
            raise DeployError(
                f"stack {state.stack_name}: Export {name} cannot be deleted as it is in use by "
                f"{', '.join(users)} (delete {', '.join(users)} first)"
            )


def literal_exports(template: Mapping[str, Any]) -> set[str]:
    """The export names a template writes as plain strings (the CDK's always are)."""
    names = (output.get("Export", {}).get("Name") for output in template.get("Outputs", {}).values())
    return {name for name in names if isinstance(name, str)}


def literal_imports(value: Any) -> set[str]:
    """The export names a template value imports with a plain-string Fn::ImportValue."""
    found: set[str] = set()
    if isinstance(value, list):
        for item in value:
            found |= literal_imports(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key == "Fn::ImportValue" and isinstance(item, str):
                found.add(item)
            else:
                found |= literal_imports(item)
    return found
