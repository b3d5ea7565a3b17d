"""The CDK side: synthesize an app with the CDK CLI and read the cloud assembly it writes (cdk.out)."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .exports import literal_exports, literal_imports
from .reporter import ConsoleReporter, Reporter

STACK_ARTIFACT = "aws:cloudformation:stack"
ASSET_MANIFEST_ARTIFACT = "cdk:asset-manifest"
SYNTH_HINTS = ("Supply a stack id", "Successfully synthesized to")
"""What `cdk synth` says to a person at a prompt, and a driver need not repeat."""


class AssemblyError(RuntimeError):
    """The app could not be synthesized, or its cloud assembly is not what the driver understands."""


@dataclass(frozen=True)
class FileAsset:
    """One file asset of an asset manifest, with its destination still holding ${AWS::...} placeholders."""

    asset_id: str
    source: Path
    packaging: str
    """"zip" (a directory to zip) or "file"."""
    bucket_name: str
    object_key: str

    def content(self) -> bytes:
        """The bytes to upload: the file itself, or the directory zipped reproducibly."""
        if self.packaging == "zip" and self.source.is_dir():
            return zip_directory(self.source)
        return self.source.read_bytes()


@dataclass(frozen=True)
class StackArtifact:
    name: str
    template: dict[str, Any]
    assets: list[FileAsset] = field(default_factory=list)
    dependencies: list[str] = field(default_factory=list)
    """Artifact ids of the stacks this one needs deployed first."""
    artifact_id: str = ""
    """The id in manifest.json (the construct path, e.g. "Stage/Stack" gives "StageStackXXXX")."""
    display_name: str = ""
    """What the CDK CLI lists and matches patterns against (`cdk ls`): the hierarchical id."""


def find_cdk_cli(app_dir: Path) -> list[str]:
    """The project's own CDK CLI (node_modules/.bin/cdk in the app folder or a parent), else one on PATH."""
    for folder in (app_dir, *app_dir.parents):
        candidate = folder / "node_modules" / ".bin" / "cdk"
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return [str(candidate)]
    on_path = shutil.which("cdk")
    if on_path:
        return [on_path]
    raise AssemblyError(
        f"no CDK CLI found in {app_dir}/node_modules/.bin, its parents or on PATH: "
        "run `npm install aws-cdk@2` in the app folder (aws-cdk 3 cannot read this aws-cdk-lib's assemblies)"
    )


def synth_environment() -> dict[str, str]:
    """The environment the CDK CLI and the app run in: offline, quiet, this interpreter's venv first."""
    env = dict(os.environ)
    env["CDK_DISABLE_CLI_TELEMETRY"] = "1"
    env["JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION"] = env.get(
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20"
    )
    # cdk.json says "python3 app.py": make that the interpreter running this driver (its venv's python).
    bin_dir = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join([bin_dir, env.get("PATH", "")])
    return env


