"""AWS::IAM::Role and AWS::IAM::Policy."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from .base import Environment, Provisioned, ResourceError, already_gone_is_fine, error_code, pick


class Role:
    def create(self, env: Environment, logical_id: str, props: dict[str, Any]) -> Provisioned:
        iam = env.client("iam")
        name = props.get("RoleName") or env.physical_name(logical_id, 64)
        extra = pick(props, ("Path", "Description", "MaxSessionDuration", "PermissionsBoundary", "Tags"))
        role = iam.create_role(
            RoleName=name, AssumeRolePolicyDocument=json.dumps(props["AssumeRolePolicyDocument"]), **extra
        )["Role"]
        self._apply_policies(env, name, props, {})
        return Provisioned(name, {"Arn": role["Arn"], "RoleId": role["RoleId"]})

    def update(
        self,
        env: Environment,
        logical_id: str,
        current: Provisioned,
        props: dict[str, Any],
        old: dict[str, Any],
    ) -> Provisioned:
        if props.get("RoleName", old.get("RoleName")) != old.get("RoleName") or props.get("Path") != old.get(
            "Path"
        ):
            raise ResourceError("renaming a role replaces it; run destroy-local first to do that")
        iam = env.client("iam")
        iam.update_assume_role_policy(
            RoleName=current.physical_id, PolicyDocument=json.dumps(props["AssumeRolePolicyDocument"])
        )
        self._apply_policies(env, current.physical_id, props, old)
        return current

    def delete(self, env: Environment, physical_id: str, props: dict[str, Any]) -> None:
        iam = env.client("iam")
        with already_gone_is_fine("NoSuchEntity"):
            for name in iam.list_role_policies(RoleName=physical_id)["PolicyNames"]:
                iam.delete_role_policy(RoleName=physical_id, PolicyName=name)
            for attached in iam.list_attached_role_policies(RoleName=physical_id)["AttachedPolicies"]:
                iam.detach_role_policy(RoleName=physical_id, PolicyArn=attached["PolicyArn"])
            iam.delete_role(RoleName=physical_id)

    @staticmethod
    def _apply_policies(env: Environment, role: str, props: dict[str, Any], old: dict[str, Any]) -> None:
        iam = env.client("iam")
        inline = {policy["PolicyName"]: policy["PolicyDocument"] for policy in props.get("Policies", [])}
        for policy in old.get("Policies", []):
            if policy["PolicyName"] not in inline:
                iam.delete_role_policy(RoleName=role, PolicyName=policy["PolicyName"])
        for name, document in inline.items():
            iam.put_role_policy(RoleName=role, PolicyName=name, PolicyDocument=json.dumps(document))
        managed = set(props.get("ManagedPolicyArns", []))
        for arn in set(old.get("ManagedPolicyArns", [])) - managed:
            iam.detach_role_policy(RoleName=role, PolicyArn=arn)
        for arn in managed - set(old.get("ManagedPolicyArns", [])):
            try:
                iam.attach_role_policy(RoleName=role, PolicyArn=arn)
            except ClientError as error:
                # The emulator may not know every AWS managed policy; the role still works locally.
                env.reporter.progress(f"  note: managed policy {arn} not attached ({error_code(error)})")


class Policy:
    """AWS::IAM::Policy: an inline policy put on each of its roles, users and groups."""

    def create(self, env: Environment, logical_id: str, props: dict[str, Any]) -> Provisioned:
        self._put(env, props)
        return Provisioned(env.physical_name(logical_id, 64))

    def update(
        self,
        env: Environment,
        logical_id: str,
        current: Provisioned,
        props: dict[str, Any],
        old: dict[str, Any],
    ) -> Provisioned:
        self._remove(env, old)
        self._put(env, props)
        return current

    def delete(self, env: Environment, physical_id: str, props: dict[str, Any]) -> None:
        self._remove(env, props)

    @staticmethod
    def _put(env: Environment, props: dict[str, Any]) -> None:
        iam = env.client("iam")
        name, document = props["PolicyName"], json.dumps(props["PolicyDocument"])
        for role in props.get("Roles", []):
            iam.put_role_policy(RoleName=role, PolicyName=name, PolicyDocument=document)
        for user in props.get("Users", []):
            iam.put_user_policy(UserName=user, PolicyName=name, PolicyDocument=document)
        for group in props.get("Groups", []):
            iam.put_group_policy(GroupName=group, PolicyName=name, PolicyDocument=document)

    @staticmethod
    def _remove(env: Environment, props: dict[str, Any]) -> None:
        iam = env.client("iam")
        name = props["PolicyName"]
        calls = (
            [(iam.delete_role_policy, {"RoleName": role}) for role in props.get("Roles", [])]
            + [(iam.delete_user_policy, {"UserName": user}) for user in props.get("Users", [])]
            + [(iam.delete_group_policy, {"GroupName": group}) for group in props.get("Groups", [])]
        )
        for call, owner in calls:
            with already_gone_is_fine("NoSuchEntity"):
                call(PolicyName=name, **owner)
