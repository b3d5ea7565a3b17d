"""AWS::Lambda::Function, its Permission and LayerVersion."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from .base import Environment, Provisioned, ResourceError, already_gone_is_fine, pick


class Function:
    _CONFIG = (
        "Runtime",
        "Role",
        "Handler",
        "Description",
        "Timeout",
        "MemorySize",
        "Environment",
        "Architectures",
        "TracingConfig",
        "EphemeralStorage",
        "LoggingConfig",
        "Layers",
    )

    def create(self, env: Environment, logical_id: str, props: dict[str, Any]) -> Provisioned:
        name = props.get("FunctionName") or env.physical_name(logical_id, 64)
        settings = pick(props, self._CONFIG)
        tags = {tag["Key"]: tag["Value"] for tag in props.get("Tags", [])}
        function = env.client("lambda").create_function(
            FunctionName=name, Code=self._code(props), Tags=tags, **settings
        )
        return Provisioned(name, {"Arn": function["FunctionArn"]})

    def update(
        self,
        env: Environment,
        logical_id: str,
        current: Provisioned,
        props: dict[str, Any],
        old: dict[str, Any],
    ) -> Provisioned:
        if props.get("FunctionName", old.get("FunctionName")) != old.get("FunctionName"):
            raise ResourceError("renaming a function replaces it; run destroy-local first to do that")
        client = env.client("lambda")
        if props.get("Code") != old.get("Code"):
            client.update_function_code(FunctionName=current.physical_id, **self._code(props))
        settings = pick(props, self._CONFIG)
        for name in ("Architectures", "Tags"):
            settings.pop(name, None)
        client.update_function_configuration(FunctionName=current.physical_id, **settings)
        return current

    def delete(self, env: Environment, physical_id: str, props: dict[str, Any]) -> None:
        with already_gone_is_fine("ResourceNotFoundException"):
            env.client("lambda").delete_function(FunctionName=physical_id)

    @staticmethod
    def _code(props: dict[str, Any]) -> dict[str, Any]:
        code = props.get("Code", {})
        if "ZipFile" in code:
            # CloudFormation's ZipFile is the source text of index.py (or index.js).
            return {"ZipFile": inline_package(str(code["ZipFile"]), str(props.get("Runtime", "python")))}
        return pick(code, ("S3Bucket", "S3Key", "S3ObjectVersion", "ImageUri"))


def inline_package(source: str, runtime: str) -> bytes:
    """The zip CloudFormation builds from an inline ZipFile: the source as index.py or index.js."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("index.py" if runtime.startswith("python") else "index.js", source)
    return buffer.getvalue()


class Permission:
    def create(self, env: Environment, logical_id: str, props: dict[str, Any]) -> Provisioned:
        statement_id = env.physical_name(logical_id, 100)
        env.client("lambda").add_permission(
            StatementId=statement_id,
            **pick(props, ("FunctionName", "Action", "Principal", "SourceArn", "SourceAccount")),
        )
        return Provisioned(statement_id, {"FunctionName": props["FunctionName"]})

    def update(
        self,
        env: Environment,
        logical_id: str,
        current: Provisioned,
        props: dict[str, Any],
        old: dict[str, Any],
    ) -> Provisioned:
        self.delete(env, current.physical_id, old)
        return self.create(env, logical_id, props)

    def delete(self, env: Environment, physical_id: str, props: dict[str, Any]) -> None:
        with already_gone_is_fine("ResourceNotFoundException"):
            env.client("lambda").remove_permission(
                FunctionName=props["FunctionName"], StatementId=physical_id
            )


class LayerVersion:
    """AWS::Lambda::LayerVersion: published from its S3 content (immutable: a change is a new version)."""

    def create(self, env: Environment, logical_id: str, props: dict[str, Any]) -> Provisioned:
        name = props.get("LayerName") or env.physical_name(logical_id, 64)
        settings = pick(
            props, ("Description", "CompatibleRuntimes", "CompatibleArchitectures", "LicenseInfo")
        )
        content = pick(props.get("Content", {}), ("S3Bucket", "S3Key", "S3ObjectVersion"))
        layer = env.client("lambda").publish_layer_version(LayerName=name, Content=content, **settings)
        return Provisioned(str(layer["LayerVersionArn"]), {"LayerVersionArn": layer["LayerVersionArn"]})

    def update(
        self,
        env: Environment,
        logical_id: str,
        current: Provisioned,
        props: dict[str, Any],
        old: dict[str, Any],
    ) -> Provisioned:
        return self.create(env, logical_id, props)  # a new version; the old one goes in the clean-up

    def delete(self, env: Environment, physical_id: str, props: dict[str, Any]) -> None:
        # arn:aws:lambda:<region>:<account>:layer:<name>:<version>
        name, version = physical_id.split(":")[-2:]
        with already_gone_is_fine("ResourceNotFoundException"):
            env.client("lambda").delete_layer_version(LayerName=name, VersionNumber=int(version))
