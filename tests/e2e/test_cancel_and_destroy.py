"""A slow import cancelled with Ctrl-C, or its deploy-local killed and the stack destroyed: the job is
stopped through the custom resource's Delete before the pool is deleted (Cognito refuses to delete a
pool while an import runs)."""

from __future__ import annotations

import re
import signal
import time
from typing import Any

import pytest
from e2e_app import RunningCli, SampleApp, cognito_client

from cognito_user_import_emulator import Emulator

pytestmark = pytest.mark.e2e


@pytest.fixture
def slow_emulator(fast_emulator: Emulator) -> Emulator:
    """Jobs that would run a minute: only stopping them ends them within a test."""
    fast_emulator.update_settings(seconds_per_row=1.0, min_run_seconds=60.0, stopping_seconds=0.3)
    return fast_emulator


def _running_job(emulator: Emulator, deploy: RunningCli, timeout: float = 60) -> tuple[str, str]:
    """(pool id, job id) of the first import job seen InProgress."""
    cognito = cognito_client(emulator.url, emulator.region)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert deploy.process.poll() is None, deploy.output
        for pool in cognito.list_user_pools(MaxResults=60)["UserPools"]:
            jobs = cognito.list_user_import_jobs(UserPoolId=pool["Id"], MaxResults=60)["UserImportJobs"]
            for job in jobs:
                if job["Status"] == "InProgress":
                    return pool["Id"], job["JobId"]
        time.sleep(0.2)
    raise AssertionError(f"no import job InProgress within {timeout} s:\n{deploy.output}")


def _job_status(emulator: Emulator, job_id: str) -> str:
    # The pool is gone, and DescribeUserImportJob with it: ask the emulator's own job store.
    with emulator.store.lock:
        return emulator.store.jobs[job_id].status


def _assert_no_user_data(output: str, app: SampleApp) -> None:
    rows = app.users_csv.read_text(encoding="utf-8").splitlines()[1:]
    for row in rows:
        username = row.split(",", 1)[0]
        assert username not in output


def _poll_rules(emulator: Emulator) -> list[Any]:
    import boto3

    events = boto3.client(
        "events",
        endpoint_url=emulator.url,
        region_name=emulator.region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    return list(events.list_rules()["Rules"])


def test_ctrl_c_during_a_slow_import_stops_the_job_and_rolls_back(
    slow_emulator: Emulator, sample_app: SampleApp
) -> None:
    deploy = sample_app.start_cli("deploy-local", "--endpoint", slow_emulator.url)
    pool_id, job_id = _running_job(slow_emulator, deploy)

    deploy.process.send_signal(signal.SIGINT)
    run = deploy.finish(timeout=180)  # generous: the rollback runs several invocations on a busy machine

    assert run.exit_code == 130, run.output
    assert "deploy-local CANCELLED" in run.output
    assert "cancelled by the user" in run.output
    assert re.search(rf"DELETE  Custom::CognitoUserImport +SeedUsers\w* \({job_id}\)", run.output), run.output
    assert "ROLLBACK_COMPLETE" in run.output
    assert "Traceback" not in run.output
    assert _job_status(slow_emulator, job_id) == "Stopped"
    cognito = cognito_client(slow_emulator.url, slow_emulator.region)
    assert pool_id not in [pool["Id"] for pool in cognito.list_user_pools(MaxResults=60)["UserPools"]]
    assert _poll_rules(slow_emulator) == []  # the abandoned request's schedule is gone
    _assert_no_user_data(run.output, sample_app)
    assert "cloudformation-response" not in run.output

    # Nothing is left for destroy-local.
    gone = sample_app.cli("destroy-local", "--force", "--endpoint", slow_emulator.url)
    assert gone.exit_code == 0, gone.output
    assert "nothing to delete" in gone.output


def test_destroy_after_a_killed_deploy_stops_the_running_job(
    slow_emulator: Emulator, sample_app: SampleApp
) -> None:
    deploy = sample_app.start_cli("deploy-local", "--endpoint", slow_emulator.url)
    pool_id, job_id = _running_job(slow_emulator, deploy)
    deploy.process.kill()  # no rollback: the stack's state says what it made, the request in flight too
    deploy.finish(timeout=10)

    run = sample_app.cli("destroy-local", "--force", "--endpoint", slow_emulator.url, timeout=180)

    assert run.exit_code == 0, run.output
    assert "did not finish" in run.output
    assert re.search(rf"DELETE  Custom::CognitoUserImport +SeedUsers\w* \({job_id}\)", run.output), run.output
    assert "DELETE_COMPLETE" in run.output
    assert _job_status(slow_emulator, job_id) == "Stopped"
    cognito = cognito_client(slow_emulator.url, slow_emulator.region)
    assert pool_id not in [pool["Id"] for pool in cognito.list_user_pools(MaxResults=60)["UserPools"]]
    assert _poll_rules(slow_emulator) == []
    _assert_no_user_data(run.output, sample_app)