def synthesize(
    app_dir: Path,
    out_dir: Path | None = None,
    *,
    reporter: Reporter | None = None,
    context: Mapping[str, str] | None = None,
) -> Path:
    """Run `cdk synth` in app_dir; returns the assembly folder. AssemblyError carries the CLI's output.

    What the CLI warns of on success is passed on to reporter (default: the console) as problems.
    context: values the app reads with `node.try_get_context`, passed as `cdk synth -c KEY=VALUE` is.
    """
    if not (app_dir / "cdk.json").is_file():
        raise AssemblyError(f"{app_dir} has no cdk.json: run this in a CDK app's folder (or pass --app-dir)")
    output = out_dir or app_dir / "cdk.out"
    command = [*find_cdk_cli(app_dir), "synth", "--no-notices", "--quiet", "--output", str(output)]
    for key, value in (context or {}).items():
        command += ["--context", f"{key}={value}"]
    completed = subprocess.run(
        command, cwd=app_dir, env=synth_environment(), capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        detail = summarize_failure((completed.stderr or completed.stdout).strip())
        raise AssemblyError(f"cdk synth failed (exit {completed.returncode}):\n{detail}")
    # Anything the CLI says on success (warnings) is passed on: a person should see it, but not the
    # hints meant for `cdk synth` typed at a prompt.
    warnings = reporter or ConsoleReporter()
    for line in completed.stderr.splitlines():
        if line.strip() and not line.startswith(SYNTH_HINTS):
            warnings.problem(f"  cdk: {line}")
    return output


def summarize_failure(output: str) -> str:
    """The app's exception without the Python traceback frames above it (what a person acts on)."""
    lines = output.splitlines()
    starts = [
        index for index, line in enumerate(lines) if line.startswith("Traceback (most recent call last)")
    ]
    if not starts:
        return output
    after = lines[starts[-1] + 1 :]
    # Frames are indented; the exception and its message start at the first line that is not.
    for index, line in enumerate(after):
        if line and not line.startswith(" "):
            return "\n".join(after[index:]) + "\n(`npx cdk synth` shows the whole traceback)"
    return output


def read_assembly(out_dir: Path) -> list[StackArtifact]:
    """The stacks of a cloud assembly, ordered so that each comes after the stacks it depends on."""
    manifest_path = out_dir / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AssemblyError(f"{manifest_path} not found: was the app synthesized?") from None
    artifacts: dict[str, Any] = manifest.get("artifacts", {})
    stacks: dict[str, StackArtifact] = {}
    for artifact_id, artifact in artifacts.items():
        if artifact.get("type") != STACK_ARTIFACT:
            continue
        properties = artifact.get("properties", {})
        template = json.loads((out_dir / properties["templateFile"]).read_text(encoding="utf-8"))
        assets: list[FileAsset] = []
        stack_dependencies: list[str] = []
        for dependency in artifact.get("dependencies", []):
            other = artifacts.get(dependency, {})
            if other.get("type") == ASSET_MANIFEST_ARTIFACT:
                assets.extend(read_asset_manifest(out_dir / other["properties"]["file"]))
            elif other.get("type") == STACK_ARTIFACT:
                stack_dependencies.append(dependency)
        name = properties.get("stackName") or artifact.get("displayName") or artifact_id
        stacks[artifact_id] = StackArtifact(
            name=name,
            template=template,
            assets=assets,
            dependencies=stack_dependencies,
            artifact_id=artifact_id,
            display_name=artifact.get("displayName") or artifact_id,
        )
    _add_import_dependencies(stacks)
    ordered: list[StackArtifact] = []
    placed: set[str] = set()

    def place(artifact_id: str) -> None:
        if artifact_id in placed:
            return
        placed.add(artifact_id)
        for dependency in stacks[artifact_id].dependencies:
            if dependency in stacks:
                place(dependency)
        ordered.append(stacks[artifact_id])

    for artifact_id in stacks:
        place(artifact_id)
    return ordered


def _add_import_dependencies(stacks: dict[str, StackArtifact]) -> None:
    """A stack whose Fn::ImportValue names another's export needs it first, as a CDK dependency would."""
    exporters = {
        name: artifact_id for artifact_id, stack in stacks.items() for name in literal_exports(stack.template)
    }
    for artifact_id, stack in stacks.items():
        for name in literal_imports(stack.template.get("Resources", {})) | literal_imports(
            stack.template.get("Outputs", {})
        ):
            exporter = exporters.get(name)
            if exporter is not None and exporter != artifact_id and exporter not in stack.dependencies:
                stack.dependencies.append(exporter)


def read_asset_manifest(path: Path) -> list[FileAsset]:
    """The file assets of one *.assets.json (docker images cannot be emulated and are left out)."""
    manifest = json.loads(path.read_text(encoding="utf-8"))
    assets: list[FileAsset] = []
    for asset_id, asset in manifest.get("files", {}).items():
        source = asset.get("source", {})
        if "path" not in source:
            continue  # built by an executable: not supported offline
        for destination in asset.get("destinations", {}).values():
            assets.append(
                FileAsset(
                    asset_id=asset_id,
                    source=path.parent / source["path"],
                    packaging=source.get("packaging", "file"),
                    bucket_name=destination["bucketName"],
                    object_key=destination["objectKey"],
                )
            )
    return assets


def zip_directory(folder: Path) -> bytes:
    """The folder zipped with fixed timestamps and sorted entries: the same content gives the same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_dir():
                continue
            info = zipfile.ZipInfo(path.relative_to(folder).as_posix(), date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = (0o755 if os.access(path, os.X_OK) else 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
    return buffer.getvalue()
