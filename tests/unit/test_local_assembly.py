"""Reading a cloud assembly, ordering a template's resources, and the driver's state document."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from cognito_user_import_local.assembly import (
    AssemblyError,
    find_cdk_cli,
    read_assembly,
    summarize_failure,
    zip_directory,
)
from cognito_user_import_local.errors import DeployError
from cognito_user_import_local.ordering import deletion_order, deployment_order
from cognito_user_import_local.state import DeployedResource, StackState


def _write_assembly(out: Path) -> None:
    out.mkdir()
    (out / "asset.abc").mkdir()
    (out / "asset.abc" / "index.py").write_text("def handler(event, context): pass\n")
    (out / "users.csv").write_text("cognito:username\n")
    template = {"Resources": {"Pool": {"Type": "AWS::Cognito::UserPool"}}}
    (out / "Base.template.json").write_text(json.dumps({"Resources": {}}))
    (out / "App.template.json").write_text(json.dumps(template))
    assets = {
        "version": "55.0.0",
        "files": {
            "abc": {
                "source": {"path": "asset.abc", "packaging": "zip"},
                "destinations": {
                    "current": {
                        "bucketName": "cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}",
                        "objectKey": "abc.zip",
                    }
                },
            },
            "def": {
                "source": {"path": "users.csv", "packaging": "file"},
                "destinations": {"current": {"bucketName": "b", "objectKey": "def.csv"}},
            },
        },
        "dockerImages": {},
    }
    (out / "App.assets.json").write_text(json.dumps(assets))
    manifest = {
        "version": "55.0.0",
        "artifacts": {
            "App.assets": {"type": "cdk:asset-manifest", "properties": {"file": "App.assets.json"}},
            "App": {
                "type": "aws:cloudformation:stack",
                "properties": {"templateFile": "App.template.json"},
                "dependencies": ["App.assets", "Base"],
                "displayName": "App",
            },
            "Base": {
                "type": "aws:cloudformation:stack",
                "properties": {"templateFile": "Base.template.json"},
                "displayName": "Base",
            },
            "Tree": {"type": "cdk:tree", "properties": {"file": "tree.json"}},
        },
    }
    (out / "manifest.json").write_text(json.dumps(manifest))


def test_read_assembly_orders_stacks_and_reads_assets(tmp_path: Path) -> None:
    _write_assembly(tmp_path / "cdk.out")

    stacks = read_assembly(tmp_path / "cdk.out")

    assert [stack.name for stack in stacks] == ["Base", "App"]
    app = stacks[1]
    assert app.template["Resources"]["Pool"]["Type"] == "AWS::Cognito::UserPool"
    by_key = {asset.object_key: asset for asset in app.assets}
    assert set(by_key) == {"abc.zip", "def.csv"}
    assert by_key["abc.zip"].bucket_name == "cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}"
    with zipfile.ZipFile(io.BytesIO(by_key["abc.zip"].content())) as package:
        assert package.namelist() == ["index.py"]
    assert by_key["def.csv"].content() == b"cognito:username\n"


def test_missing_manifest_says_so(tmp_path: Path) -> None:
    with pytest.raises(AssemblyError, match="was the app synthesized"):
        read_assembly(tmp_path)


def test_zip_is_reproducible(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "b.py").write_text("b = 1\n")
    (tmp_path / "a.py").write_text("a = 1\n")
    assert zip_directory(tmp_path) == zip_directory(tmp_path)


def test_cdk_cli_is_found_in_a_parent_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cli = tmp_path / "project" / "node_modules" / ".bin" / "cdk"
    cli.parent.mkdir(parents=True)
    cli.write_text("#!/bin/sh\n")
    cli.chmod(0o755)
    (tmp_path / "project" / "app").mkdir()
    assert find_cdk_cli(tmp_path / "project" / "app") == [str(cli)]
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    (tmp_path / "elsewhere").mkdir()
    with pytest.raises(AssemblyError, match="npm install aws-cdk@2"):
        find_cdk_cli(tmp_path / "elsewhere")


def test_deployment_order_follows_depends_on_and_references() -> None:
    template: dict[str, Any] = {
        "Conditions": {},
        "Resources": {
            "Custom": {"Type": "Custom::X", "Properties": {"ServiceToken": {"Fn::GetAtt": ["Fn", "Arn"]}}},
            "Fn": {"Type": "AWS::Lambda::Function", "Properties": {"Role": {"Fn::GetAtt": ["Role", "Arn"]}}},
            "Policy": {"Type": "AWS::IAM::Policy", "Properties": {"Roles": [{"Ref": "Role"}]}},
            "Role": {"Type": "AWS::IAM::Role"},
            "Skipped": {"Type": "AWS::S3::Bucket", "Condition": "Never"},
        },
    }
    template["Resources"]["Fn"]["DependsOn"] = ["Policy"]

    order = deployment_order(template, {"Never": False})

    assert order == ["Role", "Policy", "Fn", "Custom"]


def test_deployment_order_rejects_cycles() -> None:
    template = {
        "Resources": {
            "A": {"Type": "T", "DependsOn": "B"},
            "B": {"Type": "T", "Properties": {"X": {"Ref": "A"}}},
        }
    }
    with pytest.raises(DeployError, match="circular"):
        deployment_order(template, {})


def test_deletion_order_is_the_reverse_of_dependencies() -> None:
    resources = {
        "Role": DeployedResource("AWS::IAM::Role", "r", {}),
        "Fn": DeployedResource("AWS::Lambda::Function", "f", {}, depends_on=["Role"]),
        "Custom": DeployedResource("Custom::X", "c", {}, depends_on=["Fn"]),
    }
    assert deletion_order(resources) == ["Custom", "Fn", "Role"]


def test_state_round_trips_through_json() -> None:
    state = StackState(
        stack_name="App",
        stack_id="arn:aws:cloudformation:us-east-1:123456789012:stack/App/1",
        template={"Resources": {}},
        resources={"Custom": DeployedResource("Custom::X", "import-1", {"A": "1"}, {"JobId": "import-1"})},
        outputs={"JobId": "import-1"},
        assets=[{"bucket": "b", "key": "k.zip"}],
    )
    assert StackState.from_json(state.to_json()) == state


def test_synth_failure_keeps_the_exception_not_the_frames() -> None:
    output = (
        "Traceback (most recent call last):\n"
        '  File "app.py", line 59, in <module>\n'
        "    Stack(app)\n"
        "    ^^^^^^^^^^\n"
        "ValidationError: 1 problem in seed/users.csv:\n"
        "  seed/users.csv:54 (ines@example.com): not verified\n"
        "python3 app.py: Subprocess exited with error 1"
    )
    summary = summarize_failure(output)
    assert summary.startswith(
        "ValidationError: 1 problem in seed/users.csv:\n  seed/users.csv:54 (ines@example.com)"
    )
    assert 'File "app.py"' not in summary
    assert summarize_failure("plain error") == "plain error"
