"""What one deploy-local run has done to a stack so far, saved after every step.

The deployer writes to it; the rollback reads it to know what to undo, newest first. Every
checkpoint is saved to the emulator (state.py), so that destroy-local can finish whatever a run
leaves, however far it got.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from .placeholders import is_placeholder
from .state import IN_PROGRESS, DeployedResource, PendingRequest, StackState

CREATE = "create"
UPDATE = "update"
ABANDON = "abandon"
"""A cancelled custom resource request whose handler still made something (its physical id is known)."""


@dataclass
class Change:
    """One step done in this run, so that a failure can be rolled back."""

    action: str
    """CREATE, UPDATE or ABANDON."""
    logical_id: str
    resource: DeployedResource
    previous: DeployedResource | None = None

    @property
    def replaced(self) -> bool:
        """An update that made a new physical resource: the previous one is deleted once all succeeded."""
        return (
            self.action == UPDATE
            and self.previous is not None
            and self.previous.physical_id != self.resource.physical_id
        )


class StackStore(Protocol):
    """Where stack states are kept (StateStore: an object in the emulator)."""

    def save(self, state: StackState) -> None: ...

    def remove(self, stack_name: str) -> None: ...


@dataclass
class Journal:
    store: StackStore
    stack_name: str
    stack_id: str
    template: dict[str, Any]
    deployed: StackState | None
    """The stack as the last complete deployment left it; None when this run creates it."""
    resources: dict[str, DeployedResource] = field(default_factory=dict)
    """Every resource as it is now, placeholders included (what Ref and Fn::GetAtt read)."""
    changes: list[Change] = field(default_factory=list)
    pending: dict[str, PendingRequest] = field(default_factory=dict)
    """Custom resource requests in flight, saved with every checkpoint."""
    assets: list[dict[str, str]] = field(default_factory=list)
    """The file assets this run uploaded."""
    imports: set[str] = field(default_factory=set)
    """Export names this run's template imported so far (kept with the prior ones until it completes)."""

    def checkpoint(self, status: str = IN_PROGRESS) -> None:
        """Save what exists now, so that a destroy-local can finish whatever this run leaves."""
        prior = self.deployed
        self.store.save(
            StackState(
                stack_name=self.stack_name,
                stack_id=self.stack_id,
                template=self.template,
                resources={
                    key: value
                    for key, value in self.resources.items()
                    if not is_placeholder(value.physical_id)
                },
                outputs=prior.outputs if prior else {},
                assets=self.all_assets(),
                status=status,
                pending=dict(self.pending),
                exports=prior.exports if prior else {},
                imports=sorted(self.imports | set(prior.imports if prior else [])),
            )
        )

    def all_assets(self) -> list[dict[str, str]]:
        """The assets of the last deployment and of this run, each once (destroy-local deletes them)."""
        merged = list(self.deployed.assets if self.deployed else [])
        for asset in self.assets:
            if asset not in merged:
                merged.append(asset)
        return merged
