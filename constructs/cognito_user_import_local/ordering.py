"""The order resources are deployed and deleted in: each after what it needs, or before it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .errors import DeployError
from .intrinsics import references
from .state import DeployedResource


def dependencies(declaration: dict[str, Any]) -> set[str]:
    """Logical ids a resource declaration needs first: DependsOn plus Ref/GetAtt/Sub references."""
    depends_on = declaration.get("DependsOn", [])
    explicit = {depends_on} if isinstance(depends_on, str) else set(depends_on)
    return explicit | references(declaration.get("Properties", {}))


def deployment_order(template: dict[str, Any], conditions: dict[str, bool]) -> list[str]:
    """The resources to deploy (Condition true), each after what it needs, otherwise in template order."""
    declarations: dict[str, Any] = template.get("Resources", {})
    wanted = [
        logical_id
        for logical_id, declaration in declarations.items()
        if "Condition" not in declaration or conditions.get(declaration["Condition"], False)
    ]
    graph = {logical_id: dependencies(declarations[logical_id]) & set(declarations) for logical_id in wanted}
    return _topological(wanted, graph.__getitem__)


def deletion_order(resources: dict[str, DeployedResource]) -> list[str]:
    """Deployed resources, each before what it depends on."""
    graph = {
        logical_id: set(resource.depends_on) & set(resources) for logical_id, resource in resources.items()
    }
    return list(reversed(_topological(list(resources), graph.__getitem__)))


def _topological(nodes: list[str], needs: Callable[[str], set[str]]) -> list[str]:
    order: list[str] = []
    state: dict[str, int] = {}  # 1 = visiting, 2 = placed

    def visit(node: str, path: tuple[str, ...]) -> None:
        if state.get(node) == 2:
            return
        if state.get(node) == 1:
            raise DeployError(f"circular dependency between resources: {' -> '.join((*path, node))}")
        state[node] = 1
        for needed in sorted(needs(node)):
            if needed in nodes:
                visit(needed, (*path, node))
            else:
                raise DeployError(
                    f"{node} depends on {needed}, which is not deployed (its Condition is false?)"
                )
        state[node] = 2
        order.append(node)

    for node in nodes:
        visit(node, ())
    return order
