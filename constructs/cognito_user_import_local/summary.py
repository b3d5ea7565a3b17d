"""The table deploy-local ends a stack with: each resource type, how many, and what became of them.

A person reads it to know what the local deployment proves: what exists in the emulator, what the
driver did itself, and what is only a placeholder.
"""

from __future__ import annotations

from collections.abc import Mapping

from .modelled import MODELLED_EFFECT
from .placeholders import is_placeholder
from .resources import PROVISIONERS, SILENTLY_SKIPPED, is_custom_resource
from .state import DeployedResource

EMULATED = "emulated"
HANDLER = "handler run"
SKIPPED = "skipped (CDK metadata)"
PLACEHOLDER = "PLACEHOLDER"
LEGEND = (
    "  emulated: made in the emulator through its AWS API. handler run: the custom resource's Lambda code\n"
    "  invoked as CloudFormation invokes it. modelled: its effect applied by deploy-local itself.\n"
    "  PLACEHOLDER: not made; its Ref and Fn::GetAtt values end in ':not-emulated'."
)
_RANK = {EMULATED: 0, HANDLER: 2, SKIPPED: 3, PLACEHOLDER: 4}


def how(resource: DeployedResource) -> str:
    """What became of one deployed resource, in a few words."""
    kind = resource.resource_type
    if kind in SILENTLY_SKIPPED:
        return SKIPPED
    if is_placeholder(resource.physical_id):
        return PLACEHOLDER
    if kind in MODELLED_EFFECT:
        return MODELLED_EFFECT[kind]
    if is_custom_resource(kind):
        return HANDLER
    return EMULATED if kind in PROVISIONERS else PLACEHOLDER


def resource_table(resources: Mapping[str, DeployedResource]) -> list[str]:
    """Lines of the table: emulated, modelled, handler run, skipped, then each placeholder with its reason."""
    rows: dict[tuple[str, str], list[str]] = {}
    for logical_id, resource in resources.items():
        rows.setdefault((how(resource), resource.resource_type), []).append(logical_id)
    if not rows:
        return []
    width = max(len(kind) for _, kind in rows)
    lines = [f"  {'resource type':<{width}}  count  what deploy-local did"]
    for (verdict, kind), logical_ids in sorted(
        rows.items(), key=lambda row: (_RANK.get(row[0][0], 1), row[0])
    ):
        lines.append(f"  {kind:<{width}}  {len(logical_ids):>5}  {verdict}")
        if verdict == PLACEHOLDER:
            for logical_id in sorted(logical_ids):
                note = resources[logical_id].note or "not emulated"
                lines.append(f"    - {logical_id}: {note}")
    return [*lines, *LEGEND.splitlines()]
