"""Fault switches and settings, from Python and over HTTP (EmulatorControl), and reset."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import TYPE_CHECKING

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from cognito_user_import_emulator import EmulatorControl
from cognito_user_import_emulator.control import EmulatorControlError

if TYPE_CHECKING:
    from conftest import EmulatorKit


def test_throttle_answers_too_many_requests_then_recovers(emu_kit: EmulatorKit) -> None:
    pool_id = emu_kit.pool()
    job = emu_kit.create_job(pool_id)
    emu_kit.emulator.faults.throttle("DescribeUserImportJob", times=2)
    for _ in range(2):
        with pytest.raises(ClientError) as excinfo:
            emu_kit.describe(pool_id, job["JobId"])
        assert excinfo.value.response["Error"]["Code"] == "TooManyRequestsException"
        assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert emu_kit.describe(pool_id, job["JobId"])["Status"] == "Created"
    # Other operations were never throttled.
    assert emu_kit.header(pool_id)


def test_botocore_retries_ride_out_throttling(emu_kit: EmulatorKit) -> None:
    pool_id = emu_kit.pool()
    emu_kit.emulator.faults.throttle("GetCSVHeader", times=2)
    retrying = boto3.client(
        "cognito-idp",
        endpoint_url=emu_kit.emulator.url,
        config=Config(retries={"mode": "standard", "total_max_attempts": 3}),
    )
    answer = retrying.get_csv_header(UserPoolId=pool_id)
    assert answer["ResponseMetadata"]["RetryAttempts"] == 2


def test_throttle_error_is_cognito_json(emu_kit: EmulatorKit) -> None:
    emu_kit.emulator.faults.throttle("ListUserImportJobs")
    status, body = emu_kit.raw("ListUserImportJobs", {"UserPoolId": "us-east-1_x", "MaxResults": 1})
    assert status == 400 and body == {"__type": "TooManyRequestsException", "message": "Rate exceeded"}


def test_control_over_http_sets_faults_settings_expiry_and_reset(emu_kit: EmulatorKit) -> None:
    emu = emu_kit.emulator
    control = EmulatorControl(emu.url)
    assert control.health() == {
        "status": "ok",
        "url": emu.url,
        "region": "us-east-1",
        "account_id": "123456789012",
    }

    control.settings.pending_seconds = 0.25
    assert emu.settings.pending_seconds == 0.25 and control.settings.pending_seconds == 0.25
    assert control.update_settings(seconds_per_row=0.5).seconds_per_row == emu.settings.seconds_per_row == 0.5
    with pytest.raises(EmulatorControlError, match="unknown settings: nope"):
        control.update_settings(nope=1)

    control.faults.throttle("DescribeUserPool", times=1)
    control.faults.fail_uploads(times=2)
    control.faults.fail_next_jobs(times=3)
    assert emu.faults.to_json() == {
        "throttle": {"DescribeUserPool": 1},
        "fail_uploads": 2,
        "fail_next_jobs": 3,
    }
    pool_id = emu_kit.pool()
    with pytest.raises(ClientError, match="TooManyRequestsException"):
        emu_kit.cognito.describe_user_pool(UserPoolId=pool_id)
    control.faults.clear()
    assert emu.faults.to_json() == {"throttle": {}, "fail_uploads": 0, "fail_next_jobs": 0}

    job = emu_kit.create_job(pool_id)
    assert control.expire_unstarted_jobs() == [job["JobId"]]
    assert emu_kit.describe(pool_id, job["JobId"])["Status"] == "Expired"

    control.reset()
    assert emu.settings.pending_seconds == 1.0  # the emulator's own defaults again
    with pytest.raises(ClientError, match="ResourceNotFoundException"):
        emu_kit.cognito.describe_user_pool(UserPoolId=pool_id)


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("GET", "nothing", None, 404),
        ("GET", "reset", None, 405),
        ("POST", "faults", {"throttle": {"X": -1}}, 400),
        ("POST", "faults", {"explode": 1}, 400),
        ("POST", "settings", {"pending_seconds": "soon"}, 400),
    ],
)
def test_control_endpoints_refuse_bad_requests(
    emu_kit: EmulatorKit, method: str, path: str, body: dict[str, object] | None, status: int
) -> None:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{emu_kit.emulator.url}/_emulator/{path}", data=data, method=method)
    with pytest.raises(urllib.error.HTTPError) as excinfo:
        urllib.request.urlopen(request, timeout=10)
    assert excinfo.value.code == status
    assert "error" in json.loads(excinfo.value.read())
    assert emu_kit.emulator.faults.to_json()["throttle"] == {}


def test_reset_restores_settings_and_clears_faults_and_jobs(emu_kit: EmulatorKit) -> None:
    emu = emu_kit.emulator
    pool_id = emu_kit.pool()
    emu_kit.create_job(pool_id)
    emu.settings.seconds_per_row = 3.0
    emu.faults.fail_next_jobs(2)
    emu.reset()
    assert emu.settings.seconds_per_row == 0.005
    assert emu.faults.to_json()["fail_next_jobs"] == 0
    assert emu.store.jobs == {}
    assert emu_kit.cognito.list_user_pools(MaxResults=10)["UserPools"] == []
