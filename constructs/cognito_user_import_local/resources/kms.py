"""AWS::KMS::Key."""

from __future__ import annotations

import json
from typing import Any

from .base import Environment, Provisioned, already_gone_is_fine, pick


class Key:
    """AWS::KMS::Key: a customer managed key (an encrypted bucket's), scheduled for deletion on delete."""

    def create(self, env: Environment, logical_id: str, props: dict[str, Any]) -> Provisioned:
        settings = pick(props, ("Description", "KeyUsage", "KeySpec", "MultiRegion"))
        if "KeyPolicy" in props:
            settings["Policy"] = json.dumps(props["KeyPolicy"])
        kms = env.client("kms")
        key = kms.create_key(**settings)["KeyMetadata"]
        if props.get("EnableKeyRotation"):
            kms.enable_key_rotation(KeyId=key["KeyId"])
        return Provisioned(str(key["KeyId"]), {"Arn": key["Arn"], "KeyId": key["KeyId"]})

    def update(
        self,
        env: Environment,
        logical_id: str,
        current: Provisioned,
        props: dict[str, Any],
        old: dict[str, Any],
    ) -> Provisioned:
        kms = env.client("kms")
        if "KeyPolicy" in props:
            kms.put_key_policy(
                KeyId=current.physical_id, PolicyName="default", Policy=json.dumps(props["KeyPolicy"])
            )
        if "Description" in props:
            kms.update_key_description(KeyId=current.physical_id, Description=props["Description"])
        return current

    def delete(self, env: Environment, physical_id: str, props: dict[str, Any]) -> None:
        window = int(props.get("PendingWindowInDays", 30))
        with already_gone_is_fine("NotFoundException"):
            env.client("kms").schedule_key_deletion(KeyId=physical_id, PendingWindowInDays=window)
