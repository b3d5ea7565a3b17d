"""AWS::Logs::LogGroup."""

from __future__ import annotations

from typing import Any

from .base import Environment, Provisioned, already_gone_is_fine


class LogGroup:
    def create(self, env: Environment, logical_id: str, props: dict[str, Any]) -> Provisioned:
        name = props.get("LogGroupName") or env.physical_name(logical_id, 512)
        logs = env.client("logs")
        logs.create_log_group(logGroupName=name)
        if "RetentionInDays" in props:
            logs.put_retention_policy(logGroupName=name, retentionInDays=int(props["RetentionInDays"]))
        return Provisioned(name, {"Arn": env.arn("logs", f"log-group:{name}:*")})

    def update(
        self,
        env: Environment,
        logical_id: str,
        current: Provisioned,
        props: dict[str, Any],
        old: dict[str, Any],
    ) -> Provisioned:
        logs = env.client("logs")
        if "RetentionInDays" in props:
            logs.put_retention_policy(
                logGroupName=current.physical_id, retentionInDays=int(props["RetentionInDays"])
            )
        elif "RetentionInDays" in old:
            logs.delete_retention_policy(logGroupName=current.physical_id)
        return current

    def delete(self, env: Environment, physical_id: str, props: dict[str, Any]) -> None:
        with already_gone_is_fine("ResourceNotFoundException"):
            env.client("logs").delete_log_group(logGroupName=physical_id)
