"""The job's side of IAM and CloudWatch Logs: can Cognito assume the logs role, and the per-row log lines."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import unquote

from moto.iam.models import iam_backends
from moto.logs.models import logs_backends

from .authorization import evaluate, role_policies
from .resource_arns import Check

COGNITO_PRINCIPAL = "cognito-idp.amazonaws.com"
TEST_LOG_LINE = "Cognito User Pools Import - Test Log"


def log_group_name(pool_id: str, pool_name: str) -> str:
    return f"/aws/cognito/userpools/{pool_id}/{pool_name}"


def log_stream_name(job_id: str, job_name: str) -> str:
    return f"{job_id}/{job_name}"


def role_problem(account_id: str, role_arn: str) -> str | None:
    """Why Cognito could not assume the role (no such role, or it does not trust Cognito), or None.

    Conditions in the trust policy are ignored: whether Cognito sends aws:SourceAccount/SourceArn is
    unconfirmed (docs/facts.md, "IAM").
    """
    role = next((r for r in iam_backends[account_id]["global"].roles.values() if r.arn == role_arn), None)
    if role is None:
        return f"The CloudWatch Logs role {role_arn} does not exist, so Cognito cannot write the import logs."
    try:
        policy = json.loads(unquote(role.assume_role_policy_document or "{}"))
    except ValueError:
        policy = {}
    if not _trusts_cognito(policy):
        return (
            f"The CloudWatch Logs role {role_arn} does not allow {COGNITO_PRINCIPAL} to sts:AssumeRole, "
            "so Cognito cannot write the import logs."
        )
    return None


#: What Cognito does with the logs role once it has assumed it: create the job's stream, write to it.
LOGS_ROLE_ACTIONS = ("logs:CreateLogStream", "logs:PutLogEvents")


def logs_permission_problem(
    account_id: str, region: str, role_arn: str, group: str, stream: str
) -> str | None:
    """Why the logs role may not write the job's log stream (its identity policies, evaluated by moto),
    or None. AWS's wording for this failure is unconfirmed (docs/facts.md, "IAM enforcement"): this
    message is the emulator's, naming the role and the first missing action."""
    policies = role_policies(account_id, role_arn)
    group_arn = f"arn:aws:logs:{region}:{account_id}:log-group:{group}"
    resource = f"{group_arn}:log-stream:{stream}"
    readings = {"logs:CreateLogStream": (resource, group_arn), "logs:PutLogEvents": (resource,)}
    for action in LOGS_ROLE_ACTIONS:
        if evaluate(policies, Check(action, readings[action])) is not None:
            return (
                f"The CloudWatch Logs role {role_arn} is not allowed to perform {action} on {resource}, "
                "so Cognito cannot write the import logs."
            )
    return None


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _trusts_cognito(policy: Any) -> bool:
    if not isinstance(policy, dict):
        return False
    for statement in _as_list(policy.get("Statement", [])):
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        actions = [str(a).lower() for a in _as_list(statement.get("Action", []))]
        if not {"sts:assumerole", "sts:*", "*"} & set(actions):
            continue
        principal = statement.get("Principal", {})
        services = _as_list(principal.get("Service", [])) if isinstance(principal, dict) else []
        if principal == "*" or COGNITO_PRINCIPAL in services:
            return True
    return False


class JobLog:
    """Writes one job's stream into moto's CloudWatch Logs (created on first use)."""

    def __init__(self, account_id: str, region: str, group: str, stream: str) -> None:
        self._backend = logs_backends[account_id][region]
        self._group = group
        self._stream = stream
        self._backend.ensure_log_group(group)
        if stream not in self._backend.groups[group].streams:
            self._backend.create_log_stream(group, stream)

    def write(self, *messages: str) -> None:
        now = int(time.time() * 1000)
        events = [{"timestamp": now, "message": message} for message in messages]
        self._backend.put_log_events(self._group, self._stream, events)

    def row(self, line_number: int, outcome: str, reason: str) -> None:
        self.write(f"[{outcome}] Line Number {line_number} - {reason}")
