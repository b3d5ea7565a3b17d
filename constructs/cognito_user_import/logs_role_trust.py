"""Synth-time check of a logs_role of the app: Cognito must be able to assume it.

Cognito writes an import job's CloudWatch Logs by assuming the role (CloudWatchLogsRoleArn); a role
whose trust policy does not allow `cognito-idp.amazonaws.com` makes the job fail only once it runs.
An `iam.Role` of the app shows its assume-role policy document at synth; an imported role
(`Role.from_role_arn`) does not, and is left to the deployment. Values that are tokens are unknown
at synth and accepted.
"""

from __future__ import annotations

from typing import Any

from aws_cdk import Stack, Token
from aws_cdk import aws_iam as iam

COGNITO_SERVICE = "cognito-idp.amazonaws.com"
_ASSUME_ACTIONS = {"sts:AssumeRole", "sts:*", "*"}


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _trusted_services(document: dict[str, Any]) -> tuple[list[str], bool]:
    """The service principals allowed sts:AssumeRole, and whether a token leaves the answer unknown."""
    services: list[str] = []
    unknown = False
    for statement in _as_list(document.get("Statement", [])):
        if not isinstance(statement, dict) or statement.get("Effect", "Allow") != "Allow":
            continue
        actions = _as_list(statement.get("Action", []))
        if not any(not isinstance(a, str) or a in _ASSUME_ACTIONS for a in actions):
            continue
        principal = statement.get("Principal", {})
        if principal == "*":
            unknown = True
            continue
        for service in _as_list(principal.get("Service", []) if isinstance(principal, dict) else []):
            if isinstance(service, str) and not Token.is_unresolved(service):
                services.append(service)
            else:
                unknown = True
    return services, unknown


def check_logs_role_trust(owner: str, role: object) -> None:
    """Raise ValueError when role is an iam.Role of the app that does not trust cognito-idp.amazonaws.com."""
    if not isinstance(role, iam.Role) or role.assume_role_policy is None:
        return
    document = Stack.of(role).resolve(role.assume_role_policy)
    if not isinstance(document, dict):
        return
    services, unknown = _trusted_services(document)
    if unknown or COGNITO_SERVICE in services:
        return
    trusted = ", ".join(services) if services else "no service"
    raise ValueError(
        f"{owner}: logs_role must be a role Cognito can assume: its trust policy must allow "
        f"sts:AssumeRole to {COGNITO_SERVICE} (iam.Role(..., assumed_by=iam.ServicePrincipal("
        f'"{COGNITO_SERVICE}"))), got the role {role.node.path} trusting {trusted}'
    )
