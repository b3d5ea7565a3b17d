"""The handler role's statements, written from the handler's table of AWS operations and nothing else.

One statement per resource and option: its actions are the table's rows for them, its Sid names the
resource and the option that need it (see cognito_user_import_handler/aws_operations.py for the operation
behind each action).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

from aws_cdk import aws_iam as iam

from cognito_user_import_handler.aws_operations import Operation, Option, Resource

#: Extra conditions a resource's statement carries: Cognito alone may be passed the logs role.
_CONDITIONS: dict[Resource, dict[str, dict[str, str]]] = {
    Resource.LOGS_ROLE: {"StringEquals": {"iam:PassedToService": "cognito-idp.amazonaws.com"}},
}


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def sid_suffix(path: str) -> str:
    """Keeps Sids unique in the one policy every UserImport of a stack adds to."""
    return hashlib.sha256(path.encode("utf-8")).hexdigest()[:8]


def statements(
    rows: Sequence[Operation],
    arns: Mapping[Resource, Sequence[str]],
    *,
    suffix: str = "",
    conditions: Mapping[Resource, Mapping[str, Mapping[str, str]]] | None = None,
) -> list[iam.PolicyStatement]:
    """A statement per (resource, option) of ``rows``, on the ARNs ``arns`` gives for the resource."""
    grouped: dict[tuple[Resource, Option], list[str]] = {}
    for row in rows:
        actions = grouped.setdefault((row.resource, row.option), [])
        if row.action not in actions:
            actions.append(row.action)
    extra = {**_CONDITIONS, **(conditions or {})}
    result = []
    for (resource, option), actions in grouped.items():
        condition = extra.get(resource)
        result.append(
            iam.PolicyStatement(
                sid=f"{_camel(option.name)}On{_camel(resource.name)}{suffix}",
                actions=actions,
                resources=list(arns[resource]),
                conditions=dict(condition) if condition else None,
            )
        )
    return result
