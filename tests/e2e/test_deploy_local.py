"""The sample app through deploy-local and destroy-local against a running emulator, as a person uses them."""

from __future__ import annotations

import json
import shutil

import boto3
import pytest
from e2e_app import SampleApp, outputs

from cognito_user_import_emulator import Emulator

pytestmark = pytest.mark.e2e

SEED_USERS = 50
ADMINS = 1
"""The sample's admin, seeded by its own import (SeedAdmins, one job on the first deployment)."""
NEW_USERS = (
    "nora.lindqvist@example.com,nora.lindqvist@example.com,true,Nora,Lindqvist,Nora Lindqvist,"
    "+12065550190,sv-SE,acme,team,5",
    "marek.zielinski@example.org,marek.zielinski@example.org,true,Marek,Zieliński,Marek Zieliński,"
    ",pl-PL,globex,free,1",
)


def _cognito(emulator: Emulator) -> object:
    return boto3.client(
        "cognito-idp",
        endpoint_url=emulator.url,
        region_name=emulator.region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def _jobs(emulator: Emulator, pool_id: str) -> list[dict[str, object]]:
    """The jobs of the users file's import (SeedUsers); the admin's import makes its own."""
    cognito = _cognito(emulator)
    jobs = cognito.list_user_import_jobs(UserPoolId=pool_id, MaxResults=60)["UserImportJobs"]  # type: ignore[attr-defined]
    return [job for job in jobs if ".SeedUsers." in str(job["JobName"])]


def test_deploy_redeploy_update_and_destroy(fast_emulator: Emulator, sample_app: SampleApp) -> None:
    endpoint = ("--endpoint", fast_emulator.url)

    first = sample_app.cli("deploy-local", *endpoint)
    assert first.exit_code == 0, first.output
    figures = outputs(first)
    assert figures["ImportStatus"] == "Succeeded"
    assert figures["ImportedUsers"] == str(SEED_USERS)
    assert figures["FailedUsers"] == "0"
    pool_id = figures["UserPoolId"]
    assert "CREATE_COMPLETE" in first.output
    assert "Succeeded" in first.output  # the handler's job status lines are passed on
    assert "Cost of CognitoUserImportSample:" in first.output  # the calls per category, peak share
    assert "UserPoolResourceRead: " in first.output and "peak share of a quota" in first.output
    assert len(_jobs(fast_emulator, pool_id)) == 1

    # Unchanged: CloudFormation calls no handler, so no job.
    second = sample_app.cli("deploy-local", *endpoint)
    assert second.exit_code == 0, second.output
    assert "no changes" in second.output
    assert "  UPDATE  " not in second.output and "      | " not in second.output  # no handler output
    assert outputs(second)["ImportedUsers"] == str(SEED_USERS)
    assert len(_jobs(fast_emulator, pool_id)) == 1

    # Two users added: an Update with OldResourceProperties that imports exactly those two.
    sample_app.add_rows(*NEW_USERS)
    third = sample_app.cli("deploy-local", *endpoint)
    assert third.exit_code == 0, third.output
    assert "UPDATE  Custom::CognitoUserImport" in third.output
    assert outputs(third)["ImportedUsers"] == "2"
    assert outputs(third)["UserPoolId"] == pool_id
    assert len(_jobs(fast_emulator, pool_id)) == 2
    users = _cognito(fast_emulator).list_users(UserPoolId=pool_id, Limit=60)["Users"]  # type: ignore[attr-defined]
    assert len(users) == SEED_USERS + ADMINS + 2

    # No terminal to ask on and no --force: nothing is deleted.
    refused = sample_app.cli("destroy-local", *endpoint)
    assert refused.exit_code == 2, refused.output
    assert "--force" in refused.output
    assert pool_id in _pool_ids(fast_emulator)

    # A stale cdk.out naming no stack: destroy-local synthesizes afresh, as `cdk destroy` does, and asks.
    stale = sample_app.folder / "cdk.out"
    shutil.rmtree(stale)
    stale.mkdir()
    (stale / "manifest.json").write_text(json.dumps({"version": "55.0.0", "artifacts": {}}))
    gone = sample_app.cli_in_terminal("destroy-local", *endpoint, typed="y\n")
    assert gone.exit_code == 0, gone.output
    assert "Are you sure you want to delete: CognitoUserImportSample" in gone.output
    assert "DELETE_COMPLETE" in gone.output
    assert pool_id not in _pool_ids(fast_emulator)


def _pool_ids(emulator: Emulator) -> list[str]:
    pools = _cognito(emulator).list_user_pools(MaxResults=60)["UserPools"]  # type: ignore[attr-defined]
    return [pool["Id"] for pool in pools]


def test_failed_job_rolls_back_and_exits_non_zero(fast_emulator: Emulator, sample_app: SampleApp) -> None:
    fast_emulator.faults.fail_next_jobs(1)

    run = sample_app.cli("deploy-local", "--endpoint", fast_emulator.url)

    assert run.exit_code != 0, run.output
    assert "deploy-local FAILED" in run.output
    assert "SeedUsers" in run.output and "failed to create" in run.output
    # The rollback: the failed resource is deleted through the handler, then the rest of the stack.
    assert "DELETE  Custom::CognitoUserImport" in run.output
    assert "ROLLBACK_COMPLETE" in run.output
    pools = _cognito(fast_emulator).list_user_pools(MaxResults=60)["UserPools"]  # type: ignore[attr-defined]
    assert pools == []
    assert "cloudformation-response" not in run.output  # the ResponseURL is never printed


def test_slow_job_is_finished_by_scheduled_polls(fast_emulator: Emulator, sample_app: SampleApp) -> None:
    # 50 rows at 0.3 s: 15 s, longer than the 15 s invocation minus the handler's 10 s margin.
    fast_emulator.update_settings(seconds_per_row=0.3)

    run = sample_app.cli("deploy-local", "--endpoint", fast_emulator.url)

    assert run.exit_code == 0, run.output
    assert "scheduled poll" in run.output
    assert run.output.count("InProgress (imported ") >= 3  # progress lines while the job runs
    assert outputs(run)["ImportedUsers"] == str(SEED_USERS)


def test_unverified_user_fails_the_deploy_naming_the_user(
    fast_emulator: Emulator, sample_app: SampleApp
) -> None:
    sample_app.add_rows(
        "ines.moreau@example.com,ines.moreau@example.com,false,Inès,Moreau,Inès Moreau,,fr-FR,acme,team,5"
    )

    run = sample_app.cli("deploy-local", "--endpoint", fast_emulator.url)

    assert run.exit_code != 0, run.output
    assert "deploy-local FAILED" in run.output
    assert "ines.moreau@example.com" in run.output
    assert "Traceback" not in run.output
    pools = _cognito(fast_emulator).list_user_pools(MaxResults=60)["UserPools"]  # type: ignore[attr-defined]
    assert pools == []


# Appended to the sample's app.py before it synthesizes: an aspect takes the first statement whose Sid starts
# with SID_PREFIX out of the handler role's policy: the polling rules' statement, whose events:DescribeRule
# resource.py calls on every first-invocation answer (the sample's two imports share one pool, so a pool
# statement of one is covered by the other's).
_DROP_ONE_GRANT = """
import jsii as _jsii
from aws_cdk import Aspects as _Aspects, IAspect as _IAspect, Stack as _Stack, aws_iam as _iam


@_jsii.implements(_IAspect)
class _DropOneGrant:
    def visit(self, node):
        if isinstance(node, _iam.CfnPolicy) and "Handler" in node.node.path:
            document = _Stack.of(node).resolve(node.policy_document)
            kept, dropped = [], False
            for statement in document["Statement"]:
                if not dropped and str(statement.get("Sid", "")).startswith(SID_PREFIX):
                    dropped = True
                    continue
                kept.append(statement)
            node.add_property_override("PolicyDocument.Statement", kept)


_Aspects.of(app).add(_DropOneGrant())
"""


def test_a_missing_grant_fails_the_deploy_naming_the_action_and_rolls_back(
    fast_emulator: Emulator, sample_app: SampleApp
) -> None:
    app_py = sample_app.folder / "app.py"
    text = app_py.read_text(encoding="utf-8")
    aspect = _DROP_ONE_GRANT.replace("SID_PREFIX", repr("PollingOnPollRules"))
    app_py.write_text(
        text.replace("    app.synth()", aspect.replace("\n", "\n    ") + "\n    app.synth()"), "utf-8"
    )

    run = sample_app.cli("deploy-local", "--endpoint", fast_emulator.url)

    assert run.exit_code != 0, run.output
    assert "AccessDeniedException" in run.output or "AccessDenied" in run.output, run.output
    assert "is not authorized to perform: events:DescribeRule" in run.output, run.output
    assert "ROLLBACK_COMPLETE" in run.output, run.output
    pools = _cognito(fast_emulator).list_user_pools(MaxResults=60)["UserPools"]  # type: ignore[attr-defined]
    assert pools == []
