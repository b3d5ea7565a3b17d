"""Two stacks sharing a pool: the pool in PoolOwner, its UserImport in Seeding (automatic cross-stack
reference), deployed, updated and destroyed with deploy-local's CDK CLI habits (-c, --outputs-file)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from e2e_app import SampleApp, cognito_client, copy_fixture_app

from cognito_user_import_emulator import Emulator

pytestmark = pytest.mark.e2e

REFERENCES_FLAG = "@aws-cdk/core:defaultCrossStackReferences"


@pytest.fixture
def cross_stack_app(tmp_path: Path) -> SampleApp:
    return copy_fixture_app("cross_stack", tmp_path / "app")


def _secret(emulator: Emulator, arn: str) -> dict[str, str]:
    client: Any = boto3.client(
        "secretsmanager",
        endpoint_url=emulator.url,
        region_name=emulator.region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    secret: dict[str, str] = json.loads(client.get_secret_value(SecretId=arn)["SecretString"])
    return secret


def _names(cognito: Any, pool_id: str) -> dict[str, str]:
    users = cognito.list_users(UserPoolId=pool_id, Limit=60)["Users"]
    return {
        user["Username"]: next(a["Value"] for a in user["Attributes"] if a["Name"] == "name")
        for user in users
    }


@pytest.mark.parametrize("references", ["strong", "weak"])
def test_a_pool_in_one_stack_seeded_from_another_deploys_updates_and_destroys_in_order(
    fast_emulator: Emulator, cross_stack_app: SampleApp, references: str
) -> None:
    """strong: the CDK's exports and Fn::ImportValue (aws-cdk-lib's default when the flag is unset);
    weak: Fn::GetStackOutput (what this repository's cdk.json, and `cdk init`'s, choose)."""
    outputs_file = cross_stack_app.folder / "outputs.json"
    endpoint = ("--endpoint", fast_emulator.url, "-c", f"{REFERENCES_FLAG}={references}")
    run = cross_stack_app.cli("deploy-local", *endpoint, "-c", "seed=users.csv", "-O", str(outputs_file))

    assert run.exit_code == 0, run.output
    # The CDK wrote an automatic cross-stack reference: an export in PoolOwner, an import in Seeding.
    out = cross_stack_app.folder / "cdk.out"
    seeding = (out / "Seeding.template.json").read_text()
    owner = json.loads((out / "PoolOwner.template.json").read_text())
    exports = [o["Export"]["Name"] for o in owner["Outputs"].values() if "Export" in o]
    if references == "strong":
        assert any(name.startswith("PoolOwner:ExportsOutputRef") for name in exports)
        assert all(f'"Fn::ImportValue": "{name}"' in seeding for name in exports)
    else:
        assert exports == [] and '"Fn::GetStackOutput"' in seeding
    assert run.output.index("Stack PoolOwner: create") < run.output.index("Stack Seeding: create")
    # The outputs file has the CDK CLI's shape; the secret's ARN read from it holds the admin's password.
    figures = json.loads(outputs_file.read_text())
    assert set(figures) == {"PoolOwner", "Seeding"}
    assert figures["Seeding"]["Imported"] == "2"
    assert set(_secret(fast_emulator, figures["Seeding"]["PasswordsSecretArn"])) == {"ada@example.com"}
    cognito = cognito_client(fast_emulator.url, fast_emulator.region)
    pool_id = figures["PoolOwner"]["PoolId"]
    assert _names(cognito, pool_id) == {"ada@example.com": "Ada", "bob@example.com": "Bob"}

    # An update through a context value: another file; the pool's stack is unchanged.
    again = cross_stack_app.cli(
        "deploy-local", *endpoint, "--context", "seed=more.csv", "-O", str(outputs_file)
    )

    assert again.exit_code == 0, again.output
    assert "Stack PoolOwner: no changes" in again.output and "Stack Seeding: UPDATE_COMPLETE" in again.output
    figures = json.loads(outputs_file.read_text())
    assert figures["PoolOwner"]["PoolId"] == pool_id
    assert (figures["Seeding"]["Imported"], figures["Seeding"]["UpdatedUsers"]) == ("1", "1")
    assert _names(cognito, pool_id) == {
        "ada@example.com": "Ada Lovelace",
        "bob@example.com": "Bob",
        "cyd@example.com": "Cyd",
    }

    # Destroyed in reverse dependency order: the importing stack first, then the pool's.
    gone = cross_stack_app.cli("destroy-local", "--force", *endpoint, "-c", "seed=more.csv")

    assert gone.exit_code == 0, gone.output
    assert gone.output.index("Stack Seeding: DELETE_COMPLETE") < gone.output.index("Stack PoolOwner: delete")
    assert cognito.list_user_pools(MaxResults=60)["UserPools"] == []
