"""Two UserImports in one stack: the second waits for the first (one active import job per account)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from e2e_app import SampleApp, cognito_client, copy_fixture_app, outputs

from cognito_user_import_emulator import Emulator

pytestmark = pytest.mark.e2e

STACK = "TwoImports"


@pytest.fixture
def two_imports_app(tmp_path: Path) -> SampleApp:
    return copy_fixture_app("two_imports", tmp_path / "app")


def _usernames(app: SampleApp, csv_name: str) -> set[str]:
    lines = (app.folder / "seed" / csv_name).read_text(encoding="utf-8").splitlines()[1:]
    return {line.split(",", 1)[0] for line in lines if line}


def test_two_imports_in_one_stack_run_one_after_the_other(
    fast_emulator: Emulator, two_imports_app: SampleApp
) -> None:
    run = two_imports_app.cli("deploy-local", "--endpoint", fast_emulator.url)

    assert run.exit_code == 0, run.output
    figures = outputs(run, STACK)
    assert figures["StaffImported"] == "3"
    assert figures["CustomersImported"] == "4"

    # The construct chains the imports: the second custom resource DependsOn the first.
    template = json.loads((two_imports_app.folder / "cdk.out" / f"{STACK}.template.json").read_text())
    imports = [
        logical_id
        for logical_id, declaration in template["Resources"].items()
        if declaration["Type"] == "Custom::CognitoUserImport"
    ]
    assert len(imports) == 2
    first, second = sorted(imports, key=lambda logical_id: not logical_id.startswith("Staff"))
    assert first in template["Resources"][second]["DependsOn"]

    cognito = cognito_client(fast_emulator.url, fast_emulator.region)
    jobs = {}
    for name, csv_name in (("Staff", "staff.csv"), ("Customers", "customers.csv")):
        pool_id = figures[f"{name}PoolId"]
        job = cognito.describe_user_import_job(UserPoolId=pool_id, JobId=figures[f"{name}JobId"])
        jobs[name] = job["UserImportJob"]
        assert jobs[name]["Status"] == "Succeeded"
        users = cognito.list_users(UserPoolId=pool_id, Limit=60)["Users"]
        # An email-alias pool keeps a generated username; the email is the alias the CSV's username set.
        emails = {
            attribute["Value"]
            for user in users
            for attribute in user["Attributes"]
            if attribute["Name"] == "email"
        }
        assert emails == _usernames(two_imports_app, csv_name)
    # One job at a time: the second started once the first had ended.
    assert jobs["Customers"]["StartDate"] >= jobs["Staff"]["CompletionDate"]

    gone = two_imports_app.cli("destroy-local", "--force", "--endpoint", fast_emulator.url)
    assert gone.exit_code == 0, gone.output
    assert cognito.list_user_pools(MaxResults=60)["UserPools"] == []
